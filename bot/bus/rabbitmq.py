"""RabbitMQ bus: durable quorum queues, publisher confirms, manual acks, dead-lettering.

Topology, per topic (`inbound`, `overflow`, `outbound`, `status`), names prefixed with the
namespace (WAKALA_NAMESPACE, `wakala` by default):
    exchange `<ns>.<topic>` (direct) ──routing key = shard──▶ queue `<ns>.<topic>.<shard>`
Each shard queue is a quorum queue with single-active-consumer, so however many workers or
senders run, one consumer at a time takes a shard, in order: per-conversation order holds.
A message whose handler keeps failing is redelivered up to `delivery_limit` times (the broker
counts), then dead-lettered to `<ns>.dead` with its reason; `wakala dead list|replay` shows
and replays them (bot/bus/dead.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import aio_pika
from aio_pika.abc import (
    AbstractIncomingMessage,
    AbstractRobustChannel,
    AbstractRobustConnection,
)
from aio_pika.exceptions import AMQPError, DeliveryError
from pamqp.commands import Basic

from bot.bus.base import TOPICS, Handler, Topic, retry_delay, shard_of
from bot.errors import BusUnavailable, RetryLater
from bot.observability import metrics

log = logging.getLogger("wakala.bus")


class RabbitBus:
    def __init__(
        self,
        url: str,
        shards: int = 8,
        *,
        delivery_limit: int = 10,
        retry_delay: float = 0.5,
        prefix: str = "wakala",
        drain_seconds: float = 30.0,
    ) -> None:
        self.url = url
        self.shards = shards
        self.delivery_limit = delivery_limit
        self.retry_delay = retry_delay
        self.prefix = prefix
        self.drain_seconds = drain_seconds
        self._connection: AbstractRobustConnection | None = None
        self._publish_channel: AbstractRobustChannel | None = None
        self._exchanges: dict[Topic, aio_pika.abc.AbstractExchange] = {}

    def queue_name(self, topic: Topic, shard: int) -> str:
        return f"{self.prefix}.{topic}.{shard}"

    async def start(self) -> None:
        try:
            self._connection = await aio_pika.connect_robust(self.url, timeout=10)
            self._publish_channel = await self._connection.channel(publisher_confirms=True)
            await self._declare(self._publish_channel)
        except (TimeoutError, AMQPError, OSError) as exc:
            raise BusUnavailable(
                f"cannot reach RabbitMQ at {_safe(self.url)} ({exc}); start it "
                "(`rabbitmq-server -detached`) or fix AMQP_URL"
            ) from exc

    async def _declare(self, channel: AbstractRobustChannel) -> None:
        dead = await channel.declare_exchange(
            f"{self.prefix}.dlx", aio_pika.ExchangeType.FANOUT, durable=True
        )
        dead_queue = await channel.declare_queue(
            f"{self.prefix}.dead", durable=True, arguments={"x-queue-type": "quorum"}
        )
        await dead_queue.bind(dead)
        for topic in TOPICS:
            exchange = await channel.declare_exchange(
                f"{self.prefix}.{topic}", aio_pika.ExchangeType.DIRECT, durable=True
            )
            self._exchanges[topic] = exchange
            for shard in range(self.shards):
                queue = await channel.declare_queue(
                    self.queue_name(topic, shard), durable=True, arguments=self._queue_arguments()
                )
                await queue.bind(exchange, routing_key=str(shard))

    def _queue_arguments(self) -> dict[str, Any]:
        return {
            "x-queue-type": "quorum",
            "x-single-active-consumer": True,
            "x-delivery-limit": self.delivery_limit,
            "x-dead-letter-exchange": f"{self.prefix}.dlx",
        }

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None

    async def ready(self) -> bool:
        return self._connection is not None and not self._connection.is_closed

    async def depths(self) -> dict[str, int]:
        if self._connection is None:
            raise BusUnavailable("the bus was not started")
        try:
            return await self._depths(self._connection)
        except (TimeoutError, AMQPError, OSError, RuntimeError) as exc:
            # While the robust connection reconnects (a broker restart), opening a channel
            # raises RuntimeError; the sampler skips a beat instead of ending the process.
            raise BusUnavailable(f"cannot read queue depths now: {exc}") from exc

    async def _depths(self, connection: AbstractRobustConnection) -> dict[str, int]:
        # A fresh channel each time: a robust channel keeps the first declare's answer for a
        # queue name, so its counts would never move.
        channel = await connection.channel()
        try:

            async def ready(name: str) -> int:
                queue = await channel.declare_queue(name, passive=True)
                return queue.declaration_result.message_count or 0

            found: dict[str, int] = {}
            for topic in TOPICS:
                counts = [await ready(self.queue_name(topic, s)) for s in range(self.shards)]
                found[topic] = sum(counts)
            found["dead"] = await ready(f"{self.prefix}.dead")
            return found
        finally:
            with contextlib.suppress(TimeoutError, AMQPError, OSError, RuntimeError):
                await channel.close()

    async def publish(self, topic: Topic, key: str, body: bytes) -> None:
        exchange = self._exchanges.get(topic)
        if exchange is None:
            raise BusUnavailable("the bus was not started")
        message = aio_pika.Message(
            body,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            content_type="application/json",
        )
        try:
            confirmation = await exchange.publish(
                message, routing_key=str(shard_of(key, self.shards)), mandatory=True, timeout=10
            )
        except (TimeoutError, AMQPError, DeliveryError, OSError, RuntimeError) as exc:
            raise BusUnavailable(f"RabbitMQ did not confirm the message: {exc}") from exc
        if not isinstance(confirmation, Basic.Ack):
            raise BusUnavailable(f"RabbitMQ refused the message: {confirmation!r}")

    async def dead_letter(self, topic: Topic, body: bytes, reason: str) -> None:
        if self._publish_channel is None:
            raise BusUnavailable("the bus was not started")
        exchange = await self._publish_channel.get_exchange(f"{self.prefix}.dlx")
        message = aio_pika.Message(
            body,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            content_type="application/json",
            headers={"x-wakala-topic": topic, "x-wakala-reason": reason[:500]},
        )
        try:
            await exchange.publish(message, routing_key="", timeout=10)
        except (TimeoutError, AMQPError, DeliveryError, OSError, RuntimeError) as exc:
            raise BusUnavailable(f"RabbitMQ did not take the dead letter: {exc}") from exc
        metrics.DEAD_LETTERS.labels(topic).inc()
        log.error("dead-lettered", extra={"topic": topic, "reason": reason})

    async def consume(self, topic: Topic, handler: Handler) -> None:
        if self._connection is None:
            raise BusUnavailable("the bus was not started")
        channels = []
        runner = _Runner(handler, topic, self.retry_delay)
        try:
            for shard in range(self.shards):
                # One channel per shard with prefetch 1: the shard's messages run one at a time.
                channel = await self._connection.channel()
                await channel.set_qos(prefetch_count=1)
                queue = await channel.declare_queue(
                    self.queue_name(topic, shard), durable=True, arguments=self._queue_arguments()
                )
                await queue.consume(runner)
                channels.append(channel)
            await asyncio.Future()  # until cancelled
        finally:
            # Graceful stop: start nothing new, let the turns in hand finish (and be acked),
            # then close the channels. Not cancelling the subscriptions first matters: with
            # single-active-consumer, a cancel hands the shard's next message to another
            # worker at once, while this one still works on the previous message of the same
            # conversation. A message delivered meanwhile is left unacked and goes back to the
            # head of its queue when the channel closes, for the next worker, in order.
            runner.draining = True
            await runner.idle(self.drain_seconds)
            for channel in channels:
                if not channel.is_closed:
                    with contextlib.suppress(AMQPError, RuntimeError):
                        await channel.close()


class _Runner:
    def __init__(self, handler: Handler, topic: Topic, retry_delay: float) -> None:
        self.handler = handler
        self.topic = topic
        self.retry_delay = retry_delay
        self.in_flight = 0
        self.draining = False
        self._changed = asyncio.Condition()

    async def __call__(self, message: AbstractIncomingMessage) -> None:
        if self.draining:
            return  # stopping: unacked, it is redelivered when the channel closes
        gauge = metrics.IN_FLIGHT.labels(self.topic)
        gauge.inc()
        self.in_flight += 1
        try:
            await self._handle(message)
        finally:
            gauge.dec()
            self.in_flight -= 1
            async with self._changed:
                self._changed.notify_all()

    async def idle(self, timeout: float) -> bool:
        """Wait until no message is being handled (True), or the timeout passed (False)."""
        try:
            async with self._changed:
                await asyncio.wait_for(self._changed.wait_for(lambda: self.in_flight == 0), timeout)
        except TimeoutError:
            log.warning(
                "stopped with turns in hand; they will be redelivered",
                extra={"topic": self.topic, "in_flight": self.in_flight},
            )
            return False
        return True

    async def _handle(self, message: AbstractIncomingMessage) -> None:
        try:
            await self.handler(message.body)
        except Exception as exc:
            count = (message.headers or {}).get("x-delivery-count", 0)
            attempt = count if isinstance(count, int) else 0
            delay = retry_delay(exc, attempt, self.retry_delay)
            log.warning(
                "handler failed; the message goes back to its queue",
                exc_info=not isinstance(exc, RetryLater),
                extra={"topic": self.topic, "attempt": attempt + 1, "delay": round(delay, 3)},
            )
            # Back off before the requeue: the shard waits, which keeps its order.
            await asyncio.sleep(delay)
            await message.nack(requeue=True)
            return
        await message.ack()


def _safe(url: str) -> str:
    """The URL without its password, for messages and logs."""
    if "@" not in url:
        return url
    scheme, rest = url.split("://", 1) if "://" in url else ("", url)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if scheme else f"{user}:***@{host}"
