"""Marketplace numbers and the shop directory: global tables, read by the app role only."""

from __future__ import annotations

import math
import random
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce import marketplace
from commerce.errors import Conflict, InvalidInput, UnknownChannel, UnknownTenant
from commerce.marketplace import ShopListing
from commerce.tenants import NewTenant, Tenant, add_tenant, tenant_for_number

pytestmark = pytest.mark.integration

GLOBAL = ("marketplace_numbers", "marketplace_shops")
# Around Maseru, so no other test's shops are near (the directory is shared by the run).
HERE = (-29.3151, 27.4869)


def _number() -> str:
    return str(random.randrange(10**13, 10**14))


async def _tenant(admin_engine: AsyncEngine, code: str, name: str) -> Tenant:
    return await add_tenant(
        admin_engine,
        NewTenant(code=code, name=name, phone_number_id=_number(), access_token=f"t-{code}"),
    )


@pytest.fixture(scope="module")
def tag() -> str:
    return uuid.uuid4().hex[:6].upper()


async def test_the_marketplace_tables_are_global_and_read_only_for_the_app(
    admin_engine: AsyncEngine, app_engine: AsyncEngine
) -> None:
    async with admin_engine.begin() as conn:
        for table in GLOBAL:
            rls = await conn.scalar(
                text("SELECT relrowsecurity FROM pg_class WHERE relname = :t"), {"t": table}
            )
            assert rls is False, table
            for privilege, allowed in (("SELECT", True), ("INSERT", False), ("UPDATE", False)):
                granted = await conn.scalar(
                    text("SELECT has_table_privilege('wakala_app', :t, :p)"),
                    {"t": table, "p": privilege},
                )
                assert granted is allowed, (table, privilege)
    with pytest.raises(DBAPIError, match="permission denied"):
        await marketplace.add_number(app_engine, _number(), "stolen")


async def test_a_number_is_a_shops_or_a_marketplaces_never_both(
    admin_engine: AsyncEngine, tag: str
) -> None:
    shop = await _tenant(admin_engine, f"OWN-{tag}", "Own Number Shop")
    async with admin_engine.begin() as conn:
        shop_number = await conn.scalar(
            text("SELECT phone_number_id FROM phone_numbers WHERE tenant_id = :t"), {"t": shop.id}
        )
    with pytest.raises(Conflict, match="already belongs to a shop"):
        await marketplace.add_number(admin_engine, str(shop_number), "operator-token")
    market = _number()
    await marketplace.add_number(admin_engine, market, "operator-token")
    with pytest.raises(Conflict):
        await _tenant_on(admin_engine, f"TAKE-{tag}", market)
    # The shop lookup behaves as before: a marketplace number belongs to no shop.
    with pytest.raises(UnknownChannel):
        await tenant_for_number(admin_engine, market)


async def _tenant_on(admin_engine: AsyncEngine, code: str, number: str) -> Tenant:
    return await add_tenant(
        admin_engine,
        NewTenant(code=code, name="Taker", phone_number_id=number, access_token="t"),
    )


async def test_adding_a_number_again_rotates_its_token(
    admin_engine: AsyncEngine, app_engine: AsyncEngine
) -> None:
    number = _number()
    await marketplace.add_number(admin_engine, number, "old", display_phone_number="27 82 000")
    added = await marketplace.add_number(
        admin_engine, number, "new", display_phone_number="27820001111", default_language="zu"
    )
    assert await marketplace.access_token(app_engine, number) == "new"
    assert await marketplace.find_number(app_engine, number) == added
    assert added.default_language == "zu"
    assert await marketplace.find_number(app_engine, _number()) is None
    with pytest.raises(UnknownChannel):
        await marketplace.access_token(app_engine, _number())


