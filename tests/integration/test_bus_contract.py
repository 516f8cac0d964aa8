"""One contract, both buses: per-conversation order, retry after a failure, dead letters."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import pytest

from bot.bus.base import Bus
from bot.bus.memory import MemoryBus
from bot.bus.rabbitmq import RabbitBus
from bot.errors import BusUnavailable

pytestmark = pytest.mark.integration


@pytest.fixture(params=["memory", "rabbitmq"])
async def bus(request: pytest.FixtureRequest, amqp_url: str, namespace: str) -> AsyncIterator[Bus]:
    implementation: Bus
    if request.param == "memory":
        implementation = MemoryBus(shards=3, retry_delay=0.01, max_attempts=3)
    else:
        prefix = f"{namespace}-{uuid.uuid4().hex[:6]}"
        implementation = RabbitBus(
            amqp_url, shards=3, retry_delay=0.01, delivery_limit=3, prefix=prefix
        )
    await implementation.start()
    yield implementation
    await implementation.close()
    if isinstance(implementation, RabbitBus):
        from tests.integration.conftest import delete_queues

        await delete_queues(amqp_url, implementation.prefix)


class Collector:
    def __init__(self, expected: int) -> None:
        self.items: list[bytes] = []
        self.expected = expected
        self.done = asyncio.Event()

    async def __call__(self, body: bytes) -> None:
        self.items.append(body)
        if len(self.items) >= self.expected:
            self.done.set()


@contextlib.asynccontextmanager
async def consuming(bus: Bus, handler: Collector) -> AsyncIterator[None]:
    task = asyncio.create_task(bus.consume("inbound", handler))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_messages_of_one_conversation_arrive_in_order(bus: Bus) -> None:
    sent = [(f"conv-{n % 5}", f"conv-{n % 5}:{n}".encode()) for n in range(60)]
    for key, body in sent:
        await bus.publish("inbound", key, body)
    collector = Collector(len(sent))
    async with consuming(bus, collector):
        await asyncio.wait_for(collector.done.wait(), 30)
    for conversation in {key for key, _ in sent}:
        expected = [body for key, body in sent if key == conversation]
        got = [body for body in collector.items if body.startswith(f"{conversation}:".encode())]
        assert got == expected


async def test_a_failing_handler_gets_the_message_again_before_the_next(bus: Bus) -> None:
    await bus.publish("inbound", "same", b"first")
    await bus.publish("inbound", "same", b"second")
    seen: list[bytes] = []
    done = asyncio.Event()

    async def flaky(body: bytes) -> None:
        seen.append(body)
        if seen.count(b"first") == 1 and body == b"first":
            raise RuntimeError("transient failure")
        if body == b"second":
            done.set()

    task = asyncio.create_task(bus.consume("inbound", flaky))
    try:
        await asyncio.wait_for(done.wait(), 30)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert seen == [b"first", b"first", b"second"]


async def test_a_closed_bus_refuses_to_publish(amqp_url: str, namespace: str) -> None:
    bus = RabbitBus(amqp_url, shards=1, prefix=f"{namespace}-closed")
    await bus.start()
    await bus.close()
    with pytest.raises(BusUnavailable):
        await bus.publish("inbound", "k", b"x")
    from tests.integration.conftest import delete_queues

    await delete_queues(amqp_url, f"{namespace}-closed")


async def test_an_unreachable_broker_is_a_clear_error() -> None:
    bus = RabbitBus("amqp://guest:guest@127.0.0.1:1/", shards=1)
    with pytest.raises(BusUnavailable, match="AMQP_URL"):
        await bus.start()


async def test_a_message_that_always_fails_is_dead_lettered_not_lost(bus: Bus) -> None:
    await bus.publish("inbound", "poison", b"poison")
    await bus.publish("inbound", "poison", b"after")
    attempts: list[bytes] = []
    after = asyncio.Event()

    async def handler(body: bytes) -> None:
        attempts.append(body)
        if body == b"poison":
            raise RuntimeError("never works")
        after.set()

    task = asyncio.create_task(bus.consume("inbound", handler))
    try:
        await asyncio.wait_for(after.wait(), 60)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert attempts.count(b"poison") >= 3
    assert await dead_letters(bus) == [b"poison"]


async def dead_letters(bus: Bus) -> list[bytes]:
    if isinstance(bus, MemoryBus):
        return [body for _, body in bus.dead]
    assert isinstance(bus, RabbitBus)
    from tests.integration.conftest import drain

    return await drain(bus.url, [f"{bus.prefix}.dead"])


async def test_a_stopping_worker_hands_over_its_shard_in_order(
    amqp_url: str, namespace: str
) -> None:
    """Two workers on one shard (single-active-consumer). The active one is stopped while it
    still works on a conversation's first message: the other takes over only after that
    message is finished, so the conversation's second message never overtakes it."""
    prefix = f"{namespace}-handover{uuid.uuid4().hex[:6]}"
    first, second = (RabbitBus(amqp_url, shards=1, prefix=prefix) for _ in range(2))
    await first.start()
    await second.start()
    log: list[str] = []
    working, release, taken_over = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def active(body: bytes) -> None:
        log.append(f"first starts {body.decode()}")
        working.set()
        await release.wait()
        log.append(f"first ends {body.decode()}")

    async def standby(body: bytes) -> None:
        log.append(f"second starts {body.decode()}")
        taken_over.set()

    await first.publish("inbound", "conversation", b"m1")
    await first.publish("inbound", "conversation", b"m2")
    first_task = asyncio.create_task(first.consume("inbound", active))
    await working.wait()  # the first worker is active and holds m1
    second_task = asyncio.create_task(second.consume("inbound", standby))
    first_task.cancel()  # a rolling restart stops the first worker mid-turn
    with contextlib.suppress(TimeoutError):  # m2 must not reach the second worker yet
        await asyncio.wait_for(taken_over.wait(), 1.0)
    release.set()
    with contextlib.suppress(asyncio.CancelledError):
        await first_task
    await asyncio.wait_for(taken_over.wait(), 30)
    second_task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await second_task
    await first.close()
    await second.close()
    from tests.integration.conftest import delete_queues

    await delete_queues(amqp_url, prefix)
    assert log == ["first starts m1", "first ends m1", "second starts m2"]
