"""Merchant actions on the catalogue, stock and the open sign: staff only, audited, and
confined to the staff member's own shop."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from actions.registry import registry
from commerce import stock
from commerce.catalog import get_product
from commerce.merchant import REFUSED
from commerce.shop_settings import is_open

from .conftest import STAFF_ACTOR, Chat, Shop, audited, place, scalar, staff

pytestmark = pytest.mark.integration

MERCHANT_ACTIONS = [
    "action_add_product",
    "action_set_price",
    "action_set_stock",
    "action_stock_query",
    "action_low_stock",
    "action_list_orders",
    "action_order_details",
    "action_order_ready",
    "action_order_out_for_delivery",
    "action_order_delivered",
    "action_shop_open",
    "action_shop_close",
    "action_daily_summary",
]


def test_every_merchant_action_is_served() -> None:
    assert set(MERCHANT_ACTIONS) <= set(registry.names)


@pytest.mark.parametrize("action", MERCHANT_ACTIONS)
async def test_a_stranger_is_refused_and_the_attempt_is_logged(
    http: httpx.AsyncClient, app_engine: AsyncEngine, shop: Shop, action: str
) -> None:
    stranger = Chat(http, shop)
    # A known shopper (who has a cart): logged by customer id.
    await stranger.run("action_add_to_cart", {"product_id": shop.products["MILK"]})
    entities = {"product_id": shop.products["BREAD"], "money": 1, "quantity": 0}
    assert await stranger.reply(action, entities) == {"response": "utter_not_staff"}
    [entry] = await audited(app_engine, shop, REFUSED)
    assert entry.actor.startswith("customer:")
    assert entry.details == {"action": action, "sender": f"*{stranger.who[-4:]}"}
    assert stranger.who not in str(entry)  # never the number itself
    product = await get_product(app_engine, shop.id, shop.products["BREAD"])
    assert product.price_cents == 1599
    assert await stock.level(app_engine, shop.id, shop.products["BREAD"]) is None
    assert await is_open(app_engine, shop.id)


async def test_an_unknown_sender_is_logged_as_system(
    http: httpx.AsyncClient, app_engine: AsyncEngine, shop: Shop
) -> None:
    assert await Chat(http, shop, "web-visitor-1").say("action_shop_close") == "utter_not_staff"
    [entry] = await audited(app_engine, shop, REFUSED)
    assert (entry.actor, entry.details["action"]) == ("system", "action_shop_close")


async def test_staff_add_a_product_and_update_it_by_name(
    http: httpx.AsyncClient, app_engine: AsyncEngine, shop: Shop
) -> None:
    merchant = staff(http, shop)
    added = await merchant.reply(
        "action_add_product", {"product": "Amasi 2L", "money": 3499, "unit": "bottle"}
    )
    assert added == {
        "response": "utter_product_added",
        "product": "Amasi 2L",
        "price": "R34.99",
        "unit": "bottle",
    }
    assert merchant.slots["money"] is None  # used up: cannot leak into the next command
    row = await scalar(
        app_engine, shop, "SELECT row_to_json(p) FROM products p WHERE sku = :s", s="AMASI-2L"
    )
    assert (row["names"], row["price_cents"], row["unit"]) == ({"en": "Amasi 2L"}, 3499, "bottle")
    # The same product by one of its names in another language: updated, names kept.
    again = await merchant.reply(
        "action_add_product", {"product": "isinkwa esimhlophe", "money": "R16.50"}
    )
    assert (again["product"], again["price"]) == ("White bread", "R16.50")
    bread = await get_product(app_engine, shop.id, shop.products["BREAD"])
    assert (bread.price_cents, bread.names["zu"]) == (1650, "Isinkwa esimhlophe")
    assert await scalar(app_engine, shop, "SELECT count(*) FROM products") == 4
    actions = {e.action: e for e in await audited(app_engine, shop, "product.added")}
    assert actions["product.added"].actor == STAFF_ACTOR
    [update] = await audited(app_engine, shop, "product.updated")
    assert update.details == {"sku": "BREAD", "price_cents": 1650, "before": 1599}


async def test_a_product_without_a_price_is_asked_for_and_completed(
    http: httpx.AsyncClient, app_engine: AsyncEngine, shop: Shop
) -> None:
    merchant = staff(http, shop)
    asked = await merchant.reply("action_add_product", {"product": "Maize meal 5kg"})
    assert asked == {
        "response": "utter_ask_product_details",
        "product": "Maize meal 5kg",
        "price": "",
    }
    assert await scalar(app_engine, shop, "SELECT count(*) FROM products") == 3
    # The answer brings only the price; the name waited in a slot.
    done = await merchant.reply("action_add_product", {"money": "54.99"})
    assert (done["response"], done["product"], done["price"]) == (
        "utter_product_added",
        "Maize meal 5kg",
        "R54.99",
    )
    assert await merchant.say("action_add_product", {"money": 100}) == "utter_ask_product_details"
    assert await merchant.say("action_add_product", {"product": "!!!", "money": 100}) == (
        "utter_ask_product_details"
    )


async def test_staff_change_a_price_by_id_or_name(
    http: httpx.AsyncClient, app_engine: AsyncEngine, shop: Shop
) -> None:
    merchant = staff(http, shop)
    milk = shop.products["MILK"]
    assert await merchant.reply("action_set_price", {"product_id": milk, "money": 2299}) == {
        "response": "utter_price_set",
        "product": "Milk 1L",
        "price": "R22.99",
    }
    assert (await get_product(app_engine, shop.id, milk)).price_cents == 2299
    [entry] = await audited(app_engine, shop, "product.price_set")
    assert (entry.actor, entry.subject, entry.details) == (
        STAFF_ACTOR,
        f"product:{milk}",
        {"price_cents": 2299, "before": 2199},
    )
    # By name, in two turns: the amount is asked for, the product waits in a slot.
    assert await merchant.reply("action_set_price", {"product": "sugar"}) == {
        "response": "utter_ask_price_amount",
        "product": "Sugar 2kg",
    }
    assert (await merchant.reply("action_set_price", {"money": "R49"}))["price"] == "R49.00"
    assert (await get_product(app_engine, shop.id, shop.products["SUGAR"])).price_cents == 4900
    assert await merchant.reply("action_set_price", {"product": "caviar", "money": 100}) == {
        "response": "utter_product_not_found",
        "query": "caviar",
    }
    assert await merchant.say("action_set_price", {"money": 100}) == "utter_ask_product"


async def test_staff_set_and_adjust_stock(
    http: httpx.AsyncClient, app_engine: AsyncEngine, shop: Shop
) -> None:
    merchant = staff(http, shop)
    bread = shop.products["BREAD"]
    assert await merchant.reply("action_stock_query", {"product_id": bread}) == {
        "response": "utter_stock_untracked",
        "product": "White bread",
    }
    assert await merchant.reply("action_set_stock", {"product_id": bread, "quantity": 12}) == {
        "response": "utter_stock_set",
        "product": "White bread",
        "quantity": 12,
    }
    added = await merchant.reply("action_set_stock", {"product_id": bread, "stock_delta": "+5"})
    assert added["quantity"] == 17
    await place(app_engine, shop, {"BREAD": 4})
    assert await merchant.reply("action_stock_query", {"product": "white bread"}) == {
        "response": "utter_stock_level",
        "product": "White bread",
        "quantity": 13,
        "on_hand": 17,
        "reserved": 4,
    }
    # Four loaves are held for an open order: the count cannot drop below them.
    assert await merchant.reply("action_set_stock", {"product_id": bread, "quantity": 3}) == {
        "response": "utter_stock_invalid",
        "product": "White bread",
        "quantity": 3,
        "reserved": 4,
    }
    kept = await stock.level(app_engine, shop.id, bread)
    assert kept is not None
    assert kept.on_hand == 17
    assert await merchant.reply("action_set_stock", {"product_id": bread}) == {
        "response": "utter_ask_stock_quantity",
        "product": "White bread",
    }
    assert (
        await merchant.reply(
            "action_set_stock", {"quantity": 0, "product_id": shop.products["MILK"]}
        )
    )["quantity"] == 0
    details = [e.details for e in await audited(app_engine, shop, "stock.adjusted")]
    assert details == [{"delta": 5, "on_hand": 17, "before": 12}]


async def test_low_stock_lists_what_is_running_out(
    http: httpx.AsyncClient, app_engine: AsyncEngine, shop: Shop
) -> None:
    merchant = staff(http, shop)
    assert await merchant.say("action_low_stock") == "utter_no_low_stock"
    await stock.set_stock(
        app_engine, shop.id, shop.products["MILK"], 2, actor=STAFF_ACTOR, low_at=3
    )
    await stock.set_stock(app_engine, shop.id, shop.products["SUGAR"], 0, actor=STAFF_ACTOR)
    await stock.set_stock(
        app_engine, shop.id, shop.products["BREAD"], 50, actor=STAFF_ACTOR, low_at=5
    )
    low = await merchant.reply("action_low_stock")
    assert low == {
        "response": "utter_low_stock",
        "elements": [
            {"id": f"product:{shop.products['SUGAR']}", "title": "Sugar 2kg", "description": "0"},
            {"id": f"product:{shop.products['MILK']}", "title": "Milk 1L", "description": "2"},
        ],
    }


async def test_staff_open_and_close_the_shop(
    http: httpx.AsyncClient, app_engine: AsyncEngine, shop: Shop
) -> None:
    merchant = staff(http, shop)
    closed = await merchant.run("action_shop_close")
    assert closed["responses"] == [{"response": "utter_shop_now_closed"}]
    assert merchant.slots["shop_is_open"] is False
    assert not await is_open(app_engine, shop.id)
    assert await merchant.say("action_shop_close") == "utter_shop_now_closed"  # repeat: no-op
    assert await merchant.say("action_shop_open") == "utter_shop_now_open"
    assert await is_open(app_engine, shop.id)
    changes = [
        e.details["changed"] for e in reversed(await audited(app_engine, shop, "shop.closed"))
    ]
    assert changes == [True, False]
    [opened] = await audited(app_engine, shop, "shop.opened")
    assert opened.actor == STAFF_ACTOR


async def test_staff_cannot_touch_another_shops_products(
    http: httpx.AsyncClient, app_engine: AsyncEngine, shop: Shop, other_shop: Shop
) -> None:
    """Shop A's staff send shop B's product ids: nothing in B changes, A answers not found."""
    merchant = staff(http, shop)  # the same phone is staff of both shops' fixtures, but the
    theirs = other_shop.products["MILK"]  # tenant in the tracker is A's
    assert await merchant.reply("action_set_price", {"product_id": theirs, "money": 1}) == {
        "response": "utter_product_not_found",
        "query": "",
    }
    crafted: list[tuple[str, dict[str, Any]]] = [
        ("action_set_stock", {"product_id": f"product:{theirs}", "quantity": 0}),
        ("action_stock_query", {"product_id": theirs}),
    ]
    for action, entities in crafted:
        assert await merchant.say(action, entities) == "utter_product_not_found"
    assert (await get_product(app_engine, other_shop.id, theirs)).price_cents == 2199
    assert await stock.level(app_engine, other_shop.id, theirs) is None
    assert await audited(app_engine, other_shop, "product.price_set") == []
