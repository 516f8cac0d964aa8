"""Merchant actions on the catalogue, stock and the shop's open sign. Staff only
(`actions.staff`); every change is audited by commerce with the staff member as actor.

Amounts arrive as the NLU normalises them (`money` in integer cents) or as typed ("R15.99").
After a change the inputs it used are cleared, so they cannot leak into a later command;
when something is missing, what was given is kept in slots, so the answer can complete it.

Responses (domain.yml):
  utter_product_added        product, price, unit
  utter_ask_product_details  product, price      (name or price missing; "" for the missing)
  utter_price_set            product, price
  utter_ask_price_amount     product
  utter_ask_product          -                   (the command named no product)
  utter_product_not_found    query               (the name as typed; "" for an unknown id)
  utter_stock_set            product, quantity   (units on hand now)
  utter_ask_stock_quantity   product
  utter_stock_invalid        product, quantity, reserved   (below what open orders hold)
  utter_stock_level          product, quantity, on_hand, reserved   (quantity = available)
  utter_stock_untracked      product             (no count kept: always available)
  utter_low_stock            elements: rows product:<id>, description = units available
  utter_no_low_stock         -
  utter_shop_now_open        -
  utter_shop_now_closed      -
  utter_not_staff            -                   (see actions.staff)
Slots set: shop_is_open (open/close); product, money, unit, product_id, quantity, stock_delta
(kept when asking for what is missing, cleared after a change).
"""

from __future__ import annotations

from typing import Any

from actions import inputs
from actions.catalog import LIST_LIMIT, lookup_product, not_found
from actions.money import format_rand
from actions.protocol import ActionResponse, slot_set, utter
from actions.registry import ActionContext
from actions.staff import merchant_action
from commerce import stock
from commerce.catalog import Product, products_by_id
from commerce.catalog_admin import add_product, set_price
from commerce.errors import InvalidInput, ProductNotFound
from commerce.shop_settings import set_open


def cleared(*names: str) -> list[dict[str, Any]]:
    return [slot_set(name, None) for name in names]


PRODUCT_INPUTS = ("product", "money", "unit")
STOCK_INPUTS = ("quantity", "stock_delta")


@merchant_action("action_add_product")
async def add_shop_product(ctx: ActionContext, actor: str) -> ActionResponse:
    name = inputs.text(inputs.latest(ctx, "product"))
    price = inputs.cents(inputs.latest(ctx, "money"))
    unit = inputs.text(inputs.latest(ctx, "unit"), limit=30)
    if name is not None and price is not None:
        try:
            added = await add_product(
                ctx.engine, ctx.tenant_id, name, price, actor=actor, unit=unit
            )
        except InvalidInput:
            pass  # e.g. a name with no letters: ask again
        else:
            reply = utter(
                "utter_product_added",
                product=added.product.name(ctx.language),
                price=format_rand(added.product.price_cents),
                unit=added.product.unit,
            )
            return ActionResponse(events=cleared(*PRODUCT_INPUTS), responses=[reply])
    ask = utter(
        "utter_ask_product_details",
        product=name or "",
        price="" if price is None else format_rand(price),
    )
    kept = [slot_set("product", name), slot_set("money", price), slot_set("unit", unit)]
    return ActionResponse(events=kept, responses=[ask])


async def _named_product(ctx: ActionContext) -> Product | ActionResponse:
    """The product the command names, or the reply that says why there is none."""
    reference = inputs.product_reference(ctx)
    if reference is None:
        return ActionResponse(responses=[utter("utter_ask_product")])
    product = await lookup_product(ctx, reference)
    if product is None:
        events = cleared("product_id", "product")
        return ActionResponse(events=events, responses=[not_found(reference)])
    return product


