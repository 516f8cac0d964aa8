"""The audit log: who did what, append-only.

The app role may INSERT and SELECT only, and a trigger refuses UPDATE, DELETE and TRUNCATE even
for the owner (migration 0004). Entries must never hold personal data, because they outlive an
erasure: actors and subjects are ids (`customer:12`, `order:34`), staff are masked
(`staff:*4567`), details carry codes and counts, not names or numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from commerce.db import tenant_transaction
from commerce.errors import InvalidInput
from commerce.schema_customers import audit_log

SYSTEM = "system"
_ACTOR = re.compile(r"^(customer|staff|system|operator|gateway)(:[A-Za-z0-9_.*-]{1,64})?$")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    subject: str
    details: dict[str, Any]


def customer_actor(customer_id: int) -> str:
    return f"customer:{customer_id}"


def staff_actor(phone: str) -> str:
    """Staff by the last four digits only: enough for a shop's few staff, no number in clear."""
    return f"staff:*{phone[-4:]}"


def gateway_actor(name: str) -> str:
    return f"gateway:{name}"


def check_actor(actor: str) -> str:
    if not _ACTOR.match(actor):
        raise InvalidInput(
            f"actor {actor!r} must be customer:<id>, staff:*<last 4 digits>, system, "
            "operator:<name> or gateway:<name>"
        )
    return actor


async def record(
    conn: AsyncConnection,
    tenant_id: UUID,
    actor: str,
    action: str,
    subject: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    """Add an entry inside the caller's transaction, so it commits with what it describes."""
    await conn.execute(
        audit_log.insert().values(
            tenant_id=tenant_id,
            actor=check_actor(actor),
            action=action,
            subject=subject,
            details=details or {},
        )
    )


async def entries(
    engine: AsyncEngine, tenant_id: UUID, *, subject: str | None = None, limit: int = 100
) -> list[AuditEntry]:
    """The newest entries first, optionally for one subject (e.g. `order:12`)."""
    query = select(audit_log).where(audit_log.c.tenant_id == tenant_id)
    if subject is not None:
        query = query.where(audit_log.c.subject == subject)
    async with tenant_transaction(engine, tenant_id) as conn:
        rows = await conn.execute(query.order_by(audit_log.c.id.desc()).limit(limit))
        return [
            AuditEntry(row.id, row.at, row.actor, row.action, row.subject, dict(row.details))
            for row in rows
        ]