@pytest.mark.parametrize(
    ("listing", "message"),
    [
        (ShopListing("no/good!"), "must look like"),
        (ShopListing("X-1", latitude=-26.0), "both latitude and longitude"),
        (ShopListing("X-1", latitude=-91.0, longitude=0.0), "latitude"),
        (ShopListing("X-1", latitude=0.0, longitude=181.0), "longitude"),
        (ShopListing("X-1", name=" "), "1-100"),
        (ShopListing("X-1", area="a" * 61), "area"),
    ],
)
async def test_a_bad_listing_is_refused_with_the_field_named(
    admin_engine: AsyncEngine, listing: ShopListing, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        await marketplace.list_shop(admin_engine, listing)


async def test_only_an_existing_shop_can_be_listed(admin_engine: AsyncEngine, tag: str) -> None:
    with pytest.raises(UnknownTenant):
        await marketplace.list_shop(admin_engine, ShopListing(f"NONE-{tag}"))


async def test_listing_takes_the_shops_name_and_listing_again_changes_the_entry(
    admin_engine: AsyncEngine, app_engine: AsyncEngine, tag: str
) -> None:
    tenant = await _tenant(admin_engine, f"LST-{tag}", f"Gogo Listed {tag}")
    first = await marketplace.list_shop(admin_engine, ShopListing(f"lst-{tag}", area="Ha Abia"))
    assert (first.code, first.name, first.tenant_id) == (f"LST-{tag}", tenant.name, tenant.id)
    await marketplace.list_shop(admin_engine, ShopListing(f"LST-{tag}", listed=False))
    found = await marketplace.find_code(app_engine, [f"LST-{tag}"])
    assert found is not None
    assert (found.listed, found.area) == (False, "")
    assert await marketplace.search_by_name(app_engine, f"Gogo Listed {tag}") == []
    assert await marketplace.remove_shop(admin_engine, f"LST-{tag}") is True
    assert await marketplace.find_code(app_engine, [f"LST-{tag}"]) is None
    assert await marketplace.remove_shop(admin_engine, f"LST-{tag}") is False


async def test_a_code_is_found_exactly_or_without_its_hyphen_in_the_callers_order(
    admin_engine: AsyncEngine, app_engine: AsyncEngine, tag: str
) -> None:
    numbered = await _tenant(admin_engine, f"CD{tag}-77", "Numbered")
    plain = await _tenant(admin_engine, f"CDP{tag}", "Plain")
    for tenant in (numbered, plain):
        await marketplace.list_shop(admin_engine, ShopListing(tenant.code))
    by_compact = await marketplace.find_code(app_engine, [f"CD{tag}77"])
    assert by_compact is not None
    assert by_compact.tenant_id == numbered.id
    first = await marketplace.find_code(app_engine, ["HI", f"CDP{tag}", f"CD{tag}-77"])
    assert first is not None
    assert first.tenant_id == plain.id
    assert await marketplace.find_code(app_engine, []) is None
    assert await marketplace.find_code(app_engine, ["ZZ-0000000"]) is None


async def test_name_search_ignores_case_and_punctuation_and_ranks_closer_names_first(
    admin_engine: AsyncEngine, app_engine: AsyncEngine, tag: str
) -> None:
    names = {
        f"NA-{tag}": f"Mama's Kitchen {tag}",
        f"NB-{tag}": f"Best Mamas {tag}",
        f"NC-{tag}": f"Mamas {tag}",
        f"ND-{tag}": f"Hidden Mamas {tag}",
    }
    for code, name in names.items():
        await _tenant(admin_engine, code, name)
        listed = code != f"ND-{tag}"
        await marketplace.list_shop(admin_engine, ShopListing(code, listed=listed))
    found = await marketplace.search_by_name(app_engine, f"mamas {tag}")
    assert [s.code for s in found] == [f"NC-{tag}", f"NB-{tag}"]  # exact, then contains
    squeezed = await marketplace.search_by_name(app_engine, f"MAMAS KITCHEN {tag}")
    assert [s.code for s in squeezed] == [f"NA-{tag}"]  # the apostrophe does not matter
    everything = await marketplace.search_by_name(app_engine, "%", limit=50)
    assert everything == []  # a wildcard is a character, not "everything"
    assert await marketplace.search_by_name(app_engine, " ?! ") == []


async def test_nearest_shops_are_within_the_radius_nearest_first_with_haversine_distances(
    admin_engine: AsyncEngine, app_engine: AsyncEngine, tag: str
) -> None:
    places = {  # metres north of HERE, roughly
        f"GA-{tag}": (HERE[0] + 0.009, HERE[1], True),  # ~1 km
        f"GB-{tag}": (HERE[0] + 0.0027, HERE[1], True),  # ~300 m
        f"GC-{tag}": (HERE[0] + 0.05, HERE[1], True),  # ~5.6 km
        f"GD-{tag}": (HERE[0] + 0.001, HERE[1], False),  # unlisted, nearest of all
    }
    for code, (lat, lon, listed) in places.items():
        await _tenant(admin_engine, code, f"Near {code}")
        await marketplace.list_shop(
            admin_engine, ShopListing(code, latitude=lat, longitude=lon, listed=listed)
        )
    near = await marketplace.nearest(app_engine, *HERE, radius_km=3.0)
    assert [s.code for s in near] == [f"GB-{tag}", f"GA-{tag}"]
    for shop in near:
        assert shop.distance_km == pytest.approx(_haversine(HERE, shop), rel=1e-9)
    wider = await marketplace.nearest(app_engine, *HERE, radius_km=10.0, limit=2)
    assert [s.code for s in wider] == [f"GB-{tag}", f"GA-{tag}"]
    assert await marketplace.nearest(app_engine, -33.9249, 18.4241, radius_km=10.0) == []
    with pytest.raises(InvalidInput):
        await marketplace.nearest(app_engine, 95.0, 0.0)


def _haversine(origin: tuple[float, float], shop: marketplace.ListedShop) -> float:
    assert shop.latitude is not None
    assert shop.longitude is not None
    lat1, lon1, lat2, lon2 = map(math.radians, (*origin, shop.latitude, shop.longitude))
    chord = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * marketplace.EARTH_RADIUS_KM * math.asin(math.sqrt(chord))
