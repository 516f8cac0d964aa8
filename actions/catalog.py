"""Shopper actions on the catalogue: categories, product lists, search, details and prices.

Names are in the shopper's language (English when the product has no name in it); amounts are
formatted with `format_rand`. Lists hold at most 10 rows, WhatsApp's limit for one list.

Responses (domain.yml):
  utter_category_list      elements: one row per category with products (id category:<id>)
  utter_product_list       elements: products, cheapest first (id product:<id>,
                           description "<price> / <unit>")
  utter_no_products        -
  utter_search_results     query; elements as utter_product_list
  utter_product_not_found  query                (what was asked for; "" when only an id)
  utter_product_details    product, price, unit, product_id, in_stock ("yes" | "no")
  utter_price              product, price, unit
  utter_ask_product        -                    (the turn named no product)
Slots set: product_id (after details and price, so "add 2" can follow).
"""

from __future__ import annotations

from typing import Any

from actions import inputs
from actions.money import format_rand
from actions.protocol import ActionResponse, slot_set, utter
from actions.registry import ActionContext, registry
from commerce import stock
from commerce.catalog import Product, get_product, list_products
from commerce.catalog_search import find_product_by_name, search_products
from commerce.categories import list_categories
from commerce.errors import ProductNotFound

LIST_LIMIT = 10  # WhatsApp shows at most 10 rows in one list message


def product_rows(products: list[Product], language: str) -> list[dict[str, Any]]:
    return [
        {
            "id": f"product:{product.id}",
            "title": product.name(language),
            "description": f"{format_rand(product.price_cents)} / {product.unit}",
        }
        for product in products
    ]


async def lookup_product(ctx: ActionContext, reference: int | str) -> Product | None:
    """The product an id or a typed name stands for, in this shop only."""
    if isinstance(reference, str):
        return await find_product_by_name(ctx.engine, ctx.tenant_id, reference)
    try:
        return await get_product(ctx.engine, ctx.tenant_id, reference)
    except ProductNotFound:
        return None


def not_found(reference: int | str | None) -> dict[str, Any]:
    return utter("utter_product_not_found", query=reference if isinstance(reference, str) else "")


@registry.register("action_list_categories")
async def list_shop_categories(ctx: ActionContext) -> ActionResponse:
    """The shop's categories; a shop without any shows its products instead."""
    found = await list_categories(ctx.engine, ctx.tenant_id, with_products=True)
    if not found:
        return await list_shop_products(ctx)
    rows = [
        {"id": f"category:{category.id}", "title": category.name(ctx.language)}
        for category in found[:LIST_LIMIT]
    ]
    return ActionResponse(responses=[utter("utter_category_list", elements=rows)])


@registry.register("action_list_products")
async def list_shop_products(ctx: ActionContext) -> ActionResponse:
    category = inputs.number_id(inputs.latest(ctx, "category_id"), "category")
    products = await list_products(
        ctx.engine, ctx.tenant_id, limit=LIST_LIMIT, category_id=category
    )
    if not products:
        return ActionResponse(responses=[utter("utter_no_products")])
    rows = product_rows(products, ctx.language)
    return ActionResponse(responses=[utter("utter_product_list", elements=rows)])


@registry.register("action_search_products")
async def search(ctx: ActionContext) -> ActionResponse:
    """The product the app's catalogue matcher found (if any) first, then name matches of
    the words the shopper typed (`search_text`), in any language."""
    query = inputs.text(inputs.latest(ctx, "search_text"))
    # With words to search for, a product_id slot is left from an earlier turn: ignore it.
    reference = inputs.product_reference(ctx, slots=query is None)
    matched = reference if isinstance(reference, int) else None
    if query is None and isinstance(reference, str):
        query = reference
    found: list[Product] = []
    if matched is not None:
        product = await lookup_product(ctx, matched)
        found.extend([product] if product is not None else [])
    if query is not None:
        more = await search_products(ctx.engine, ctx.tenant_id, query, limit=LIST_LIMIT)
        found.extend(p for p in more if p.id not in {f.id for f in found})
    shown = query or (found[0].name(ctx.language) if found else "")
    if not found:
        return ActionResponse(responses=[utter("utter_product_not_found", query=shown)])
    rows = product_rows(found[:LIST_LIMIT], ctx.language)
    return ActionResponse(responses=[utter("utter_search_results", query=shown, elements=rows)])


@registry.register("action_product_info")
async def product_info(ctx: ActionContext) -> ActionResponse:
    reference = inputs.product_reference(ctx)
    if reference is None:
        return ActionResponse(responses=[utter("utter_ask_product")])
    product = await lookup_product(ctx, reference)
    if product is None:
        return ActionResponse(responses=[not_found(reference)])
    level = await stock.level(ctx.engine, ctx.tenant_id, product.id)
    reply = utter(
        "utter_product_details",
        product=product.name(ctx.language),
        price=format_rand(product.price_cents),
        unit=product.unit,
        product_id=product.id,
        in_stock="yes" if level is None or level.available > 0 else "no",
    )
    return ActionResponse(events=[slot_set("product_id", product.id)], responses=[reply])


@registry.register("action_price")
async def price(ctx: ActionContext) -> ActionResponse:
    reference = inputs.product_reference(ctx)
    if reference is None:
        return ActionResponse(responses=[utter("utter_ask_product")])
    product = await lookup_product(ctx, reference)
    if product is None:
        return ActionResponse(responses=[not_found(reference)])
    reply = utter(
        "utter_price",
        product=product.name(ctx.language),
        price=format_rand(product.price_cents),
        unit=product.unit,
    )
    return ActionResponse(events=[slot_set("product_id", product.id)], responses=[reply])
