"""In-memory store for the embedded mode and unit tests."""

from __future__ import annotations

import time
from collections.abc import Callable

from dialogue.state import ConversationState


class MemoryStore:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._states: dict[str, str] = {}
        self._marks: set[tuple[str, str]] = set()
        self._values: dict[tuple[str, str], tuple[float, str]] = {}
        self._held: dict[str, list[bytes]] = {}
        self._clock = clock

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def ready(self) -> bool:
        return True

    async def load(self, key: str) -> ConversationState | None:
        raw = self._states.get(key)
        return None if raw is None else ConversationState.model_validate_json(raw)

    async def save(self, key: str, state: ConversationState) -> None:
        # Serialise like Redis does, so a test of one is a test of the other.
        self._states[key] = state.model_dump_json()

    async def seen(self, namespace: str, item: str) -> bool:
        return (namespace, item) in self._marks

    async def mark(self, namespace: str, item: str) -> None:
        self._marks.add((namespace, item))

    async def put(self, namespace: str, item: str, value: str, ttl: float) -> None:
        self._values[namespace, item] = (self._clock() + ttl, value)

    async def get(self, namespace: str, item: str) -> str | None:
        found = self._values.get((namespace, item))
        if found is None or found[0] <= self._clock():
            return None
        return found[1]

    async def hold(self, key: str, body: bytes) -> None:
        self._held.setdefault(key, []).append(body)

    async def held(self, key: str) -> list[bytes]:
        return list(self._held.get(key, []))

    async def drop_held(self, key: str, count: int) -> None:
        del self._held.get(key, [])[:count]
