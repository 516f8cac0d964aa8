"""Merchant actions on orders: today's orders, one order's details, moving an order along,
and the daily summary. Staff only (`actions.staff`).

A status change goes through `commerce.merchant.move_order` with the staff member as actor: it
checks the order machine, moves stock, and writes the history, the audit entry and one outbox
event, from which the worker tells the shopper in their own language. Marking a placed order
ready accepts it on the way (nothing else confirms orders). Asking again for the status an
order already has changes nothing and answers the same.

Responses (domain.yml):
  utter_orders_today     count, total; elements: rows order:<number>, title "<number> <status>",
                         description "<total> · <fulfilment>" (newest first, at most 10)
  utter_no_orders_today  -
  utter_order_details    order_number, status, total, fulfilment, payment_method, items,
                         address ("" for collection)
  utter_order_not_found  order_number
  utter_ask_order_number -                      (the command named no order)
  utter_order_updated    order_number, status
  utter_cannot_update    order_number, status, wanted
  utter_daily_summary    date, orders, revenue, cash, card, eft, cancelled, top_product
Statuses are the machine's codes: placed, confirmed, paid, ready, out_for_delivery, delivered,
cancelled, refunded. Slots set: order_number (after details, so "ready" can follow).
"""

from __future__ import annotations

from actions import inputs
from actions.catalog import LIST_LIMIT
from actions.money import format_rand
from actions.protocol import ActionResponse, slot_set, utter
from actions.registry import ActionContext
from actions.staff import merchant_action
from commerce.errors import IllegalTransition, InvalidInput, OrderNotFound
from commerce.merchant import move_order
from commerce.order_machine import Status
from commerce.orders import Order, order_by_number
from commerce.sales import daily_summary, orders_today


def items_text(order: Order, language: str) -> str:
    return ", ".join(f"{line.quantity} x {line.name(language)}" for line in order.lines)


def _named_number(ctx: ActionContext) -> str | None:
    return inputs.identifier(inputs.latest(ctx, "order_number"), "order")


async def _named_order(ctx: ActionContext) -> Order | ActionResponse:
    """The order the command names (this turn's entity, a tapped row, or the slot)."""
    number = _named_number(ctx)
    if number is None:
        return ActionResponse(responses=[utter("utter_ask_order_number")])
    try:
        return await order_by_number(ctx.engine, ctx.tenant_id, number)
    except (OrderNotFound, InvalidInput):
        reply = utter("utter_order_not_found", order_number=number)
        return ActionResponse(events=[slot_set("order_number", None)], responses=[reply])


@merchant_action("action_list_orders")
async def list_todays_orders(ctx: ActionContext, actor: str) -> ActionResponse:
    today = await orders_today(ctx.engine, ctx.tenant_id, limit=LIST_LIMIT)
    if not today.count:
        return ActionResponse(responses=[utter("utter_no_orders_today")])
    rows = [
        {
            "id": f"order:{order.number}",
            "title": f"{order.number} {order.status.value.replace('_', ' ')}",
            "description": f"{format_rand(order.total_cents)} · {order.fulfilment}",
        }
        for order in today.newest
    ]
    reply = utter(
        "utter_orders_today",
        count=today.count,
        total=format_rand(today.total_cents),
        elements=rows,
    )
    return ActionResponse(responses=[reply])


@merchant_action("action_order_details")
async def order_details(ctx: ActionContext, actor: str) -> ActionResponse:
    order = await _named_order(ctx)
    if isinstance(order, ActionResponse):
        return order
    reply = utter(
        "utter_order_details",
        order_number=order.number,
        status=order.status.value,
        total=format_rand(order.total_cents),
        fulfilment=order.fulfilment,
        payment_method=order.payment_method,
        items=items_text(order, ctx.language),
        address=order.delivery_address or "",
    )
    return ActionResponse(events=[slot_set("order_number", order.number)], responses=[reply])


async def _move(ctx: ActionContext, actor: str, wanted: Status) -> ActionResponse:
    order = await _named_order(ctx)
    if isinstance(order, ActionResponse):
        return order
    try:
        moved = await move_order(ctx.engine, ctx.tenant_id, order.id, wanted, actor=actor)
    except IllegalTransition as exc:
        reply = utter(
            "utter_cannot_update",
            order_number=exc.order_number,
            status=exc.current,
            wanted=exc.wanted,
        )
        return ActionResponse(responses=[reply])
    reply = utter("utter_order_updated", order_number=moved.number, status=moved.status.value)
    return ActionResponse(events=[slot_set("order_number", moved.number)], responses=[reply])


@merchant_action("action_order_ready")
async def order_ready(ctx: ActionContext, actor: str) -> ActionResponse:
    return await _move(ctx, actor, Status.READY)


@merchant_action("action_order_out_for_delivery")
async def order_out_for_delivery(ctx: ActionContext, actor: str) -> ActionResponse:
    return await _move(ctx, actor, Status.OUT_FOR_DELIVERY)


@merchant_action("action_order_delivered")
async def order_delivered(ctx: ActionContext, actor: str) -> ActionResponse:
    """A cash order delivered counts as paid (the order machine records it)."""
    return await _move(ctx, actor, Status.DELIVERED)


@merchant_action("action_daily_summary")
async def summary(ctx: ActionContext, actor: str) -> ActionResponse:
    day = await daily_summary(ctx.engine, ctx.tenant_id)
    reply = utter(
        "utter_daily_summary",
        date=day.day.isoformat(),
        orders=day.orders,
        revenue=format_rand(day.revenue_cents),
        cash=format_rand(day.by_method_cents["cash"]),
        card=format_rand(day.by_method_cents["card"]),
        eft=format_rand(day.by_method_cents["eft"]),
        cancelled=day.cancelled,
        top_product=day.top_product_name(ctx.language) or "-",
    )
    return ActionResponse(responses=[reply])
