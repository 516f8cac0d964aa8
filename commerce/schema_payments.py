"""Tables for payment attempts, the notification ledger, usage counters and the shop-code
directory. Same `metadata` as `commerce.schema`; migration 0007 is the source of truth."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKeyConstraint,
    Identity,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import UUID

from commerce.schema import metadata


def _timestamp(name: str) -> Column[object]:
    return Column(name, DateTime(timezone=True), nullable=False, server_default=func.now())


# Global, like phone_numbers: a shop's code → its tenant, for URLs that name the shop.
tenant_codes = Table(
    "tenant_codes",
    metadata,
    Column("code", Text, primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False, unique=True),
    _timestamp("created_at"),
)

payments = Table(
    "payments",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("id", BigInteger, Identity(), nullable=False),
    Column("order_id", BigInteger, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("gateway", Text, nullable=False),
    Column("reference", Text, nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("currency", Text, nullable=False, server_default="ZAR"),
    Column("status", Text, nullable=False, server_default="pending"),  # a PaymentState value
    Column("gateway_status", Text),
    Column("pay_url", Text),
    Column("gateway_id", Text),
    Column("gateway_transaction_id", Text),
    Column("charged_cents", BigInteger),
    Column("refunded_cents", BigInteger, nullable=False, server_default="0"),
    Column("error_code", Text),
    _timestamp("created_at"),
    _timestamp("updated_at"),
    Column("paid_at", DateTime(timezone=True)),
    PrimaryKeyConstraint("tenant_id", "id"),
    ForeignKeyConstraint(["tenant_id", "order_id"], ["orders.tenant_id", "orders.id"]),
)

payment_notifications = Table(
    "payment_notifications",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("dedupe_key", Text, nullable=False),
    Column("gateway", Text, nullable=False),
    Column("payment_id", BigInteger),
    Column("event", Text, nullable=False),
    Column("state", Text, nullable=False),
    _timestamp("received_at"),
    PrimaryKeyConstraint("tenant_id", "dedupe_key"),
    ForeignKeyConstraint(["tenant_id", "payment_id"], ["payments.tenant_id", "payments.id"]),
)

usage_counters = Table(
    "usage_counters",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("day", Date, nullable=False),
    Column("metric", Text, nullable=False),
    Column("count", BigInteger, nullable=False, server_default="0"),
    PrimaryKeyConstraint("tenant_id", "day", "metric"),
)
