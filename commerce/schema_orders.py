"""Tables for stock, carts, orders and the event outbox. Same `metadata` as `commerce.schema`;
migrations 0005 and 0006 are the source of truth."""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Column,
    DateTime,
    ForeignKeyConstraint,
    Identity,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from commerce.schema import metadata


def _timestamp(name: str) -> Column[object]:
    return Column(name, DateTime(timezone=True), nullable=False, server_default=func.now())


stock = Table(
    "stock",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("product_id", BigInteger, nullable=False),
    Column("on_hand", Integer, nullable=False),
    Column("reserved", Integer, nullable=False, server_default="0"),
    Column("low_at", Integer, nullable=False, server_default="0"),
    _timestamp("updated_at"),
    PrimaryKeyConstraint("tenant_id", "product_id"),
    ForeignKeyConstraint(
        ["tenant_id", "product_id"], ["products.tenant_id", "products.id"], ondelete="CASCADE"
    ),
)

carts = Table(
    "carts",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("id", BigInteger, Identity(), nullable=False),
    Column("customer_id", BigInteger, nullable=False),
    _timestamp("created_at"),
    _timestamp("updated_at"),
    PrimaryKeyConstraint("tenant_id", "id"),
    ForeignKeyConstraint(
        ["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"], ondelete="CASCADE"
    ),
)

cart_items = Table(
    "cart_items",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("cart_id", BigInteger, nullable=False),
    Column("product_id", BigInteger, nullable=False),
    Column("quantity", Integer, nullable=False),
    _timestamp("added_at"),
    PrimaryKeyConstraint("tenant_id", "cart_id", "product_id"),
    ForeignKeyConstraint(["tenant_id", "cart_id"], ["carts.tenant_id", "carts.id"]),
    ForeignKeyConstraint(["tenant_id", "product_id"], ["products.tenant_id", "products.id"]),
)

order_counters = Table(
    "order_counters",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    Column("last_number", BigInteger, nullable=False, server_default="0"),
)

orders = Table(
    "orders",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("id", BigInteger, Identity(), nullable=False),
    Column("number", Text, nullable=False),
    Column("customer_id", BigInteger, nullable=False),
    Column("idempotency_key", Text, nullable=False),
    Column("status", Text, nullable=False, server_default="placed"),
    Column("fulfilment", Text, nullable=False),
    Column("delivery_address", Text),
    Column("payment_method", Text, nullable=False),
    Column("language", Text, nullable=False, server_default="en"),
    Column("subtotal_cents", BigInteger, nullable=False),
    Column("delivery_fee_cents", BigInteger, nullable=False, server_default="0"),
    Column("total_cents", BigInteger, nullable=False),
    Column("stock_state", Text, nullable=False, server_default="reserved"),
    Column("reserved_until", DateTime(timezone=True), nullable=False),
    _timestamp("placed_at"),
    _timestamp("updated_at"),
    Column("paid_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
    PrimaryKeyConstraint("tenant_id", "id"),
    ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"]),
)

order_items = Table(
    "order_items",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("order_id", BigInteger, nullable=False),
    Column("product_id", BigInteger, nullable=False),
    Column("sku", Text, nullable=False),
    Column("names", JSONB, nullable=False),
    Column("unit", Text, nullable=False),
    Column("unit_price_cents", Integer, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("line_total_cents", BigInteger, nullable=False),
    Column("reserved_quantity", Integer, nullable=False, server_default="0"),
    PrimaryKeyConstraint("tenant_id", "order_id", "product_id"),
    ForeignKeyConstraint(["tenant_id", "order_id"], ["orders.tenant_id", "orders.id"]),
    ForeignKeyConstraint(["tenant_id", "product_id"], ["products.tenant_id", "products.id"]),
)

order_status_history = Table(
    "order_status_history",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("id", BigInteger, Identity(), nullable=False),
    Column("order_id", BigInteger, nullable=False),
    Column("from_status", Text),
    Column("to_status", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("reason", Text, nullable=False, server_default=""),
    _timestamp("at"),
    PrimaryKeyConstraint("tenant_id", "id"),
    ForeignKeyConstraint(["tenant_id", "order_id"], ["orders.tenant_id", "orders.id"]),
)

outbox = Table(
    "outbox",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("id", BigInteger, Identity(), nullable=False),
    Column("kind", Text, nullable=False),
    Column("order_id", BigInteger),
    Column("customer_id", BigInteger),
    Column("notify", ARRAY(Text), nullable=False),
    Column("payload", JSONB, nullable=False, server_default="{}"),
    _timestamp("created_at"),
    Column("published_at", DateTime(timezone=True)),
    PrimaryKeyConstraint("tenant_id", "id"),
    ForeignKeyConstraint(["tenant_id", "order_id"], ["orders.tenant_id", "orders.id"]),
)
