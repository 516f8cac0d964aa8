"""Consent records (POPIA): what the shopper agreed to, when, on which channel, to which
version of the notice text. Records are only ever added; the latest per purpose counts.

`messages` is consent to process the shopper's details to take orders and message them about
those orders; `marketing` is consent to promotions. STOP withdraws both and sets the customer's
opt-out flag, which the sender must honour before any message that is not a direct reply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from commerce import audit, customers
from commerce.db import tenant_transaction
from commerce.errors import InvalidInput
from commerce.schema_customers import consents
from commerce.schema_customers import customers as customers_table

Purpose = Literal["messages", "marketing"]
Channel = Literal["whatsapp", "web", "operator"]
PURPOSES: tuple[Purpose, ...] = ("messages", "marketing")
CHANNELS: tuple[Channel, ...] = ("whatsapp", "web", "operator")


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    purpose: str
    granted: bool
    text_version: str
    channel: str
    evidence: str | None
    recorded_at: datetime


def _check(purpose: str, channel: str, text_version: str) -> None:
    if purpose not in PURPOSES:
        raise InvalidInput(f"consent purpose {purpose!r} must be one of {', '.join(PURPOSES)}")
    if channel not in CHANNELS:
        raise InvalidInput(f"consent channel {channel!r} must be one of {', '.join(CHANNELS)}")
    if not 1 <= len(text_version.strip()) <= 40:
        raise InvalidInput(
            f"text version {text_version!r} must name the notice the shopper saw, e.g. 2026-11"
        )


async def _add(
    conn: AsyncConnection,
    tenant_id: UUID,
    customer_id: int,
    purpose: Purpose,
    granted: bool,
    text_version: str,
    channel: Channel,
    evidence: str | None,
) -> None:
    _check(purpose, channel, text_version)
    await conn.execute(
        consents.insert().values(
            tenant_id=tenant_id,
            customer_id=customer_id,
            purpose=purpose,
            granted=granted,
            text_version=text_version.strip(),
            channel=channel,
            evidence=evidence,
        )
    )
    await audit.record(
        conn,
        tenant_id,
        audit.customer_actor(customer_id),
        "consent.granted" if granted else "consent.withdrawn",
        f"customer:{customer_id}",
        {"purpose": purpose, "text_version": text_version.strip(), "channel": channel},
    )


async def record_consent(
    engine: AsyncEngine,
    tenant_id: UUID,
    user_key: str,
    purpose: Purpose,
    *,
    granted: bool,
    text_version: str,
    channel: Channel = "whatsapp",
    evidence: str | None = None,
) -> None:
    """Record a yes or no; granting `messages` again also lifts an earlier opt-out."""
    async with tenant_transaction(engine, tenant_id) as conn:
        customer = await customers.ensure(conn, tenant_id, user_key)
        await _add(conn, tenant_id, customer.id, purpose, granted, text_version, channel, evidence)
        if purpose == "messages" and granted and customer.opted_out:
            await conn.execute(
                update(customers_table)
                .where(
                    customers_table.c.tenant_id == tenant_id,
                    customers_table.c.id == customer.id,
                )
                .values(opted_out=False, opted_out_at=None, updated_at=func.now())
            )


async def opt_out(
    engine: AsyncEngine,
    tenant_id: UUID,
    user_key: str,
    *,
    text_version: str,
    channel: Channel = "whatsapp",
    evidence: str | None = None,
) -> None:
    """STOP: withdraw every purpose and flag the shopper as opted out, in one transaction."""
    async with tenant_transaction(engine, tenant_id) as conn:
        customer = await customers.ensure(conn, tenant_id, user_key)
        for purpose in PURPOSES:
            await _add(
                conn, tenant_id, customer.id, purpose, False, text_version, channel, evidence
            )
        await conn.execute(
            update(customers_table)
            .where(customers_table.c.tenant_id == tenant_id, customers_table.c.id == customer.id)
            .values(opted_out=True, opted_out_at=func.now(), updated_at=func.now())
        )


async def history(conn: AsyncConnection, tenant_id: UUID, customer_id: int) -> list[ConsentRecord]:
    rows = await conn.execute(
        select(consents)
        .where(consents.c.tenant_id == tenant_id, consents.c.customer_id == customer_id)
        .order_by(consents.c.id)
    )
    return [
        ConsentRecord(
            row.purpose, row.granted, row.text_version, row.channel, row.evidence, row.recorded_at
        )
        for row in rows
    ]


async def current(engine: AsyncEngine, tenant_id: UUID, user_key: str) -> dict[str, bool]:
    """The latest answer per purpose; a purpose never asked about counts as not granted."""
    async with tenant_transaction(engine, tenant_id) as conn:
        customer = await customers.find(conn, tenant_id, user_key)
        if customer is None:
            return dict.fromkeys(PURPOSES, False)
        records = await history(conn, tenant_id, customer.id)
    answers: dict[str, bool] = dict.fromkeys(PURPOSES, False)
    for record in records:  # oldest first, so the latest wins
        answers[record.purpose] = record.granted
    return answers
