"""The merchant's changes to the catalogue by chat: add a product, change a price.

Every change is audited in its own transaction. A product typed by name is matched to an
existing one first (exact name or alias in any language, active or not), so "add bread R16"
updates the shop's bread rather than adding a second one; otherwise the SKU is derived from
the name, and a product with that SKU is updated.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from commerce import audit
from commerce.catalog import Product, product_from_row
from commerce.catalog_search import products_named
from commerce.db import tenant_transaction
from commerce.errors import InvalidInput, ProductNotFound
from commerce.schema import products
from commerce.text import NUL

MAX_NAME = 100
MAX_SKU = 40
MAX_PRICE_CENTS = 2**31 - 1  # products.price_cents is an integer column
_NOT_SKU = re.compile(r"[^A-Z0-9]+")


@dataclass(frozen=True, slots=True)
class Added:
    product: Product
    created: bool  # False: an existing product got the new price


def derive_sku(name: str) -> str:
    """A SKU from a product name: "Amasi 2L (Clover)" → "AMASI-2L-CLOVER"."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().upper()
    sku = _NOT_SKU.sub("-", folded).strip("-")[:MAX_SKU].rstrip("-")
    if not sku:
        raise InvalidInput(f"product name {name!r} needs letters or digits to make a SKU from")
    return sku


def _checked_name(name: str) -> str:
    clean = " ".join(name.split())
    if not 1 <= len(clean) <= MAX_NAME:
        raise InvalidInput(f"a product name must be 1 to {MAX_NAME} characters")
    _refuse_nul(clean, "a product name")
    return clean


def _refuse_nul(text: str, what: str) -> None:
    if NUL in text:  # PostgreSQL cannot store it
        raise InvalidInput(f"{what} must not have a NUL character (U+0000)")


def _checked_price(price_cents: int) -> int:
    if not 0 <= price_cents <= MAX_PRICE_CENTS:
        raise InvalidInput(f"price {price_cents} cents must be between 0 and {MAX_PRICE_CENTS}")
    return price_cents


async def add_product(
    engine: AsyncEngine,
    tenant_id: UUID,
    name: str,
    price_cents: int,
    *,
    actor: str,
    unit: str | None = None,
) -> Added:
    """Add a product, or give an existing one of that name the new price (and unit)."""
    clean, price = _checked_name(name), _checked_price(price_cents)
    unit_text = (unit or "").strip()[:30] or None
    _refuse_nul(unit_text or "", "a unit")
    async with tenant_transaction(engine, tenant_id) as conn:
        named = await products_named(conn, tenant_id, clean, active_only=False, lock=True)
        sku = named[0].sku if len(named) == 1 else derive_sku(clean)
        existing = await _by_sku(conn, tenant_id, sku)
        changes: dict[str, object] = {"price_cents": price, "active": True}
        if unit_text is not None:
            changes["unit"] = unit_text
        if existing is None:
            values = {"names": {"en": clean}, "unit": "each", **changes}
            insert = products.insert().values(tenant_id=tenant_id, sku=sku, **values)
            row = (await conn.execute(insert.returning(*products.c))).one()
        else:
            change = (
                update(products)
                .where(products.c.tenant_id == tenant_id, products.c.id == existing.id)
                .values(changes)
            )
            row = (await conn.execute(change.returning(*products.c))).one()
        product = product_from_row(row)
        await audit.record(
            conn,
            tenant_id,
            actor,
            "product.added" if existing is None else "product.updated",
            f"product:{product.id}",
            {
                "sku": sku,
                "price_cents": price,
                "before": None if existing is None else existing.price_cents,
            },
        )
    return Added(product, created=existing is None)


async def _by_sku(conn: AsyncConnection, tenant_id: UUID, sku: str) -> Product | None:
    row = (
        await conn.execute(
            select(products)
            .where(products.c.tenant_id == tenant_id, products.c.sku == sku)
            .with_for_update()
        )
    ).one_or_none()
    return None if row is None else product_from_row(row)


async def set_price(
    engine: AsyncEngine, tenant_id: UUID, product_id: int, price_cents: int, *, actor: str
) -> Product:
    """A new price for a product the shop sells. Carts show it at once; placed orders keep
    the price they were placed at."""
    price = _checked_price(price_cents)
    async with tenant_transaction(engine, tenant_id) as conn:
        before = await conn.scalar(
            select(products.c.price_cents)
            .where(
                products.c.tenant_id == tenant_id,
                products.c.id == product_id,
                products.c.active.is_(True),
            )
            .with_for_update()
        )
        if before is None:
            raise ProductNotFound(product_id)
        row = (
            await conn.execute(
                update(products)
                .where(products.c.tenant_id == tenant_id, products.c.id == product_id)
                .values(price_cents=price)
                .returning(*products.c)
            )
        ).one()
        await audit.record(
            conn,
            tenant_id,
            actor,
            "product.price_set",
            f"product:{product_id}",
            {"price_cents": price, "before": int(before)},
        )
    return product_from_row(row)
