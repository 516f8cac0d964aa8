"""The webhook gateway: prove the request came from Meta, split it, dedupe, publish, answer.

It answers 200 only after every new message in the POST is broker-confirmed; if the broker is
unreachable it answers 503 so Meta retries later (for days). Dedupe is durable (Redis) and is
marked only after the publish, so a crash between the two can never lose a message: at worst
it publishes twice, and the worker's own idempotency absorbs that.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import FastAPI, Header, Query, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse

from bot import window
from bot.bus.base import Bus, Topic
from bot.errors import ServiceUnavailable
from bot.observability import metrics, tracing
from bot.observability.metrics import add_metrics
from bot.observability.tracing import carrier
from bot.store.base import Store
from bot.throughput.base import FloodThrottle
from channels.whatsapp.errors import (
    InvalidSignature,
    MissingSignature,
    PayloadError,
    SignatureError,
)
from channels.whatsapp.events import (
    IgnoredEvent,
    MessageEvent,
    StatusEvent,
    UnknownEvent,
    WebhookEvent,
)
from channels.whatsapp.inbound import to_delivery, to_inbound
from channels.whatsapp.parse import parse_webhook
from channels.whatsapp.signature import verify_signature
from dialogue.messages import InboundMessage

log = logging.getLogger("wakala.gateway")

INBOUND_SEEN = "inbound"
STATUS_SEEN = "status"

ReadyCheck = Callable[[], Awaitable[bool]]


class Gateway:
    def __init__(
        self,
        bus: Bus,
        store: Store,
        *,
        app_secret: str,
        verify_token: str,
        throttle: FloodThrottle | None = None,
        previous_app_secret: str | None = None,
    ) -> None:
        self.bus = bus
        self.store = store
        self.app_secret = app_secret
        self.previous_app_secret = previous_app_secret
        self.verify_token = verify_token
        self.throttle = throttle

    def verify(self, raw: bytes, signature: str | None) -> None:
        """The app secret, or during a rotation the previous one, signed these bytes."""
        try:
            verify_signature(raw, signature, self.app_secret)
        except InvalidSignature:
            if not self.previous_app_secret:
                raise
            verify_signature(raw, signature, self.previous_app_secret)

    async def accept(self, events: list[WebhookEvent]) -> int:
        """Publish the new user messages; return how many were published."""
        published = 0
        for event in events:
            if isinstance(event, MessageEvent):
                if await self.store.seen(INBOUND_SEEN, event.message_id):
                    log.info("duplicate message dropped", extra={"event": "webhook.duplicate"})
                    continue
                inbound = to_inbound(event).model_copy(update={"trace_context": carrier()})
                topic, inbound = await self._lane(inbound)
                await self.bus.publish(
                    topic, inbound.conversation_key, inbound.model_dump_json().encode()
                )
                metrics.PUBLISHED.labels(topic).inc()
                await self.store.mark(INBOUND_SEEN, event.message_id)
                await window.opened(
                    self.store, inbound.recipient_id, inbound.sender_id, inbound.timestamp
                )
                published += 1
            elif isinstance(event, StatusEvent):
                # Meta repeats statuses too; one (id, status) pair is applied once.
                seen_key = f"{event.message_id}:{event.status}"
                if await self.store.seen(STATUS_SEEN, seen_key):
                    continue
                update = to_delivery(event)
                key = f"{update.channel}:{update.business_id}:{update.recipient or ''}"
                await self.bus.publish("status", key, update.model_dump_json().encode())
                await self.store.mark(STATUS_SEEN, seen_key)
            elif isinstance(event, UnknownEvent | IgnoredEvent):
                continue  # the parser already logged a structured warning for unknown kinds
            else:
                log.info("event not routed", extra={"event": "webhook.other", "kind": event.kind})
        return published

    async def _lane(self, inbound: InboundMessage) -> tuple[Topic, InboundMessage]:
        """A flooding shopper's messages go to the overflow lane, to be handled once the flood
        window ends; the first one over the limit goes ahead to tell them (once) to wait."""
        if self.throttle is None:
            return "inbound", inbound
        verdict = await self.throttle.hit(inbound.recipient_id, inbound.sender_id)
        if verdict.allowed:
            return "inbound", inbound
        not_before = time.time() + verdict.retry_after
        if verdict.first_flood:
            log.warning("flood from one shopper", extra={"event": "webhook.flood"})
            return "inbound", inbound.model_copy(
                update={"flood_notice": True, "not_before": not_before}
            )
        return "overflow", inbound.model_copy(update={"not_before": not_before})


def create_app(gateway: Gateway, ready_checks: dict[str, ReadyCheck] | None = None) -> FastAPI:
    app = FastAPI(title="Wakala gateway", version="1")
    checks = ready_checks or {}

    @app.get("/webhooks/whatsapp")
    async def verify(
        mode: Annotated[str | None, Query(alias="hub.mode")] = None,
        token: Annotated[str | None, Query(alias="hub.verify_token")] = None,
        challenge: Annotated[str | None, Query(alias="hub.challenge")] = None,
    ) -> Response:
        if (
            mode == "subscribe"
            and token is not None
            and challenge is not None
            and hmac.compare_digest(token.encode(), gateway.verify_token.encode())
        ):
            return PlainTextResponse(challenge)  # Meta wants the bare challenge, not JSON
        return PlainTextResponse("Forbidden", status_code=403)

    @app.post("/webhooks/whatsapp")
    async def receive(
        request: Request,
        signature: Annotated[str | None, Header(alias="X-Hub-Signature-256")] = None,
    ) -> Response:
        started = time.perf_counter()
        with tracing.tracer().start_as_current_span("webhook"):
            response = await _receive(request, signature)
        metrics.WEBHOOKS.labels(str(response.status_code)).inc()
        metrics.WEBHOOK_SECONDS.observe(time.perf_counter() - started)
        return response

    async def _receive(request: Request, signature: str | None) -> Response:
        raw = await request.body()
        try:
            gateway.verify(raw, signature)
        except MissingSignature:
            return JSONResponse({"error": "missing X-Hub-Signature-256"}, status_code=401)
        except SignatureError:
            log.warning("bad signature", extra={"event": "webhook.bad_signature"})
            return JSONResponse({"error": "signature does not match"}, status_code=403)
        try:
            events = parse_webhook(json.loads(raw))
        except (ValueError, RecursionError, PayloadError) as exc:
            log.warning("not a webhook body", extra={"event": "webhook.bad_body"})
            return JSONResponse({"error": f"not a WhatsApp webhook body: {exc}"}, status_code=400)
        try:
            published = await gateway.accept(events)
        except ServiceUnavailable as exc:
            log.error(
                "cannot accept now", extra={"event": "webhook.unavailable", "error": str(exc)}
            )
            return JSONResponse({"error": "temporarily unavailable"}, status_code=503)
        return JSONResponse({"status": "ok", "accepted": published})

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    add_metrics(app)

    @app.get("/ready")
    async def ready() -> JSONResponse:
        results = {name: await check() for name, check in checks.items()}
        status = 200 if all(results.values()) else 503
        return JSONResponse({"ready": status == 200, "checks": results}, status_code=status)

    return app
