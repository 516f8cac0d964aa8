"""One catalogue matcher per shop, rebuilt when the shop's catalogue changes.

Each process keeps its own matchers. A matcher is trusted for `recheck_after` seconds; after
that one cheap query (`catalog_version`: product count and a write fingerprint) tells whether
to rebuild it, so an edit made by any process is seen everywhere within that time. The
process that made the edit can call `invalidate(tenant_id)` to see it at once.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.nlu.catalog_matcher import CatalogMatcher
from bot.nlu.fuzzy import FuzzyPolicy
from commerce.catalog import Product, catalog_snapshot, catalog_version


class CatalogSource(Protocol):
    async def version(self, tenant_id: UUID) -> Hashable:
        """Something that differs whenever the shop's products differ."""

    async def snapshot(self, tenant_id: UUID) -> tuple[Hashable, Sequence[Product]]:
        """The shop's active products and the version they belong to."""


class PostgresCatalog:
    """The catalogue in PostgreSQL, read under the shop's row-level security."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def version(self, tenant_id: UUID) -> Hashable:
        return await catalog_version(self.engine, tenant_id)

    async def snapshot(self, tenant_id: UUID) -> tuple[Hashable, Sequence[Product]]:
        return await catalog_snapshot(self.engine, tenant_id)


@dataclass(slots=True)
class _Entry:
    matcher: CatalogMatcher
    version: Hashable
    checked_at: float


class CatalogMatchers:
    """Per-shop matchers for one process: `await matchers.for_shop(tenant_id)`."""

    def __init__(
        self,
        source: CatalogSource,
        *,
        recheck_after: float = 2.0,
        max_shops: int = 1000,
        policy: FuzzyPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self.recheck_after = recheck_after
        self.max_shops = max_shops
        self.policy = policy or FuzzyPolicy()
        self.clock = clock
        self.builds = 0  # how many matchers were built, for logs and tests
        self._entries: OrderedDict[UUID, _Entry] = OrderedDict()
        self._locks: dict[UUID, asyncio.Lock] = {}
        self._epoch = 0  # bumped by invalidate(): work begun before it is not trusted after

    async def for_shop(self, tenant_id: UUID) -> CatalogMatcher:
        """The shop's matcher, rebuilt first if its catalogue changed."""
        entry = self._fresh(tenant_id)
        if entry is not None:
            return entry.matcher
        lock = self._locks.setdefault(tenant_id, asyncio.Lock())
        async with lock:  # one rebuild per shop, however many messages wait for it
            entry = self._fresh(tenant_id)
            if entry is not None:
                return entry.matcher
            epoch = self._epoch
            entry = self._entries.get(tenant_id)
            if entry is not None and await self.source.version(tenant_id) == entry.version:
                entry.checked_at = self._checked(epoch)
                return entry.matcher
            version, products = await self.source.snapshot(tenant_id)
            matcher = CatalogMatcher.build(products, policy=self.policy)
            self.builds += 1
            self._remember(tenant_id, _Entry(matcher, version, self._checked(epoch)))
            return matcher

    def invalidate(self, tenant_id: UUID | None = None) -> None:
        """Forget one shop's matcher (after editing its products), or every shop's."""
        self._epoch += 1
        if tenant_id is None:
            self._entries.clear()
        else:
            self._entries.pop(tenant_id, None)

    def _checked(self, epoch: int) -> float:
        """When the entry was last known current; never, if invalidate() ran meanwhile."""
        return self.clock() if epoch == self._epoch else float("-inf")

    def _fresh(self, tenant_id: UUID) -> _Entry | None:
        entry = self._entries.get(tenant_id)
        if entry is None or self.clock() - entry.checked_at >= self.recheck_after:
            return None
        self._entries.move_to_end(tenant_id)
        return entry

    def _remember(self, tenant_id: UUID, entry: _Entry) -> None:
        self._entries[tenant_id] = entry
        self._entries.move_to_end(tenant_id)
        while len(self._entries) > self.max_shops:
            evicted, _ = self._entries.popitem(last=False)
            lock = self._locks.get(evicted)
            if lock is not None and not lock.locked():
                del self._locks[evicted]
