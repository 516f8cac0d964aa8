"""Merchant actions run for the shop's registered staff only.

The dialogue already offers them only to staff; the action server checks again, because a
stale or forged conversation must never change a price or an order. A refused attempt is
answered politely and recorded in the audit log (`commerce.merchant.staff_actor`).

Response (domain.yml):
  utter_not_staff   -
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from actions import tracker
from actions.protocol import ActionResponse, utter
from actions.registry import ActionContext, registry
from commerce.merchant import staff_actor

# A merchant action gets the audit actor of the staff member (`staff:*4567`) as well.
StaffAction = Callable[[ActionContext, str], Awaitable[ActionResponse]]


def merchant_action(name: str) -> Callable[[StaffAction], StaffAction]:
    """Register `name` as an action that runs only for the shop's staff."""

    def decorate(func: StaffAction) -> StaffAction:
        async def guarded(ctx: ActionContext) -> ActionResponse:
            actor = await staff_actor(ctx.engine, ctx.tenant_id, tracker.user_key(ctx), name)
            if actor is None:
                return ActionResponse(responses=[utter("utter_not_staff")])
            return await func(ctx, actor)

        registry.register(name)(guarded)
        return func

    return decorate
