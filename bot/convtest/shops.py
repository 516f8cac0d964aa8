"""The shops fixture (`tests/conversations/shops.yml`) and its seeding through commerce.

    shops:
      - code: CT-SPAZA
        name: Mama Zodwa's Spaza
        phone_number_id: "900000000000001"
        token: ct-token-spaza
        language: en                  # the shop's default language
        staff: ["27829000001"]
        delivery_fee: 15.00           # rands (optional)
        categories:
          - {key: bread, names: {en: Bread, zu: Isinkwa, st: Bohobe}}
        products:
          - sku: BREAD-WHITE
            names: {en: White bread, zu: Isinkwa, st: Bohobe}
            price: 16.99              # rands
            unit: loaf
            stock: 20                 # optional: absent means not stock-tracked
            category: bread

Seeding is idempotent: a shop that exists (by its number) is kept and its catalogue updated.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.convtest.format import Phone
from bot.convtest.loading import FormatError, explain, read_yaml
from commerce import categories as category_store
from commerce import stock
from commerce.catalog import NewProduct, catalog_snapshot, upsert_products
from commerce.errors import UnknownChannel
from commerce.shop_settings import ShopSettings, get_settings, save_settings
from commerce.tenants import NewTenant, add_tenant, get_tenant, is_staff, tenant_for_number

ShopLanguage = Literal["en", "zu", "st"]  # validated here; commerce takes plain strings
ACTOR = "operator:convtest"  # how seeding appears in the audit log


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _cents(rands: Decimal) -> int:
    return int((rands * 100).to_integral_value())


class CategorySpec(_Strict):
    key: str = Field(min_length=1)  # how products refer to it in this file
    names: dict[ShopLanguage, str]

    @model_validator(mode="after")
    def _english(self) -> CategorySpec:
        if "en" not in self.names:
            raise ValueError(f"category {self.key!r} needs an English name (en)")
        return self


class ProductSpec(_Strict):
    sku: str = Field(min_length=1)
    names: dict[ShopLanguage, str]
    price: Decimal = Field(ge=0, decimal_places=2)  # rands
    unit: str = "each"
    stock: int | None = Field(default=None, ge=0)
    low_at: int | None = Field(default=None, ge=0)
    category: str | None = None
    aliases: dict[ShopLanguage, tuple[str, ...]] | None = None

    def new_product(self) -> NewProduct:
        aliases: dict[str, tuple[str, ...]] | None = None
        if self.aliases is not None:
            aliases = {str(language): words for language, words in self.aliases.items()}
        names = {str(language): name for language, name in self.names.items()}
        return NewProduct(self.sku, names, _cents(self.price), self.unit, aliases)


class ShopSpec(_Strict):
    code: str = Field(min_length=2)
    name: str = Field(min_length=1)
    phone_number_id: str = Field(pattern=r"^[0-9]{6,20}$")
    display_phone_number: str = ""
    token: str = Field(min_length=1)
    language: ShopLanguage = "en"
    staff: tuple[Phone, ...] = ()
    delivery_fee: Decimal | None = Field(default=None, ge=0, decimal_places=2)
    categories: tuple[CategorySpec, ...] = ()
    products: tuple[ProductSpec, ...] = ()

    @model_validator(mode="after")
    def _references(self) -> ShopSpec:
        keys = [c.key for c in self.categories]
        skus = [p.sku.upper() for p in self.products]
        for label, values in (("category key", keys), ("SKU", skus)):
            twice = sorted({v for v in values if values.count(v) > 1})
            if twice:
                raise ValueError(f"{label} {twice[0]!r} is used twice")
        for product in self.products:
            if product.category is not None and product.category not in keys:
                raise ValueError(
                    f"product {product.sku!r} is in category {product.category!r}, which is not "
                    f"under categories (keys: {', '.join(keys) or 'none'})"
                )
            if "en" not in product.names:
                raise ValueError(f"product {product.sku!r} needs an English name (en)")
        return self

    def new_tenant(self) -> NewTenant:
        return NewTenant(
            code=self.code,
            name=self.name,
            phone_number_id=self.phone_number_id,
            access_token=self.token,
            display_phone_number=self.display_phone_number,
            staff_phones=self.staff,
            default_language=self.language,
        )


class ShopsFixture(_Strict):
    shops: tuple[ShopSpec, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> ShopsFixture:
        for label, values in (
            ("shop code", [s.code.upper() for s in self.shops]),
            ("phone_number_id", [s.phone_number_id for s in self.shops]),
        ):
            twice = sorted({v for v in values if values.count(v) > 1})
            if twice:
                raise ValueError(f"{label} {twice[0]!r} is used by two shops")
        return self

    def get(self, code: str) -> ShopSpec | None:
        return next((s for s in self.shops if s.code.upper() == code.upper()), None)

    @property
    def codes(self) -> list[str]:
        return [s.code for s in self.shops]


VOCABULARY = (
    set(ShopsFixture.model_fields)
    | set(ShopSpec.model_fields)
    | set(ProductSpec.model_fields)
    | set(CategorySpec.model_fields)
)


def load_shops(path: Path) -> ShopsFixture:
    data, node = read_yaml(path)
    if not isinstance(data, dict) or "shops" not in data:
        raise FormatError([f"{path}: expected a top-level `shops:` list"])
    try:
        return ShopsFixture.model_validate(data)
    except ValidationError as exc:
        raise FormatError(explain(exc, data, node, path, VOCABULARY)) from exc


@dataclass(frozen=True, slots=True)
class SeededShop:
    spec: ShopSpec
    tenant_id: UUID


async def seed(engine: AsyncEngine, fixture: ShopsFixture) -> dict[str, SeededShop]:
    """Create or update every shop; returns them by code. `engine` is the admin engine."""
    return {spec.code.upper(): await seed_shop(engine, spec) for spec in fixture.shops}


async def seed_shop(engine: AsyncEngine, spec: ShopSpec) -> SeededShop:
    try:
        tenant_id = await tenant_for_number(engine, spec.phone_number_id)
    except UnknownChannel:
        tenant_id = (await add_tenant(engine, spec.new_tenant())).id
    else:
        await _check_existing(engine, tenant_id, spec)
    await upsert_products(engine, tenant_id, [p.new_product() for p in spec.products])
    _, products = await catalog_snapshot(engine, tenant_id)
    ids = {product.sku: product.id for product in products}
    category_ids = await _categories(engine, tenant_id, spec.categories)
    for product in spec.products:
        product_id = ids[product.sku.strip().upper()]
        if product.category is not None:
            category_id = category_ids[product.category]
            await category_store.set_product_category(engine, tenant_id, product_id, category_id)
        if product.stock is not None:
            await stock.set_stock(
                engine, tenant_id, product_id, product.stock, actor=ACTOR, low_at=product.low_at
            )
    if spec.delivery_fee is not None:
        current = await get_settings(engine, tenant_id)
        wanted = ShopSettings(_cents(spec.delivery_fee), current.reservation_minutes)
        if wanted != current:
            await save_settings(engine, tenant_id, wanted, actor=ACTOR)
    return SeededShop(spec, tenant_id)


async def _check_existing(engine: AsyncEngine, tenant_id: UUID, spec: ShopSpec) -> None:
    """An existing shop must be this one: commerce has no way to rename or re-staff it."""
    tenant = await get_tenant(engine, tenant_id)
    if tenant.code != spec.code.upper():
        number = spec.phone_number_id
        raise FormatError(
            [f"phone_number_id {number} belongs to shop {tenant.code}, not {spec.code}"]
        )
    for phone in spec.staff:
        if not await is_staff(engine, tenant_id, phone):
            raise FormatError(
                [f"shop {spec.code} exists without staff number {phone}; run on a fresh database"]
            )


async def _categories(
    engine: AsyncEngine, tenant_id: UUID, specs: tuple[CategorySpec, ...]
) -> dict[str, int]:
    existing = {
        c.names.get("en"): c.id for c in await category_store.list_categories(engine, tenant_id)
    }
    found: dict[str, int] = {}
    for position, spec in enumerate(specs):
        category_id = existing.get(spec.names.get("en"))
        if category_id is None:
            category = await category_store.add_category(
                engine, tenant_id, {str(k): v for k, v in spec.names.items()}, position=position
            )
            category_id = category.id
        found[spec.key] = category_id
    return found
