"""Shoppers talking to Wakala: signed webhooks to the gateway, replies read off the Graph API
fake's stream. A turn is timed from just before its webhook is posted to the moment the fake
accepted the turn's last reply (the fake's clock; same machine, same clock).

The gateway may refuse a webhook (503 while RabbitMQ or Redis is away); like Meta, the
shopper's webhook is then posted again, with backoff, until it is accepted or the turn's
deadline passes.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.e2e.script import SHOPPING, Step
from bot.convtest.received import Received, received
from channels.whatsapp import simulate
from channels.whatsapp.signature import sign


@dataclass(frozen=True, slots=True)
class Sent:
    """One message the fake accepted."""

    seq: int
    at: float
    to: str
    message: Received


@dataclass
class Inbox:
    messages: list[Sent] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def wait_for(self, count: int, deadline: float) -> bool:
        """Until `count` messages are in; False at the deadline (time.monotonic)."""
        while len(self.messages) < count:
            self.changed.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), remaining)
        return True


class Replies:
    """Follows the fake's stream of sends and files each under its recipient."""

    def __init__(self, graph_url: str) -> None:
        self.graph_url = graph_url
        self.inboxes: dict[str, Inbox] = {}
        self.count = 0
        self._task: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()

    def inbox(self, to: str) -> Inbox:
        return self.inboxes.setdefault(to, Inbox())

    async def __aenter__(self) -> Replies:
        self._task = asyncio.create_task(self._follow())
        connected = asyncio.create_task(self._connected.wait())
        await asyncio.wait([self._task, connected], timeout=30, return_when="FIRST_COMPLETED")
        connected.cancel()
        if self._task.done():
            self._task.result()  # raises why the stream ended
        if not self._connected.is_set():
            raise TimeoutError(f"no stream from the Graph API fake at {self.graph_url}")
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _follow(self) -> None:
        timeout = httpx.Timeout(10.0, read=None)
        async with (
            httpx.AsyncClient(timeout=timeout) as http,
            http.stream("GET", f"{self.graph_url}/_bench/stream") as stream,
        ):
            stream.raise_for_status()
            self._connected.set()
            async for line in stream.aiter_lines():
                if line:
                    self._file(json.loads(line))

    def _file(self, item: dict[str, Any]) -> None:
        sent = Sent(int(item["seq"]), float(item["at"]), str(item["to"]), received(item["body"]))
        inbox = self.inbox(sent.to)
        inbox.messages.append(sent)
        inbox.changed.set()
        self.count += 1


class Webhooks:
    """Posts signed webhook bodies to the gateway, again and again until accepted (as Meta)."""

    def __init__(self, gateway_url: str, app_secret: str, http: httpx.AsyncClient) -> None:
        self.url = f"{gateway_url}/webhooks/whatsapp"
        self.secret = app_secret
        self.http = http
        self.refused = 0  # answers other than 200, and connection errors

    async def post(self, raw: bytes, deadline: float) -> bool:
        """True once the gateway answered 200; False if the deadline passed first."""
        headers = {
            "X-Hub-Signature-256": sign(raw, self.secret),
            "Content-Type": "application/json",
        }
        for attempt in itertools.count():
            with contextlib.suppress(httpx.HTTPError):
                answer = await self.http.post(self.url, content=raw, headers=headers)
                if answer.status_code == 200:
                    return True
            self.refused += 1
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(min(0.05 * 2**attempt, 2.0))  # Meta's retries, compressed
        raise AssertionError("unreachable")


@dataclass(frozen=True, slots=True)
class TurnResult:
    step: int  # index into the script
    started: float  # time.time() before the webhook was posted
    first: float  # when the first reply reached the fake (0 if none)
    last: float  # when the last one did (0 if none)
    problem: str | None = None
    message_id: str = ""

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def latency(self) -> float:
        return self.last - self.started


# How a shopper's webhook reaches the gateway: posted once by default; tests/chaos posts
# copies and reorders them.
Deliver = Callable[["Shopper", bytes, float], Awaitable[bool]]


@dataclass
class Shopper:
    """One shopper of one shop, one turn at a time."""

    number: str
    phone_number_id: str
    replies: Replies
    webhooks: Webhooks
    turn_timeout: float = 60.0
    deliver: Deliver | None = None
    steps: dict[str, Step] = field(default_factory=dict)  # message id -> its step, as sent
    history: list[Received] = field(default_factory=list)

    def webhook(self, step: Step) -> tuple[str, bytes]:
        """A new message id and the webhook body carrying `step`, as Meta would post it."""
        message_id = simulate.new_message_id()
        body = simulate.message_body(
            phone_number_id=self.phone_number_id,
            sender=self.number,
            message=self._message(step),
            message_id=message_id,
        )
        self.steps[message_id] = step
        return message_id, json.dumps(body).encode()

    async def turn(self, index: int, step: Step | None = None) -> TurnResult:
        """Send the script's step `index` (or `step`); wait for its replies and check them."""
        step = step or SHOPPING[index]
        inbox = self.replies.inbox(self.number)
        before = len(inbox.messages)
        started = time.time()
        try:
            message_id, raw = self.webhook(step)
        except LookupError as exc:
            return TurnResult(index, started, 0.0, 0.0, str(exc))
        deadline = time.monotonic() + self.turn_timeout
        deliver = self.deliver or _post_once
        if not await deliver(self, raw, deadline):
            return TurnResult(index, started, 0.0, 0.0, "webhook never accepted", message_id)
        arrived = await inbox.wait_for(before + len(step.replies), deadline)
        got = inbox.messages[before:]
        self.history += [sent.message for sent in got]
        first = got[0].at if got else 0.0
        last = got[-1].at if got else 0.0
        if not arrived:
            texts = [sent.message.text for sent in got]
            problem = f"{step.value!r}: timed out after {self.turn_timeout:g}s with {texts!r}"
            return TurnResult(index, started, first, last, problem, message_id)
        problem = step.check([sent.message.text for sent in got])
        return TurnResult(index, started, first, last, problem, message_id)

    def _message(self, step: Step) -> dict[str, Any]:
        if step.kind == "text":
            return simulate.text(step.value)
        if step.kind == "button":
            return simulate.button_reply(step.value, step.value)
        for shown in reversed(self.history):
            for row in shown.rows:
                if row.title == step.value:
                    return simulate.list_reply(row.id, row.title, row.description)
        raise LookupError(f"no list row {step.value!r} was shown")


async def _post_once(shopper: Shopper, raw: bytes, deadline: float) -> bool:
    return await shopper.webhooks.post(raw, deadline)
