"""The web simulator offers every shop and marketplace number in the database, read as the app
role (row-level security applies), with each shop's staff numbers for the merchant toggle."""

from __future__ import annotations

import random

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.simulator.web.shops import SimShop, directory_shops
from commerce import marketplace
from commerce.tenants import NewTenant, add_tenant

pytestmark = pytest.mark.integration


def _number() -> str:
    return str(random.randrange(10**13, 10**14))


async def test_lists_shops_with_staff_and_marketplace_numbers(
    admin_engine: AsyncEngine, app_engine: AsyncEngine
) -> None:
    tag = random.randrange(10**5, 10**6)
    shop_number, market_number = _number(), _number()
    await add_tenant(
        admin_engine,
        NewTenant(
            code=f"SIM-{tag}",
            name=f"Nomsa{tag} Spaza",
            phone_number_id=shop_number,
            display_phone_number="27110005555",
            access_token="own-token",
            staff_phones=("0825550002", "27825550001"),
        ),
    )
    await marketplace.add_number(
        admin_engine, market_number, "operator-token", display_phone_number="27110006666"
    )

    shops = {shop.phone_number_id: shop for shop in await directory_shops(app_engine)()}

    assert shops[shop_number] == SimShop(
        shop_number, f"Nomsa{tag} Spaza", "27110005555", ("27825550001", "27825550002")
    )
    assert shops[market_number] == SimShop(
        market_number, "Marketplace", "27110006666", (), "marketplace"
    )
