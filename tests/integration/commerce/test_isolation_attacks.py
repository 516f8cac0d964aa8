"""The isolation attack suite, run as the app role: one shop tries to reach another.

Wrong tenant context, missing context, crafted ids through the commerce API and through action
calls, direct SQL: every attempt returns nothing or fails, and a missing context fails closed.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from actions.server import create_app
from commerce import audit, carts, consent, events, message_log, privacy, stock, usage
from commerce.categories import add_category, set_product_category
from commerce.db import tenant_transaction
from commerce.errors import (
    Conflict,
    NotFound,
    OrderNotFound,
    ProductNotFound,
    TenantContextError,
)
from commerce.order_status import change_status
from commerce.orders import Checkout, get_order, place_order
from commerce.payment_records import PostgresLedger, insert_attempt
from commerce.schema import TENANT_TABLES
from commerce.shop_settings import ShopSettings, save_settings

from .conftest import MakeShop, Shop, message_id, shopper

pytestmark = pytest.mark.integration
TOKEN = "attack-suite-token"
STAFF = "staff:*4567"


@dataclass(frozen=True)
class Victim:
    shop: Shop
    shopper: str
    order_id: int
    order_number: str
    cart_id: int
    category_id: int


@pytest.fixture(scope="module")
async def attacker(make_shop: MakeShop) -> Shop:
    return await make_shop()


@pytest.fixture(scope="module")
async def victim(make_shop: MakeShop, app_engine: AsyncEngine) -> Victim:
    """Shop B with data in every table: an order, an open cart, stock, consent, events,
    a payment attempt, a processed notification and usage."""
    shop = await make_shop()
    who = shopper()
    await stock.set_stock(app_engine, shop.id, shop.products["BREAD"], 10, actor=STAFF)
    await consent.record_consent(
        app_engine, shop.id, who, "messages", granted=True, text_version="2026-11"
    )
    await carts.add_item(app_engine, shop.id, who, shop.products["BREAD"], 2)
    order = (await place_order(app_engine, shop.id, Checkout(who, message_id()))).order
    await carts.add_item(app_engine, shop.id, who, shop.products["MILK"], 1)
    category = await add_category(app_engine, shop.id, {"en": "Bakery"})
    await save_settings(app_engine, shop.id, ShopSettings(delivery_fee_cents=1000), actor=STAFF)
    await message_log.record(
        app_engine,
        shop.id,
        message_log.LoggedMessage("in", message_id(), "1234567", who, "text", "received"),
    )
    await usage.record(app_engine, shop.id, usage.NLU_CALLS)
    async with tenant_transaction(app_engine, shop.id) as conn:
        cart_id = int((await conn.execute(text("SELECT id FROM carts"))).scalar_one())
        payment_id = await insert_attempt(
            conn,
            shop.id,
            order_id=order.id,
            attempt=1,
            gateway="paystack",
            reference=f"VICTIM-{order.id}-1",
            amount_cents=order.total_cents,
            currency="ZAR",
        )
        ledger = PostgresLedger(conn, shop.id, gateway="paystack", payment_id=payment_id)
        assert await ledger.claim(f"paystack:charge.success:VICTIM-{order.id}-1")
    return Victim(shop, who, order.id, order.number, cart_id, category.id)


async def _count(conn: Any, table: str, tenant: uuid.UUID | None = None) -> int:
    sql = f"SELECT count(*) FROM {table}"
    if tenant is not None:
        sql += f" WHERE {'id' if table == 'tenants' else 'tenant_id'} = :t"
    return int((await conn.execute(text(sql), {"t": str(tenant)})).scalar_one())


# ---- wrong tenant context ---------------------------------------------------------------


async def test_another_shops_rows_are_invisible_in_every_table(
    app_engine: AsyncEngine, attacker: Shop, victim: Victim
) -> None:
    async with tenant_transaction(app_engine, victim.shop.id) as conn:
        populated = [t for t in TENANT_TABLES if await _count(conn, t) > 0]
    assert populated == list(TENANT_TABLES)  # the victim really has data in every table
    async with tenant_transaction(app_engine, attacker.id) as conn:
        for table in TENANT_TABLES:
            assert await _count(conn, table, victim.shop.id) == 0, table


async def test_writes_into_another_shop_are_refused(
    app_engine: AsyncEngine, attacker: Shop, victim: Victim
) -> None:
    attempts = [
        "INSERT INTO customers (tenant_id, user_key) VALUES (:v, 'x')",
        "INSERT INTO audit_log (tenant_id, actor, action) VALUES (:v, 'system', 'evil.act')",
        "INSERT INTO outbox (tenant_id, kind, notify) VALUES (:v, 'order.paid', '{shopper}')",
        "INSERT INTO stock (tenant_id, product_id, on_hand) VALUES (:v, :p, 99)",
        "INSERT INTO order_counters (tenant_id) VALUES (:v)",
    ]
    for sql in attempts:
        with pytest.raises(DBAPIError, match="row-level security"):
            async with tenant_transaction(app_engine, attacker.id) as conn:
                await conn.execute(
                    text(sql), {"v": str(victim.shop.id), "p": victim.shop.products["BREAD"]}
                )


async def test_updates_and_deletes_cannot_reach_another_shop(
    app_engine: AsyncEngine, attacker: Shop, victim: Victim
) -> None:
    async with tenant_transaction(app_engine, attacker.id) as conn:
        for sql in (
            "UPDATE orders SET status = 'delivered', total_cents = 0, subtotal_cents = 0",
            "UPDATE stock SET on_hand = 0, reserved = 0",
            "UPDATE customers SET opted_out = true",
            "UPDATE outbox SET published_at = now()",
            "DELETE FROM carts",
            "DELETE FROM cart_items",
            "DELETE FROM stock",
            "DELETE FROM categories",
        ):
            assert (await conn.execute(text(sql))).rowcount == 0, sql
    order = await get_order(app_engine, victim.shop.id, victim.order_id)
    assert (order.status.value, order.total_cents) == ("placed", 2 * 1599)
    level = await stock.level(app_engine, victim.shop.id, victim.shop.products["BREAD"])
    assert level is not None
    assert (level.on_hand, level.reserved) == (10, 2)


async def test_moving_a_row_into_another_shop_is_refused(
    app_engine: AsyncEngine, attacker: Shop, victim: Victim
) -> None:
    who = shopper()
    await carts.add_item(app_engine, attacker.id, who, attacker.products["MILK"], 1)
    with pytest.raises(DBAPIError, match="row-level security"):
        async with tenant_transaction(app_engine, attacker.id) as conn:
            await conn.execute(
                text("UPDATE cart_items SET tenant_id = :v"), {"v": str(victim.shop.id)}
            )


# ---- missing context --------------------------------------------------------------------


async def test_without_a_tenant_every_table_is_empty_and_writes_fail(
    app_engine: AsyncEngine, victim: Victim
) -> None:
    async with app_engine.begin() as conn:
        for table in TENANT_TABLES:
            assert await _count(conn, table) == 0, table
    with pytest.raises(DBAPIError, match="row-level security"):
        async with app_engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO customers (tenant_id, user_key) VALUES (:v, 'x')"),
                {"v": str(victim.shop.id)},
            )


async def test_an_empty_or_malformed_context_fails_closed(
    app_engine: AsyncEngine, victim: Victim
) -> None:
    async with app_engine.begin() as conn:
        await conn.execute(text("SELECT set_config('app.tenant_id', '', true)"))
        assert await _count(conn, "orders") == 0

    async def count_with_context(value: str) -> int:
        async with app_engine.begin() as conn:
            await conn.execute(text("SELECT set_config('app.tenant_id', :v, true)"), {"v": value})
            return await _count(conn, "orders")

    with pytest.raises(DBAPIError, match="invalid input syntax for type uuid"):
        await count_with_context("shop-b")
    for bad in (None, str(victim.shop.id), 0):
        with pytest.raises(TenantContextError, match="must be a UUID"):
            await get_order(app_engine, bad, victim.order_id)  # type: ignore[arg-type]


async def test_a_context_never_outlives_its_transaction(
    app_engine: AsyncEngine, victim: Victim
) -> None:
    """One pooled connection: the next user of it must not inherit the shop."""
    engine = create_async_engine(
        app_engine.url.render_as_string(hide_password=False), pool_size=1, max_overflow=0
    )
    try:
        async with tenant_transaction(engine, victim.shop.id) as conn:
            assert await _count(conn, "orders") == 1
        async with engine.begin() as conn:
            assert await _count(conn, "orders") == 0
            assert (await conn.execute(text("SELECT wakala_current_tenant()"))).scalar() is None
    finally:
        await engine.dispose()


# ---- crafted ids through the commerce API ------------------------------------------------


async def test_another_shops_ids_reach_nothing_through_the_api(
    app_engine: AsyncEngine, attacker: Shop, victim: Victim
) -> None:
    bread_b = victim.shop.products["BREAD"]
    who = shopper()
    with pytest.raises(ProductNotFound):
        await carts.add_item(app_engine, attacker.id, who, bread_b, 1)
    with pytest.raises(OrderNotFound):
        await get_order(app_engine, attacker.id, victim.order_id)
    with pytest.raises(OrderNotFound):
        await change_status(app_engine, attacker.id, victim.order_id, "cancelled", actor=STAFF)
    with pytest.raises(ProductNotFound):
        await stock.set_stock(app_engine, attacker.id, bread_b, 0, actor=STAFF)
    assert await stock.level(app_engine, attacker.id, bread_b) is None
    with pytest.raises(ProductNotFound):
        await set_product_category(app_engine, attacker.id, bread_b, None)
    with pytest.raises(NotFound):
        await set_product_category(
            app_engine, attacker.id, attacker.products["BREAD"], victim.category_id
        )
    with pytest.raises(NotFound):  # the victim's shopper is unknown to the attacker's shop
        await privacy.export_customer(app_engine, attacker.id, victim.shopper, actor=STAFF)
    assert await carts.view_cart(app_engine, attacker.id, victim.shopper) == carts.Cart(None)
    assert await events.pending(app_engine, attacker.id) == []
    assert await audit.entries(app_engine, attacker.id) == []
    # The victim's order, cart and stock are untouched by all of this.
    assert (await get_order(app_engine, victim.shop.id, victim.order_id)).status.value == "placed"
    assert not (await carts.view_cart(app_engine, victim.shop.id, victim.shopper)).is_empty


async def test_composite_keys_refuse_references_across_shops(
    app_engine: AsyncEngine, attacker: Shop, victim: Victim
) -> None:
    """Even a query that forgets every filter cannot point at another shop's rows."""
    who = shopper()
    await carts.add_item(app_engine, attacker.id, who, attacker.products["MILK"], 1)
    async with tenant_transaction(app_engine, attacker.id) as conn:
        own_cart = int(
            (
                await conn.execute(
                    text(
                        "SELECT c.id FROM carts c JOIN customers u "
                        "ON u.tenant_id = c.tenant_id AND u.id = c.customer_id "
                        "WHERE u.user_key = :w"
                    ),
                    {"w": who},
                )
            ).scalar_one()
        )
    attempts = [
        (
            "INSERT INTO cart_items (tenant_id, cart_id, product_id, quantity) "
            "VALUES (:a, :own_cart, :victim_product, 1)"
        ),
        (
            "INSERT INTO cart_items (tenant_id, cart_id, product_id, quantity) "
            "VALUES (:a, :victim_cart, :own_product, 1)"
        ),
        (
            "INSERT INTO order_status_history (tenant_id, order_id, to_status, actor) "
            "VALUES (:a, :victim_order, 'cancelled', 'system')"
        ),
    ]
    for sql in attempts:
        with pytest.raises(DBAPIError, match="foreign key"):
            async with tenant_transaction(app_engine, attacker.id) as conn:
                await conn.execute(
                    text(sql),
                    {
                        "a": str(attacker.id),
                        "own_cart": own_cart,
                        "own_product": attacker.products["MILK"],
                        "victim_cart": victim.cart_id,
                        "victim_product": victim.shop.products["BREAD"],
                        "victim_order": victim.order_id,
                    },
                )


