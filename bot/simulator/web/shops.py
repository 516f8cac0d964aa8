"""The business numbers the page offers: the demo shops, or every number in the directory."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.demo import DEMO_SHOP, OTHER_SHOP
from commerce import marketplace, tenants
from commerce.db import global_transaction
from commerce.errors import UnknownChannel
from commerce.schema import phone_numbers


@dataclass(frozen=True, slots=True)
class SimShop:
    phone_number_id: str
    name: str
    display_phone_number: str
    staff: tuple[str, ...] = ()
    kind: Literal["shop", "marketplace"] = "shop"

    def as_json(self) -> dict[str, Any]:
        return {
            "phone_number_id": self.phone_number_id,
            "name": self.name,
            "display_phone_number": self.display_phone_number,
            "staff": list(self.staff),
            "kind": self.kind,
        }


ShopSource = Callable[[], Awaitable[list[SimShop]]]


async def demo_shops() -> list[SimShop]:
    """The shops `wakala run` seeds in development (bot/demo.py)."""
    return [
        SimShop(shop.phone_number_id, shop.name, shop.display_phone_number, shop.staff_phones)
        for shop in (DEMO_SHOP, OTHER_SHOP)
    ]


def directory_shops(engine: AsyncEngine) -> ShopSource:
    """Every shop number and marketplace number in the database, oldest first, so a shop an
    operator has just added can be tried in the simulator at once."""

    async def load() -> list[SimShop]:
        async with global_transaction(engine) as conn:
            rows = (
                await conn.execute(
                    select(
                        phone_numbers.c.phone_number_id,
                        phone_numbers.c.display_phone_number,
                        phone_numbers.c.tenant_id,
                    ).order_by(phone_numbers.c.created_at, phone_numbers.c.phone_number_id)
                )
            ).all()
        shops: list[SimShop] = []
        for number, display, tenant_id in rows:
            try:
                tenant = await tenants.get_tenant(engine, tenant_id)
            except UnknownChannel:
                continue  # removed between the two reads
            staff = sorted(await tenants.staff_phones(engine, tenant_id))
            shops.append(SimShop(number, tenant.name, display, tuple(staff)))
        shops.extend(
            SimShop(
                market.phone_number_id,
                "Marketplace",
                market.display_phone_number,
                (),
                "marketplace",
            )
            for market in await marketplace.list_numbers(engine)
        )
        return shops

    return load
