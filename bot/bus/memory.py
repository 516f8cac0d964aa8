"""An in-process bus for the embedded mode: the same contract, no durability across restarts."""

from __future__ import annotations

import asyncio
import logging

from bot.bus.base import Handler, Topic, retry_delay, shard_of
from bot.errors import RetryLater
from bot.observability import metrics

log = logging.getLogger("wakala.bus")


class MemoryBus:
    def __init__(
        self, shards: int = 8, *, max_attempts: int = 10, retry_delay: float = 0.5
    ) -> None:
        self.shards = shards
        self.max_attempts = max_attempts
        self.retry_delay = retry_delay
        self._queues: dict[tuple[Topic, int], asyncio.Queue[bytes]] = {}
        self.dead: list[tuple[Topic, bytes]] = []

    def _queue(self, topic: Topic, shard: int) -> asyncio.Queue[bytes]:
        return self._queues.setdefault((topic, shard), asyncio.Queue())

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def ready(self) -> bool:
        return True

    async def depths(self) -> dict[str, int]:
        found: dict[str, int] = {"dead": len(self.dead)}
        for (topic, _), queue in self._queues.items():
            found[topic] = found.get(topic, 0) + queue.qsize()
        return found

    async def publish(self, topic: Topic, key: str, body: bytes) -> None:
        await self._queue(topic, shard_of(key, self.shards)).put(body)

    async def dead_letter(self, topic: Topic, body: bytes, reason: str) -> None:
        metrics.DEAD_LETTERS.labels(topic).inc()
        log.error("dead-lettered", extra={"topic": topic, "reason": reason})
        self.dead.append((topic, body))

    async def consume(self, topic: Topic, handler: Handler) -> None:
        async with asyncio.TaskGroup() as group:
            for shard in range(self.shards):
                group.create_task(self._consume_shard(self._queue(topic, shard), topic, handler))

    async def _consume_shard(
        self, queue: asyncio.Queue[bytes], topic: Topic, handler: Handler
    ) -> None:
        while True:
            body = await queue.get()
            for attempt in range(self.max_attempts):
                try:
                    await handler(body)
                    break
                except Exception as exc:
                    delay = retry_delay(exc, attempt, self.retry_delay)
                    log.warning(
                        "handler failed; trying again",
                        exc_info=not isinstance(exc, RetryLater),
                        extra={"topic": topic, "attempt": attempt + 1, "delay": round(delay, 3)},
                    )
                    await asyncio.sleep(delay)
            else:
                self.dead.append((topic, body))
                log.error("dead-lettered", extra={"topic": topic})
            queue.task_done()
