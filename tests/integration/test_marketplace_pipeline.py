"""A shared marketplace number through the whole pipeline: the shopper picks a shop by its
code, gets that shop's dialogue, and replies go out with the operator's token."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import Settings
from commerce import marketplace
from commerce.catalog import NewProduct, upsert_products
from commerce.marketplace import ShopListing
from commerce.tenants import NewTenant, add_tenant
from tests.integration.pipeline import Pipeline, running_pipeline, text_of

pytestmark = pytest.mark.integration

MARKET = "500000000000009"
SHOP = NewTenant(
    code="MKT-1234", name="Market Spaza", phone_number_id="500000000000001", access_token="t-1"
)
OTHER = NewTenant(
    code="MKT-5678", name="Other Tuck", phone_number_id="500000000000002", access_token="t-2"
)
AS_MARKET = NewTenant(  # how the pipeline's helpers address the marketplace number
    code="UNUSED", name="", phone_number_id=MARKET, access_token="operator-token"
)


@pytest.fixture(scope="module")
async def pipeline(settings: Settings, admin_engine: AsyncEngine) -> AsyncIterator[Pipeline]:
    for shop, product in ((SHOP, "Isinkwa"), (OTHER, "Chips")):
        tenant = await add_tenant(admin_engine, shop)
        await upsert_products(admin_engine, tenant.id, [NewProduct("P1", {"en": product}, 1500)])
        await marketplace.list_shop(admin_engine, ShopListing(code=shop.code, area="Soweto"))
    await marketplace.add_number(admin_engine, MARKET, "operator-token")
    async with running_pipeline(settings, AS_MARKET) as running:
        yield running


async def test_a_shopper_picks_a_shop_by_code_and_shops_there(pipeline: Pipeline) -> None:
    shopper = "27860000001"
    [welcome] = await pipeline.say("hi", sender=shopper)
    assert text_of(welcome).startswith("Welcome!")
    assert welcome.token == "operator-token"  # the operator's number, the operator's token
    switched, notice = await pipeline.say("Hi MKT-1234", sender=shopper, replies=2)
    assert "Market Spaza" in text_of(switched)
    assert text_of(notice).startswith("Hi! Welcome to Market Spaza")  # that shop's consent
    await pipeline.tap("/consent_yes", sender=shopper, replies=2)  # thanks, then the menu
    [products] = await pipeline.tap("/browse_catalog", sender=shopper)
    rows = products.body["interactive"]["action"]["sections"][0]["rows"]
    assert [row["title"] for row in rows] == ["Isinkwa"]  # never the other shop's


async def test_switching_shops_starts_over_at_the_other_shop(pipeline: Pipeline) -> None:
    shopper = "27860000002"
    await pipeline.say("MKT-1234", sender=shopper, replies=2)
    switched, notice = await pipeline.say("MKT-5678", sender=shopper, replies=2)
    assert "Other Tuck" in text_of(switched)
    assert "Other Tuck" in text_of(notice)
