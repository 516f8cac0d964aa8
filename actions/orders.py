"""Shopper actions on orders: checkout, status, cancel, reorder.

Checkout is idempotent by the inbound message id (`latest_message.message_id`): a redelivered
message gets the same order and the same reply, never a second order.

Responses (domain.yml):
  utter_order_placed           order_number, subtotal, delivery_fee, total, fulfilment,
                               payment_method; elements: one row per line
  utter_order_status_<status>  order_number, total   (one per status: placed, confirmed, paid,
                               ready, out_for_delivery, delivered, cancelled, refunded)
  utter_order_cancelled        order_number
  utter_cannot_cancel          order_number, status
  utter_reordered              order_number, cart_count, cart_total; elements: cart rows
  utter_reorder_skipped        skipped              (names left out, comma-separated)
  utter_no_orders              -
  utter_ask_address            -                    (delivery chosen, no address yet)
  utter_cart_empty, utter_out_of_stock, utter_product_not_found   (see actions.cart)
Slots set: order_number (after checkout and reorder); cart_count (after checkout and reorder:
units in the cart, 0 once the order is placed). actions.cart clears product_id and quantity.
"""

from __future__ import annotations

from typing import Any

from actions import tracker
from actions.cart import cart_rows, cart_summary, count_now, counted, out_of_stock
from actions.money import format_rand
from actions.protocol import ActionResponse, slot_set, utter
from actions.registry import ActionContext, registry
from commerce.errors import (
    EmptyCart,
    IllegalTransition,
    InvalidInput,
    OrderNotFound,
    OutOfStock,
    ProductNotFound,
)
from commerce.order_status import cancel_for_shopper
from commerce.orders import (
    Checkout,
    Fulfilment,
    Order,
    PaymentMethod,
    place_order,
    shopper_order,
)
from commerce.reorder import reorder_last

NO_ORDERS = ActionResponse(responses=[utter("utter_no_orders")])


def order_rows(order: Order, language: str) -> list[dict[str, Any]]:
    return [
        {
            "id": f"product:{line.product_id}",
            "title": line.name(language),
            "description": f"{line.quantity} x {format_rand(line.unit_price_cents)}",
        }
        for line in order.lines
    ]


FULFILMENTS: dict[str, Fulfilment] = {"delivery": "delivery", "collection": "collection"}
PAYMENT_METHODS: dict[str, PaymentMethod] = {"cash": "cash", "card": "card", "eft": "eft"}


@registry.register("action_checkout")
async def checkout(ctx: ActionContext) -> ActionResponse:
    fulfilment = FULFILMENTS.get(tracker.text_slot(ctx, "fulfilment") or "", "collection")
    payment_method = PAYMENT_METHODS.get(tracker.text_slot(ctx, "payment_method") or "", "cash")
    address = tracker.text_slot(ctx, "address")
    if fulfilment == "delivery" and address is None:
        return ActionResponse(responses=[utter("utter_ask_address")])
    request = Checkout(
        user_key=tracker.user_key(ctx),
        idempotency_key=tracker.message_id(ctx),
        fulfilment=fulfilment,
        payment_method=payment_method,
        delivery_address=address,
        language=ctx.language,
    )
    try:
        placed = await place_order(ctx.engine, ctx.tenant_id, request)
    except EmptyCart:
        empty = slot_set("cart_count", 0)
        return ActionResponse(events=[empty], responses=[utter("utter_cart_empty")])
    except OutOfStock as exc:
        return ActionResponse(events=[await count_now(ctx)], responses=[out_of_stock(ctx, exc)])
    except ProductNotFound:
        events = [await count_now(ctx)]
        return ActionResponse(events=events, responses=[utter("utter_product_not_found")])
    order = placed.order
    reply = utter(
        "utter_order_placed",
        order_number=order.number,
        subtotal=format_rand(order.subtotal_cents),
        delivery_fee=format_rand(order.delivery_fee_cents),
        total=format_rand(order.total_cents),
        fulfilment=order.fulfilment,
        payment_method=order.payment_method,
        elements=order_rows(order, ctx.language),
    )
    # A redelivered message finds its order placed earlier: the cart may have filled since.
    count = slot_set("cart_count", 0) if placed.created else await count_now(ctx)
    events = [slot_set("order_number", order.number), count]
    return ActionResponse(events=events, responses=[reply])


@registry.register("action_order_status")
async def order_status(ctx: ActionContext) -> ActionResponse:
    """The order the shopper names (entity `order_number`), else their latest."""
    try:
        order = await shopper_order(
            ctx.engine, ctx.tenant_id, tracker.user_key(ctx), _named_order(ctx)
        )
    except (OrderNotFound, InvalidInput):
        return NO_ORDERS
    reply = utter(
        f"utter_order_status_{order.status.value}",
        order_number=order.number,
        total=format_rand(order.total_cents),
    )
    return ActionResponse(responses=[reply])


def _named_order(ctx: ActionContext) -> str | None:
    """Only this turn's entity: a slot left from an earlier order must not pick the order."""
    for entity in ctx.call.tracker.latest_message.get("entities") or []:
        if isinstance(entity, dict) and entity.get("entity") == "order_number":
            return str(entity.get("value") or "").strip() or None
    return None


@registry.register("action_cancel_order")
async def cancel_order(ctx: ActionContext) -> ActionResponse:
    """The order the shopper names, else their latest open one."""
    try:
        order = await cancel_for_shopper(
            ctx.engine, ctx.tenant_id, tracker.user_key(ctx), _named_order(ctx)
        )
    except (OrderNotFound, InvalidInput):
        return NO_ORDERS
    except IllegalTransition as exc:
        reply = utter("utter_cannot_cancel", order_number=exc.order_number, status=exc.current)
        return ActionResponse(responses=[reply])
    return ActionResponse(responses=[utter("utter_order_cancelled", order_number=order.number)])


@registry.register("action_reorder")
async def reorder(ctx: ActionContext) -> ActionResponse:
    try:
        result = await reorder_last(ctx.engine, ctx.tenant_id, tracker.user_key(ctx))
    except OrderNotFound:
        return NO_ORDERS
    responses = []
    if result.skipped:
        names = ", ".join(line.name(ctx.language) for line in result.skipped)
        responses.append(utter("utter_reorder_skipped", skipped=names))
    if result.cart.is_empty:
        responses.append(utter("utter_cart_empty"))
    else:
        responses.append(
            utter(
                "utter_reordered",
                order_number=result.order_number,
                elements=cart_rows(result.cart, ctx.language),
                **cart_summary(result.cart),
            )
        )
    return ActionResponse(
        events=[slot_set("order_number", result.order_number), counted(result.cart)],
        responses=responses,
    )
