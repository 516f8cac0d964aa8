"""Tenant isolation with row-level security, exercised as the app role."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.catalog import NewProduct, list_products, upsert_products
from commerce.db import tenant_transaction
from commerce.errors import Conflict, InvalidInput, UnknownChannel
from commerce.tenants import (
    NewTenant,
    Tenant,
    access_token,
    add_tenant,
    is_staff,
    tenant_for_number,
)

pytestmark = pytest.mark.integration


def _shop(code: str, number: str) -> NewTenant:
    return NewTenant(
        code=code,
        name=f"Shop {code}",
        phone_number_id=number,
        access_token=f"token-{code}",
        staff_phones=("082 123 4567",),
    )


@pytest.fixture(scope="module")
async def shops(admin_engine: AsyncEngine) -> tuple[Tenant, Tenant]:
    suffix = uuid.uuid4().hex[:6].upper()
    first = await add_tenant(admin_engine, _shop(f"A-{suffix}", f"9{uuid.uuid4().int % 10**12}"))
    second = await add_tenant(admin_engine, _shop(f"B-{suffix}", f"8{uuid.uuid4().int % 10**12}"))
    await upsert_products(admin_engine, first.id, [NewProduct("BREAD", {"en": "Bread"}, 1599)])
    await upsert_products(admin_engine, second.id, [NewProduct("CHIPS", {"en": "Chips"}, 999)])
    return first, second


async def test_each_shop_sees_only_its_own_products(
    app_engine: AsyncEngine, shops: tuple[Tenant, Tenant]
) -> None:
    first, second = shops
    assert [p.sku for p in await list_products(app_engine, first.id)] == ["BREAD"]
    assert [p.sku for p in await list_products(app_engine, second.id)] == ["CHIPS"]


async def test_without_a_tenant_context_tenant_tables_are_empty(
    app_engine: AsyncEngine, shops: tuple[Tenant, Tenant]
) -> None:
    async with app_engine.begin() as conn:
        for table in ("tenants", "whatsapp_channels", "staff", "products"):
            assert (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar() == 0


async def test_writing_into_another_shop_is_refused(
    app_engine: AsyncEngine, shops: tuple[Tenant, Tenant]
) -> None:
    first, second = shops
    with pytest.raises(DBAPIError, match="row-level security"):
        async with tenant_transaction(app_engine, first.id) as conn:
            await conn.execute(
                text(
                    "INSERT INTO products (tenant_id, sku, names, price_cents) "
                    "VALUES (:tenant, 'EVIL', '{\"en\": \"x\"}', 1)"
                ),
                {"tenant": str(second.id)},
            )


async def test_updates_cannot_reach_another_shops_rows(
    app_engine: AsyncEngine, shops: tuple[Tenant, Tenant]
) -> None:
    first, second = shops
    async with tenant_transaction(app_engine, first.id) as conn:
        result = await conn.execute(
            text("UPDATE products SET price_cents = 1 WHERE tenant_id = :other"),
            {"other": str(second.id)},
        )
        assert result.rowcount == 0
    assert [p.price_cents for p in await list_products(app_engine, second.id)] == [999]


async def test_the_app_role_cannot_switch_security_off(app_engine: AsyncEngine) -> None:
    async with app_engine.connect() as conn:
        with pytest.raises(DBAPIError, match="must be owner"):
            await conn.execute(text("ALTER TABLE products DISABLE ROW LEVEL SECURITY"))
        await conn.rollback()
        await conn.execute(text("SET row_security = off"))
        with pytest.raises(DBAPIError, match="row-level security"):
            await conn.execute(text("SELECT count(*) FROM products"))


async def test_tables_force_row_level_security(admin_engine: AsyncEngine) -> None:
    async with admin_engine.begin() as conn:
        rows = await conn.execute(
            text(
                "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
                "WHERE relname IN ('tenants', 'whatsapp_channels', 'staff', 'products')"
            )
        )
        flags = {row.relname: (row.relrowsecurity, row.relforcerowsecurity) for row in rows}
    assert flags == {name: (True, True) for name in flags}
    assert len(flags) == 4


async def test_numbers_route_to_their_shop_and_tokens_stay_per_shop(
    app_engine: AsyncEngine, shops: tuple[Tenant, Tenant]
) -> None:
    first, _ = shops
    async with tenant_transaction(app_engine, first.id) as conn:
        number = (
            await conn.execute(text("SELECT phone_number_id FROM whatsapp_channels"))
        ).scalar_one()
    assert await tenant_for_number(app_engine, number) == first.id
    assert await access_token(app_engine, first.id, number) == f"token-{first.code}"
    with pytest.raises(UnknownChannel):
        await tenant_for_number(app_engine, "000000")


async def test_staff_numbers_are_normalised(
    app_engine: AsyncEngine, shops: tuple[Tenant, Tenant]
) -> None:
    first, _ = shops
    assert await is_staff(app_engine, first.id, "27821234567")
    assert not await is_staff(app_engine, first.id, "27829999999")


async def test_duplicate_codes_and_bad_input_are_explained(
    admin_engine: AsyncEngine, shops: tuple[Tenant, Tenant]
) -> None:
    first, _ = shops
    with pytest.raises(Conflict, match="already taken"):
        await add_tenant(admin_engine, _shop(first.code, "700000000001"))
    with pytest.raises(InvalidInput, match="phone_number_id"):
        await add_tenant(admin_engine, _shop("OK-CODE", "not-a-number"))
    with pytest.raises(InvalidInput, match="shop code"):
        await add_tenant(admin_engine, _shop("bad code!", "700000000002"))
