"""Merchant actions on orders: today's list, details, moving orders along (the shopper is told
through exactly one outbox event), refusals, the daily summary, and isolation between shops."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce import events
from commerce.order_machine import Status
from commerce.order_status import change_status
from commerce.orders import get_order
from commerce.shop_settings import ShopSettings, save_settings

from .conftest import STAFF_ACTOR, Shop, audited, place, scalar, shopper, staff

pytestmark = pytest.mark.integration


async def test_todays_orders_newest_first_with_count_and_total(
    http: httpx.AsyncClient, app_engine: AsyncEngine, shop: Shop
) -> None:
    merchant = staff(http, shop)
    assert await merchant.say("action_list_orders") == "utter_no_orders_today"
    first = await place(app_engine, shop, {"BREAD": 2})
    await save_settings(
        app_engine, shop.id, ShopSettings(delivery_fee_cents=1000), actor=STAFF_ACTOR
    )
    second = await place(
        app_engine, shop, {"MILK": 1}, fulfilment="delivery", delivery_address="5 Mabaso St"
    )
    third = await place(app_engine, shop, {"SUGAR": 1})
    await change_status(app_engine, shop.id, third.id, Status.CANCELLED, actor=STAFF_ACTOR)
    listed = await merchant.reply("action_list_orders")
    assert listed == {
        "response": "utter_orders_today",
        "count": 3,
        "total": "R63.97",  # 31.98 + 31.99; the cancelled order is not takings
        "elements": [
            {
                "id": "order:A-0003",
                "title": "A-0003 cancelled",
                "description": "R45.99 · collection",
            },
            {"id": "order:A-0002", "title": "A-0002 placed", "description": "R31.99 · delivery"},
            {"id": "order:A-0001", "title": "A-0001 placed", "description": "R31.98 · collection"},
        ],
    }
    assert (first.number, second.number) == ("A-0001", "A-0002")


async def test_order_details_by_number_or_tapped_row(
    http: httpx.AsyncClient, app_engine: AsyncEngine, shop: Shop
) -> None:
    merchant = staff(http, shop)
    merchant.slots["language"] = "zu"
    order = await place(
        app_engine,
        shop,
        {"BREAD": 2, "MILK": 1},
        fulfilment="delivery",
        delivery_address="12 Vilakazi St",
        payment_method="card",
    )
    details = await merchant.reply("action_order_details", {"order_number": "order:A-0001"})
    assert details == {
        "response": "utter_order_details",
        "order_number": order.number,
        "status": "placed",
        "total": "R53.97",
        "fulfilment": "delivery",
        "payment_method": "card",
        "items": "2 x Isinkwa esimhlophe, 1 x Ubisi 1L",
        "address": "12 Vilakazi St",
    }
    assert merchant.slots["order_number"] == "A-0001"
    assert (await merchant.reply("action_order_details", {"order_number": "a1"}))[
        "total"
    ] == "R53.97"
    assert await merchant.reply("action_order_details", {"order_number": "A-0042"}) == {
        "response": "utter_order_not_found",
        "order_number": "A-0042",
    }
    assert merchant.slots["order_number"] is None
    assert await merchant.say("action_order_details") == "utter_ask_order_number"
    assert await merchant.say("action_order_ready", {"order_number": "nonsense"}) == (
        "utter_order_not_found"
    )


async def test_marking_ready_tells_the_shopper_once(
    http: httpx.AsyncClient, app_engine: AsyncEngine, shop: Shop
) -> None:
    merchant = staff(http, shop)
    buyer = shopper()
    order = await place(app_engine, shop, {"BREAD": 1}, who=buyer)
    before = {event.id for event in await events.pending(app_engine, shop.id)}

    ready = await merchant.reply("action_order_ready", {"order_number": order.number})
    assert ready == {"response": "utter_order_updated", "order_number": "A-0001", "status": "ready"}
    new = [e for e in await events.pending(app_engine, shop.id) if e.id not in before]
    [told] = new
    assert (told.kind, told.notify, told.order_id) == ("order.ready", ("shopper",), order.id)
    assert told.recipients.shopper == buyer
    # Accepted on the way (history and audit say so), announced once; stock left the shelf.
    history = await scalar(
        app_engine,
        shop,
        "SELECT string_agg(to_status, ',' ORDER BY id) FROM order_status_history "
        "WHERE order_id = :o",
        o=order.id,
    )
    assert history == "placed,confirmed,ready"
    assert [e.actor for e in await audited(app_engine, shop, "order.ready")] == [STAFF_ACTOR]
    # Saying it again changes nothing and tells nobody again.
    assert await merchant.reply("action_order_ready", {"order_number": "A-0001"}) == ready
    assert len(await events.pending(app_engine, shop.id)) == len(before) + 1


async def test_an_order_moves_only_as_the_machine_allows(
    http: httpx.AsyncClient, app_engine: AsyncEngine, shop: Shop
) -> None:
    merchant = staff(http, shop)
    order = await place(
        app_engine, shop, {"MILK": 2}, fulfilment="delivery", delivery_address="7 Zulu Rd"
    )
    merchant.slots["order_number"] = order.number  # after looking at it, "delivered" alone
    assert await merchant.reply("action_order_delivered") == {
        "response": "utter_cannot_update",
        "order_number": "A-0001",
        "status": "placed",
        "wanted": "delivered",
    }
    for action, status in [
        ("action_order_ready", "ready"),
        ("action_order_out_for_delivery", "out_for_delivery"),
        ("action_order_delivered", "delivered"),
    ]:
        assert (await merchant.reply(action))["status"] == status
    delivered = await get_order(app_engine, shop.id, order.id)
    assert delivered.status is Status.DELIVERED
    assert delivered.paid_at is not None  # cash changed hands at the door
    assert await merchant.reply("action_order_ready") == {
        "response": "utter_cannot_update",
        "order_number": "A-0001",
        "status": "delivered",
        "wanted": "ready",
    }
    assert (await get_order(app_engine, shop.id, order.id)).status is Status.DELIVERED


async def test_an_unpaid_card_order_is_not_packed_and_not_confirmed(
    http: httpx.AsyncClient, app_engine: AsyncEngine, shop: Shop
) -> None:
    merchant = staff(http, shop)
    order = await place(app_engine, shop, {"SUGAR": 1}, payment_method="card")
    pending = len(await events.pending(app_engine, shop.id))
    refused = await merchant.reply("action_order_ready", {"order_number": order.number})
    assert (refused["response"], refused["status"]) == ("utter_cannot_update", "placed")
    # The refusal rolled back the acceptance too: no half-done change, nothing announced.
    assert (await get_order(app_engine, shop.id, order.id)).status is Status.PLACED
    assert len(await events.pending(app_engine, shop.id)) == pending


async def test_collection_orders_do_not_go_out_for_delivery(
    http: httpx.AsyncClient, app_engine: AsyncEngine, shop: Shop
) -> None:
    merchant = staff(http, shop)
    order = await place(app_engine, shop, {"BREAD": 1})
    await merchant.run("action_order_ready", {"order_number": order.number})
    refused = await merchant.reply("action_order_out_for_delivery", {"order_number": order.number})
    assert (refused["response"], refused["wanted"]) == ("utter_cannot_update", "out_for_delivery")
    done = await merchant.reply("action_order_delivered", {"order_number": order.number})
    assert done["status"] == "delivered"


async def test_the_daily_summary_splits_takings_by_payment_method(
    http: httpx.AsyncClient, app_engine: AsyncEngine, shop: Shop
) -> None:
    merchant = staff(http, shop)
    empty = await merchant.reply("action_daily_summary")
    assert (empty["orders"], empty["revenue"], empty["top_product"]) == (0, "R0.00", "-")
    await place(app_engine, shop, {"BREAD": 3})  # cash 47.97
    await place(app_engine, shop, {"BREAD": 1, "MILK": 1}, payment_method="card")  # 37.98
    await place(app_engine, shop, {"MILK": 1}, payment_method="eft")  # 21.99
    gone = await place(app_engine, shop, {"SUGAR": 9})  # cancelled: 9 bags do not count
    await change_status(app_engine, shop.id, gone.id, Status.CANCELLED, actor=STAFF_ACTOR)
    merchant.slots["language"] = "zu"
    summary = await merchant.reply("action_daily_summary")
    today = await scalar(
        app_engine, shop, "SELECT (now() AT TIME ZONE 'Africa/Johannesburg')::date"
    )
    assert summary == {
        "response": "utter_daily_summary",
        "date": today.isoformat(),
        "orders": 3,
        "revenue": "R107.94",
        "cash": "R47.97",
        "card": "R37.98",
        "eft": "R21.99",
        "cancelled": 1,
        "top_product": "Isinkwa esimhlophe",
    }


async def test_staff_cannot_touch_another_shops_orders(
    http: httpx.AsyncClient, app_engine: AsyncEngine, shop: Shop, other_shop: Shop
) -> None:
    """Only shop B has order A-0001; shop A's staff naming it reach nothing of B's."""
    theirs = await place(app_engine, other_shop, {"MILK": 1})
    merchant = staff(http, shop)
    pending = len(await events.pending(app_engine, other_shop.id))
    for action in ("action_order_details", "action_order_ready", "action_order_delivered"):
        assert await merchant.reply(action, {"order_number": f"order:{theirs.number}"}) == {
            "response": "utter_order_not_found",
            "order_number": theirs.number,
        }
    assert await merchant.say("action_list_orders") == "utter_no_orders_today"
    assert (await merchant.reply("action_daily_summary"))["orders"] == 0
    assert (await get_order(app_engine, other_shop.id, theirs.id)).status is Status.PLACED
    assert len(await events.pending(app_engine, other_shop.id)) == pending
