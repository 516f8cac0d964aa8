"""Stock per product: units on hand and units reserved by open orders.

A product with no stock row is not stock-tracked (always available). With a row, checkout
reserves with one conditional UPDATE (`on_hand - reserved >= wanted`): the row lock serialises
concurrent checkouts and PostgreSQL re-checks the condition after waiting, so the last units go
to exactly as many shoppers as there are units. Rows are always locked in product-id order, so
two checkouts never deadlock. The table's CHECKs (reserved <= on_hand, both >= 0) back this up.

Life of a reservation: reserved at checkout → taken off the shelf when the order is ready
(`commit`) → or released on cancel, refund or expiry (`release`); goods already taken off the
shelf go back with `restock`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from commerce import audit
from commerce.db import tenant_transaction
from commerce.errors import InvalidInput, OutOfStock, ProductNotFound
from commerce.schema import products
from commerce.schema_orders import stock

Lines = Iterable[tuple[int, int]]  # (product_id, quantity)


@dataclass(frozen=True, slots=True)
class StockLevel:
    product_id: int
    on_hand: int
    reserved: int
    low_at: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def is_low(self) -> bool:
        return self.available <= self.low_at


def _merged(lines: Lines) -> list[tuple[int, int]]:
    """One entry per product, in product-id order (the lock order)."""
    totals: dict[int, int] = {}
    for product_id, quantity in lines:
        if quantity <= 0:
            raise InvalidInput(f"quantity of product {product_id} must be at least 1")
        totals[product_id] = totals.get(product_id, 0) + quantity
    return sorted(totals.items())


async def _level(
    conn: AsyncConnection, tenant_id: UUID, product_id: int, *, lock: bool = False
) -> StockLevel | None:
    query = select(stock).where(stock.c.tenant_id == tenant_id, stock.c.product_id == product_id)
    row = (await conn.execute(query.with_for_update() if lock else query)).one_or_none()
    return (
        None if row is None else StockLevel(row.product_id, row.on_hand, row.reserved, row.low_at)
    )


async def reserve(conn: AsyncConnection, tenant_id: UUID, lines: Lines) -> dict[int, int]:
    """Hold units for an order inside the caller's transaction; OutOfStock if any falls short.

    Returns the units held per tracked product. The order keeps these numbers, because only
    they may be released or committed later (a product may become tracked after checkout).
    """
    held_units: dict[int, int] = {}
    for product_id, quantity in _merged(lines):
        held = await conn.execute(
            update(stock)
            .where(
                stock.c.tenant_id == tenant_id,
                stock.c.product_id == product_id,
                stock.c.on_hand - stock.c.reserved >= quantity,
            )
            .values(reserved=stock.c.reserved + quantity, updated_at=func.now())
        )
        if held.rowcount:
            held_units[product_id] = quantity
            continue
        level = await _level(conn, tenant_id, product_id)
        if level is not None:  # tracked and short; untracked products need no reservation
            raise await shortage(conn, tenant_id, product_id, quantity, level.available)
    return held_units


async def shortage(
    conn: AsyncConnection, tenant_id: UUID, product_id: int, requested: int, available: int
) -> OutOfStock:
    """The OutOfStock error, with the product's names so the shopper can be told which."""
    names = await conn.scalar(
        select(products.c.names).where(
            products.c.tenant_id == tenant_id, products.c.id == product_id
        )
    )
    return OutOfStock(product_id, requested, max(available, 0), dict(names or {}))


async def _apply(
    conn: AsyncConnection, tenant_id: UUID, lines: Lines, *, on_hand: int, reserved: int
) -> None:
    """Add `on_hand`/`reserved` times each quantity to tracked products (signs say which way)."""
    for product_id, quantity in _merged(line for line in lines if line[1]):
        await conn.execute(
            update(stock)
            .where(stock.c.tenant_id == tenant_id, stock.c.product_id == product_id)
            .values(
                on_hand=stock.c.on_hand + on_hand * quantity,
                reserved=stock.c.reserved + reserved * quantity,
                updated_at=func.now(),
            )
        )


async def release(conn: AsyncConnection, tenant_id: UUID, lines: Lines) -> None:
    """Give reserved units back (cancel, refund or expiry before the goods left the shelf)."""
    await _apply(conn, tenant_id, lines, on_hand=0, reserved=-1)


async def commit(conn: AsyncConnection, tenant_id: UUID, lines: Lines) -> None:
    """Reserved units leave the shelf (the order is packed)."""
    await _apply(conn, tenant_id, lines, on_hand=-1, reserved=-1)


async def restock(conn: AsyncConnection, tenant_id: UUID, lines: Lines) -> None:
    """Packed goods go back on the shelf (an order cancelled after packing)."""
    await _apply(conn, tenant_id, lines, on_hand=1, reserved=0)


