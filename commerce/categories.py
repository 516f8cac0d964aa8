"""Product categories (bread, drinks, airtime…) with names per language, in the shop's order."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.db import tenant_transaction
from commerce.errors import Conflict, InvalidInput, NotFound, ProductNotFound
from commerce.schema import products
from commerce.schema_customers import categories


@dataclass(frozen=True, slots=True)
class Category:
    id: int
    names: dict[str, str]
    position: int

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]


async def add_category(
    engine: AsyncEngine, tenant_id: UUID, names: dict[str, str], *, position: int = 0
) -> Category:
    clean = {lang: name.strip() for lang, name in names.items() if name.strip()}
    if "en" not in clean:
        raise InvalidInput("a category needs an English name ('en')")
    try:
        async with tenant_transaction(engine, tenant_id) as conn:
            category_id = await conn.scalar(
                categories.insert()
                .values(tenant_id=tenant_id, names=clean, position=position)
                .returning(categories.c.id)
            )
    except IntegrityError as exc:
        raise Conflict(f"the shop already has a category called {clean['en']!r}") from exc
    return Category(int(category_id), clean, position)


async def list_categories(
    engine: AsyncEngine, tenant_id: UUID, *, with_products: bool = False
) -> list[Category]:
    """The shop's categories in its order; `with_products` leaves out those with nothing on
    sale (a shopper should never open an empty list)."""
    query = select(categories).where(categories.c.tenant_id == tenant_id)
    if with_products:
        query = query.where(
            exists().where(
                products.c.tenant_id == categories.c.tenant_id,
                products.c.category_id == categories.c.id,
                products.c.active.is_(True),
            )
        )
    async with tenant_transaction(engine, tenant_id) as conn:
        rows = await conn.execute(query.order_by(categories.c.position, categories.c.id))
        return [Category(row.id, dict(row.names), row.position) for row in rows]


async def set_product_category(
    engine: AsyncEngine, tenant_id: UUID, product_id: int, category_id: int | None
) -> None:
    """Put a product in a category (None takes it out)."""
    async with tenant_transaction(engine, tenant_id) as conn:
        if category_id is not None:
            found = await conn.scalar(
                select(categories.c.id).where(
                    categories.c.tenant_id == tenant_id, categories.c.id == category_id
                )
            )
            if found is None:
                raise NotFound(f"category {category_id} does not exist in this shop")
        result = await conn.execute(
            update(products)
            .where(products.c.tenant_id == tenant_id, products.c.id == product_id)
            .values(category_id=category_id)
        )
        if not result.rowcount:
            raise ProductNotFound(product_id)
