"""Shopper actions about the shop itself: opening hours, delivery fee, where it is.

Responses (domain.yml):
  utter_hours                 hours          (the shop is open; hours in the shopper's language)
  utter_shop_closed           hours          (the shop is closed right now)
  utter_hours_unknown         -              (open, and the shop has not set its hours)
  utter_shop_closed_no_hours  -              (closed, and no hours set)
  utter_delivery_fee          fee
  utter_no_delivery           -              (collection only)
  utter_location              address
  utter_location_unknown      -
Slots set: shop_is_open (by action_shop_hours).
"""

from __future__ import annotations

from actions.money import format_rand
from actions.protocol import ActionResponse, slot_set, utter
from actions.registry import ActionContext, registry
from commerce.shop_settings import get_settings, is_open


@registry.register("action_shop_hours")
async def shop_hours(ctx: ActionContext) -> ActionResponse:
    settings = await get_settings(ctx.engine, ctx.tenant_id)
    open_now = await is_open(ctx.engine, ctx.tenant_id)
    hours = settings.hours_in(ctx.language)
    if hours:
        reply = utter("utter_hours" if open_now else "utter_shop_closed", hours=hours)
    else:
        reply = utter("utter_hours_unknown" if open_now else "utter_shop_closed_no_hours")
    return ActionResponse(events=[slot_set("shop_is_open", open_now)], responses=[reply])


@registry.register("action_delivery_fee")
async def delivery_fee(ctx: ActionContext) -> ActionResponse:
    settings = await get_settings(ctx.engine, ctx.tenant_id)
    if not settings.delivers:
        return ActionResponse(responses=[utter("utter_no_delivery")])
    fee = format_rand(settings.delivery_fee_cents)
    return ActionResponse(responses=[utter("utter_delivery_fee", fee=fee)])


@registry.register("action_shop_location")
async def shop_location(ctx: ActionContext) -> ActionResponse:
    settings = await get_settings(ctx.engine, ctx.tenant_id)
    if not settings.address:
        return ActionResponse(responses=[utter("utter_location_unknown")])
    return ActionResponse(responses=[utter("utter_location", address=settings.address)])
