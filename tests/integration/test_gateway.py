"""The webhook gateway against real Redis and RabbitMQ."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.bus.rabbitmq import RabbitBus
from bot.gateway import Gateway, create_app
from bot.store.redis import RedisStore
from channels.whatsapp import simulate
from channels.whatsapp.signature import sign
from dialogue.messages import InboundMessage
from tests.integration.conftest import delete_queues, drain

pytestmark = pytest.mark.integration

SECRET = "test-app-secret"
VERIFY = "test-verify-token"
NUMBER = "100000000000099"


class Stack:
    def __init__(self, bus: RabbitBus, client: httpx.AsyncClient) -> None:
        self.bus = bus
        self.client = client

    async def post(self, body: dict[str, object], *, secret: str | None = SECRET) -> httpx.Response:
        raw = json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Hub-Signature-256"] = sign(raw, secret)
        return await self.client.post("/webhooks/whatsapp", content=raw, headers=headers)

    async def queued(self) -> list[InboundMessage]:
        """Everything waiting in the inbound shard queues (taken off them)."""
        names = [self.bus.queue_name("inbound", shard) for shard in range(self.bus.shards)]
        return [
            InboundMessage.model_validate_json(body) for body in await drain(self.bus.url, names)
        ]


@pytest.fixture
async def stack(amqp_url: str, redis_url: str, namespace: str) -> AsyncIterator[Stack]:
    prefix = f"{namespace}-gw{uuid.uuid4().hex[:6]}"
    bus = RabbitBus(amqp_url, shards=2, prefix=prefix)
    store = RedisStore(redis_url, prefix=prefix)
    await bus.start()
    await store.start()
    app = create_app(Gateway(bus, store, app_secret=SECRET, verify_token=VERIFY))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield Stack(bus, client)
    await bus.close()
    await store.close()
    await delete_queues(amqp_url, prefix)


def text_body(
    text: str, sender: str = "27820001111", message_id: str | None = None
) -> dict[str, object]:
    return simulate.message_body(
        phone_number_id=NUMBER, sender=sender, message=simulate.text(text), message_id=message_id
    )


async def test_the_verification_handshake_echoes_the_challenge(stack: Stack) -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
    response = await stack.client.get("/webhooks/whatsapp", params=params)
    assert (response.status_code, response.text) == (200, "1158201444")
    assert response.headers["content-type"].startswith("text/plain")


async def test_a_wrong_verify_token_is_refused(stack: Stack) -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"}
    assert (await stack.client.get("/webhooks/whatsapp", params=params)).status_code == 403


async def test_a_missing_signature_is_401_and_nothing_is_queued(stack: Stack) -> None:
    response = await stack.post(text_body("hi"), secret=None)
    assert response.status_code == 401
    assert await stack.queued() == []


async def test_a_wrong_signature_is_403_and_nothing_is_queued(stack: Stack) -> None:
    response = await stack.post(text_body("hi"), secret="not-the-secret")
    assert response.status_code == 403
    assert await stack.queued() == []


async def test_the_signature_covers_the_raw_bytes(stack: Stack) -> None:
    body = text_body("Ngiyabonga 😊")
    raw = json.dumps(body, ensure_ascii=True).encode()  # Meta escapes non-ASCII as \\uXXXX
    headers = {"X-Hub-Signature-256": sign(raw, SECRET), "Content-Type": "application/json"}
    response = await stack.client.post("/webhooks/whatsapp", content=raw, headers=headers)
    assert response.status_code == 200
    [queued] = await stack.queued()
    assert queued.text == "Ngiyabonga 😊"


async def test_a_signed_message_is_queued_with_its_conversation(stack: Stack) -> None:
    response = await stack.post(text_body("sawubona", sender="27821112222"))
    assert response.status_code == 200
    [queued] = await stack.queued()
    assert (queued.kind, queued.text, queued.sender_id, queued.recipient_id) == (
        "text",
        "sawubona",
        "27821112222",
        NUMBER,
    )


async def test_a_batch_is_split_and_a_redelivery_is_dropped(stack: Stack) -> None:
    body = text_body("one", message_id="wamid.batch-1")
    value = body["entry"][0]["changes"][0]["value"]  # type: ignore[index]
    second = dict(value["messages"][0], id="wamid.batch-2", text={"body": "two"})
    value["messages"].append(second)
    assert (await stack.post(body)).json() == {"status": "ok", "accepted": 2}
    assert (await stack.post(body)).json() == {"status": "ok", "accepted": 0}  # Meta retried
    assert sorted(m.text or "" for m in await stack.queued()) == ["one", "two"]


async def test_statuses_and_unknown_kinds_are_acknowledged(stack: Stack) -> None:
    body = text_body("x")
    value = body["entry"][0]["changes"][0]["value"]  # type: ignore[index]
    value["messages"][0] = {
        "from": "27820001111",
        "id": "wamid.future",
        "timestamp": "1700000000",
        "type": "hologram",
        "hologram": {"depth": 3},
    }
    value["statuses"] = [
        {
            "id": "wamid.out1",
            "status": "delivered",
            "timestamp": "1700000000",
            "recipient_id": "27820001111",
        }
    ]
    response = await stack.post(body)
    assert response.status_code == 200
    assert await stack.queued() == []


async def test_a_body_that_is_not_a_webhook_is_400(stack: Stack) -> None:
    raw = b"[1, 2, 3]"
    headers = {"X-Hub-Signature-256": sign(raw, SECRET)}
    assert (
        await stack.client.post("/webhooks/whatsapp", content=raw, headers=headers)
    ).status_code == 400


async def test_an_unreachable_broker_answers_503_so_meta_retries(stack: Stack) -> None:
    await stack.bus.close()
    body = text_body("hi", message_id=f"wamid.{uuid.uuid4().hex}")
    response = await stack.post(body)
    assert response.status_code == 503
    # Nothing was marked seen: once the broker is back, Meta's retry is accepted.
    await stack.bus.start()
    assert (await stack.post(body)).json() == {"status": "ok", "accepted": 1}


async def test_the_previous_app_secret_works_during_a_rotation(
    amqp_url: str, redis_url: str, namespace: str
) -> None:
    prefix = f"{namespace}-rot{uuid.uuid4().hex[:6]}"
    bus = RabbitBus(amqp_url, shards=1, prefix=prefix)
    store = RedisStore(redis_url, prefix=prefix)
    await bus.start()
    await store.start()
    gateway = Gateway(bus, store, app_secret="new", verify_token=VERIFY, previous_app_secret="old")
    transport = httpx.ASGITransport(app=create_app(gateway))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        stack = Stack(bus, client)
        assert (await stack.post(text_body("a"), secret="new")).status_code == 200
        assert (await stack.post(text_body("b"), secret="old")).status_code == 200
        assert (await stack.post(text_body("c"), secret="other")).status_code == 403
    await bus.close()
    await store.close()
    await delete_queues(amqp_url, prefix)
