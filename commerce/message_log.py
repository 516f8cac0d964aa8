"""The message log: what went in and out per shop, and how far each reply got.

`reference` is our own idempotency key (the inbound WhatsApp id, or the outbound reply id), so
recording the same message twice changes nothing. Delivery statuses only move forward
(sent → delivered → read → played), because Meta may deliver them out of order; `failed`
wins over everything but `read` and `played`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from sqlalchemy import ColumnElement, case, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.db import tenant_transaction
from commerce.schema import message_log

Direction = Literal["in", "out"]

RANK = {
    "received": 0,
    "queued": 1,
    "held": 1,
    "sent": 2,
    "delivered": 3,
    "failed": 4,
    "read": 5,
    "played": 6,
}


@dataclass(frozen=True, slots=True)
class LoggedMessage:
    direction: Direction
    reference: str
    phone_number_id: str
    customer: str
    kind: str
    status: str
    bytes: int = 0


def _rank() -> ColumnElement[int]:
    return case(RANK, value=message_log.c.status, else_=-1)


async def record(engine: AsyncEngine, tenant_id: UUID, entry: LoggedMessage) -> bool:
    """Add a message to the log once; False when that reference was already there."""
    statement = insert(message_log).values(
        tenant_id=tenant_id,
        direction=entry.direction,
        reference=entry.reference,
        phone_number_id=entry.phone_number_id,
        customer=entry.customer,
        kind=entry.kind,
        status=entry.status,
        bytes=entry.bytes,
    )
    async with tenant_transaction(engine, tenant_id) as conn:
        result = await conn.execute(statement.on_conflict_do_nothing())
    return bool(result.rowcount)


async def mark_sent(engine: AsyncEngine, tenant_id: UUID, reference: str, wamid: str) -> None:
    """Meta accepted our reply: remember its wamid, which later statuses refer to."""
    async with tenant_transaction(engine, tenant_id) as conn:
        await conn.execute(
            update(message_log)
            .where(
                message_log.c.direction == "out",
                message_log.c.reference == reference,
                _rank() < RANK["sent"],
            )
            .values(status="sent", wamid=wamid, updated_at=func.now())
        )


async def update_status(
    engine: AsyncEngine,
    tenant_id: UUID,
    wamid: str,
    status: str,
    *,
    error_code: int | None = None,
    error_detail: str | None = None,
) -> bool:
    """Move an outbound message's status forward; False if unknown or already further on."""
    if status not in RANK:
        return False
    async with tenant_transaction(engine, tenant_id) as conn:
        result = await conn.execute(
            update(message_log)
            .where(
                message_log.c.direction == "out",
                message_log.c.wamid == wamid,
                _rank() < RANK[status],
            )
            .values(
                status=status,
                error_code=error_code,
                error_detail=error_detail,
                updated_at=func.now(),
            )
        )
    return bool(result.rowcount)


async def mark_failed(
    engine: AsyncEngine, tenant_id: UUID, reference: str, code: int, detail: str
) -> None:
    """A reply that can never be sent (a permanent Graph error before any wamid)."""
    async with tenant_transaction(engine, tenant_id) as conn:
        await conn.execute(
            update(message_log)
            .where(message_log.c.direction == "out", message_log.c.reference == reference)
            .values(
                status="failed", error_code=code, error_detail=detail[:500], updated_at=func.now()
            )
        )


async def status_of(engine: AsyncEngine, tenant_id: UUID, reference: str) -> str | None:
    async with tenant_transaction(engine, tenant_id) as conn:
        found = await conn.scalar(
            select(message_log.c.status).where(message_log.c.reference == reference)
        )
    return None if found is None else str(found)
