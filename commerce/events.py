"""The outbox: events written in the same transaction as the change they announce.

A worker drains it (`drain`) and tells the shopper and the merchant. Delivery is at least once:
the handler may see an event again after a crash, so it should key its messages on `Event.id`.
Events carry ids and codes only; recipients are looked up when the event is drained, so an
erased shopper is never messaged and the outbox never holds a phone number. Each new event also
fires `pg_notify('wakala_outbox', <tenant id>)` on commit, so a listener can drain at once
instead of polling; `tenant_ids` lists the shops to sweep as a backstop. (NOTIFY serialises the
commits of notifying transactions database-wide: harmless at shop order rates, but past a few
hundred order changes a second, drop it and poll.)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from commerce.db import global_transaction, tenant_transaction
from commerce.schema import phone_numbers, staff
from commerce.schema_customers import customers
from commerce.schema_orders import outbox

CHANNEL = "wakala_outbox"


@dataclass(frozen=True, slots=True)
class Recipients:
    shopper: str | None  # the shopper's channel id; None when not to be told or erased
    shopper_language: str
    shopper_opted_out: bool
    merchant: tuple[str, ...]  # staff numbers of the shop


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    tenant_id: UUID
    kind: str  # e.g. order.placed, order.paid
    order_id: int | None
    customer_id: int | None
    notify: tuple[str, ...]  # "shopper" and/or "merchant"
    payload: dict[str, Any]
    created_at: datetime
    recipients: Recipients


async def emit(
    conn: AsyncConnection,
    tenant_id: UUID,
    kind: str,
    *,
    notify: tuple[str, ...],
    order_id: int | None = None,
    customer_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> int:
    """Add an event inside the caller's transaction; it exists only if that transaction commits."""
    event_id = await conn.scalar(
        outbox.insert()
        .values(
            tenant_id=tenant_id,
            kind=kind,
            order_id=order_id,
            customer_id=customer_id,
            notify=list(notify),
            payload=payload or {},
        )
        .returning(outbox.c.id)
    )
    await conn.execute(
        text("SELECT pg_notify(:channel, :tenant)"), {"channel": CHANNEL, "tenant": str(tenant_id)}
    )
    return int(event_id)


async def _recipients(
    conn: AsyncConnection, tenant_id: UUID, customer_id: int | None, notify: tuple[str, ...]
) -> Recipients:
    shopper: str | None = None
    language, opted_out = "en", False
    if "shopper" in notify and customer_id is not None:
        row = (
            await conn.execute(
                select(customers.c.user_key, customers.c.language, customers.c.opted_out).where(
                    customers.c.tenant_id == tenant_id,
                    customers.c.id == customer_id,
                    customers.c.erased_at.is_(None),
                )
            )
        ).one_or_none()
        if row is not None:
            shopper, language, opted_out = row.user_key, row.language, row.opted_out
    merchant: tuple[str, ...] = ()
    if "merchant" in notify:
        phones = await conn.scalars(
            select(staff.c.phone).where(staff.c.tenant_id == tenant_id).order_by(staff.c.phone)
        )
        merchant = tuple(phones)
    return Recipients(shopper, language, opted_out, merchant)


async def pending(engine: AsyncEngine, tenant_id: UUID, *, limit: int = 100) -> list[Event]:
    """Events not yet published, oldest first (read-only; `drain` is how they get published)."""
    async with tenant_transaction(engine, tenant_id) as conn:
        return await _claim(conn, tenant_id, limit, lock=False)


async def _claim(conn: AsyncConnection, tenant_id: UUID, limit: int, *, lock: bool) -> list[Event]:
    query = (
        select(outbox)
        .where(outbox.c.tenant_id == tenant_id, outbox.c.published_at.is_(None))
        .order_by(outbox.c.id)
        .limit(limit)
    )
    if lock:  # two drainers never take the same event
        query = query.with_for_update(skip_locked=True)
    events = []
    for row in await conn.execute(query):
        notify = tuple(row.notify)
        events.append(
            Event(
                id=row.id,
                tenant_id=tenant_id,
                kind=row.kind,
                order_id=row.order_id,
                customer_id=row.customer_id,
                notify=notify,
                payload=dict(row.payload),
                created_at=row.created_at,
                recipients=await _recipients(conn, tenant_id, row.customer_id, notify),
            )
        )
    return events


async def drain(
    engine: AsyncEngine,
    tenant_id: UUID,
    handle: Callable[[Event], Awaitable[None]],
    *,
    limit: int = 100,
) -> int:
    """Hand pending events to `handle` in order and mark them published; returns how many.

    If `handle` raises, nothing of this batch is marked and the error propagates: the batch is
    offered again next time (at least once).
    """
    async with tenant_transaction(engine, tenant_id) as conn:
        events = await _claim(conn, tenant_id, limit, lock=True)
        for event in events:
            await handle(event)
        if events:
            await conn.execute(
                update(outbox)
                .where(outbox.c.tenant_id == tenant_id, outbox.c.id.in_([e.id for e in events]))
                .values(published_at=func.now())
            )
    return len(events)


async def purge_published(engine: AsyncEngine, tenant_id: UUID, *, older_than: timedelta) -> int:
    """Delete events published longer ago than `older_than`; returns how many went."""
    async with tenant_transaction(engine, tenant_id) as conn:
        result = await conn.execute(
            delete(outbox).where(
                outbox.c.tenant_id == tenant_id,
                outbox.c.published_at < func.now() - older_than,
            )
        )
    return int(result.rowcount)


async def tenant_ids(engine: AsyncEngine) -> list[UUID]:
    """Every shop with a WhatsApp number (the global directory): what periodic sweeps visit."""
    async with global_transaction(engine) as conn:
        found = await conn.scalars(select(phone_numbers.c.tenant_id).distinct())
        return [UUID(str(tenant_id)) for tenant_id in found]
