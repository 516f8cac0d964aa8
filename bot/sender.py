"""The sender: outbound queue → Graph API, once per part, with the shop's own token.

One reply may render to several WhatsApp messages (a long text is split); each part has its
own id (`<reply id>/<n>`) and is marked sent only after Meta accepted it, so a crash re-sends
at most the part in flight. Inside the 24-hour window free-form messages go; outside it the
reply is held until the shopper writes (and a configured re-engagement template invites them
to). Transient Graph errors go back to the queue with backoff; permanent ones are logged as
failed and dead-lettered with Meta's code.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot import window
from bot.bus.base import Bus
from bot.directory import Directory, Shop
from bot.errors import RetryLater
from bot.observability import metrics
from bot.observability.context import CORRELATION
from bot.observability.tracing import continued, tracer
from bot.retry import persist
from bot.store.base import STORE_ERRORS, Store
from bot.throughput.base import OutboundLimiter
from channels.whatsapp.errors import (
    GraphError,
    PairRateLimited,
    RateLimited,
    TokenInvalid,
    WindowClosed,
)
from channels.whatsapp.graph import GraphClient
from channels.whatsapp.render import render, requires_open_window
from commerce import message_log
from commerce.errors import UnknownChannel
from dialogue.messages import OutboundEnvelope, TemplateReply

log = logging.getLogger("wakala.sender")

SENT = "sent"
READ = "read"
INVITED = "invited"


@dataclass(frozen=True)
class Reengagement:
    """Approved templates per language that invite a shopper back when the window is closed:
    language → (template name, template language code). The template takes no parameters
    except, optionally, the shop's name."""

    templates: dict[str, tuple[str, str]] = field(default_factory=dict)
    with_shop_name: bool = True

    def template_for(self, language: str | None, shop: Shop) -> TemplateReply | None:
        found = self.templates.get(language or "") or self.templates.get("en")
        if found is None:
            return None
        name, code = found
        parameters = (shop.name,) if self.with_shop_name else ()
        return TemplateReply(name=name, language=code, body_parameters=parameters)


