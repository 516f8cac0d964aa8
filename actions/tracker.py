"""Reading what shopper actions need from Rasa's tracker: who, which message, which product.

Entities of the latest message win over slots (a button tap or the NLU names the product
for this turn; a slot may be left over from an earlier one).
"""

from __future__ import annotations

from typing import Any

from actions.errors import BadTracker
from actions.registry import ActionContext

MAX_QUANTITY = 999


def value(ctx: ActionContext, name: str) -> Any:
    for entity in ctx.call.tracker.latest_message.get("entities") or []:
        if isinstance(entity, dict) and entity.get("entity") == name:
            return entity.get("value")
    return ctx.call.tracker.slots.get(name)


def user_key(ctx: ActionContext) -> str:
    sender = ctx.call.tracker.sender_id or ctx.call.sender_id
    if not sender:
        raise BadTracker("the tracker has no sender_id: which shopper is this?")
    return sender


def message_id(ctx: ActionContext) -> str:
    """The inbound message's id: the idempotency key of anything the turn creates."""
    found = ctx.call.tracker.latest_message.get("message_id")
    if not found:
        raise BadTracker("latest_message.message_id is missing: checkout cannot be idempotent")
    return str(found)


def product_id(ctx: ActionContext) -> int | None:
    """`12` or a list-row id like `product:12`; None when the turn names no product."""
    raw = value(ctx, "product_id")
    text = str(raw).strip().rpartition(":")[2] if raw is not None else ""
    return int(text) if text.isdigit() else None


def quantity(ctx: ActionContext) -> int:
    """A whole number from the `quantity` entity or slot; 1 when absent or not a number."""
    raw = value(ctx, "quantity")
    try:
        number = int(float(str(raw).strip())) if raw is not None else 1
    except ValueError:
        return 1
    return min(max(number, 1), MAX_QUANTITY)


def text_slot(ctx: ActionContext, name: str) -> str | None:
    raw = value(ctx, name)
    if raw is None:
        return None
    return str(raw).strip() or None
