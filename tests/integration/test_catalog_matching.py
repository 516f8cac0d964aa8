"""Catalogue matching against the real database, read as the app role under row-level security:
a product added at runtime is understood without retraining, and shops never see each other's."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.nlu.catalog_cache import CatalogMatchers, PostgresCatalog
from bot.nlu.product_matches import ProductMatches
from commerce.catalog import (
    NewProduct,
    catalog_snapshot,
    catalog_version,
    list_products,
    upsert_products,
)
from commerce.tenants import NewTenant, Tenant, add_tenant

pytestmark = pytest.mark.integration


def _shop(code: str) -> NewTenant:
    return NewTenant(
        code=code,
        name=f"Shop {code}",
        phone_number_id=f"7{uuid.uuid4().int % 10**12}",
        access_token=f"token-{code}",
    )


@pytest.fixture(scope="module")
async def shops(admin_engine: AsyncEngine) -> tuple[Tenant, Tenant]:
    suffix = uuid.uuid4().hex[:6].upper()
    spaza = await add_tenant(admin_engine, _shop(f"CM-A-{suffix}"))
    tuck = await add_tenant(admin_engine, _shop(f"CM-B-{suffix}"))
    await upsert_products(
        admin_engine,
        spaza.id,
        [
            NewProduct(
                "BREAD",
                {"en": "White bread", "zu": "Isinkwa", "st": "Bohobe"},
                1699,
                "loaf",
                aliases={"en": ("bread", "loaf")},
            ),
            NewProduct("MILK-1L", {"en": "Milk 1L", "zu": "Ubisi", "st": "Lebese"}, 2199),
        ],
    )
    await upsert_products(admin_engine, tuck.id, [NewProduct("CHIPS", {"en": "Chips 125g"}, 1299)])
    return spaza, tuck


def ids(found: ProductMatches) -> set[str]:
    return {candidate.sku for candidate in found.candidates}


async def test_a_product_added_at_runtime_is_matched_without_retraining(
    app_engine: AsyncEngine, shops: tuple[Tenant, Tenant]
) -> None:
    spaza, _ = shops
    matchers = CatalogMatchers(PostgresCatalog(app_engine), recheck_after=0)
    assert ids((await matchers.for_shop(spaza.id)).match("ngicela amafutha")) == set()

    await upsert_products(
        app_engine,
        spaza.id,
        [NewProduct("OIL-2L", {"en": "Cooking oil 2L", "zu": "Amafutha", "st": "Mafura"}, 5499)],
    )
    matcher = await matchers.for_shop(spaza.id)
    assert ids(matcher.match("ngicela amafutha amabili")) == {"OIL-2L"}
    assert ids(matcher.match("ke batla mafura")) == {"OIL-2L"}
    assert ids(matcher.match("cooking oul")) == {"OIL-2L"}
    assert matchers.builds == 2


async def test_an_edit_is_seen_after_invalidate_or_the_recheck_interval(
    app_engine: AsyncEngine, shops: tuple[Tenant, Tenant]
) -> None:
    spaza, _ = shops
    matchers = CatalogMatchers(PostgresCatalog(app_engine), recheck_after=3600)
    assert ids((await matchers.for_shop(spaza.id)).match("ngicela bred")) == {"BREAD"}
    assert ids((await matchers.for_shop(spaza.id)).match("rooibos")) == set()

    await upsert_products(
        app_engine,
        spaza.id,
        [NewProduct("TEA", {"en": "Tea bags", "zu": "Itiye"}, 4599, aliases={"en": ("rooibos",)})],
    )
    assert ids((await matchers.for_shop(spaza.id)).match("rooibos")) == set()  # still trusted
    matchers.invalidate(spaza.id)
    assert ids((await matchers.for_shop(spaza.id)).match("rooibos")) == {"TEA"}


async def test_one_shops_catalogue_never_matches_another_shops_products(
    app_engine: AsyncEngine, shops: tuple[Tenant, Tenant]
) -> None:
    spaza, tuck = shops
    matchers = CatalogMatchers(PostgresCatalog(app_engine), recheck_after=0)
    text = "ngicela bread, chips ne-ubisi"
    assert ids((await matchers.for_shop(spaza.id)).match(text)) == {"BREAD", "MILK-1L"}
    assert ids((await matchers.for_shop(tuck.id)).match(text)) == {"CHIPS"}
    _, tuck_products = await catalog_snapshot(app_engine, tuck.id)
    assert [p.sku for p in tuck_products] == ["CHIPS"]


async def test_the_catalogue_version_moves_on_every_write_and_only_then(
    app_engine: AsyncEngine, shops: tuple[Tenant, Tenant]
) -> None:
    _, tuck = shops
    before = await catalog_version(app_engine, tuck.id)
    assert await catalog_version(app_engine, tuck.id) == before
    await upsert_products(app_engine, tuck.id, [NewProduct("CHIPS", {"en": "Chips 125g"}, 1399)])
    after_price = await catalog_version(app_engine, tuck.id)
    assert after_price != before
    assert after_price.products == before.products
    version, _ = await catalog_snapshot(app_engine, tuck.id)
    assert version == after_price


async def test_aliases_are_stored_and_kept_when_an_update_does_not_give_them(
    app_engine: AsyncEngine, shops: tuple[Tenant, Tenant]
) -> None:
    spaza, _ = shops
    await upsert_products(
        app_engine, spaza.id, [NewProduct("BREAD", {"en": "White bread"}, 1799, "loaf")]
    )
    [bread] = [p for p in await list_products(app_engine, spaza.id) if p.sku == "BREAD"]
    assert bread.aliases == {"en": ("bread", "loaf")}
    assert bread.price_cents == 1799
