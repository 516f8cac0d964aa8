"""The merchant's day: today's orders and the daily sales summary.

"Today" is the shop's calendar day in its own time zone (`shop_settings.timezone`), computed
by PostgreSQL, so a shop in Johannesburg sees the orders placed since its own midnight.
Sales are orders placed that day that still stand: cancelled and refunded ones are counted
apart and left out of the takings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from uuid import UUID

from sqlalchemy import ColumnElement, Date, DateTime, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from commerce import money, shop_settings
from commerce.db import tenant_transaction
from commerce.order_machine import Status
from commerce.orders import Order, load
from commerce.schema_orders import order_items, orders

CALLED_OFF = (Status.CANCELLED.value, Status.REFUNDED.value)
METHODS = ("cash", "card", "eft")


@dataclass(frozen=True, slots=True)
class TodaysOrders:
    day: date
    count: int  # every order placed today, called off or not
    total_cents: int  # of those that still stand
    newest: list[Order]  # the newest few


@dataclass(frozen=True, slots=True)
class DailySummary:
    day: date
    orders: int  # placed that day and still standing
    revenue_cents: int
    by_method_cents: dict[str, int]  # cash, card, eft
    cancelled: int  # placed that day, then cancelled or refunded
    top_product: dict[str, str] | None = field(default=None)  # names of the most units sold

    def top_product_name(self, language: str) -> str | None:
        if self.top_product is None:
            return None
        return self.top_product.get(language) or self.top_product.get("en")


async def _today(conn: AsyncConnection, tenant_id: UUID) -> tuple[date, str]:
    settings = await shop_settings.load(conn, tenant_id)
    day = await conn.scalar(select(cast(func.timezone(settings.timezone, func.now()), Date)))
    if not isinstance(day, date):  # pragma: no cover - the cast always gives a date
        raise TypeError(f"expected the shop's date, got {day!r}")
    return day, settings.timezone


def _placed_on(day: date, timezone: str) -> ColumnElement[bool]:
    """Placed between the shop's midnights that start and end `day`."""
    midnight = datetime.combine(day, time())
    # Casts to timestamp WITHOUT time zone: timezone(zone, local time) then gives the instant.
    start = func.timezone(timezone, cast(literal(midnight), DateTime()))
    end = func.timezone(timezone, cast(literal(midnight + timedelta(days=1)), DateTime()))
    return (orders.c.placed_at >= start) & (orders.c.placed_at < end)


async def orders_today(engine: AsyncEngine, tenant_id: UUID, *, limit: int = 10) -> TodaysOrders:
    """Today's orders, newest first (at most `limit`), with the count and total of the day."""
    async with tenant_transaction(engine, tenant_id) as conn:
        day, timezone = await _today(conn, tenant_id)
        today = (orders.c.tenant_id == tenant_id) & _placed_on(day, timezone)
        standing = func.coalesce(
            func.sum(orders.c.total_cents).filter(orders.c.status.not_in(CALLED_OFF)), 0
        )
        count, total = (await conn.execute(select(func.count(), standing).where(today))).one()
        ids = await conn.scalars(
            select(orders.c.id).where(today).order_by(orders.c.id.desc()).limit(limit)
        )
        newest = [await load(conn, tenant_id, int(order_id)) for order_id in ids]
    return TodaysOrders(day, int(count), money.total([int(total)]), newest)


async def daily_summary(
    engine: AsyncEngine, tenant_id: UUID, day: date | None = None
) -> DailySummary:
    """Sales of one day (today when not given) in the shop's time zone."""
    async with tenant_transaction(engine, tenant_id) as conn:
        today, timezone = await _today(conn, tenant_id)
        day = day or today
        placed = (orders.c.tenant_id == tenant_id) & _placed_on(day, timezone)
        stands = orders.c.status.not_in(CALLED_OFF)
        rows = await conn.execute(
            select(
                orders.c.payment_method,
                func.count().filter(stands).label("orders"),
                func.coalesce(func.sum(orders.c.total_cents).filter(stands), 0).label("total"),
                func.count().filter(~stands).label("cancelled"),
            )
            .where(placed)
            .group_by(orders.c.payment_method)
        )
        by_method = dict.fromkeys(METHODS, 0)
        count = cancelled = 0
        for row in rows:
            by_method[str(row.payment_method)] = int(row.total)
            count += int(row.orders)
            cancelled += int(row.cancelled)
        top = await _top_product(conn, tenant_id, placed & stands)
    return DailySummary(
        day=day,
        orders=count,
        revenue_cents=money.total(by_method.values()),
        by_method_cents=by_method,
        cancelled=cancelled,
        top_product=top,
    )


async def _top_product(
    conn: AsyncConnection, tenant_id: UUID, condition: ColumnElement[bool]
) -> dict[str, str] | None:
    """Names of the product with the most units across the orders matching `condition`, as
    written on the latest such order (a product renamed or withdrawn since still shows)."""
    joined = order_items.join(
        orders,
        (orders.c.tenant_id == order_items.c.tenant_id) & (orders.c.id == order_items.c.order_id),
    )
    mine = (order_items.c.tenant_id == tenant_id) & condition
    top = await conn.scalar(
        select(order_items.c.product_id)
        .select_from(joined)
        .where(mine)
        .group_by(order_items.c.product_id)
        .order_by(func.sum(order_items.c.quantity).desc(), order_items.c.product_id)
        .limit(1)
    )
    if top is None:
        return None
    names = await conn.scalar(
        select(order_items.c.names)
        .select_from(joined)
        .where(mine, order_items.c.product_id == top)
        .order_by(order_items.c.order_id.desc())
        .limit(1)
    )
    return dict(names or {})
