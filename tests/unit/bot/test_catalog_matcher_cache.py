"""One matcher per shop, rebuilt only when that shop's catalogue changes."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Hashable, Sequence
from uuid import UUID

from bot.nlu.catalog_cache import CatalogMatchers
from commerce.catalog import Product

SHOP_A, SHOP_B = uuid.uuid4(), uuid.uuid4()


def product(id_: int, en: str, **names: str) -> Product:
    return Product(id_, en.upper().replace(" ", "-"), {"en": en, **names}, 100, "each")


class MemoryCatalog:
    """Products per shop in memory; the version is bumped on every write, as xmin is."""

    def __init__(self) -> None:
        self.products: dict[UUID, list[Product]] = {SHOP_A: [], SHOP_B: []}
        self.writes: dict[UUID, int] = {SHOP_A: 0, SHOP_B: 0}
        self.snapshots = 0
        self.gate: asyncio.Event | None = None  # when set, snapshots wait for it

    def add(self, shop: UUID, item: Product) -> None:
        self.products[shop].append(item)
        self.writes[shop] += 1

    async def version(self, tenant_id: UUID) -> Hashable:
        return self.writes[tenant_id]

    async def snapshot(self, tenant_id: UUID) -> tuple[Hashable, Sequence[Product]]:
        version, items = self.writes[tenant_id], list(self.products[tenant_id])
        self.snapshots += 1
        if self.gate is not None:
            await self.gate.wait()
        return version, items


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def setup(recheck_after: float = 5.0) -> tuple[MemoryCatalog, Clock, CatalogMatchers]:
    catalog, clock = MemoryCatalog(), Clock()
    catalog.add(SHOP_A, product(1, "Bread", zu="Isinkwa"))
    catalog.add(SHOP_B, product(2, "Chips"))
    return catalog, clock, CatalogMatchers(catalog, recheck_after=recheck_after, clock=clock)


async def test_a_matcher_is_built_once_and_reused() -> None:
    _, _, matchers = setup()
    first = await matchers.for_shop(SHOP_A)
    assert await matchers.for_shop(SHOP_A) is first
    assert matchers.builds == 1


async def test_a_product_added_at_runtime_is_matched_once_the_version_moves() -> None:
    catalog, clock, matchers = setup(recheck_after=5.0)
    assert (await matchers.for_shop(SHOP_A)).match("amafutha").candidates == ()
    catalog.add(SHOP_A, product(3, "Cooking oil", zu="Amafutha"))
    clock.now += 1  # within the recheck interval the cached matcher is trusted
    assert (await matchers.for_shop(SHOP_A)).match("amafutha").candidates == ()
    clock.now += 5
    best = (await matchers.for_shop(SHOP_A)).match("ngicela amafutha").best
    assert best is not None
    assert best.product_id == 3
    assert matchers.builds == 2


async def test_an_unchanged_catalogue_is_not_rebuilt_after_the_recheck() -> None:
    catalog, clock, matchers = setup(recheck_after=5.0)
    first = await matchers.for_shop(SHOP_A)
    clock.now += 60
    assert await matchers.for_shop(SHOP_A) is first
    assert (matchers.builds, catalog.snapshots) == (1, 1)


async def test_invalidate_rebuilds_at_once() -> None:
    catalog, _, matchers = setup(recheck_after=3600)
    await matchers.for_shop(SHOP_A)
    catalog.add(SHOP_A, product(3, "Sugar"))
    matchers.invalidate(SHOP_A)
    assert {c.product_id for c in (await matchers.for_shop(SHOP_A)).match("sugar").candidates} == {
        3
    }
    matchers.invalidate()  # every shop
    await matchers.for_shop(SHOP_A)
    assert matchers.builds == 3


async def test_each_shop_matches_only_its_own_catalogue() -> None:
    _, _, matchers = setup()
    shop_a, shop_b = await matchers.for_shop(SHOP_A), await matchers.for_shop(SHOP_B)
    assert {c.product_id for c in shop_a.match("bread and chips").candidates} == {1}
    assert {c.product_id for c in shop_b.match("bread and chips").candidates} == {2}


async def test_concurrent_messages_for_one_shop_share_one_build() -> None:
    catalog, _, matchers = setup()
    catalog.gate = asyncio.Event()
    waiting = [asyncio.create_task(matchers.for_shop(SHOP_A)) for _ in range(5)]
    await asyncio.sleep(0)
    catalog.gate.set()
    built = await asyncio.gather(*waiting)
    assert all(m is built[0] for m in built)
    assert (matchers.builds, catalog.snapshots) == (1, 1)


async def test_an_invalidation_during_a_build_is_not_lost() -> None:
    catalog, _, matchers = setup(recheck_after=3600)
    catalog.gate = asyncio.Event()
    building = asyncio.create_task(matchers.for_shop(SHOP_A))
    await asyncio.sleep(0)  # the build has read the old catalogue and waits
    catalog.add(SHOP_A, product(3, "Sugar"))
    matchers.invalidate(SHOP_A)
    catalog.gate.set()
    assert (await building).match("sugar").candidates == ()
    catalog.gate = None
    assert (await matchers.for_shop(SHOP_A)).match("sugar").candidates != ()


async def test_the_least_recently_used_shop_is_dropped_past_the_limit() -> None:
    catalog, _, _ = setup()
    matchers = CatalogMatchers(catalog, max_shops=1)
    await matchers.for_shop(SHOP_A)
    await matchers.for_shop(SHOP_B)
    await matchers.for_shop(SHOP_A)
    assert matchers.builds == 3
