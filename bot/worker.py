"""The worker: one turn per inbound message, strictly in order per conversation.

    load state → understand → decide (engine) → act (action server) → render
    → enqueue replies (broker-confirmed) → save state → ack (by returning)

Redelivery is safe at every point: replies carry ids derived from the inbound message id, so
the sender drops a reply it already sent, and the saved state remembers processed message ids.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncEngine

from bot import marketplace, window
from bot.bus.base import Bus
from bot.directory import Directory, Shop
from bot.observability import metrics
from bot.observability.context import CORRELATION
from bot.observability.tracing import carrier, continued
from bot.retry import persist
from bot.store.base import STORE_ERRORS, Store
from bot.turn import Turns
from commerce import message_log
from commerce.errors import UnknownChannel
from dialogue.messages import InboundMessage, OutboundEnvelope, OutgoingMessage
from dialogue.responses import Responses
from dialogue.state import ConversationState

log = logging.getLogger("wakala.worker")


class Worker:
    def __init__(
        self,
        *,
        db: AsyncEngine,
        bus: Bus,
        store: Store,
        directory: Directory,
        turns: Turns,
        responses: Responses,
    ) -> None:
        self.db = db
        self.bus = bus
        self.store = store
        self.directory = directory
        self.turns = turns
        self.responses = responses

    async def run(self) -> None:
        async with asyncio.TaskGroup() as group:
            group.create_task(self.bus.consume("inbound", self.handle))
            group.create_task(self.bus.consume("overflow", self.handle_overflow))

    async def handle_overflow(self, body: bytes) -> None:
        """A flooding shopper's message: wait out the flood window, then a normal turn. Only
        this overflow shard waits; the shopper's other lanes and other shoppers go on."""
        message = InboundMessage.model_validate_json(body)
        wait = (message.not_before or 0.0) - time.time()
        if wait > 0:
            await asyncio.sleep(wait)
        await self.handle(body)

    async def handle(self, body: bytes) -> None:
        """Handle one queued message; raising sends it back to the queue to try again."""
        message = InboundMessage.model_validate_json(body)
        CORRELATION.set(message.message_id)
        started = time.perf_counter()
        with continued("turn", message.trace_context):
            outcome = await self._handle(message)
        metrics.TURNS.labels(outcome).inc()
        metrics.TURN_SECONDS.observe(time.perf_counter() - started)

    async def _handle(self, message: InboundMessage) -> str:
        """The turn; returns its outcome for the metrics."""
        key = message.conversation_key
        stored = await self.store.load(key)
        if stored is not None and stored.has_processed(message.message_id):
            log.info("already processed", extra={"event": "turn.duplicate"})
            return "duplicate"
        chosen = await marketplace.resolve(
            message,
            stored,
            directory=self.directory,
            responses=self.responses,
            first_state=self.turns.first_state,
        )
        first: tuple[OutgoingMessage, ...] = ()
        turn_message = message
        if chosen is None:  # the shop's own number
            try:
                shop = await self.directory.shop_for(message.recipient_id)
            except UnknownChannel:
                log.warning("message to a number no shop owns", extra={"event": "turn.no_shop"})
                return "no_shop"
            record = stored or await self.turns.first_state(message, shop)
        elif chosen.shop is None:  # a marketplace shopper still choosing: no shop, nothing logged
            await self._release_held(message)
            await self._publish(message, chosen.replies, None, chosen.language)
            processed = chosen.record.mark_processed(message.message_id, int(time.time()))
            await persist(
                lambda: self.store.save(key, processed), what="the choice", retry_on=STORE_ERRORS
            )
            return "choosing"
        else:
            shop, record, first = chosen.shop, chosen.record, chosen.replies
            turn_message = chosen.message or message  # a "/greet" when this message chose
        await message_log.record(
            self.db,
            shop.tenant_id,
            message_log.LoggedMessage(
                direction="in",
                reference=message.message_id,
                phone_number_id=message.recipient_id,
                customer=message.sender_id,
                kind=message.raw_kind or message.kind,
                status="received",
                bytes=len((message.text or "").encode()),
            ),
        )
        await self._release_held(message)
        if message.flood_notice:
            await self._notify_flood(message, record, shop)
            return "flood"
        result = await self.turns.take(turn_message, record, shop)
        replies = (*first, *result.replies)
        await self._publish(message, replies, shop.tenant_id, result.state.language)
        for other in result.others:  # e.g. staff told of a handoff: their own conversation
            other_key = f"{other.channel}:{other.sender_id}:{other.to}"
            await self.bus.publish("outbound", other_key, other.model_dump_json().encode())
        # The replies are queued: from here an error must not requeue the message, or the
        # turn would run (and answer) twice.
        done = result.state.mark_processed(message.message_id, int(time.time()))
        await persist(
            lambda: self.store.save(key, done), what="the conversation", retry_on=STORE_ERRORS
        )
        return "replied" if replies else "silent"

    async def _publish(
        self,
        message: InboundMessage,
        replies: Sequence[OutgoingMessage],
        tenant_id: UUID | None,
        language: str | None,
    ) -> None:
        """The turn's replies, in order, with ids derived from the inbound message's."""
        for index, reply in enumerate(replies):
            envelope = OutboundEnvelope(
                id=f"{message.message_id}:{index}",
                channel=message.channel,
                sender_id=message.recipient_id,
                to=message.sender_id,
                message=reply,
                in_reply_to=message.message_id,
                tenant_id=str(tenant_id) if tenant_id else None,
                language=language,
                trace_context=carrier(),
            )
            key = message.conversation_key
            await self.bus.publish("outbound", key, envelope.model_dump_json().encode())

    async def _release_held(self, message: InboundMessage) -> None:
        """The shopper wrote, so the 24 h window is open: replies held for it go out first."""
        key = window.window_key(message.recipient_id, message.sender_id)
        held = await self.store.held(key)
        for body in held:
            await self.bus.publish("outbound", message.conversation_key, body)
        if held:
            await self.store.drop_held(key, len(held))
            log.info("released held replies", extra={"event": "turn.released", "count": len(held)})

    async def _notify_flood(
        self, message: InboundMessage, record: ConversationState, shop: Shop
    ) -> None:
        """Tell the shopper once that the shop is catching up; their message waits its turn."""
        language = record.language or shop.default_language
        notice = self.responses.render("utter_catching_up", language, {"shop_name": shop.name})
        envelope = OutboundEnvelope(
            id=f"{message.message_id}:notice",
            channel=message.channel,
            sender_id=message.recipient_id,
            to=message.sender_id,
            message=notice,
            tenant_id=str(shop.tenant_id),
            language=language,
        )
        key = message.conversation_key
        await self.bus.publish("outbound", key, envelope.model_dump_json().encode())
        deferred = message.model_copy(update={"flood_notice": False})
        await self.bus.publish("overflow", key, deferred.model_dump_json().encode())
