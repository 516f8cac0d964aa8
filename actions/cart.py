"""Shopper actions on the cart: add, view, remove.

Every reply that follows a look at the cart also sets the slot `cart_count` (units in the
cart, 0 when empty), so the dialogue knows whether there is a cart to check out.

Responses (domain.yml):
  utter_added_to_cart      product, quantity, cart_count, cart_total
  utter_removed_from_cart  product, cart_count, cart_total
  utter_cart               cart_count, cart_total; elements: one row per line (id remove:<id>)
  utter_cart_empty         -
  utter_ask_product        -            (the turn named no product)
  utter_product_not_found  -
  utter_not_in_cart        -
  utter_out_of_stock       product, available
"""

from __future__ import annotations

from typing import Any

from actions import inputs, tracker
from actions.catalog import lookup_product, not_found
from actions.money import format_rand
from actions.protocol import ActionResponse, slot_set, utter
from actions.registry import ActionContext, registry
from commerce import carts
from commerce.errors import NotInCart, OutOfStock, ProductNotFound


def cleared() -> list[dict[str, Any]]:
    """Forget this turn's product and quantity, so they cannot leak into the next turn."""
    return [slot_set("product_id", None), slot_set("quantity", None)]


def cart_rows(cart: carts.Cart, language: str) -> list[dict[str, Any]]:
    """List rows; tapping one asks to remove that product (payload `remove:<product id>`)."""
    return [
        {
            "id": f"remove:{line.product_id}",
            "title": line.name(language),
            "description": (
                f"{line.quantity} x {format_rand(line.unit_price_cents)}"
                f" = {format_rand(line.line_total_cents)}"
            ),
        }
        for line in cart.lines
    ]


def counted(cart: carts.Cart) -> dict[str, Any]:
    return slot_set("cart_count", cart.item_count)


async def count_now(ctx: ActionContext) -> dict[str, Any]:
    """The cart_count slot when the action failed and the cart is as it was."""
    return counted(await carts.view_cart(ctx.engine, ctx.tenant_id, tracker.user_key(ctx)))


def cart_summary(cart: carts.Cart) -> dict[str, Any]:
    return {"cart_count": cart.item_count, "cart_total": format_rand(cart.subtotal_cents)}


def product_name(cart: carts.Cart, product_id: int, language: str) -> str:
    return next((line.name(language) for line in cart.lines if line.product_id == product_id), "")


def out_of_stock(ctx: ActionContext, exc: OutOfStock) -> dict[str, Any]:
    name = exc.name(ctx.language)
    if exc.available <= 0:
        return utter("utter_sold_out", product=name)
    return utter("utter_out_of_stock", product=name, available=exc.available)


def _cart_line_named(cart: carts.Cart, named: str) -> int | None:
    """The one cart line whose name (in any language) contains every word typed."""
    words = named.casefold().split()
    fitting = {
        line.product_id
        for line in cart.lines
        for name in line.names.values()
        if all(word in name.casefold() for word in words)
    }
    return fitting.pop() if len(fitting) == 1 else None


@registry.register("action_add_to_cart")
async def add_to_cart(ctx: ActionContext) -> ActionResponse:
    product = tracker.product_id(ctx)
    if product is None:
        # The catalogue matcher found nothing, but the shopper may have named a product: look
        # it up by name; a name the shop does not sell is said so, not asked for again.
        named = inputs.text(inputs.this_turn(ctx, "product")) or inputs.text(
            ctx.call.tracker.slots.get("product")
        )
        if named is None:
            return ActionResponse(responses=[utter("utter_ask_product")])
        found = await lookup_product(ctx, named)
        if found is None:
            events = [*cleared(), await count_now(ctx)]
            return ActionResponse(events=events, responses=[not_found(named)])
        product = found.id
    amount = tracker.quantity(ctx)
    try:
        cart = await carts.add_item(
            ctx.engine, ctx.tenant_id, tracker.user_key(ctx), product, amount
        )
    except ProductNotFound:
        events = [*cleared(), await count_now(ctx)]
        return ActionResponse(events=events, responses=[utter("utter_product_not_found")])
    except OutOfStock as exc:
        events = [*cleared(), await count_now(ctx)]
        return ActionResponse(events=events, responses=[out_of_stock(ctx, exc)])
    reply = utter(
        "utter_added_to_cart",
        product=product_name(cart, product, ctx.language),
        quantity=amount,
        **cart_summary(cart),
    )
    return ActionResponse(events=[*cleared(), counted(cart)], responses=[reply])


@registry.register("action_view_cart")
async def view_cart(ctx: ActionContext) -> ActionResponse:
    cart = await carts.view_cart(ctx.engine, ctx.tenant_id, tracker.user_key(ctx))
    if cart.is_empty:
        return ActionResponse(events=[counted(cart)], responses=[utter("utter_cart_empty")])
    rows = cart_rows(cart, ctx.language)
    reply = utter("utter_cart", elements=rows, **cart_summary(cart))
    return ActionResponse(events=[counted(cart)], responses=[reply])


@registry.register("action_remove_from_cart")
async def remove_from_cart(ctx: ActionContext) -> ActionResponse:
    who = tracker.user_key(ctx)
    before = await carts.view_cart(ctx.engine, ctx.tenant_id, who)
    product = tracker.product_id(ctx)
    if product is None:
        # Named by a word the matcher missed ("remove bread"): the cart line it fits.
        named = inputs.text(inputs.this_turn(ctx, "product"))
        product = _cart_line_named(before, named) if named else None
    if product is None:
        return ActionResponse(responses=[utter("utter_ask_product")])
    try:
        cart = await carts.remove_item(ctx.engine, ctx.tenant_id, who, product)
    except NotInCart:
        events = [*cleared(), counted(before)]
        return ActionResponse(events=events, responses=[utter("utter_not_in_cart")])
    reply = utter(
        "utter_removed_from_cart",
        product=product_name(before, product, ctx.language),
        **cart_summary(cart),
    )
    return ActionResponse(events=[*cleared(), counted(cart)], responses=[reply])
