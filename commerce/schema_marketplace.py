"""Marketplace numbers and the shop directory: global reference tables, no personal data.
Same `metadata` as `commerce.schema`; migration 0009 is the source of truth."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Float, Table, Text, func
from sqlalchemy.dialects.postgresql import UUID

from commerce.schema import metadata

# Numbers shared by many shops, with the operator's Graph API token. A number is here or in
# phone_numbers (a shop's own), never both: a trigger on each table refuses the other's.
marketplace_numbers = Table(
    "marketplace_numbers",
    metadata,
    Column("phone_number_id", Text, primary_key=True),
    Column("display_phone_number", Text, nullable=False, server_default=""),
    Column("access_token", Text, nullable=False),
    Column("default_language", Text, nullable=False, server_default="en"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# The shops a marketplace shopper may pick. `listed` shops are offered by name and nearness;
# any shop in the table can be picked by its exact code (its poster or wa.me link).
marketplace_shops = Table(
    "marketplace_shops",
    metadata,
    Column("code", Text, primary_key=True),
    Column("tenant_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("area", Text, nullable=False, server_default=""),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("listed", Boolean, nullable=False, server_default="true"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