# ---- crafted ids in action calls ---------------------------------------------------------


@pytest.fixture
async def http(app_engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(app_engine, TOKEN))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://actions", headers={"Authorization": f"Bearer {TOKEN}"}
    ) as client:
        yield client


async def _act(
    http: httpx.AsyncClient, shop: Shop, who: str, action: str, **entities: Any
) -> list[dict[str, Any]]:
    body = {
        "next_action": action,
        "sender_id": who,
        "tracker": {
            "sender_id": who,
            "slots": {"tenant_id": str(shop.id), "language": "en"},
            "latest_message": {
                "entities": [{"entity": k, "value": v} for k, v in entities.items()],
                "message_id": message_id(),
            },
        },
    }
    response = await http.post("/webhook", json=body)
    assert response.status_code == 200
    return list(response.json()["responses"])


async def test_actions_with_another_shops_ids_get_nothing(
    http: httpx.AsyncClient, app_engine: AsyncEngine, attacker: Shop, victim: Victim
) -> None:
    bread_b = victim.shop.products["BREAD"]
    who = shopper()
    replies = [
        await _act(http, attacker, who, "action_add_to_cart", product_id=f"product:{bread_b}"),
        await _act(http, attacker, who, "action_remove_from_cart", product_id=bread_b),
        await _act(http, attacker, who, "action_order_status", order_number=victim.order_number),
        await _act(http, attacker, who, "action_cancel_order", order_number=victim.order_number),
        await _act(http, attacker, who, "action_reorder"),
        await _act(http, attacker, who, "action_view_cart"),
        await _act(http, attacker, who, "action_checkout"),
        # The victim's own shopper, writing to the attacker's shop, has nothing there either.
        await _act(http, attacker, victim.shopper, "action_order_status"),
        await _act(http, attacker, victim.shopper, "action_view_cart"),
    ]
    assert [[r["response"] for r in reply] for reply in replies] == [
        ["utter_product_not_found"],
        ["utter_not_in_cart"],
        ["utter_no_orders"],
        ["utter_no_orders"],
        ["utter_no_orders"],
        ["utter_cart_empty"],
        ["utter_cart_empty"],
        ["utter_no_orders"],
        ["utter_cart_empty"],
    ]
    assert (await get_order(app_engine, victim.shop.id, victim.order_id)).status.value == "placed"