async def _product_exists(conn: AsyncConnection, tenant_id: UUID, product_id: int) -> None:
    found = await conn.scalar(
        select(products.c.id).where(products.c.tenant_id == tenant_id, products.c.id == product_id)
    )
    if found is None:
        raise ProductNotFound(product_id)


async def set_stock(
    engine: AsyncEngine,
    tenant_id: UUID,
    product_id: int,
    on_hand: int,
    *,
    actor: str,
    low_at: int | None = None,
) -> StockLevel:
    """The merchant's count of units on hand; starts tracking the product if it was not."""
    if on_hand < 0 or (low_at is not None and low_at < 0):
        raise InvalidInput(f"stock of product {product_id} must not be negative")
    async with tenant_transaction(engine, tenant_id) as conn:
        await _product_exists(conn, tenant_id, product_id)
        # Locked, so no checkout can reserve between the check and the write.
        current = await _level(conn, tenant_id, product_id, lock=True)
        level = await _write(conn, tenant_id, product_id, on_hand, current, low_at)
        await audit.record(
            conn,
            tenant_id,
            actor,
            "stock.set",
            f"product:{product_id}",
            {"on_hand": on_hand, "before": None if current is None else current.on_hand},
        )
    return level


async def adjust_stock(
    engine: AsyncEngine, tenant_id: UUID, product_id: int, delta: int, *, actor: str
) -> StockLevel:
    """Units counted in or out ("add 5", "2 broke"); an untracked product starts from 0."""
    async with tenant_transaction(engine, tenant_id) as conn:
        await _product_exists(conn, tenant_id, product_id)
        current = await _level(conn, tenant_id, product_id, lock=True)
        before = 0 if current is None else current.on_hand
        if before + delta < 0:
            raise InvalidInput(
                f"product {product_id} has {before} units: cannot take away {-delta}"
            )
        level = await _write(conn, tenant_id, product_id, before + delta, current, None)
        await audit.record(
            conn,
            tenant_id,
            actor,
            "stock.adjusted",
            f"product:{product_id}",
            {"delta": delta, "on_hand": level.on_hand, "before": before},
        )
    return level


async def _write(
    conn: AsyncConnection,
    tenant_id: UUID,
    product_id: int,
    on_hand: int,
    current: StockLevel | None,
    low_at: int | None,
) -> StockLevel:
    """Upsert the stock row; the caller holds the row lock (`current` was read with it)."""
    if current is not None and on_hand < current.reserved:
        raise InvalidInput(
            f"product {product_id} has {current.reserved} units held for open orders: "
            f"stock cannot go below that (got {on_hand})"
        )
    statement = insert(stock).values(
        tenant_id=tenant_id, product_id=product_id, on_hand=on_hand, low_at=low_at or 0
    )
    changes: dict[str, object] = {"on_hand": on_hand, "updated_at": func.now()}
    if low_at is not None:
        changes["low_at"] = low_at
    row = (
        await conn.execute(
            statement.on_conflict_do_update(
                index_elements=[stock.c.tenant_id, stock.c.product_id], set_=changes
            ).returning(stock.c.reserved, stock.c.low_at)
        )
    ).one()
    return StockLevel(product_id, on_hand, int(row.reserved), int(row.low_at))


async def level(engine: AsyncEngine, tenant_id: UUID, product_id: int) -> StockLevel | None:
    """The product's stock, or None when it is not stock-tracked."""
    async with tenant_transaction(engine, tenant_id) as conn:
        return await _level(conn, tenant_id, product_id)


async def levels(conn: AsyncConnection, tenant_id: UUID, product_ids: list[int]) -> dict[int, int]:
    """Units available per tracked product among `product_ids` (untracked ones are absent)."""
    rows = await conn.execute(
        select(stock.c.product_id, (stock.c.on_hand - stock.c.reserved).label("available")).where(
            stock.c.tenant_id == tenant_id, stock.c.product_id.in_(product_ids)
        )
    )
    return {int(row.product_id): int(row.available) for row in rows}


async def low_stock(engine: AsyncEngine, tenant_id: UUID) -> list[StockLevel]:
    """Tracked products at or below their low-stock mark, emptiest first."""
    async with tenant_transaction(engine, tenant_id) as conn:
        rows = await conn.execute(
            select(stock)
            .where(
                stock.c.tenant_id == tenant_id, stock.c.on_hand - stock.c.reserved <= stock.c.low_at
            )
            .order_by(stock.c.on_hand - stock.c.reserved, stock.c.product_id)
        )
        return [StockLevel(r.product_id, r.on_hand, r.reserved, r.low_at) for r in rows]
