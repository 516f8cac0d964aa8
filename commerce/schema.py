"""Table definitions (SQLAlchemy Core) used by the repositories.

The migrations under `commerce/migrations/versions/` are the source of truth for the database;
these objects describe the same tables for typed queries. Every tenant table leads its primary
key with `tenant_id`, so the schema distributes by tenant (Citus) unchanged.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKeyConstraint,
    Identity,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

metadata = MetaData()

# Global directory of WhatsApp business numbers (a reference table under Citus). Holds no
# personal data; it only says which shop a number belongs to, so the worker can find the tenant
# before any tenant context exists. Marketplace numbers, shared by many shops, are kept apart in
# `marketplace_numbers` (schema_marketplace.py); a number is never in both.
phone_numbers = Table(
    "phone_numbers",
    metadata,
    Column("phone_number_id", Text, primary_key=True),
    Column("display_phone_number", Text, nullable=False, server_default=""),
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

tenants = Table(
    "tenants",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("code", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("default_language", Text, nullable=False, server_default="en"),
    Column("is_open", Boolean, nullable=False, server_default="true"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

whatsapp_channels = Table(
    "whatsapp_channels",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("phone_number_id", Text, nullable=False),
    Column("access_token", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("tenant_id", "phone_number_id"),
    ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
)

staff = Table(
    "staff",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("phone", Text, nullable=False),  # E.164 digits, as WhatsApp's wa_id
    Column("name", Text, nullable=False, server_default=""),
    Column("role", Text, nullable=False, server_default="owner"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("tenant_id", "phone"),
    ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
)

products = Table(
    "products",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("id", BigInteger, Identity(), nullable=False),
    Column("sku", Text, nullable=False),
    Column("names", JSONB, nullable=False),  # {"en": "Bread", "zu": "Isinkwa", "st": "Bohobe"}
    Column("price_cents", Integer, nullable=False),
    Column("unit", Text, nullable=False, server_default="each"),
    Column("active", Boolean, nullable=False, server_default="true"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # {"en": ["loaf", "bred"], "zu": ["izinkwa"]}: other names and misspellings per language
    Column("aliases", JSONB, nullable=False, server_default="{}"),
    Column("category_id", BigInteger),  # added by migration 0004; see schema_customers.categories
    PrimaryKeyConstraint("tenant_id", "id"),
    ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
)

message_log = Table(
    "message_log",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("id", BigInteger, Identity(), nullable=False),
    Column("direction", Text, nullable=False),  # "in" | "out"
    Column("reference", Text, nullable=False),  # inbound wamid, or our outbound reply id
    Column("wamid", Text),
    Column("phone_number_id", Text, nullable=False),
    Column("customer", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("error_code", Integer),
    Column("error_detail", Text),
    Column("bytes", Integer, nullable=False, server_default="0"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("tenant_id", "id"),
    ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
)

TENANT_TABLES = (
    "tenants",
    "whatsapp_channels",
    "staff",
    "products",
    "message_log",
    # commerce core (migrations 0004-0006): see schema_customers.py and schema_orders.py
    "customers",
    "consents",
    "audit_log",
    "shop_settings",
    "categories",
    "stock",
    "carts",
    "cart_items",
    "order_counters",
    "orders",
    "order_items",
    "order_status_history",
    "outbox",
    # payments and usage (migration 0007): see schema_payments.py
    "payments",
    "payment_notifications",
    "usage_counters",
)
