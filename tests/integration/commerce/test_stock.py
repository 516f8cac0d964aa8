"""Stock is never oversold: reserved at checkout, released on cancel or expiry, and exact under
many concurrent checkouts for the last units."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from commerce import carts, stock
from commerce.db import tenant_transaction
from commerce.errors import InvalidInput, OutOfStock
from commerce.order_status import change_status, expire_everywhere, expire_reservations
from commerce.orders import Checkout, Placed, place_order
from commerce.shop_settings import ShopSettings, save_settings

from .conftest import Shop, message_id, shopper

pytestmark = pytest.mark.integration
STAFF = "staff:*4567"
# PostgreSQL here allows 100 connections in all, shared with other test runs: the checkouts
# below all start at once and share this many connections, each checkout its own transaction.
CONNECTIONS = 30


@pytest.fixture
async def crowd_engine(app_engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(
        app_engine.url.render_as_string(hide_password=False),
        pool_size=CONNECTIONS,
        max_overflow=0,
        pool_timeout=120,
    )
    yield engine
    await engine.dispose()


async def _stock_row(engine: AsyncEngine, shop: Shop, sku: str) -> tuple[int, int]:
    level = await stock.level(engine, shop.id, shop.products[sku])
    assert level is not None
    return level.on_hand, level.reserved


async def _attempt(engine: AsyncEngine, shop: Shop, who: str) -> Placed | OutOfStock:
    try:
        return await place_order(engine, shop.id, Checkout(who, message_id()))
    except OutOfStock as exc:
        return exc


async def _held_by_orders(engine: AsyncEngine, shop: Shop, product_id: int) -> int:
    """What the open orders hold, recomputed from the orders themselves."""
    async with tenant_transaction(engine, shop.id) as conn:
        return int(
            (
                await conn.execute(
                    text(
                        "SELECT coalesce(sum(i.reserved_quantity), 0) FROM order_items i "
                        "JOIN orders o ON o.tenant_id = i.tenant_id AND o.id = i.order_id "
                        "WHERE o.stock_state = 'reserved' AND i.product_id = :p"
                    ),
                    {"p": product_id},
                )
            ).scalar_one()
        )


async def test_a_hundred_concurrent_checkouts_get_exactly_the_last_units(
    app_engine: AsyncEngine, crowd_engine: AsyncEngine, shop: Shop
) -> None:
    bread = shop.products["BREAD"]
    await stock.set_stock(app_engine, shop.id, bread, 7, actor=STAFF)
    shoppers = [shopper() for _ in range(100)]
    await asyncio.gather(
        *(carts.add_item(crowd_engine, shop.id, who, bread, 1) for who in shoppers)
    )

    results = await asyncio.gather(*(_attempt(crowd_engine, shop, who) for who in shoppers))

    placed = [r for r in results if isinstance(r, Placed)]
    refused = [r for r in results if isinstance(r, OutOfStock)]
    assert (len(placed), len(refused)) == (7, 93)
    assert all(r.available == 0 and r.requested == 1 for r in refused)
    assert await _stock_row(app_engine, shop, "BREAD") == (7, 7)
    assert await _held_by_orders(app_engine, shop, bread) == 7
    assert len({p.order.number for p in placed}) == 7


async def test_mixed_quantities_never_oversell(
    app_engine: AsyncEngine, crowd_engine: AsyncEngine, shop: Shop
) -> None:
    milk = shop.products["MILK"]
    await stock.set_stock(app_engine, shop.id, milk, 10, actor=STAFF)
    wants = {shopper(): random.randint(1, 3) for _ in range(100)}
    await asyncio.gather(
        *(carts.add_item(crowd_engine, shop.id, who, milk, n) for who, n in wants.items())
    )

    results = await asyncio.gather(*(_attempt(crowd_engine, shop, who) for who in wants))

    sold = sum(r.order.lines[0].quantity for r in results if isinstance(r, Placed))
    on_hand, reserved = await _stock_row(app_engine, shop, "MILK")
    assert (on_hand, reserved) == (10, sold)
    assert 0 < sold <= 10
    # Availability only goes down, so every refusal still stands at the end.
    failed = [r.requested for r in results if isinstance(r, OutOfStock)]
    assert failed
    assert 10 - sold < min(failed)
    assert await _held_by_orders(app_engine, shop, milk) == sold


async def test_stock_moves_with_the_order(app_engine: AsyncEngine, shop: Shop) -> None:
    sugar = shop.products["SUGAR"]
    await stock.set_stock(app_engine, shop.id, sugar, 5, actor=STAFF)

    async def order_of(quantity: int) -> int:
        who = shopper()
        await carts.add_item(app_engine, shop.id, who, sugar, quantity)
        return (await place_order(app_engine, shop.id, Checkout(who, message_id()))).order.id

    kept, cancelled, packed_then_cancelled = await order_of(2), await order_of(1), await order_of(2)
    assert await _stock_row(app_engine, shop, "SUGAR") == (5, 5)
    with pytest.raises(OutOfStock, match="1 requested but only 0 available"):
        await order_of(1)

    await change_status(app_engine, shop.id, cancelled, "cancelled", actor=STAFF)
    assert await _stock_row(app_engine, shop, "SUGAR") == (5, 4)
    for status in ("confirmed", "ready"):
        await change_status(app_engine, shop.id, kept, status, actor=STAFF)
        await change_status(app_engine, shop.id, packed_then_cancelled, status, actor=STAFF)
    assert await _stock_row(app_engine, shop, "SUGAR") == (1, 0)  # 4 units packed
    await change_status(app_engine, shop.id, packed_then_cancelled, "cancelled", actor=STAFF)
    assert await _stock_row(app_engine, shop, "SUGAR") == (3, 0)  # back on the shelf
    await change_status(app_engine, shop.id, kept, "delivered", actor=STAFF)
    assert await _stock_row(app_engine, shop, "SUGAR") == (3, 0)


async def test_stale_reservations_expire_and_release_stock(
    app_engine: AsyncEngine, shop: Shop
) -> None:
    bread = shop.products["BREAD"]
    await stock.set_stock(app_engine, shop.id, bread, 10, actor=STAFF)
    ids = {}
    for name, method in (("placed", "cash"), ("cash", "cash"), ("card", "card")):
        who = shopper()
        await carts.add_item(app_engine, shop.id, who, bread, 2)
        placed = await place_order(
            app_engine,
            shop.id,
            Checkout(who, message_id(), payment_method=method),  # type: ignore[arg-type]
        )
        ids[name] = placed.order.id
    await change_status(app_engine, shop.id, ids["cash"], "confirmed", actor=STAFF)
    await change_status(app_engine, shop.id, ids["card"], "confirmed", actor=STAFF)

    assert await expire_reservations(app_engine, shop.id) == []  # nothing is stale yet
    later = datetime.now(UTC) + timedelta(hours=2)
    expired = await expire_reservations(app_engine, shop.id, now=later)

    assert len(expired) == 2  # the unconfirmed one and the unpaid card one
    assert await _stock_row(app_engine, shop, "BREAD") == (10, 2)  # the cash order keeps its 2
    async with tenant_transaction(app_engine, shop.id) as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT o.id, o.status, e.notify, e.payload->>'reason' AS reason FROM orders o "
                    "JOIN outbox e ON e.tenant_id = o.tenant_id AND e.order_id = o.id "
                    "WHERE e.kind = 'order.cancelled'"
                )
            )
        ).all()
    assert {r.id for r in rows} == {ids["placed"], ids["card"]}
    assert all(r.reason == "reservation expired" for r in rows)
    assert all(r.notify == ["shopper", "merchant"] for r in rows)
    assert await expire_reservations(app_engine, shop.id, now=later) == []  # done once only


async def test_the_sweep_covers_every_shop(
    app_engine: AsyncEngine, shop: Shop, other_shop: Shop
) -> None:
    # These two shops hold stock for one minute; every other shop in the test database for 30,
    # so sweeping ten minutes ahead touches only these two.
    for target in (shop, other_shop):
        await save_settings(app_engine, target.id, ShopSettings(reservation_minutes=1), actor=STAFF)
        who = shopper()
        await carts.add_item(app_engine, target.id, who, target.products["MILK"], 1)
        await place_order(app_engine, target.id, Checkout(who, message_id()))
    swept = await expire_everywhere(app_engine, now=datetime.now(UTC) + timedelta(minutes=10))
    assert swept[shop.id] == ["A-0001"]
    assert swept[other_shop.id] == ["A-0001"]


async def test_a_product_tracked_after_checkout_releases_only_what_was_held(
    app_engine: AsyncEngine, shop: Shop
) -> None:
    sugar = shop.products["SUGAR"]
    who = shopper()
    await carts.add_item(app_engine, shop.id, who, sugar, 3)
    order = (await place_order(app_engine, shop.id, Checkout(who, message_id()))).order
    assert order.lines[0].reserved_quantity == 0  # not tracked when the order was placed
    await stock.set_stock(app_engine, shop.id, sugar, 1, actor=STAFF)
    await change_status(app_engine, shop.id, order.id, "cancelled", actor=STAFF)
    assert await _stock_row(app_engine, shop, "SUGAR") == (1, 0)


async def test_the_merchant_cannot_count_below_what_orders_hold(
    app_engine: AsyncEngine, shop: Shop
) -> None:
    milk = shop.products["MILK"]
    await stock.set_stock(app_engine, shop.id, milk, 3, actor=STAFF, low_at=2)
    who = shopper()
    await carts.add_item(app_engine, shop.id, who, milk, 2)
    with pytest.raises(OutOfStock, match="4 requested but only 3 available"):
        await carts.add_item(app_engine, shop.id, who, milk, 2)  # the cart checks early
    await place_order(app_engine, shop.id, Checkout(who, message_id()))
    with pytest.raises(InvalidInput, match="2 units held for open orders"):
        await stock.set_stock(app_engine, shop.id, milk, 1, actor=STAFF)
    level = await stock.set_stock(app_engine, shop.id, milk, 2, actor=STAFF)
    assert (level.on_hand, level.reserved, level.available) == (2, 2, 0)
    assert [item.product_id for item in await stock.low_stock(app_engine, shop.id)] == [milk]


async def test_stock_cannot_go_negative_even_by_hand(app_engine: AsyncEngine, shop: Shop) -> None:
    bread = shop.products["BREAD"]
    await stock.set_stock(app_engine, shop.id, bread, 1, actor=STAFF)
    for sql in (
        "UPDATE stock SET reserved = reserved + 2 WHERE product_id = :p",
        "UPDATE stock SET on_hand = -1 WHERE product_id = :p",
    ):
        with pytest.raises(Exception, match="check constraint"):
            async with tenant_transaction(app_engine, shop.id) as conn:
                await conn.execute(text(sql), {"p": bread})
    assert await _stock_row(app_engine, shop, "BREAD") == (1, 0)
