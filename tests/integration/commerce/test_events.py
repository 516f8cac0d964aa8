"""The outbox: drained in order, at least once, to the right people, never twice at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce import carts, events
from commerce.order_status import change_status
from commerce.orders import Checkout, place_order
from commerce.privacy import erase_customer

from .conftest import STAFF_PHONE, Shop, message_id, shopper

pytestmark = pytest.mark.integration


async def _order(engine: AsyncEngine, shop: Shop, who: str) -> int:
    await carts.add_item(engine, shop.id, who, shop.products["BREAD"], 1)
    return (await place_order(engine, shop.id, Checkout(who, message_id()))).order.id


async def test_drained_events_name_their_recipients(app_engine: AsyncEngine, shop: Shop) -> None:
    who = shopper()
    order_id = await _order(app_engine, shop, who)
    await change_status(app_engine, shop.id, order_id, "confirmed", actor="staff:*4567")
    seen: list[events.Event] = []

    async def handle(event: events.Event) -> None:
        seen.append(event)

    assert await events.drain(app_engine, shop.id, handle) == 2
    placed, confirmed = seen
    assert (placed.kind, placed.notify) == ("order.placed", ("merchant",))
    assert placed.recipients.merchant == (STAFF_PHONE,)
    assert placed.recipients.shopper is None  # the shopper placed it: no notice for them
    assert (confirmed.kind, confirmed.recipients.shopper) == ("order.confirmed", who)
    assert confirmed.payload["status"] == "confirmed"
    assert await events.drain(app_engine, shop.id, handle) == 0  # published once


async def test_a_failing_handler_leaves_events_for_next_time(
    app_engine: AsyncEngine, shop: Shop
) -> None:
    await _order(app_engine, shop, shopper())

    async def broken(event: events.Event) -> None:
        raise ConnectionError("broker down")

    with pytest.raises(ConnectionError):
        await events.drain(app_engine, shop.id, broken)
    assert [e.kind for e in await events.pending(app_engine, shop.id)] == ["order.placed"]


async def test_two_drainers_never_take_the_same_event(app_engine: AsyncEngine, shop: Shop) -> None:
    for _ in range(6):
        await _order(app_engine, shop, shopper())
    first_has_claimed = asyncio.Event()
    release_first = asyncio.Event()
    taken: list[tuple[str, int]] = []

    async def slow(event: events.Event) -> None:
        taken.append(("first", event.id))
        first_has_claimed.set()
        await release_first.wait()

    async def fast(event: events.Event) -> None:
        taken.append(("second", event.id))

    first = asyncio.create_task(events.drain(app_engine, shop.id, slow, limit=3))
    await first_has_claimed.wait()  # the first drainer holds 3 rows locked
    second = await events.drain(app_engine, shop.id, fast)
    release_first.set()
    assert (await first, second) == (3, 3)
    ids = [event_id for _, event_id in taken]
    assert len(ids) == len(set(ids)) == 6


async def test_an_erased_shopper_is_never_messaged(app_engine: AsyncEngine, shop: Shop) -> None:
    who = shopper()
    order_id = await _order(app_engine, shop, who)
    await change_status(app_engine, shop.id, order_id, "cancelled", actor="system")
    await erase_customer(app_engine, shop.id, who, actor="operator:desk")
    [_, cancelled] = await events.pending(app_engine, shop.id)
    assert cancelled.notify == ("shopper", "merchant")
    assert cancelled.recipients.shopper is None
    assert cancelled.recipients.merchant == (STAFF_PHONE,)


async def test_published_events_are_purged_after_a_while(
    app_engine: AsyncEngine, shop: Shop
) -> None:
    await _order(app_engine, shop, shopper())
    await _order(app_engine, shop, shopper())

    async def first_only(event: events.Event) -> None:
        return None

    await events.drain(app_engine, shop.id, first_only, limit=1)
    assert await events.purge_published(app_engine, shop.id, older_than=timedelta(days=1)) == 0
    assert await events.purge_published(app_engine, shop.id, older_than=timedelta(0)) == 1
    assert len(await events.pending(app_engine, shop.id)) == 1  # unpublished ones stay
    assert shop.id in await events.tenant_ids(app_engine)
