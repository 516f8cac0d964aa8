"""Redis store: conversation records and idempotency keys with expiry."""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.errors import ServiceUnavailable
from bot.store.base import (
    CONVERSATION_TTL_SECONDS,
    HELD_TTL_SECONDS,
    IDEMPOTENCY_TTL_SECONDS,
)
from dialogue.state import ConversationState


def resilient() -> dict[str, Any]:
    """Connection options that ride out a Redis restart: a pooled connection that went stale
    is noticed before use, and a command that meets a dropped connection is tried again on a
    fresh one (every command we send is safe to repeat)."""
    return {
        "socket_timeout": 5,
        "socket_connect_timeout": 5,
        "health_check_interval": 5,
        "retry": Retry(ExponentialWithJitterBackoff(base=0.05, cap=1.0), retries=5),
        "retry_on_error": [RedisConnectionError, RedisTimeoutError, OSError],
    }


class RedisStore:
    def __init__(self, url: str, *, prefix: str = "wakala") -> None:
        self.url = url
        self.prefix = prefix
        self._redis: Redis = Redis.from_url(url, **resilient())

    async def start(self) -> None:
        try:
            await self._redis.ping()
        except (RedisError, OSError) as exc:
            raise ServiceUnavailable(
                f"cannot reach Redis ({exc}); start it (see DEVELOPERS.md) or fix REDIS_URL"
            ) from exc

    async def close(self) -> None:
        await self._redis.aclose()

    async def ready(self) -> bool:
        try:
            return bool(await self._redis.ping())
        except (RedisError, OSError):
            return False

    def _key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    async def load(self, key: str) -> ConversationState | None:
        raw = await self._redis.get(self._key("conv", key))
        return None if raw is None else ConversationState.model_validate_json(raw)

    async def save(self, key: str, state: ConversationState) -> None:
        await self._redis.set(
            self._key("conv", key), state.model_dump_json(), ex=CONVERSATION_TTL_SECONDS
        )

    async def seen(self, namespace: str, item: str) -> bool:
        return bool(await self._redis.exists(self._key("seen", namespace, item)))

    async def mark(self, namespace: str, item: str) -> None:
        await self._redis.set(self._key("seen", namespace, item), b"1", ex=IDEMPOTENCY_TTL_SECONDS)

    async def put(self, namespace: str, item: str, value: str, ttl: float) -> None:
        milliseconds = max(1, int(ttl * 1000))
        await self._redis.set(self._key("value", namespace, item), value, px=milliseconds)

    async def get(self, namespace: str, item: str) -> str | None:
        raw = await self._redis.get(self._key("value", namespace, item))
        if raw is None:
            return None
        return raw.decode() if isinstance(raw, bytes) else str(raw)

    async def hold(self, key: str, body: bytes) -> None:
        name = self._key("held", key)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.rpush(name, body)
            pipe.expire(name, HELD_TTL_SECONDS)
            await pipe.execute()

    async def held(self, key: str) -> list[bytes]:
        items = await self._redis.lrange(self._key("held", key), 0, -1)
        return [item if isinstance(item, bytes) else item.encode() for item in items]

    async def drop_held(self, key: str, count: int) -> None:
        await self._redis.ltrim(self._key("held", key), count, -1)
