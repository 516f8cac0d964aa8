"""The schema's promises: every tenant table isolated and Citus-distributable, least privilege."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.schema import TENANT_TABLES

pytestmark = pytest.mark.integration

CORE = (
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
    "payments",
    "payment_notifications",
    "usage_counters",
)
# Financial and consent records: the app may never delete (or, for some, change) them.
NEVER = {
    "audit_log": {"UPDATE", "DELETE", "TRUNCATE"},
    "consents": {"UPDATE", "DELETE", "TRUNCATE"},
    "customers": {"DELETE", "TRUNCATE"},
    "orders": {"DELETE", "TRUNCATE"},
    "order_items": {"UPDATE", "DELETE", "TRUNCATE"},
    "order_status_history": {"UPDATE", "DELETE", "TRUNCATE"},
    "payments": {"DELETE", "TRUNCATE"},
    "payment_notifications": {"UPDATE", "DELETE", "TRUNCATE"},
}


def _key(table: str) -> str:
    return "id" if table == "tenants" else "tenant_id"


async def test_every_tenant_table_forces_row_level_security(admin_engine: AsyncEngine) -> None:
    assert set(CORE) <= set(TENANT_TABLES)
    async with admin_engine.begin() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
                    "p.polname, pg_get_expr(p.polqual, p.polrelid) AS qual, "
                    "pg_get_expr(p.polwithcheck, p.polrelid) AS with_check, "
                    "pg_get_userbyid(c.relowner) AS owner "
                    "FROM pg_class c LEFT JOIN pg_policy p ON p.polrelid = c.oid "
                    "WHERE c.relname = ANY(:tables) AND c.relkind = 'r'"
                ),
                {"tables": list(TENANT_TABLES)},
            )
        ).all()
    assert {row.relname for row in rows} == set(TENANT_TABLES)
    for row in rows:
        expected = f"({_key(row.relname)} = wakala_current_tenant())"
        assert (row.relrowsecurity, row.relforcerowsecurity) == (True, True), row.relname
        assert (row.polname, row.qual, row.with_check) == ("tenant_isolation", expected, expected)
        assert row.owner not in {"wakala_app", "wakala_tenant"}


async def test_keys_lead_with_the_tenant_so_citus_can_distribute(
    admin_engine: AsyncEngine,
) -> None:
    """Primary keys, unique constraints and foreign keys between tenant tables all include the
    distribution column, which Citus requires of distributed tables."""
    async with admin_engine.begin() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT con.conname, con.contype::text AS contype, src.relname AS source, "
                    "dst.relname AS target, "
                    "ARRAY(SELECT attname FROM pg_attribute WHERE attrelid = con.conrelid "
                    "      AND attnum = ANY(con.conkey)) AS columns, "
                    "ARRAY(SELECT attname FROM pg_attribute WHERE attrelid = con.confrelid "
                    "      AND attnum = ANY(con.confkey)) AS target_columns "
                    "FROM pg_constraint con JOIN pg_class src ON src.oid = con.conrelid "
                    "LEFT JOIN pg_class dst ON dst.oid = con.confrelid "
                    "WHERE src.relname = ANY(:tables) AND con.contype IN ('p', 'u', 'f')"
                ),
                {"tables": list(CORE)},
            )
        ).all()
        indexes = (
            await conn.execute(
                text(
                    "SELECT indexrelid::regclass::text AS name, indexdef FROM pg_index "
                    "JOIN pg_indexes ON indexname = indexrelid::regclass::text "
                    "WHERE indisunique AND tablename = ANY(:tables)"
                ),
                {"tables": list(CORE)},
            )
        ).all()
    assert {row.source for row in rows if row.contype == "p"} == set(CORE)
    for row in rows:
        if row.contype == "f" and row.target == "tenants":
            assert row.target_columns == ["id"], row.conname
        else:
            assert "tenant_id" in row.columns, row.conname
            if row.contype == "f":
                assert "tenant_id" in row.target_columns, row.conname
    for index in indexes:
        assert "tenant_id" in index.indexdef, index.name


async def test_the_app_role_has_least_privilege(admin_engine: AsyncEngine) -> None:
    async with admin_engine.begin() as conn:
        for table, denied in NEVER.items():
            for privilege in denied:
                allowed = (
                    await conn.execute(
                        text("SELECT has_table_privilege('wakala_app', :t, :p)"),
                        {"t": table, "p": privilege},
                    )
                ).scalar_one()
                assert not allowed, f"wakala_app may {privilege} {table}"
        for table in CORE:
            readable = (
                await conn.execute(
                    text("SELECT has_table_privilege('wakala_app', :t, 'SELECT, INSERT')"),
                    {"t": table},
                )
            ).scalar_one()
            assert readable, table
