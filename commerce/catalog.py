"""The shop's catalogue: products with names per language, prices in integer cents."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from sqlalchemy import BigInteger, ColumnClause, func, literal_column, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.db import tenant_transaction
from commerce.errors import InvalidInput, ProductNotFound
from commerce.schema import products
from commerce.text import NUL


@dataclass(frozen=True, slots=True)
class Product:
    id: int
    sku: str
    names: dict[str, str]
    price_cents: int
    unit: str
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def name(self, language: str) -> str:
        """The name in the shopper's language, falling back to English."""
        return self.names.get(language) or self.names["en"]


@dataclass(frozen=True, slots=True)
class NewProduct:
    sku: str
    names: dict[str, str]
    price_cents: int
    unit: str = "each"
    # Other names and misspellings per language; None keeps what an existing product has.
    aliases: dict[str, tuple[str, ...]] | None = None

    def validated(self) -> NewProduct:
        if not self.sku.strip():
            raise InvalidInput("a product needs a SKU (a short code of your own, e.g. BREAD-WHITE)")
        for what, text in self._texts():
            if NUL in text:
                raise InvalidInput(
                    f"{what} of product {self.sku!r} has a NUL character (U+0000), which "
                    "cannot be stored; remove it"
                )
        if not self.names.get("en", "").strip():
            raise InvalidInput(f"product {self.sku!r} needs an English name ('en')")
        if self.price_cents < 0:
            raise InvalidInput(f"price of {self.sku!r} must not be negative")
        names = {lang: name.strip() for lang, name in self.names.items() if name.strip()}
        aliases = None if self.aliases is None else _clean_aliases(self.sku, self.aliases)
        return NewProduct(
            self.sku.strip().upper(), names, self.price_cents, self.unit.strip(), aliases
        )

    def _texts(self) -> Iterator[tuple[str, str]]:
        """Every text the product would store, with what it is (for the error message)."""
        yield "the SKU", self.sku
        for language, name in self.names.items():
            yield "a language code", language
            yield f"the name in {language!r}", name
        yield "the unit", self.unit
        for language, words in (self.aliases or {}).items():
            yield "a language code", language
            for word in words:  # a lone string (refused later) yields its characters: fine
                yield f"an alias in {language!r}", word


MAX_ALIASES = 30  # per language: a few names and misspellings, not a thesaurus
MAX_ALIAS_LENGTH = 80