async def test_another_shopper_of_the_same_shop_cannot_reach_an_order(
    http: httpx.AsyncClient, app_engine: AsyncEngine, victim: Victim
) -> None:
    intruder = shopper()
    assert [
        r["response"]
        for r in await _act(
            http, victim.shop, intruder, "action_cancel_order", order_number=victim.order_number
        )
    ] == ["utter_no_orders"]
    assert (await get_order(app_engine, victim.shop.id, victim.order_id)).status.value == "placed"


async def test_a_replayed_message_id_never_shows_another_shoppers_order(
    app_engine: AsyncEngine, victim: Victim
) -> None:
    async with tenant_transaction(app_engine, victim.shop.id) as conn:
        key = (
            await conn.execute(
                text("SELECT idempotency_key FROM orders WHERE id = :o"), {"o": victim.order_id}
            )
        ).scalar_one()
    intruder = shopper()
    await carts.add_item(app_engine, victim.shop.id, intruder, victim.shop.products["MILK"], 1)
    with pytest.raises(Conflict, match="another shopper's order"):
        await place_order(app_engine, victim.shop.id, Checkout(intruder, key))


async def test_a_crafted_tenant_slot_fails_closed(http: httpx.AsyncClient, victim: Victim) -> None:
    for bad in ("", "not-a-uuid", "'; SET app.tenant_id = 'x", None):
        body = {
            "next_action": "action_view_cart",
            "sender_id": victim.shopper,
            "tracker": {"sender_id": victim.shopper, "slots": {"tenant_id": bad}},
        }
        response = await http.post("/webhook", json=body)
        assert response.json()["responses"] == [{"response": "utter_action_failed"}]


# ---- the app role's own powers ------------------------------------------------------------


async def test_the_app_role_cannot_weaken_the_rules(app_engine: AsyncEngine) -> None:
    for sql in (
        "ALTER TABLE orders DISABLE ROW LEVEL SECURITY",
        "ALTER TABLE orders NO FORCE ROW LEVEL SECURITY",
        "DROP POLICY tenant_isolation ON orders",
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
        "CREATE POLICY open_door ON orders USING (true)",
        "CREATE OR REPLACE FUNCTION wakala_current_tenant() RETURNS uuid "
        "LANGUAGE sql AS $$ SELECT NULL::uuid $$",
    ):
        with pytest.raises(DBAPIError, match=r"must be owner|permission denied"):
            async with app_engine.begin() as conn:
                await conn.execute(text(sql))