class Sender:
    def __init__(
        self,
        *,
        bus: Bus,
        store: Store,
        directory: Directory,
        graph: GraphClient,
        engine: AsyncEngine,
        limiter: OutboundLimiter | None = None,
        reengagement: Reengagement | None = None,
    ) -> None:
        self.bus = bus
        self.store = store
        self.directory = directory
        self.graph = graph
        self.engine = engine
        self.limiter = limiter
        self.reengagement = reengagement or Reengagement()

    async def run(self) -> None:
        await self.bus.consume("outbound", self.handle)

    async def handle(self, body: bytes) -> None:
        envelope = OutboundEnvelope.model_validate_json(body)
        CORRELATION.set(envelope.in_reply_to or envelope.id)
        with continued("send", envelope.trace_context):
            await self._handle(envelope, body)

    async def _handle(self, envelope: OutboundEnvelope, body: bytes) -> None:
        try:
            # A marketplace reply before the shopper picked a shop speaks for no shop (None).
            shop = await self.directory.sending_shop(envelope.sender_id, envelope.tenant_id)
        except UnknownChannel as exc:
            await self.bus.dead_letter("outbound", body, str(exc))
            return
        parts = render(envelope.message, envelope.to)
        if envelope.tenant_id and await self.directory.marketplace_for(envelope.sender_id):
            # A marketplace number speaks for many shops: Meta echoes this back in statuses,
            # so they update the right shop's log. (A shop's own number needs no such bytes.)
            parts = [{**part, "biz_opaque_callback_data": envelope.tenant_id} for part in parts]
        is_open = await window.is_open(self.store, envelope.sender_id, envelope.to)
        if is_open and envelope.in_reply_to:
            await self._mark_read(envelope.sender_id, envelope.in_reply_to)
        for index, part in enumerate(parts):
            part_id = f"{envelope.id}/{index}"
            if await self.store.seen(SENT, part_id):
                continue
            if requires_open_window(part) and not is_open:
                await self._hold(envelope, body, shop)
                return
            if not await self._send_part(envelope, body, shop, part_id, part):
                return

    async def _send_part(
        self,
        envelope: OutboundEnvelope,
        body: bytes,
        shop: Shop | None,
        part_id: str,
        part: dict[str, Any],
    ) -> bool:
        """Send one part; False when the reply must stop here (held or dead-lettered).
        `shop` None: a marketplace reply before any shop was chosen (no shop's log)."""
        if shop is not None:
            await message_log.record(
                self.engine,
                shop.tenant_id,
                message_log.LoggedMessage(
                    direction="out",
                    reference=part_id,
                    phone_number_id=envelope.sender_id,
                    customer=envelope.to,
                    kind=str(part.get("type", envelope.message.type)),
                    status="queued",
                    bytes=len(json.dumps(part, ensure_ascii=False).encode()),
                ),
            )
        if self.limiter is not None:
            await self.limiter.acquire(envelope.sender_id, envelope.to)
        started = time.perf_counter()
        try:
            wamid = await self._send_with_fresh_token(envelope.sender_id, part)
        except WindowClosed:
            metrics.SEND_ERRORS.labels("131047").inc()
            await self._hold(envelope, body, shop)
            return False
        except GraphError as exc:
            metrics.SEND_ERRORS.labels(str(exc.code)).inc()
            metrics.SENDS.labels("retry" if exc.retryable else "failed").inc()
            if exc.retryable:
                await self._retry_later(envelope, exc)
            if shop is not None:
                await message_log.mark_failed(
                    self.engine, shop.tenant_id, part_id, exc.code, str(exc)
                )
            await self.bus.dead_letter("outbound", body, f"graph error {exc.code}: {exc}")
            log.error("send failed", extra={"event": "send.failed", "code": exc.code})
            return False
        metrics.SEND_SECONDS.observe(time.perf_counter() - started)
        metrics.SENDS.labels("sent").inc()
        # Sent: from here an error must not requeue the part, or the shopper gets it twice.
        await persist(
            lambda: self.store.mark(SENT, part_id), what="a sent part", retry_on=STORE_ERRORS
        )
        if shop is not None:
            await message_log.mark_sent(self.engine, shop.tenant_id, part_id, wamid)
        log.info("sent", extra={"event": "send.done", "kind": part.get("type")})
        return True

    async def _mark_read(self, phone_number_id: str, message_id: str) -> None:
        """Blue ticks on the shopper's message, once, before our first reply to it. Best
        effort: a failed receipt is logged and never holds up the reply."""
        if await self.store.seen(READ, message_id):
            return
        try:
            token = await self.directory.token_for(phone_number_id)
            await self.graph.mark_read(phone_number_id, token, message_id, typing=False)
        except GraphError as exc:
            log.info("read receipt failed", extra={"event": "send.read_failed", "code": exc.code})
        await self.store.mark(READ, message_id)

    async def _send_with_fresh_token(self, phone_number_id: str, part: dict[str, Any]) -> str:
        token = await self.directory.token_for(phone_number_id)
        try:
            with tracer().start_as_current_span("graph.send"):
                return await self.graph.send(phone_number_id, token, part)
        except TokenInvalid:
            # The operator may have rotated the token: read it again, and retry once if new.
            self.directory.forget(phone_number_id)
            fresh = await self.directory.token_for(phone_number_id)
            if fresh == token:
                raise
            return await self.graph.send(phone_number_id, fresh, part)

    async def _retry_later(self, envelope: OutboundEnvelope, exc: GraphError) -> None:
        """Back to the queue; the bus waits at least Meta's delay, with jittered backoff."""
        delay = exc.min_delay or 0.0
        if self.limiter is not None and isinstance(exc, RateLimited):
            recipient = envelope.to if isinstance(exc, PairRateLimited) else None
            await self.limiter.penalise(envelope.sender_id, recipient, max(delay, 1.0))
        log.warning("send will be retried", extra={"event": "send.retry", "code": exc.code})
        raise RetryLater(f"graph error {exc.code}", min_delay=delay) from exc

    async def _hold(self, envelope: OutboundEnvelope, body: bytes, shop: Shop | None) -> None:
        """Keep the reply until the shopper writes; invite them once with a template."""
        key = window.window_key(envelope.sender_id, envelope.to)
        await self.store.hold(key, body)
        log.info("held for the 24 h window", extra={"event": "send.held"})
        template = self.reengagement.template_for(envelope.language, shop) if shop else None
        if template is None or await self.store.get(INVITED, key) is not None:
            return
        # At most one invitation a day; if Meta refuses it, the reply still waits, held.
        await self.store.put(INVITED, key, "pending", window.WINDOW_SECONDS)
        [part] = render(template, envelope.to)
        try:
            await self._send_with_fresh_token(envelope.sender_id, part)
        except GraphError as exc:
            log.error(
                "re-engagement template failed",
                extra={"event": "send.invite_failed", "code": exc.code},
            )
