"""The bus interface shared by the RabbitMQ and the in-process implementations."""

from __future__ import annotations

import zlib
from collections.abc import Awaitable, Callable
from typing import Literal, Protocol

from bot.errors import RetryLater
from bot.retry import backoff

# inbound: user messages; overflow: a flooding shopper's messages, kept apart so the flood
# does not slow other shoppers; outbound: replies; status: delivery receipts.
Topic = Literal["inbound", "overflow", "outbound", "status"]
TOPICS: tuple[Topic, ...] = ("inbound", "overflow", "outbound", "status")
Handler = Callable[[bytes], Awaitable[None]]


MAX_RETRY_DELAY = 30.0


def retry_delay(exc: BaseException, attempt: int, base: float) -> float:
    """How long a shard waits before a failed message's next try: full-jitter backoff, and at
    least what the handler asked for (e.g. Meta's pair-rate pause)."""
    asked = exc.min_delay if isinstance(exc, RetryLater) else 0.0
    return max(asked, backoff(attempt, base=base, cap=MAX_RETRY_DELAY))


def shard_of(key: str, shards: int) -> int:
    """A stable shard for a conversation key (crc32: the same in every process and release)."""
    return zlib.crc32(key.encode("utf-8")) % shards


class Bus(Protocol):
    shards: int

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def publish(self, topic: Topic, key: str, body: bytes) -> None:
        """Return once the message is held; raise `BusUnavailable` otherwise."""
        ...

    async def consume(self, topic: Topic, handler: Handler) -> None:
        """Handle messages until cancelled. A handler that raises gets the message again later,
        in order; after the redelivery limit it goes to the dead-letter queue."""
        ...

    async def dead_letter(self, topic: Topic, body: bytes, reason: str) -> None:
        """Park a message that can never succeed, with the reason, for an operator."""
        ...

    async def ready(self) -> bool: ...

    async def depths(self) -> dict[str, int]:
        """Messages waiting per topic, all shards together (for metrics and autoscaling)."""
        ...
