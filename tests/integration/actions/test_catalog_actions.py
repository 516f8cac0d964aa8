"""The shopper's catalogue and shop-information actions against the real PostgreSQL."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce import stock
from commerce.catalog import NewProduct
from commerce.categories import add_category, set_product_category
from commerce.shop_settings import ShopSettings, save_settings, set_open
from tests.integration.commerce.conftest import MakeShop

from .conftest import STAFF_ACTOR, Chat, Shop

pytestmark = pytest.mark.integration

GROCERIES = [
    NewProduct("BREAD", {"en": "White bread", "zu": "Isinkwa esimhlophe"}, 1599, "loaf"),
    NewProduct("BROWN", {"en": "Brown bread"}, 1499, "loaf", {"zu": ("isinkwa esinsundu",)}),
    NewProduct("MILK", {"en": "Milk 1L", "zu": "Ubisi 1L"}, 2199, "bottle"),
    NewProduct("SUGAR", {"en": "Sugar 2kg", "st": "Tswekere 2kg"}, 4599, "bag"),
    NewProduct("PERCENT", {"en": "100% juice"}, 2500, "box"),
]


@pytest.fixture
async def grocer(make_shop: MakeShop) -> Shop:
    return await make_shop(GROCERIES)


def row(shop: Shop, sku: str, title: str, price: str, unit: str) -> dict[str, str]:
    return {
        "id": f"product:{shop.products[sku]}",
        "title": title,
        "description": f"{price} / {unit}",
    }


async def test_categories_list_in_the_shoppers_language_and_open_to_their_products(
    http: httpx.AsyncClient, app_engine: AsyncEngine, grocer: Shop
) -> None:
    chat = Chat(http, grocer, language="zu")
    # No categories yet: the shopper sees the products instead, cheapest first.
    listed = await chat.reply("action_list_categories")
    assert listed["response"] == "utter_product_list"
    assert [r["id"] for r in listed["elements"]][:2] == [
        f"product:{grocer.products['BROWN']}",
        f"product:{grocer.products['BREAD']}",
    ]
    bakery = await add_category(app_engine, grocer.id, {"en": "Bakery", "zu": "Okubhakiwe"})
    await add_category(app_engine, grocer.id, {"en": "Empty shelf"}, position=9)
    for sku in ("BREAD", "BROWN"):
        await set_product_category(app_engine, grocer.id, grocer.products[sku], bakery.id)

    categories = await chat.reply("action_list_categories")
    assert categories == {
        "response": "utter_category_list",
        "elements": [{"id": f"category:{bakery.id}", "title": "Okubhakiwe"}],
    }
    products = await chat.reply("action_list_products", {"category_id": f"category:{bakery.id}"})
    assert products["elements"] == [
        row(grocer, "BROWN", "Brown bread", "R14.99", "loaf"),
        row(grocer, "BREAD", "Isinkwa esimhlophe", "R15.99", "loaf"),
    ]
    chat.slots["category_id"] = str(bakery.id)  # the slot works as well as the entity
    assert len((await chat.reply("action_list_products"))["elements"]) == 2


async def test_a_category_of_another_shop_lists_nothing(
    http: httpx.AsyncClient, app_engine: AsyncEngine, grocer: Shop, other_shop: Shop
) -> None:
    theirs = await add_category(app_engine, other_shop.id, {"en": "Theirs"})
    await set_product_category(app_engine, other_shop.id, other_shop.products["MILK"], theirs.id)
    chat = Chat(http, grocer)
    assert await chat.say("action_list_products", {"category_id": theirs.id}) == (
        "utter_no_products"
    )


async def test_search_finds_names_and_aliases_in_any_language(
    http: httpx.AsyncClient, grocer: Shop
) -> None:
    chat = Chat(http, grocer)
    chat.slots["search_text"] = "BREAD"
    found = await chat.reply("action_search_products")
    assert (found["response"], found["query"]) == ("utter_search_results", "BREAD")
    assert found["elements"] == [
        row(grocer, "BROWN", "Brown bread", "R14.99", "loaf"),
        row(grocer, "BREAD", "White bread", "R15.99", "loaf"),
    ]
    # An isiZulu alias, found by a shopper writing English.
    chat.slots["search_text"] = "esinsundu"
    [alias] = (await chat.reply("action_search_products"))["elements"]
    assert alias["id"] == f"product:{grocer.products['BROWN']}"
    # A whole sentence: the phrase is not in any name, its words are; filler words are not.
    chat.slots["search_text"] = "do you have white bread?"
    sentence = await chat.reply("action_search_products")
    assert [r["title"] for r in sentence["elements"]] == ["White bread", "Brown bread"]
    # LIKE wildcards are taken literally.
    chat.slots["search_text"] = "%"
    [literal] = (await chat.reply("action_search_products"))["elements"]
    assert literal["title"] == "100% juice"
    chat.slots["search_text"] = "airtime"
    assert await chat.reply("action_search_products") == {
        "response": "utter_product_not_found",
        "query": "airtime",
    }


async def test_search_puts_the_catalogue_matchers_product_first(
    http: httpx.AsyncClient, grocer: Shop, other_shop: Shop
) -> None:
    chat = Chat(http, grocer)
    chat.slots["search_text"] = "bread"
    matcher = {"entity": "product", "value": "white brd", "product_id": grocer.products["BREAD"]}
    found = await chat.reply("action_search_products", [matcher])
    assert [r["title"] for r in found["elements"]] == ["White bread", "Brown bread"]
    # Only the matcher's product, no words: the query shown is its name.
    chat.slots["search_text"] = None
    alone = await chat.reply("action_search_products", {"product_id": grocer.products["MILK"]})
    assert (alone["query"], len(alone["elements"])) == ("Milk 1L", 1)
    # Another shop's product id finds nothing here.
    foreign = {"product_id": other_shop.products["SUGAR"] + 10_000}
    assert await chat.say("action_search_products", foreign) == "utter_product_not_found"


async def test_product_details_say_whether_it_is_in_stock(
    http: httpx.AsyncClient, app_engine: AsyncEngine, grocer: Shop, other_shop: Shop
) -> None:
    chat = Chat(http, grocer, language="zu")
    bread = grocer.products["BREAD"]
    details = await chat.reply("action_product_info", {"product_id": f"product:{bread}"})
    assert details == {
        "response": "utter_product_details",
        "product": "Isinkwa esimhlophe",
        "price": "R15.99",
        "unit": "loaf",
        "product_id": bread,
        "in_stock": "yes",  # not stock-tracked: always available
    }
    assert chat.slots["product_id"] == bread
    await stock.set_stock(app_engine, grocer.id, bread, 0, actor=STAFF_ACTOR)
    assert (await chat.reply("action_product_info", {"product_id": bread}))["in_stock"] == "no"
    chat.slots["product_id"] = None
    assert await chat.say("action_product_info") == "utter_ask_product"
    foreign = await chat.reply("action_product_info", {"product_id": other_shop.products["MILK"]})
    assert foreign == {"response": "utter_product_not_found", "query": ""}


async def test_price_by_id_or_by_name(http: httpx.AsyncClient, grocer: Shop) -> None:
    chat = Chat(http, grocer, language="st")
    price = await chat.reply("action_price", {"product_id": grocer.products["SUGAR"]})
    assert price == {
        "response": "utter_price",
        "product": "Tswekere 2kg",
        "price": "R45.99",
        "unit": "bag",
    }
    chat.slots["product_id"] = None
    by_name = await chat.reply("action_price", {"product": "milk"})
    assert (by_name["product"], by_name["price"]) == ("Milk 1L", "R21.99")
    # "bread" could be either loaf: no guessing.
    assert await chat.reply("action_price", {"product": "bread"}) == {
        "response": "utter_product_not_found",
        "query": "bread",
    }
    chat.slots["product_id"] = None
    assert await chat.say("action_price") == "utter_ask_product"


async def test_hours_fee_and_location_come_from_the_shops_settings(
    http: httpx.AsyncClient, app_engine: AsyncEngine, grocer: Shop
) -> None:
    chat = Chat(http, grocer, language="zu")
    assert await chat.say("action_shop_hours") == "utter_hours_unknown"
    assert await chat.reply("action_delivery_fee") == {
        "response": "utter_delivery_fee",
        "fee": "R0.00",
    }
    assert await chat.say("action_shop_location") == "utter_location_unknown"

    settings = ShopSettings(
        delivery_fee_cents=1500,
        hours={"en": "Mon-Sat 7:00-19:00", "zu": "UMsombuluko-uMgqibelo 7:00-19:00"},
        address="12 Vilakazi St, Soweto",
    )
    await save_settings(app_engine, grocer.id, settings, actor=STAFF_ACTOR)
    hours = await chat.run("action_shop_hours")
    assert hours["responses"] == [
        {"response": "utter_hours", "hours": "UMsombuluko-uMgqibelo 7:00-19:00"}
    ]
    assert {"event": "slot", "name": "shop_is_open", "value": True} in hours["events"]
    assert (await Chat(http, grocer, language="st").reply("action_shop_hours"))["hours"] == (
        "Mon-Sat 7:00-19:00"  # no Sesotho text: English
    )
    assert (await chat.reply("action_delivery_fee"))["fee"] == "R15.00"
    assert await chat.reply("action_shop_location") == {
        "response": "utter_location",
        "address": "12 Vilakazi St, Soweto",
    }

    await set_open(app_engine, grocer.id, False, actor=STAFF_ACTOR)
    closed = await chat.run("action_shop_hours")
    assert closed["responses"] == [
        {"response": "utter_shop_closed", "hours": "UMsombuluko-uMgqibelo 7:00-19:00"}
    ]
    assert chat.slots["shop_is_open"] is False
    await save_settings(app_engine, grocer.id, ShopSettings(delivers=False), actor=STAFF_ACTOR)
    assert await chat.say("action_delivery_fee") == "utter_no_delivery"
    assert await chat.say("action_shop_hours") == "utter_shop_closed_no_hours"


async def test_the_cart_count_slot_follows_the_cart(
    http: httpx.AsyncClient, app_engine: AsyncEngine, grocer: Shop
) -> None:
    chat = Chat(http, grocer)
    await chat.run("action_view_cart")
    assert chat.slots["cart_count"] == 0
    await chat.run("action_add_to_cart", {"product_id": grocer.products["MILK"], "quantity": 3})
    assert chat.slots["cart_count"] == 3
    await stock.set_stock(app_engine, grocer.id, grocer.products["BREAD"], 2, actor=STAFF_ACTOR)
    refused = await chat.run(
        "action_add_to_cart", {"product_id": grocer.products["BREAD"], "quantity": 5}
    )
    assert refused["responses"][0]["response"] == "utter_out_of_stock"
    assert {"event": "slot", "name": "cart_count", "value": 3} in refused["events"]
    await chat.run("action_add_to_cart", {"product_id": grocer.products["BREAD"]})
    await chat.run("action_remove_from_cart", {"product_id": grocer.products["MILK"]})
    assert chat.slots["cart_count"] == 1
    await chat.run("action_view_cart")
    assert chat.slots["cart_count"] == 1
    await chat.run("action_checkout")
    assert chat.slots["cart_count"] == 0
    await chat.run("action_reorder")
    assert chat.slots["cart_count"] == 1
