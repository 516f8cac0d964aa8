"""One turn of a conversation, from a message and its state to replies and the next state.

    housekeeping (a new shopper, an expired session, a handoff that timed out)
    → understand → the shopper's language → capture a value the state asks for
    → decide (engine) → act (effects) → next state

No queue I/O here: the worker loads and saves the state and enqueues what comes back.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.directory import Shop
from bot.effects import TURN_SLOTS, Effects
from bot.local_actions import handoff_over
from bot.nlu.catalog_cache import CatalogMatchers
from bot.nlu.client import NluClient
from bot.understanding import Understanding, understand
from commerce import consent, customers, shop_settings
from dialogue.engine import Engine, TurnFacts
from dialogue.language import LanguageChoice, choose_language
from dialogue.messages import InboundMessage, OutboundEnvelope, OutgoingMessage
from dialogue.state import ConversationState

log = logging.getLogger("wakala.turn")

NLU_THRESHOLD = 0.35  # below this the NLU's guess is treated as "not understood"
CAPTURE_ESCAPES = frozenset(  # what still works while a state waits for a typed value
    {
        "opt_out",
        "opt_in",
        "help",
        "human_handoff",
        "greet",
        "restart",
        "view_cart",
        "checkout",
        "change_language",
        # questions are digressions: answered, then the value is asked for again
        "ask_price",
        "ask_hours",
        "ask_delivery_fee",
        "ask_location",
    }
)
ESCAPE_CONFIDENCE = 0.6  # an address can look like anything; only a clear intent escapes
# Forgotten when a session expires: a half-done checkout should not surprise tomorrow.
SESSION_SLOTS = ("product_id", "quantity", "category_id", "search_text", "fulfilment", "address")


@dataclass(frozen=True, slots=True)
class TurnResult:
    replies: tuple[OutgoingMessage, ...]
    others: tuple[OutboundEnvelope, ...]
    state: ConversationState
    trigger: str


class Turns:
    def __init__(
        self,
        *,
        db: AsyncEngine,
        nlu: NluClient,
        engine: Engine,
        effects: Effects,
        matchers: CatalogMatchers | None = None,
        session_seconds: float = 3600.0,
    ) -> None:
        self.db = db
        self.nlu = nlu
        self.engine = engine
        self.effects = effects
        self.matchers = matchers
        self.session_seconds = session_seconds

    async def first_state(self, message: InboundMessage, shop: Shop) -> ConversationState:
        """A conversation we have no record of: staff and shoppers who consented before skip
        the consent notice (the record may have expired; consent lives in PostgreSQL)."""
        if message.sender_id in shop.staff:
            return ConversationState(state="start")
        agreed = await consent.current(self.db, shop.tenant_id, message.sender_id)
        return ConversationState(state="start" if agreed.get("messages") else self.engine.initial)

    async def take(
        self, message: InboundMessage, record: ConversationState, shop: Shop
    ) -> TurnResult:
        record = self._housekeeping(record, message, shop, time.time())
        understanding = await self._understand(message, shop)
        choice = choose_language(
            _previous_choice(record),
            understanding.language,
            understanding.language_confidence,
            intent=understanding.trigger,
            default=shop.default_language,
        )
        understanding = self._capture(record, message, understanding)
        slots: dict[str, Any] = {
            **record.slots,
            "tenant_id": str(shop.tenant_id),
            "shop_name": shop.name,
            # Read each turn, not cached: a shop closed by chat is closed for the next message.
            "shop_is_open": await shop_settings.is_open(self.db, shop.tenant_id),
            "language": choice.language,
        }
        facts = TurnFacts(
            trigger=understanding.trigger,
            is_staff=message.sender_id in shop.staff,
            entities=understanding.entities,
            slots=slots,
            text=message.text,
        )
        step = self.engine.step(record, facts)
        for name, value in step.slots.items():
            if value is None:
                slots.pop(name, None)
            else:
                slots[name] = value
        outcome = await self.effects.run(
            step.effects, message=message, shop=shop, slots=slots, understanding=understanding
        )
        language = str(slots.get("language") or choice.language)
        stored = {k: v for k, v in slots.items() if k not in TURN_SLOTS and v is not None}
        state = step.state.model_copy(
            update={
                "slots": stored,
                "language": language,
                "language_candidate": choice.candidate if language == choice.language else None,
                "language_run": choice.run if language == choice.language else 0,
            }
        )
        await self._remember_language(message, shop, record, state)
        log.info(
            "turn",
            extra={
                "event": "turn.done",
                "trigger": understanding.trigger,
                "matched": step.matched,
                "state": state.state,
                "language": language,
                "replies": len(outcome.replies),
            },
        )
        return TurnResult(
            tuple(outcome.replies), tuple(outcome.others), state, understanding.trigger
        )

    async def _remember_language(
        self,
        message: InboundMessage,
        shop: Shop,
        before: ConversationState,
        after: ConversationState,
    ) -> None:
        """Notices outside a turn (your order is ready) use the language the shopper chats in.
        Nothing is stored before they agreed to the notice (POPIA), nor for staff."""
        initial = self.engine.initial
        if after.state == initial or message.sender_id in shop.staff or after.language is None:
            return
        just_agreed = before.state == initial
        if just_agreed or after.language != before.language:
            await customers.set_language(self.db, shop.tenant_id, message.sender_id, after.language)

    def _housekeeping(
        self, record: ConversationState, message: InboundMessage, shop: Shop, now: float
    ) -> ConversationState:
        if message.sender_id in shop.staff and record.state == self.engine.initial:
            record = record.model_copy(update={"state": "start"})  # staff need no consent notice
        if handoff_over(record, now):
            slots = {k: v for k, v in record.slots.items() if k != "handoff_until"}
            return record.model_copy(update={"state": "start", "slots": slots})
        idle = now - record.updated_at if record.updated_at else 0.0
        locked = self.engine.state_spec(record.state).locked
        if idle > self.session_seconds and not locked:
            slots = {k: v for k, v in record.slots.items() if k not in SESSION_SLOTS}
            return record.model_copy(update={"state": "start", "slots": slots, "fallbacks": 0})
        return record

    async def _understand(self, message: InboundMessage, shop: Shop) -> Understanding:
        matchers = self.matchers

        async def matcher() -> Any:
            assert matchers is not None
            return await matchers.for_shop(shop.tenant_id)

        found = await understand(message, self.nlu, matcher if matchers else None)
        if found.via_nlu and found.confidence < NLU_THRESHOLD:
            return replace(found, trigger="nlu_fallback")
        return found

    def _capture(
        self, record: ConversationState, message: InboundMessage, found: Understanding
    ) -> Understanding:
        """A state that waits for a value (an address, a quantity) takes the message as that
        value, unless it is one of the few things that must always work."""
        slot = self.engine.state_spec(record.state).capture
        clear = not found.via_nlu or found.confidence >= ESCAPE_CONFIDENCE
        if slot is None or message.kind != "text" or (found.trigger in CAPTURE_ESCAPES and clear):
            return found
        if slot == "quantity":
            value = found.entities.get("quantity")
            if value in (None, ""):
                return found  # not a number: the state's prompt asks again
        else:
            value = (message.text or "").strip()
        return replace(found, trigger="captured", entities={**found.entities, slot: value})


def _previous_choice(record: ConversationState) -> LanguageChoice | None:
    if record.language is None:
        return None
    return LanguageChoice(record.language, record.language_candidate, record.language_run)
