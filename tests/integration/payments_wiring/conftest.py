"""Payments wired to orders, over HTTP: the payments router and both gateway fakes served by
uvicorn on free local ports, a real migrated database, shops and orders made as the app role.

The three servers start once per session; each test plugs fresh apps into them (`Switch`), so
no state crosses tests and no test waits for uvicorn to start or stop.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.payments import ConfiguredGateways, PaymentService, create_router
from bot.payments.gateways import RETURN_PATH
from bot.simulator.ozow_fake import OzowFake
from bot.simulator.paystack_fake import PaystackFake
from commerce import carts
from commerce.catalog import upsert_products
from commerce.db import tenant_transaction
from commerce.orders import Checkout, Order, place_order
from commerce.payments import OzowConfig, PaystackConfig
from commerce.tenants import NewTenant, Tenant, add_tenant
from tests.integration.commerce.conftest import PRODUCTS, STAFF_PHONE
from tests.integration.payments.conftest import Switch, serve

pytestmark = pytest.mark.integration

PAYSTACK_KEY = "sk_test_wakala_wiring"


@dataclass(frozen=True)
class Servers:
    app: Switch
    paystack: Switch
    ozow: Switch
    app_url: str
    paystack_url: str
    ozow_url: str


@pytest.fixture(scope="session")
async def servers() -> AsyncIterator[Servers]:
    app, paystack, ozow = Switch(), Switch(), Switch()
    async with serve(app, paystack, ozow) as (app_url, paystack_url, ozow_url):
        yield Servers(app, paystack, ozow, app_url, paystack_url, ozow_url)


@dataclass
class Wiring:
    engine: AsyncEngine
    http: httpx.AsyncClient
    tenant: Tenant
    products: dict[str, int]
    service: PaymentService
    paystack: PaystackFake
    ozow: OzowFake
    servers: Servers

    @property
    def code(self) -> str:
        return self.tenant.code

    async def order(self, method: str, *, who: str | None = None, **options: Any) -> Order:
        """A placed order for a new shopper: 2 bread and 1 milk (R53.97)."""
        shopper = who or f"2783{random.randrange(10**6, 10**7)}"
        await carts.add_item(self.engine, self.tenant.id, shopper, self.products["BREAD"], 2)
        await carts.add_item(self.engine, self.tenant.id, shopper, self.products["MILK"], 1)
        checkout = Checkout(shopper, f"wamid.{uuid.uuid4().hex}", payment_method=method, **options)
        return (await place_order(self.engine, self.tenant.id, checkout)).order

    async def rows(self, sql: str, **params: Any) -> list[Any]:
        async with tenant_transaction(self.engine, self.tenant.id) as conn:
            return list((await conn.execute(text(sql), params)).all())

    async def count(self, sql: str, **params: Any) -> int:
        return int((await self.rows(sql, **params))[0][0])

    async def snapshot(self, order_id: int) -> dict[str, Any]:
        """Every row a notification could change for this order."""
        return {
            "order": await self.rows(
                "SELECT status, paid_at, stock_state FROM orders WHERE id = :o", o=order_id
            ),
            "payments": await self.rows(
                "SELECT id, status, charged_cents, refunded_cents, paid_at, gateway_status "
                "FROM payments WHERE order_id = :o ORDER BY id",
                o=order_id,
            ),
            "ledger": await self.rows("SELECT dedupe_key FROM payment_notifications ORDER BY 1"),
            "outbox": await self.rows("SELECT id, kind FROM outbox ORDER BY id"),
            "history": await self.rows("SELECT id FROM order_status_history ORDER BY id"),
        }


MakeShop = Callable[[], Awaitable[tuple[Tenant, dict[str, int]]]]


@pytest.fixture(scope="session")
def make_shop(admin_engine: AsyncEngine, app_engine: AsyncEngine) -> MakeShop:
    async def make() -> tuple[Tenant, dict[str, int]]:
        code = f"PW-{uuid.uuid4().hex[:8].upper()}"
        new = NewTenant(
            code=code,
            name=f"Shop {code}",
            phone_number_id=str(random.randrange(10**11, 10**12)),
            access_token="token",
            staff_phones=(STAFF_PHONE,),
        )
        tenant = await add_tenant(admin_engine, new)
        await upsert_products(app_engine, tenant.id, PRODUCTS)
        async with tenant_transaction(app_engine, tenant.id) as conn:
            rows = await conn.execute(text("SELECT sku, id FROM products"))
            return tenant, {row.sku: int(row.id) for row in rows}

    return make


@pytest.fixture
async def wiring(
    servers: Servers, app_engine: AsyncEngine, make_shop: MakeShop
) -> AsyncIterator[Wiring]:
    tenant, products = await make_shop()
    paystack = PaystackFake(secret_key=PAYSTACK_KEY)
    ozow = OzowFake(site_code="WKLWIRE001", private_key="Wiring-Private-Key", api_key="wire-api")
    async with httpx.AsyncClient(timeout=10) as http:
        paystack.http, paystack.public_url = http, servers.paystack_url
        paystack.webhook_url = f"{servers.app_url}/payments/paystack/{tenant.code}"
        ozow.http, ozow.public_url = http, servers.ozow_url
        gateways = ConfiguredGateways(
            http,
            servers.app_url,
            paystack=PaystackConfig(secret_key=PAYSTACK_KEY, base_url=servers.paystack_url),
            ozow=OzowConfig(
                site_code=ozow.site_code,
                private_key=ozow.private_key,
                api_key=ozow.api_key,
                notify_url=f"{servers.app_url}/payments/ozow",
                success_url=f"{servers.app_url}{RETURN_PATH}",
                api_base_url=servers.ozow_url,
                pay_base_url=servers.ozow_url,
            ),
        )
        service = PaymentService(app_engine, gateways, {"card": "paystack", "eft": "ozow"})
        app = FastAPI()
        app.include_router(create_router(service))
        servers.app.target = app
        servers.paystack.target = paystack.app()
        servers.ozow.target = ozow.app()
        yield Wiring(app_engine, http, tenant, products, service, paystack, ozow, servers)
