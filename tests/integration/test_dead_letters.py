"""Operators can see why a message was parked and put it back on its queue, in its shard."""

from __future__ import annotations

import uuid

import pytest

from bot.bus import dead
from bot.bus.base import shard_of
from bot.bus.rabbitmq import RabbitBus
from dialogue.messages import OutboundEnvelope, TextReply
from tests.integration.conftest import delete_queues, drain
from tests.integration.pipeline import eventually

pytestmark = pytest.mark.integration


async def test_parked_messages_are_listed_then_replayed_to_their_shard(
    amqp_url: str, namespace: str
) -> None:
    prefix = f"{namespace}-dead{uuid.uuid4().hex[:6]}"
    bus = RabbitBus(amqp_url, shards=4, prefix=prefix)
    await bus.start()
    envelope = OutboundEnvelope(
        id="wamid.x:0", sender_id="100", to="27820001111", message=TextReply(text="hi")
    )
    body = envelope.model_dump_json().encode()
    await bus.dead_letter("outbound", body, "graph error 131026: undeliverable")

    async def parked(count: int) -> bool:  # a quorum queue's count settles a moment later
        return (await bus.depths())["dead"] == count

    await eventually(lambda: parked(1))

    [seen] = await dead.take(bus, 10, replay=False)
    assert (seen.topic, seen.reason) == ("outbound", "graph error 131026: undeliverable")
    await eventually(lambda: parked(1))  # looking does not remove

    [replayed] = await dead.take(bus, 10, replay=True)
    assert replayed.body == body
    await eventually(lambda: parked(0))
    shard = shard_of("whatsapp:100:27820001111", 4)
    assert await drain(amqp_url, [bus.queue_name("outbound", shard)]) == [body]
    await bus.close()
    await delete_queues(amqp_url, prefix)
