"""Fuzzing against the real services: the gateway on Redis and RabbitMQ, the admin API and the
action server on PostgreSQL (and Redis for the admin rate limit), the whole pipeline for the
"no lost message" property. Deterministic like tests/property (same profile).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from bot.bus.base import Topic
from bot.bus.rabbitmq import RabbitBus
from bot.gateway import Gateway, create_app
from bot.store.redis import RedisStore
from tests.integration.conftest import delete_queues
from tests.property import profiles

profiles.load()

SECRET = "fuzz-app-secret"


class CountingBus(RabbitBus):
    """The real bus, counting what the gateway publishes."""

    published = 0

    async def publish(self, topic: Topic, key: str, body: bytes) -> None:
        await super().publish(topic, key, body)
        self.published += 1


@dataclass
class Gate:
    bus: CountingBus
    client: httpx.AsyncClient

    async def post(self, raw: bytes, signature: str | None) -> httpx.Response:
        headers: dict[str, bytes] = {"Content-Type": b"application/json"}
        if signature is not None:
            headers["X-Hub-Signature-256"] = signature.encode("latin-1")  # as on the wire
        return await self.client.post("/webhooks/whatsapp", content=raw, headers=headers)


@pytest.fixture(scope="module")
async def gate(amqp_url: str, redis_url: str, namespace: str) -> AsyncIterator[Gate]:
    prefix = f"{namespace}-fuzzgw{uuid.uuid4().hex[:6]}"
    bus = CountingBus(amqp_url, shards=2, prefix=prefix)
    store = RedisStore(redis_url, prefix=prefix)
    await bus.start()
    await store.start()
    app = create_app(Gateway(bus, store, app_secret=SECRET, verify_token="fuzz-verify"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield Gate(bus, client)
    await bus.close()
    await store.close()
    await delete_queues(amqp_url, prefix)