@merchant_action("action_set_price")
async def set_product_price(ctx: ActionContext, actor: str) -> ActionResponse:
    product = await _named_product(ctx)
    if isinstance(product, ActionResponse):
        return product
    name = product.name(ctx.language)
    price = inputs.cents(inputs.latest(ctx, "money"))
    if price is None:
        ask = utter("utter_ask_price_amount", product=name)
        return ActionResponse(events=[slot_set("product_id", product.id)], responses=[ask])
    try:
        changed = await set_price(ctx.engine, ctx.tenant_id, product.id, price, actor=actor)
    except ProductNotFound:  # withdrawn between the lookup and the change
        return ActionResponse(responses=[not_found(None)])
    except InvalidInput:
        ask = utter("utter_ask_price_amount", product=name)
        return ActionResponse(events=cleared("money"), responses=[ask])
    reply = utter("utter_price_set", product=name, price=format_rand(changed.price_cents))
    return ActionResponse(events=cleared("money", "product_id", "product"), responses=[reply])


@merchant_action("action_set_stock")
async def set_product_stock(ctx: ActionContext, actor: str) -> ActionResponse:
    """An absolute count (`quantity`), or units in or out (`stock_delta`, e.g. +5 or -2)."""
    product = await _named_product(ctx)
    if isinstance(product, ActionResponse):
        return product
    name = product.name(ctx.language)
    delta = inputs.count(inputs.latest(ctx, "stock_delta"), signed=True)
    count = inputs.count(inputs.latest(ctx, "quantity"))
    try:
        if delta is not None:
            level = await stock.adjust_stock(
                ctx.engine, ctx.tenant_id, product.id, delta, actor=actor
            )
        elif count is not None:
            level = await stock.set_stock(ctx.engine, ctx.tenant_id, product.id, count, actor=actor)
        else:
            ask = utter("utter_ask_stock_quantity", product=name)
            return ActionResponse(events=[slot_set("product_id", product.id)], responses=[ask])
    except InvalidInput:
        held = await stock.level(ctx.engine, ctx.tenant_id, product.id)
        reply = utter(
            "utter_stock_invalid",
            product=name,
            quantity=count if delta is None else delta,
            reserved=0 if held is None else held.reserved,
        )
        return ActionResponse(events=cleared(*STOCK_INPUTS), responses=[reply])
    reply = utter("utter_stock_set", product=name, quantity=level.on_hand)
    events = cleared(*STOCK_INPUTS, "product_id", "product")
    return ActionResponse(events=events, responses=[reply])


@merchant_action("action_stock_query")
async def stock_query(ctx: ActionContext, actor: str) -> ActionResponse:
    product = await _named_product(ctx)
    if isinstance(product, ActionResponse):
        return product
    name = product.name(ctx.language)
    level = await stock.level(ctx.engine, ctx.tenant_id, product.id)
    if level is None:
        return ActionResponse(responses=[utter("utter_stock_untracked", product=name)])
    reply = utter(
        "utter_stock_level",
        product=name,
        quantity=level.available,
        on_hand=level.on_hand,
        reserved=level.reserved,
    )
    return ActionResponse(events=[slot_set("product_id", product.id)], responses=[reply])


@merchant_action("action_low_stock")
async def low_stock(ctx: ActionContext, actor: str) -> ActionResponse:
    levels = await stock.low_stock(ctx.engine, ctx.tenant_id)
    products = await products_by_id(ctx.engine, ctx.tenant_id, [x.product_id for x in levels])
    rows = [
        {
            "id": f"product:{level.product_id}",
            "title": products[level.product_id].name(ctx.language),
            "description": str(max(level.available, 0)),
        }
        for level in levels
        if level.product_id in products  # withdrawn products are not restocked
    ][:LIST_LIMIT]
    if not rows:
        return ActionResponse(responses=[utter("utter_no_low_stock")])
    return ActionResponse(responses=[utter("utter_low_stock", elements=rows)])


@merchant_action("action_shop_open")
async def open_shop(ctx: ActionContext, actor: str) -> ActionResponse:
    await set_open(ctx.engine, ctx.tenant_id, True, actor=actor)
    return ActionResponse(
        events=[slot_set("shop_is_open", True)], responses=[utter("utter_shop_now_open")]
    )


@merchant_action("action_shop_close")
async def close_shop(ctx: ActionContext, actor: str) -> ActionResponse:
    await set_open(ctx.engine, ctx.tenant_id, False, actor=actor)
    return ActionResponse(
        events=[slot_set("shop_is_open", False)], responses=[utter("utter_shop_now_closed")]
    )
