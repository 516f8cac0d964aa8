"""Checkout, idempotency, order numbers, money and the status machine, as the app role."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from commerce import carts
from commerce.db import tenant_transaction
from commerce.errors import EmptyCart, IllegalTransition, InvalidInput, OrderNotFound
from commerce.order_machine import Status
from commerce.order_status import cancel_for_shopper, change_status, transition
from commerce.orders import Checkout, order_by_number, place_order, shopper_order
from commerce.shop_settings import ShopSettings, save_settings

from .conftest import Shop, message_id, shopper

pytestmark = pytest.mark.integration
STAFF = "staff:*4567"


async def _checkout(
    engine: AsyncEngine, shop: Shop, who: str, *, key: str | None = None, **options: str
) -> Checkout:
    await carts.add_item(engine, shop.id, who, shop.products["BREAD"], 2)
    await carts.add_item(engine, shop.id, who, shop.products["MILK"], 1)
    return Checkout(user_key=who, idempotency_key=key or message_id(), **options)  # type: ignore[arg-type]


async def _count(engine: AsyncEngine, shop: Shop, sql: str, **params: object) -> int:
    async with tenant_transaction(engine, shop.id) as conn:
        return int((await conn.execute(text(sql), params)).scalar_one())


async def test_checkout_turns_the_cart_into_an_order_in_cents(
    app_engine: AsyncEngine, shop: Shop
) -> None:
    await save_settings(app_engine, shop.id, ShopSettings(delivery_fee_cents=1500), actor=STAFF)
    who = shopper()
    request = await _checkout(
        app_engine, shop, who, fulfilment="delivery", delivery_address="12 Vilakazi St"
    )
    placed = await place_order(app_engine, shop.id, request)
    order = placed.order
    assert placed.created
    assert (order.number, order.status) == ("A-0001", Status.PLACED)
    assert (order.subtotal_cents, order.delivery_fee_cents, order.total_cents) == (
        2 * 1599 + 2199,
        1500,
        2 * 1599 + 2199 + 1500,
    )
    assert [(line.sku, line.quantity, line.line_total_cents) for line in order.lines] == [
        ("BREAD", 2, 3198),
        ("MILK", 1, 2199),
    ]
    assert (await carts.view_cart(app_engine, shop.id, who)).is_empty
    history = await _count(
        app_engine,
        shop,
        "SELECT count(*) FROM order_status_history WHERE order_id = :o",
        o=order.id,
    )
    assert history == 1


async def test_collection_orders_pay_no_delivery_fee(app_engine: AsyncEngine, shop: Shop) -> None:
    await save_settings(app_engine, shop.id, ShopSettings(delivery_fee_cents=1500), actor=STAFF)
    order = (
        await place_order(app_engine, shop.id, await _checkout(app_engine, shop, shopper()))
    ).order
    assert (order.delivery_fee_cents, order.total_cents) == (0, order.subtotal_cents)


async def test_the_same_message_never_makes_a_second_order(
    app_engine: AsyncEngine, shop: Shop
) -> None:
    who = shopper()
    request = await _checkout(app_engine, shop, who)
    first = await place_order(app_engine, shop.id, request)
    again = await place_order(app_engine, shop.id, request)
    assert again.order == first.order
    assert (first.created, again.created) == (True, False)
    assert await _count(app_engine, shop, "SELECT count(*) FROM orders") == 1


async def test_concurrent_duplicates_make_exactly_one_order(
    app_engine: AsyncEngine, shop: Shop
) -> None:
    who = shopper()
    request = await _checkout(app_engine, shop, who)
    results = await asyncio.gather(*(place_order(app_engine, shop.id, request) for _ in range(8)))
    assert len({placed.order.id for placed in results}) == 1
    assert sum(placed.created for placed in results) == 1
    assert await _count(app_engine, shop, "SELECT count(*) FROM orders") == 1
    assert await _count(app_engine, shop, "SELECT count(*) FROM outbox") == 1
    reserved = await _count(app_engine, shop, "SELECT coalesce(sum(reserved), 0) FROM stock")
    assert reserved == 0  # products here are not stock-tracked: nothing to hold


async def test_order_numbers_count_per_shop(
    app_engine: AsyncEngine, shop: Shop, other_shop: Shop
) -> None:
    numbers = []
    for target in (shop, other_shop, shop):
        placed = await place_order(
            app_engine, target.id, await _checkout(app_engine, target, shopper())
        )
        numbers.append(placed.order.number)
    assert numbers == ["A-0001", "A-0001", "A-0002"]
    found = await order_by_number(app_engine, shop.id, "a2")
    assert found.number == "A-0002"


async def test_checkout_needs_a_cart_and_an_address_for_delivery(
    app_engine: AsyncEngine, shop: Shop
) -> None:
    with pytest.raises(EmptyCart, match="cart is empty"):
        await place_order(app_engine, shop.id, Checkout(shopper(), message_id()))
    with pytest.raises(InvalidInput, match="needs an address"):
        await place_order(
            app_engine, shop.id, Checkout(shopper(), message_id(), fulfilment="delivery")
        )
    assert await _count(app_engine, shop, "SELECT count(*) FROM orders") == 0


async def test_the_happy_path_of_a_card_delivery_order(app_engine: AsyncEngine, shop: Shop) -> None:
    request = await _checkout(
        app_engine,
        shop,
        shopper(),
        fulfilment="delivery",
        delivery_address="3 Main Rd",
        payment_method="card",
    )
    order = (await place_order(app_engine, shop.id, request)).order
    order = await change_status(app_engine, shop.id, order.id, Status.CONFIRMED, actor=STAFF)
    with pytest.raises(IllegalTransition, match="card and is not paid yet"):
        await change_status(app_engine, shop.id, order.id, "ready", actor=STAFF)
    steps = [
        (Status.PAID, "gateway:paystack"),
        (Status.READY, STAFF),
        (Status.OUT_FOR_DELIVERY, STAFF),
        (Status.DELIVERED, STAFF),
    ]
    for status, actor in steps:
        order = await change_status(app_engine, shop.id, order.id, status, actor=actor)
        assert order.status is status
    assert order.paid_at is not None
    async with tenant_transaction(app_engine, shop.id) as conn:
        history = (
            await conn.execute(
                text(
                    "SELECT from_status, to_status, actor FROM order_status_history "
                    "WHERE order_id = :o ORDER BY id"
                ),
                {"o": order.id},
            )
        ).all()
    assert [(h.from_status, h.to_status) for h in history] == [
        (None, "placed"),
        ("placed", "confirmed"),
        ("confirmed", "paid"),
        ("paid", "ready"),
        ("ready", "out_for_delivery"),
        ("out_for_delivery", "delivered"),
    ]
    assert history[2].actor == "gateway:paystack"


async def test_illegal_transitions_are_refused_with_the_reason(
    app_engine: AsyncEngine, shop: Shop
) -> None:
    order = (
        await place_order(app_engine, shop.id, await _checkout(app_engine, shop, shopper()))
    ).order
    with pytest.raises(IllegalTransition, match="from placed it can become cancelled, confirmed"):
        await change_status(app_engine, shop.id, order.id, "delivered", actor=STAFF)
    for status in ("confirmed", "ready"):  # a cash collection order: packed before payment
        order = await change_status(app_engine, shop.id, order.id, status, actor=STAFF)
    with pytest.raises(IllegalTransition, match="for collection"):
        await change_status(app_engine, shop.id, order.id, "out_for_delivery", actor=STAFF)
    with pytest.raises(IllegalTransition, match="nothing was paid"):
        await change_status(app_engine, shop.id, order.id, "refunded", actor=STAFF)
    order = await change_status(app_engine, shop.id, order.id, "delivered", actor=STAFF)
    assert order.paid_at is not None  # cash changed hands at the counter
    with pytest.raises(IllegalTransition, match=r"is delivered and cannot become cancelled"):
        await change_status(app_engine, shop.id, order.id, "cancelled", actor=STAFF)
    with pytest.raises(InvalidInput, match="must be one of"):
        await change_status(app_engine, shop.id, order.id, "lost", actor=STAFF)
    refunded = await change_status(app_engine, shop.id, order.id, "refunded", actor=STAFF)
    with pytest.raises(IllegalTransition, match="it is final"):
        await change_status(app_engine, shop.id, order.id, "placed", actor=STAFF)
    assert refunded.status is Status.REFUNDED


async def test_a_paid_order_is_refunded_not_cancelled(app_engine: AsyncEngine, shop: Shop) -> None:
    request = await _checkout(app_engine, shop, shopper(), payment_method="eft")
    order = (await place_order(app_engine, shop.id, request)).order
    await change_status(app_engine, shop.id, order.id, "paid", actor="gateway:ozow")
    with pytest.raises(IllegalTransition, match="refund it instead"):
        await change_status(app_engine, shop.id, order.id, "cancelled", actor=STAFF)


async def test_every_change_writes_exactly_one_event(app_engine: AsyncEngine, shop: Shop) -> None:
    who = shopper()
    order = (await place_order(app_engine, shop.id, await _checkout(app_engine, shop, who))).order
    await change_status(app_engine, shop.id, order.id, "confirmed", actor=STAFF)
    await change_status(app_engine, shop.id, order.id, "confirmed", actor=STAFF)  # a no-op
    await change_status(app_engine, shop.id, order.id, "paid", actor="gateway:paystack")
    with pytest.raises(IllegalTransition):
        await change_status(app_engine, shop.id, order.id, "out_for_delivery", actor=STAFF)
    async with tenant_transaction(app_engine, shop.id) as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT kind, notify, payload->>'status' AS status, "
                    "payload->>'order_number' AS number FROM outbox WHERE order_id = :o ORDER BY id"
                ),
                {"o": order.id},
            )
        ).all()
    assert [(r.kind, r.notify, r.status) for r in rows] == [
        ("order.placed", ["merchant"], "placed"),
        ("order.confirmed", ["shopper"], "confirmed"),
        ("order.paid", ["shopper", "merchant"], "paid"),
    ]
    assert {r.number for r in rows} == {order.number}


async def test_events_and_history_share_the_changes_transaction(
    app_engine: AsyncEngine, shop: Shop
) -> None:
    order = (
        await place_order(app_engine, shop.id, await _checkout(app_engine, shop, shopper()))
    ).order

    class Abort(Exception):
        pass

    inside: list[int] = []

    async def confirm_then_fail() -> None:
        async with tenant_transaction(app_engine, shop.id) as conn:
            await transition(conn, shop.id, order.id, "confirmed", actor=STAFF)
            inside.append(await _count_in(conn, "SELECT count(*) FROM outbox"))
            raise Abort

    with pytest.raises(Abort):
        await confirm_then_fail()
    assert inside == [2]  # the event existed inside the transaction...
    assert await _count(app_engine, shop, "SELECT count(*) FROM outbox") == 1  # ...and went
    assert await _count(app_engine, shop, "SELECT count(*) FROM order_status_history") == 1
    assert (await order_by_number(app_engine, shop.id, order.number)).status is Status.PLACED


async def _count_in(conn: AsyncConnection, sql: str) -> int:
    return int((await conn.execute(text(sql))).scalar_one())


async def test_shoppers_reach_only_their_own_orders(app_engine: AsyncEngine, shop: Shop) -> None:
    alice, bob = shopper(), shopper()
    order = (await place_order(app_engine, shop.id, await _checkout(app_engine, shop, alice))).order
    assert (await shopper_order(app_engine, shop.id, alice)).id == order.id
    with pytest.raises(OrderNotFound):
        await shopper_order(app_engine, shop.id, bob, order.number)
    with pytest.raises(OrderNotFound):
        await cancel_for_shopper(app_engine, shop.id, bob, order.number)
    cancelled = await cancel_for_shopper(app_engine, shop.id, alice)
    assert cancelled.status is Status.CANCELLED
    # No open order left: the latest one answers, already cancelled (a repeat changes nothing).
    again = await cancel_for_shopper(app_engine, shop.id, alice)
    assert (again.number, again.status) == (order.number, Status.CANCELLED)
    with pytest.raises(OrderNotFound):  # a shopper with no orders at all
        await cancel_for_shopper(app_engine, shop.id, bob)
