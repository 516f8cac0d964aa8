"""Actions the worker runs itself, because they act on conversations, not on shop data:
language, human handoff and its end, and the "did you mean…?" fallback. Every other action
goes to the action server over Rasa's protocol.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

from bot.directory import Shop
from bot.store.base import Store
from bot.understanding import Understanding
from dialogue.language import SUPPORTED
from dialogue.messages import (
    Button,
    ButtonsReply,
    InboundMessage,
    OutboundEnvelope,
    OutgoingMessage,
)
from dialogue.responses import Responses
from dialogue.state import ConversationState

log = logging.getLogger("wakala.local_actions")

HANDOFF_SECONDS = 2 * 3600
CLARIFY_OPTIONS = 3
# Intents never offered as "did you mean…?": they are no destination.
NOT_OFFERED = frozenset({"nlu_fallback", "out_of_scope", "affirm", "deny", "thanks", "goodbye"})


@dataclass
class LocalContext:
    message: InboundMessage
    shop: Shop
    slots: dict[str, Any]
    understanding: Understanding
    responses: Responses
    store: Store
    handoff_seconds: float = HANDOFF_SECONDS
    payments: PaymentLinks | None = None

    @property
    def language(self) -> str:
        return str(self.slots.get("language") or self.shop.default_language)


class PaymentLinks(Protocol):
    """Where a pay link for an order comes from (bot.payments.PaymentService)."""

    async def link_for(self, tenant_id: UUID, order_number: str) -> tuple[str, int]:
        """The pay URL and amount in cents; raises when the order cannot be paid online."""
        ...


@dataclass
class LocalResult:
    replies: list[OutgoingMessage] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)
    others: list[OutboundEnvelope] = field(default_factory=list)  # to people other than sender


LocalAction = Callable[[LocalContext], Awaitable[LocalResult]]


async def set_language(ctx: LocalContext) -> LocalResult:
    wanted = ctx.understanding.entities.get("language")
    if wanted not in SUPPORTED:
        detected = ctx.understanding.language
        wanted = (
            detected
            if detected in SUPPORTED and ctx.understanding.language_confidence >= 0.6
            else None
        )
    if wanted is None:
        return LocalResult(replies=[ctx.responses.render("utter_choose_language", ctx.language)])
    reply = ctx.responses.render("utter_language_set", str(wanted), ctx.slots)
    return LocalResult(replies=[reply], slots={"language": wanted})


async def handoff(ctx: LocalContext) -> LocalResult:
    """The bot goes quiet for this shopper; staff are told, with a button to hand back."""
    until = int(time.time() + ctx.handoff_seconds)
    staff_language = ctx.shop.default_language
    variables = {
        **ctx.slots,
        "customer": ctx.message.sender_id,
        "name": ctx.message.sender_name or "",
    }
    others = []
    for phone in sorted(ctx.shop.staff):
        notice = ctx.responses.render("utter_staff_handoff", staff_language, variables)
        others.append(
            OutboundEnvelope(
                id=f"{ctx.message.message_id}:handoff:{phone}",
                sender_id=ctx.message.recipient_id,
                to=phone,
                message=notice,
                tenant_id=str(ctx.shop.tenant_id),
                language=staff_language,
            )
        )
    reply = ctx.responses.render("utter_handoff", ctx.language, ctx.slots)
    return LocalResult(replies=[reply], slots={"handoff_until": until}, others=others)


async def resume_customer(ctx: LocalContext) -> LocalResult:
    """A staff member hands a shopper back to the bot."""
    customer = str(ctx.understanding.entities.get("customer") or "")
    key = f"{ctx.message.channel}:{ctx.message.recipient_id}:{customer}"
    record = await ctx.store.load(key) if customer else None
    if record is None or record.state != "handoff":
        return LocalResult(replies=[ctx.responses.render("utter_not_in_handoff", ctx.language)])
    slots = {k: v for k, v in record.slots.items() if k != "handoff_until"}
    await ctx.store.save(key, record.model_copy(update={"state": "start", "slots": slots}))
    back = ctx.responses.render("utter_bot_back", record.language or ctx.shop.default_language)
    notice = OutboundEnvelope(
        id=f"{ctx.message.message_id}:resume:{customer}",
        sender_id=ctx.message.recipient_id,
        to=customer,
        message=back,
        tenant_id=str(ctx.shop.tenant_id),
        language=record.language,
    )
    reply = ctx.responses.render("utter_customer_resumed", ctx.language, ctx.slots)
    return LocalResult(replies=[reply], others=[notice])


async def clarify(ctx: LocalContext) -> LocalResult:
    """First stage of the fallback: offer the likeliest intents as buttons."""
    offered: list[Button] = []
    for intent, _ in ctx.understanding.ranking:
        title = f"utter_title_{intent}"
        if intent in NOT_OFFERED or title not in ctx.responses.names:
            continue
        label = ctx.responses.text(title, ctx.language)
        offered.append(Button(id=f"/{intent}", title=label))
        if len(offered) == CLARIFY_OPTIONS:
            break
    if not offered:
        return LocalResult(replies=[ctx.responses.render("utter_default", ctx.language, ctx.slots)])
    text = ctx.responses.text("utter_clarify", ctx.language, ctx.slots)
    return LocalResult(replies=[ButtonsReply(text=text, buttons=tuple(offered))])


async def start_payment(ctx: LocalContext) -> LocalResult:
    """After checkout by card or EFT: the pay link for the order just placed. If paying online
    fails, the shopper is told and can still pay cash; the order stands either way."""
    number = ctx.slots.get("order_number")
    if ctx.payments is None or not number:
        return LocalResult()
    try:
        url, cents = await ctx.payments.link_for(ctx.shop.tenant_id, str(number))
    except Exception:  # the gateway is down or not set up: the order is placed all the same
        log.exception("no pay link", extra={"event": "payment.link_failed"})
        return LocalResult(
            replies=[ctx.responses.render("utter_payment_unavailable", ctx.language)]
        )
    variables = {**ctx.slots, "pay_url": url, "total": f"R{cents // 100}.{cents % 100:02d}"}
    return LocalResult(replies=[ctx.responses.render("utter_pay_link", ctx.language, variables)])


LOCAL_ACTIONS: dict[str, LocalAction] = {
    "action_start_payment": start_payment,
    "action_set_language": set_language,
    "action_handoff": handoff,
    "action_resume_customer": resume_customer,
    "action_clarify": clarify,
}


def handoff_over(record: ConversationState, now: float) -> bool:
    until = record.slots.get("handoff_until")
    return record.state == "handoff" and isinstance(until, int) and now >= until
