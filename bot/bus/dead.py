"""The dead-letter queue for operators: what is parked there, and replaying it.

A message lands in `<ns>.dead` when its handler failed `delivery_limit` times (the broker says
why in `x-death`) or when the app parked it for good (`x-wakala-reason`, e.g. a permanent
Graph API error). Replaying puts it back on its topic, on the same shard as before (the shard
is derived from the message itself), so its conversation's order is kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aio_pika

from bot.bus.base import TOPICS, Topic
from bot.bus.rabbitmq import RabbitBus
from bot.errors import BusUnavailable


@dataclass(frozen=True, slots=True)
class DeadLetter:
    topic: Topic | None
    reason: str
    body: bytes


def _describe(message: aio_pika.abc.AbstractIncomingMessage, prefix: str) -> DeadLetter:
    headers: dict[str, Any] = dict(message.headers or {})
    topic = headers.get("x-wakala-topic")
    reason = str(headers.get("x-wakala-reason") or "")
    deaths = headers.get("x-death") or []
    if deaths and isinstance(deaths, list) and isinstance(deaths[0], dict):
        death = deaths[0]
        queue = str(death.get("queue", ""))
        topic = topic or queue.removeprefix(f"{prefix}.").rsplit(".", 1)[0]
        reason = reason or f"{death.get('reason', '')} after {death.get('count', '?')} tries"
    known = topic if topic in TOPICS else None
    return DeadLetter(known, reason or "unknown", message.body)


def conversation_key(topic: Topic, body: bytes) -> str:
    """The key the message was sharded by (see dialogue.messages)."""
    data = json.loads(body)
    if topic in {"inbound", "overflow"}:
        return f"{data['channel']}:{data['recipient_id']}:{data['sender_id']}"
    if topic == "outbound":
        return f"{data['channel']}:{data['sender_id']}:{data['to']}"
    return f"{data['channel']}:{data['business_id']}:{data.get('recipient') or ''}"


async def take(bus: RabbitBus, limit: int, *, replay: bool) -> list[DeadLetter]:
    """Look at (or, with `replay`, requeue) up to `limit` dead letters, oldest first."""
    if bus._connection is None:
        raise BusUnavailable("the bus was not started")
    channel = await bus._connection.channel()
    try:
        queue = await channel.declare_queue(f"{bus.prefix}.dead", passive=True)
        found: list[DeadLetter] = []
        held = []
        for _ in range(limit):
            message = await queue.get(fail=False, no_ack=False)
            if message is None:
                break
            letter = _describe(message, bus.prefix)
            found.append(letter)
            if replay and letter.topic is not None:
                key = conversation_key(letter.topic, letter.body)
                await bus.publish(letter.topic, key, letter.body)
                await message.ack()  # only once it is safely back on its topic
            else:
                held.append(message)
        for message in held:  # only looked at: they stay parked
            await message.nack(requeue=True)
        return found
    finally:
        await channel.close()


__all__ = ["DeadLetter", "conversation_key", "take"]
