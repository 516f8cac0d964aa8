"""Shops, products and shoppers for the commerce tests. Shops are created with the owner's
engine (only the owner may add WhatsApp numbers); everything else runs as the app role."""

from __future__ import annotations

import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.catalog import NewProduct, upsert_products
from commerce.db import tenant_transaction
from commerce.tenants import NewTenant, Tenant, add_tenant

STAFF_PHONE = "27821234567"
PRODUCTS = [
    NewProduct("BREAD", {"en": "White bread", "zu": "Isinkwa esimhlophe"}, 1599, "loaf"),
    NewProduct("MILK", {"en": "Milk 1L", "zu": "Ubisi 1L"}, 2199, "bottle"),
    NewProduct("SUGAR", {"en": "Sugar 2kg", "st": "Tswekere 2kg"}, 4599, "bag"),
]


@dataclass(frozen=True)
class Shop:
    tenant: Tenant
    products: dict[str, int]  # SKU → product id

    @property
    def id(self) -> uuid.UUID:
        return self.tenant.id


MakeShop = Callable[..., Awaitable[Shop]]


@pytest.fixture(scope="session")
def make_shop(admin_engine: AsyncEngine, app_engine: AsyncEngine) -> MakeShop:
    async def make(products: list[NewProduct] | None = None) -> Shop:
        code = f"T-{uuid.uuid4().hex[:8].upper()}"
        tenant = await add_tenant(
            admin_engine,
            NewTenant(
                code=code,
                name=f"Shop {code}",
                phone_number_id=str(random.randrange(10**11, 10**12)),
                access_token="token",
                staff_phones=(STAFF_PHONE,),
            ),
        )
        await upsert_products(admin_engine, tenant.id, products or PRODUCTS)
        async with tenant_transaction(app_engine, tenant.id) as conn:
            rows = await conn.execute(text("SELECT sku, id FROM products"))
            ids = {row.sku: int(row.id) for row in rows}
        return Shop(tenant, ids)

    return make


@pytest.fixture
async def shop(make_shop: MakeShop) -> Shop:
    return await make_shop()


@pytest.fixture
async def other_shop(make_shop: MakeShop) -> Shop:
    return await make_shop()


def shopper() -> str:
    """A fresh shopper's WhatsApp id (digits with the country code)."""
    return f"2783{random.randrange(10**6, 10**7)}"


def message_id() -> str:
    return f"wamid.{uuid.uuid4().hex}"
