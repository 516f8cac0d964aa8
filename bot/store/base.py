"""The store interface: one contract, two implementations (Redis and in-memory)."""

from __future__ import annotations

from typing import Protocol

from redis.exceptions import RedisError

from bot.errors import ServiceUnavailable
from dialogue.state import ConversationState

# What a store raises while its server is away (a restart): worth trying again.
STORE_ERRORS: tuple[type[BaseException], ...] = (RedisError, OSError, ServiceUnavailable)

# Meta retries a webhook for up to 7 days; keep idempotency keys a little longer.
IDEMPOTENCY_TTL_SECONDS = 8 * 24 * 3600
CONVERSATION_TTL_SECONDS = 90 * 24 * 3600
# A reply held for a closed 24 h window waits this long for the shopper to write again.
HELD_TTL_SECONDS = 30 * 24 * 3600


class Store(Protocol):
    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def ready(self) -> bool: ...

    async def load(self, key: str) -> ConversationState | None: ...

    async def save(self, key: str, state: ConversationState) -> None: ...

    async def seen(self, namespace: str, item: str) -> bool:
        """True when `item` was marked in `namespace` (an inbound message id, a sent reply id)."""
        ...

    async def mark(self, namespace: str, item: str) -> None: ...

    async def put(self, namespace: str, item: str, value: str, ttl: float) -> None:
        """Remember a small value for `ttl` seconds (e.g. when a shopper last wrote)."""
        ...

    async def get(self, namespace: str, item: str) -> str | None: ...

    async def hold(self, key: str, body: bytes) -> None:
        """Park a message for later, in order (e.g. a reply waiting for the 24 h window)."""
        ...

    async def held(self, key: str) -> list[bytes]:
        """The messages parked for `key`, oldest first (they stay parked)."""
        ...

    async def drop_held(self, key: str, count: int) -> None:
        """Forget the oldest `count` parked messages (once they are safely requeued)."""
        ...
