"""Two demo shops for development, so a newcomer can chat at once and see tenant isolation.

Product names in isiZulu and Sesotho are from nlu_data/SOURCES.md.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.catalog import NewProduct, upsert_products
from commerce.errors import UnknownChannel
from commerce.tenants import NewTenant, add_tenant, tenant_for_number

DEMO_SHOP = NewTenant(
    code="DEMO-SPAZA",
    name="Mama Zodwa's Spaza",
    phone_number_id="100000000000001",
    display_phone_number="27110000001",
    access_token="dev-demo-access-token-spaza",  # noqa: S106 - a development fake's token
    staff_phones=("27820000001",),
)
DEMO_PRODUCTS = [
    NewProduct("BREAD-WHITE", {"en": "White bread", "zu": "Isinkwa", "st": "Bohobe"}, 1699, "loaf"),
    NewProduct("MILK-1L", {"en": "Milk 1L", "zu": "Ubisi 1L", "st": "Lebese 1L"}, 2199, "bottle"),
    NewProduct("EGGS-6", {"en": "Eggs x6", "zu": "Amaqanda x6", "st": "Mahe x6"}, 2499, "box"),
    NewProduct("MAIZE-5KG", {"en": "Maize meal 5kg"}, 7499, "bag"),
]

OTHER_SHOP = NewTenant(
    code="DEMO-TUCK",
    name="Sipho's Tuck Shop",
    phone_number_id="100000000000002",
    display_phone_number="27110000002",
    access_token="dev-demo-access-token-tuck",  # noqa: S106
    staff_phones=("27820000002",),
)
OTHER_PRODUCTS = [
    NewProduct("AIRTIME-R10", {"en": "Airtime R10"}, 1000, "voucher"),
    NewProduct("CHIPS", {"en": "Chips 125g"}, 1299, "packet"),
]


async def seed(engine: AsyncEngine) -> None:
    """Create the demo shops if they are missing (idempotent)."""
    for shop, products in ((DEMO_SHOP, DEMO_PRODUCTS), (OTHER_SHOP, OTHER_PRODUCTS)):
        try:
            await tenant_for_number(engine, shop.phone_number_id)
            continue
        except UnknownChannel:
            pass
        tenant = await add_tenant(engine, shop)
        await upsert_products(engine, tenant.id, products)
