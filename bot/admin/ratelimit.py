"""Every admin request counts against a fixed-window limit, before any other work.

The window is the shared inbound flood throttle (`bot.throughput`, Redis across processes or
in memory when embedded) under its own key prefix. Requests count per operator when they
carry a valid token, else per client address, so a flood of bad tokens cannot spend an
operator's budget. Over the limit: 429 with Retry-After.
"""

from __future__ import annotations

import json
import logging
import math

from starlette.types import ASGIApp, Receive, Scope, Send

from bot.admin.errors import TokenRefused
from bot.admin.tokens import verify_token
from bot.errors import ServiceUnavailable
from bot.settings import Settings
from bot.throughput.base import FloodThrottle
from bot.throughput.memory import MemoryFloodThrottle
from bot.throughput.redis import RedisFloodThrottle

__all__ = ["BUCKET", "RateLimitMiddleware", "build_admin_throttle"]

BUCKET = "admin"
log = logging.getLogger("wakala.admin")


def build_admin_throttle(settings: Settings) -> FloodThrottle:
    limit, window = settings.admin_rate_limit, settings.admin_rate_window
    if settings.redis_url:
        prefix = f"{settings.namespace}:admin"
        return RedisFloodThrottle(settings.redis_url, prefix=prefix, limit=limit, window=window)
    return MemoryFloodThrottle(limit=limit, window=window)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, *, throttle: FloodThrottle, secret: str) -> None:
        self.app = app
        self.throttle = throttle
        self.secret = secret

    def client_key(self, scope: Scope) -> str:
        authorization = _header(scope, b"authorization") or ""
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token:
            try:
                return f"operator:{verify_token(self.secret, token.strip()).subject}"
            except TokenRefused:
                pass  # counted by address; the route answers 401
        client = scope.get("client")
        return f"ip:{client[0] if client else 'unknown'}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            verdict = await self.throttle.hit(BUCKET, self.client_key(scope))
        except ServiceUnavailable:
            log.exception("rate limit store unavailable", extra={"event": "admin.unavailable"})
            await _reply(send, 503, "unavailable", "the rate limit store is unavailable", None)
            return
        if verdict.allowed:
            await self.app(scope, receive, send)
            return
        retry = max(1, math.ceil(verdict.retry_after))
        message = f"more than {self.throttle.limit} requests in {self.throttle.window:g} s"
        await _reply(send, 429, "rate_limited", f"{message}; retry in {retry} s", retry)


async def _reply(send: Send, status: int, code: str, message: str, retry: int | None) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if retry is not None:
        headers.append((b"retry-after", str(retry).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
