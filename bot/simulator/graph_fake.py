"""A local fake of Meta's Graph API messages endpoint, recording every request.

It speaks the documented protocol (FACTS.md §4-5): `POST /{version}/{phone_number_id}/messages`
with a bearer token, answering `{"messaging_product", "contacts", "messages": [{"id"}]}` or a
Graph error body. It also refuses what Meta would refuse (rules in `graph_rules.py`: too many
buttons, long titles, ...), so a rendering bug fails a test here instead of in production.
Mark-as-read bodies answer `{"success": true}` and are kept apart from messages (`reads`).
`fail_next` makes the next sends answer with Meta's error body for a code, to test retries.
`listeners` run after each recorded send has been answered, as Meta's status webhooks follow
its answer (the web simulator uses one to post `sent`/`delivered` statuses to the gateway).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import hashlib
import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.background import BackgroundTask

from bot.simulator.graph_rules import Refusal, check, check_read


@dataclass(frozen=True, slots=True)
class SentRecord:
    seq: int
    phone_number_id: str
    token: str
    body: dict[str, Any]
    wamid: str
    at: float

    @property
    def to(self) -> str:
        return str(self.body.get("to", ""))

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "phone_number_id": self.phone_number_id,
            "body": self.body,
            "wamid": self.wamid,
            "at": self.at,
        }


# Meta's own wording for codes FACTS.md §5 quotes; other injected codes get a neutral text.
_TITLES = {
    131047: "Re-engagement message",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    190: "Invalid OAuth access token - Cannot parse access token",
}


@dataclass(frozen=True, slots=True)
class InjectedFailure:
    code: int
    status: int
    message: str
    details: str
    subcode: int | None
    on: Literal["send", "read"]


@dataclass(frozen=True, slots=True)
class ReadRecord:
    phone_number_id: str
    message_id: str
    typing: bool


def _error(
    status: int, code: int, message: str, details: str | None = None, subcode: int | None = None
) -> JSONResponse:
    error: dict[str, Any] = {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": details or message},
        "fbtrace_id": "FAKE",
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    return JSONResponse(status_code=status, content={"error": error})


Listener = Callable[["SentRecord"], Awaitable[None]]


def validate(body: Any) -> Refusal | None:
    """What Meta would refuse in this message body (code and details), or None."""
    try:
        check(body)
    except Refusal as refusal:
        return refusal
    return None


@dataclass
class GraphFake:
    """The recorder behind the fake's HTTP app; tests await `wait_for` instead of sleeping."""

    tokens: dict[str, str] = field(default_factory=dict)
    sent: list[SentRecord] = field(default_factory=list)
    reads: list[ReadRecord] = field(default_factory=list)
    media: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # id -> (mime, bytes)
    listeners: list[Listener] = field(default_factory=list)
    _failures: collections.deque[InjectedFailure] = field(default_factory=collections.deque)
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _changed: asyncio.Condition | None = None

    def register(self, phone_number_id: str, token: str) -> None:
        self.tokens[phone_number_id] = token

    def fail_next(
        self,
        code: int,
        count: int = 1,
        status: int = 400,
        *,
        message: str | None = None,
        details: str | None = None,
        subcode: int | None = None,
        on: Literal["send", "read"] = "send",
    ) -> None:
        """Answer the next `count` sends (or read receipts) with Meta's error body for `code`.

        The failures are used in order, before the body is validated, and nothing is recorded.
        """
        title = message or f"(#{code}) {_TITLES.get(code, 'Error injected by the fake')}"
        failure = InjectedFailure(code, status, title, details or title, subcode, on)
        self._failures.extend([failure] * count)

    def _take_failure(self, on: Literal["send", "read"]) -> InjectedFailure | None:
        for failure in self._failures:
            if failure.on == on:
                self._failures.remove(failure)
                return failure
        return None

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed

    async def record(self, phone_number_id: str, token: str, body: dict[str, Any]) -> SentRecord:
        seq = next(self._seq)
        record = SentRecord(seq, phone_number_id, token, body, f"wamid.FAKE{seq:08d}", time.time())
        async with self._condition():
            self.sent.append(record)
            self._condition().notify_all()
        return record

    def messages(self, to: str | None = None, after: int = 0) -> list[SentRecord]:
        return [r for r in self.sent if r.seq > after and (to is None or r.to == to)]

    async def wait_for(
        self, count: int, *, to: str | None = None, after: int = 0, timeout: float = 30.0
    ) -> list[SentRecord]:
        """Wait until `count` messages (to `to`, after `after`) were sent; return them."""
        await self.wait_until(lambda: len(self.messages(to, after)) >= count, timeout)
        return self.messages(to, after)

    async def wait_until(self, predicate: Callable[[], bool], timeout: float) -> None:
        """Wait until `predicate` holds, checked after each send or read receipt recorded;
        raises TimeoutError."""
        condition = self._condition()
        # asyncio.timeout, not wait_for: on Python 3.11 a cancelled wait_for around a
        # Condition can leave its lock released ("Lock is not acquired." on exit).
        async with asyncio.timeout(timeout), condition:
            await condition.wait_for(predicate)

    async def _read(self, phone_number_id: str, body: dict[str, Any]) -> JSONResponse:
        try:
            check_read(body)
        except Refusal as refusal:
            return _error(400, refusal.code, refusal.message, refusal.details)
        typing = "typing_indicator" in body
        async with self._condition():
            self.reads.append(ReadRecord(phone_number_id, str(body["message_id"]), typing))
            self._condition().notify_all()
        return JSONResponse({"success": True})

    async def _notify_listeners(self, record: SentRecord) -> None:
        for listener in self.listeners:
            await listener(record)

    def app(self) -> FastAPI:
        app = FastAPI(title="Graph API fake", version="1")

        @app.post("/{version}/{phone_number_id}/messages")
        async def send(
            phone_number_id: str,
            request: Request,
            authorization: Annotated[str | None, Header()] = None,
        ) -> JSONResponse:
            token = (authorization or "").removeprefix("Bearer ").strip()
            expected = self.tokens.get(phone_number_id)
            if not token or (expected is not None and token != expected):
                return _error(401, 190, "Invalid OAuth access token - Cannot parse access token")
            try:
                body = await request.json()
            except ValueError:
                return _error(400, 100, "(#100) Invalid parameter", "the body is not JSON")
            is_read = isinstance(body, dict) and "status" in body
            failure = self._take_failure("read" if is_read else "send")
            if failure:
                return _error(
                    failure.status, failure.code, failure.message, failure.details, failure.subcode
                )
            if is_read:
                return await self._read(phone_number_id, body)
            refusal = validate(body)
            if refusal:
                return _error(400, refusal.code, refusal.message, refusal.details)
            record = await self.record(phone_number_id, token, body)
            return JSONResponse(
                {
                    "messaging_product": "whatsapp",
                    "contacts": [{"input": record.to, "wa_id": record.to}],
                    "messages": [{"id": record.wamid}],
                },
                background=BackgroundTask(self._notify_listeners, record)
                if self.listeners
                else None,
            )

        @app.get("/_fake/media/{media_id}", name="media_bytes")
        async def media_bytes(
            media_id: str, authorization: Annotated[str | None, Header()] = None
        ) -> Response:
            # Meta's lookaside URLs also want the bearer token (FACTS.md §8).
            found = self.media.get(media_id)
            if found is None or not (authorization or "").startswith("Bearer "):
                return Response(status_code=404)
            return Response(content=found[1], media_type=found[0])

        @app.get("/_fake/messages")
        async def list_messages(
            to: str | None = None,
            after: int = 0,
            wait: Annotated[float, Query(ge=0, le=60)] = 0,
            count: Annotated[int, Query(ge=1, le=100)] = 1,
        ) -> dict[str, Any]:
            if wait:
                # A long poll that ends empty-handed is an answer too.
                with contextlib.suppress(TimeoutError):
                    await self.wait_for(count, to=to, after=after, timeout=wait)
            return {"messages": [record.as_json() for record in self.messages(to, after)]}

        @app.get("/health")
        async def health() -> dict[str, str]:
            return {"status": "ok"}

        # Last: its pattern would also match the fake's own /_fake/... routes.
        @app.get("/{version}/{media_id}")
        async def media_info(
            version: str,
            media_id: str,
            request: Request,
            authorization: Annotated[str | None, Header()] = None,
        ) -> JSONResponse:
            if not (authorization or "").removeprefix("Bearer ").strip():
                return _error(401, 190, "Invalid OAuth access token - Cannot parse access token")
            found = self.media.get(media_id)
            if found is None:
                return _error(400, 100, "(#100) Invalid parameter", f"no media {media_id}")
            mime_type, content = found
            return JSONResponse(
                {
                    "messaging_product": "whatsapp",
                    "url": str(request.url_for("media_bytes", media_id=media_id)),
                    "mime_type": mime_type,
                    "sha256": hashlib.sha256(content).hexdigest(),
                    "file_size": len(content),
                    "id": media_id,
                }
            )

        return app
