"""One contract, both stores: what the in-memory store promises, Redis keeps too."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator

import pytest

from bot.store.base import Store
from bot.store.memory import MemoryStore
from bot.store.redis import RedisStore
from dialogue.state import ConversationState

pytestmark = pytest.mark.integration


@pytest.fixture(params=["memory", "redis"])
async def store(
    request: pytest.FixtureRequest, redis_url: str, namespace: str
) -> AsyncIterator[Store]:
    ticks = itertools.count()
    # The memory store's clock moves 10 ms per reading, so expiry needs no waiting.
    implementation: Store = (
        MemoryStore(clock=lambda: next(ticks) * 0.01)
        if request.param == "memory"
        else RedisStore(redis_url, prefix=namespace)
    )
    await implementation.start()
    yield implementation
    await implementation.close()


async def test_a_saved_conversation_loads_back(store: Store) -> None:
    key = f"whatsapp:1:{uuid.uuid4().hex}"
    assert await store.load(key) is None
    state = ConversationState(state="browsing", language="st", slots={"cart": [1]})
    await store.save(key, state.mark_processed("wamid.1", 1_700_000_000))
    loaded = await store.load(key)
    assert loaded is not None
    assert (loaded.state, loaded.language, loaded.slots) == ("browsing", "st", {"cart": [1]})
    assert loaded.has_processed("wamid.1")


async def test_marks_are_per_namespace(store: Store) -> None:
    item = uuid.uuid4().hex
    assert not await store.seen("inbound", item)
    await store.mark("inbound", item)
    assert await store.seen("inbound", item)
    assert not await store.seen("sent", item)


async def test_the_store_reports_ready(store: Store) -> None:
    assert await store.ready()


async def test_redis_marks_survive_a_new_client(redis_url: str, namespace: str) -> None:
    item = uuid.uuid4().hex
    first = RedisStore(redis_url, prefix=namespace)
    await first.mark("inbound", item)
    await first.close()
    second = RedisStore(redis_url, prefix=namespace)
    assert await second.seen("inbound", item)
    await second.close()


async def test_an_unreachable_redis_is_a_clear_error() -> None:
    from bot.errors import ServiceUnavailable

    store = RedisStore("redis://127.0.0.1:1/0")
    with pytest.raises(ServiceUnavailable, match="REDIS_URL"):
        await store.start()
    await store.close()


async def test_values_expire(store: Store) -> None:
    item = uuid.uuid4().hex
    await store.put("window", item, "1700000000", ttl=3600)
    assert await store.get("window", item) == "1700000000"
    await store.put("window", item, "gone", ttl=0.001)
    assert await wait_until_missing(store, item)


async def wait_until_missing(store: Store, item: str) -> bool:
    # A 1 ms expiry has passed by the time a few round trips are done; bounded by a count.
    for _ in range(1000):
        if await store.get("window", item) is None:
            return True
    return False


async def test_held_messages_stay_in_order_until_dropped(store: Store) -> None:
    key = f"whatsapp:1:{uuid.uuid4().hex}"
    assert await store.held(key) == []
    for body in (b"first", b"second"):
        await store.hold(key, body)
    assert await store.held(key) == [b"first", b"second"]
    await store.hold(key, b"third")  # parked while the first two were being requeued
    await store.drop_held(key, 2)
    assert await store.held(key) == [b"third"]
    await store.drop_held(key, 1)
    assert await store.held(key) == []
