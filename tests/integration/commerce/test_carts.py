"""Carts as the app role: adding, removing, viewing, reordering."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce import carts
from commerce.categories import add_category, list_categories, set_product_category
from commerce.db import tenant_transaction
from commerce.errors import (
    Conflict,
    InvalidInput,
    NotInCart,
    OrderNotFound,
    ProductNotFound,
)
from commerce.orders import Checkout, place_order
from commerce.reorder import reorder_last
from commerce.stock import set_stock

from .conftest import Shop, message_id, shopper

pytestmark = pytest.mark.integration


async def test_adding_the_same_product_adds_up(app_engine: AsyncEngine, shop: Shop) -> None:
    who = shopper()
    await carts.add_item(app_engine, shop.id, who, shop.products["BREAD"], 1)
    await carts.add_item(app_engine, shop.id, who, shop.products["SUGAR"], 1)
    cart = await carts.add_item(app_engine, shop.id, who, shop.products["BREAD"], 2)
    assert [(line.sku, line.quantity) for line in cart.lines] == [("BREAD", 3), ("SUGAR", 1)]
    assert (cart.item_count, cart.subtotal_cents) == (4, 3 * 1599 + 4599)
    assert cart.lines[0].name("zu") == "Isinkwa esimhlophe"
    assert cart.lines[1].name("zu") == "Sugar 2kg"  # no isiZulu name: English
    assert await carts.view_cart(app_engine, shop.id, who) == cart


async def test_removing_and_bad_quantities(app_engine: AsyncEngine, shop: Shop) -> None:
    who = shopper()
    await carts.add_item(app_engine, shop.id, who, shop.products["MILK"], 2)
    cart = await carts.remove_item(app_engine, shop.id, who, shop.products["MILK"])
    assert cart.is_empty
    with pytest.raises(NotInCart, match="not in the cart"):
        await carts.remove_item(app_engine, shop.id, who, shop.products["MILK"])
    with pytest.raises(NotInCart):
        await carts.remove_item(app_engine, shop.id, shopper(), shop.products["MILK"])
    for quantity in (0, -1, 1000):
        with pytest.raises(InvalidInput, match="between 1 and 999"):
            await carts.add_item(app_engine, shop.id, who, shop.products["MILK"], quantity)
    with pytest.raises(ProductNotFound, match="not sold by this shop"):
        await carts.add_item(app_engine, shop.id, who, 10**12, 1)


async def test_a_product_taken_off_sale_cannot_be_bought(
    app_engine: AsyncEngine, shop: Shop
) -> None:
    who = shopper()
    await carts.add_item(app_engine, shop.id, who, shop.products["SUGAR"], 1)
    async with tenant_transaction(app_engine, shop.id) as conn:
        await conn.execute(text("UPDATE products SET active = false WHERE sku = 'SUGAR'"))
    with pytest.raises(ProductNotFound):
        await carts.add_item(app_engine, shop.id, who, shop.products["SUGAR"], 1)
    cart = await carts.view_cart(app_engine, shop.id, who)
    assert [line.active for line in cart.lines] == [False]
    with pytest.raises(ProductNotFound):
        await place_order(app_engine, shop.id, Checkout(who, message_id()))
    assert not (await carts.view_cart(app_engine, shop.id, who)).is_empty  # left as it was


async def test_reorder_puts_the_last_order_back_in_the_cart(
    app_engine: AsyncEngine, shop: Shop
) -> None:
    who = shopper()
    with pytest.raises(OrderNotFound):
        await reorder_last(app_engine, shop.id, who)
    for sku, quantity in (("BREAD", 2), ("MILK", 3), ("SUGAR", 1)):
        await carts.add_item(app_engine, shop.id, who, shop.products[sku], quantity)
    placed = await place_order(app_engine, shop.id, Checkout(who, message_id()))
    await set_stock(app_engine, shop.id, shop.products["MILK"], 1, actor="staff:*4567")
    await set_stock(app_engine, shop.id, shop.products["SUGAR"], 0, actor="staff:*4567")

    again = await reorder_last(app_engine, shop.id, who)

    assert again.order_number == placed.order.number
    assert [(line.sku, line.quantity) for line in again.cart.lines] == [("BREAD", 2), ("MILK", 1)]
    assert [line.sku for line in again.skipped] == ["SUGAR"]


async def test_categories_group_products(app_engine: AsyncEngine, shop: Shop) -> None:
    bakery = await add_category(app_engine, shop.id, {"en": "Bakery", "zu": "Izinkwa"})
    await add_category(app_engine, shop.id, {"en": "Dairy"}, position=1)
    with pytest.raises(Conflict, match="already has a category"):
        await add_category(app_engine, shop.id, {"en": "bakery"})
    await set_product_category(app_engine, shop.id, shop.products["BREAD"], bakery.id)
    assert [c.name("zu") for c in await list_categories(app_engine, shop.id)] == [
        "Izinkwa",
        "Dairy",
    ]
    async with tenant_transaction(app_engine, shop.id) as conn:
        grouped = (
            (
                await conn.execute(
                    text("SELECT sku FROM products WHERE category_id = :c"), {"c": bakery.id}
                )
            )
            .scalars()
            .all()
        )
    assert grouped == ["BREAD"]