def _clean_aliases(sku: str, aliases: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    cleaned: dict[str, tuple[str, ...]] = {}
    for language, words in aliases.items():
        if isinstance(words, str):
            raise InvalidInput(
                f"aliases of {sku!r} in {language!r} must be a list of words, got the string "
                f"{words!r}; write [{words!r}]"
            )
        seen: dict[str, str] = {}
        for word in (" ".join(w.split()) for w in words):
            if len(word) > MAX_ALIAS_LENGTH:
                raise InvalidInput(
                    f"alias {word[:20]!r}... of {sku!r} is longer than "
                    f"{MAX_ALIAS_LENGTH} characters"
                )
            if word:
                seen.setdefault(word.casefold(), word)
        if len(seen) > MAX_ALIASES:
            raise InvalidInput(
                f"{sku!r} has {len(seen)} aliases in {language!r}; keep at most {MAX_ALIASES}"
            )
        if seen:
            cleaned[language] = tuple(seen.values())
    return cleaned


async def upsert_products(engine: AsyncEngine, tenant_id: UUID, items: list[NewProduct]) -> int:
    """Add or update products by SKU; returns how many were written."""
    rows = [item.validated() for item in items]
    async with tenant_transaction(engine, tenant_id) as conn:
        for row in rows:
            statement = insert(products).values(
                tenant_id=tenant_id,
                sku=row.sku,
                names=row.names,
                price_cents=row.price_cents,
                unit=row.unit,
                aliases=_aliases_json(row.aliases or {}),
            )
            updates = {
                "names": statement.excluded.names,
                "price_cents": statement.excluded.price_cents,
                "unit": statement.excluded.unit,
                "active": True,
            }
            if row.aliases is not None:
                updates["aliases"] = statement.excluded.aliases
            await conn.execute(
                statement.on_conflict_do_update(
                    index_elements=[products.c.tenant_id, products.c.sku], set_=updates
                )
            )
    return len(rows)


def _aliases_json(aliases: dict[str, tuple[str, ...]]) -> dict[str, list[str]]:
    return {language: list(words) for language, words in aliases.items()}


def product_from_row(row: Row[Any]) -> Product:
    aliases = {lang: tuple(words) for lang, words in dict(row.aliases or {}).items()}
    return Product(row.id, row.sku, dict(row.names), row.price_cents, row.unit, aliases)


async def list_products(
    engine: AsyncEngine, tenant_id: UUID, *, limit: int = 50, category_id: int | None = None
) -> list[Product]:
    """Active products of the shop (optionally of one category), cheapest first."""
    query = select(products).where(products.c.active.is_(True))
    if category_id is not None:
        query = query.where(products.c.category_id == category_id)
    async with tenant_transaction(engine, tenant_id) as conn:
        result = await conn.execute(
            query.order_by(products.c.price_cents, products.c.sku).limit(limit)
        )
        return [product_from_row(row) for row in result]


async def get_product(engine: AsyncEngine, tenant_id: UUID, product_id: int) -> Product:
    """One product the shop sells; ProductNotFound for an unknown, inactive or foreign id."""
    async with tenant_transaction(engine, tenant_id) as conn:
        row = (
            await conn.execute(
                select(products).where(
                    products.c.tenant_id == tenant_id,
                    products.c.id == product_id,
                    products.c.active.is_(True),
                )
            )
        ).one_or_none()
    if row is None:
        raise ProductNotFound(product_id)
    return product_from_row(row)


async def products_by_id(
    engine: AsyncEngine, tenant_id: UUID, product_ids: list[int]
) -> dict[int, Product]:
    """The active products among `product_ids` (ids of other shops or withdrawn ones are
    simply absent)."""
    if not product_ids:
        return {}
    async with tenant_transaction(engine, tenant_id) as conn:
        rows = await conn.execute(
            select(products).where(
                products.c.tenant_id == tenant_id,
                products.c.id.in_(product_ids),
                products.c.active.is_(True),
            )
        )
        return {int(row.id): product_from_row(row) for row in rows}


@dataclass(frozen=True, slots=True)
class CatalogVersion:
    """Changes whenever any product of the shop is written (added, edited, (de)activated)."""

    products: int
    writes: int  # sum of the rows' xmin: every write gives a row a new, larger transaction id


# xmin (the id of the transaction that wrote the row version) moves on every write, whoever
# writes, so nothing has to remember to bump a column; no trigger, so Citus stays possible.
_XMIN: ColumnClause[int] = literal_column("xmin::text::bigint", BigInteger)


async def catalog_version(engine: AsyncEngine, tenant_id: UUID) -> CatalogVersion:
    """A cheap fingerprint of the shop's catalogue, to tell whether a cached copy is stale."""
    async with tenant_transaction(engine, tenant_id) as conn:
        row = (
            await conn.execute(
                select(func.count(), func.coalesce(func.sum(_XMIN), 0)).select_from(products)
            )
        ).one()
    return CatalogVersion(int(row[0]), int(row[1]))


async def catalog_snapshot(
    engine: AsyncEngine, tenant_id: UUID
) -> tuple[CatalogVersion, list[Product]]:
    """Every active product of the shop and the version they belong to, from one statement
    (so one snapshot: the version always describes exactly these products)."""
    async with tenant_transaction(engine, tenant_id) as conn:
        rows = (
            await conn.execute(select(products, _XMIN.label("xmin")).order_by(products.c.id))
        ).all()
    version = CatalogVersion(len(rows), sum(int(row.xmin) for row in rows))
    return version, [product_from_row(row) for row in rows if row.active]
