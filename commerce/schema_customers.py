"""Tables for shoppers and the shop's own records: customers, consents, audit log, settings,
categories. Same `metadata` as `commerce.schema`; migration 0004 is the source of truth."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
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

customers = Table(
    "customers",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("id", BigInteger, Identity(), nullable=False),
    Column("user_key", Text, nullable=False),  # the channel's id for the shopper (wa_id)
    Column("phone", Text),
    Column("name", Text),
    Column("address", Text),
    Column("language", Text, nullable=False, server_default="en"),
    Column("opted_out", Boolean, nullable=False, server_default="false"),
    Column("opted_out_at", DateTime(timezone=True)),
    Column("erased_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("tenant_id", "id"),
    ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
)

consents = Table(
    "consents",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("id", BigInteger, Identity(), nullable=False),
    Column("customer_id", BigInteger, nullable=False),
    Column("purpose", Text, nullable=False),  # "messages" | "marketing"
    Column("granted", Boolean, nullable=False),
    Column("text_version", Text, nullable=False),
    Column("channel", Text, nullable=False),
    Column("evidence", Text),  # the inbound message id that carried the answer
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("tenant_id", "id"),
    ForeignKeyConstraint(
        ["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"], ondelete="CASCADE"
    ),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("id", BigInteger, Identity(), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("subject", Text, nullable=False, server_default=""),
    Column("details", JSONB, nullable=False, server_default="{}"),
    PrimaryKeyConstraint("tenant_id", "id"),
    ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
)

shop_settings = Table(
    "shop_settings",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    Column("delivery_fee_cents", Integer, nullable=False, server_default="0"),
    Column("reservation_minutes", Integer, nullable=False, server_default="30"),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # migration 0008: what shoppers ask about, and where the shop's day starts
    Column("hours", JSONB, nullable=False, server_default="{}"),  # {"en": "Mon-Sat 7-19"}
    Column("address", Text, nullable=False, server_default=""),
    Column("delivers", Boolean, nullable=False, server_default="true"),
    Column("timezone", Text, nullable=False, server_default="Africa/Johannesburg"),
    ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
)

categories = Table(
    "categories",
    metadata,
    Column("tenant_id", UUID(as_uuid=True), nullable=False),
    Column("id", BigInteger, Identity(), nullable=False),
    Column("names", JSONB, nullable=False),
    Column("position", Integer, nullable=False, server_default="0"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("tenant_id", "id"),
    ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
)
