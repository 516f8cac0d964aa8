"""Payment attempts and the notification ledger, as rows: read, lock, write.

One row in `payments` per attempt (a reference the gateway saw); `payment_notifications` holds
the dedupe keys of notifications already applied. Both are used inside the caller's
transaction; `commerce.order_payments` decides what to write.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import exists, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from commerce.payments.base import PaymentState
from commerce.payments.errors import UnknownPaymentReference
from commerce.schema_payments import payment_notifications, payments

__all__ = [
    "PaymentAttempt",
    "PostgresLedger",
    "attempt_by_reference",
    "attempts_for_order",
    "insert_attempt",
    "lock_attempt",
    "update_attempt",
]


@dataclass(frozen=True, slots=True)
class PaymentAttempt:
    id: int
    order_id: int
    attempt: int
    gateway: str
    reference: str
    amount_cents: int
    currency: str
    status: PaymentState
    gateway_status: str | None
    pay_url: str | None
    gateway_id: str | None
    gateway_transaction_id: str | None
    charged_cents: int | None
    refunded_cents: int
    error_code: str | None
    created_at: datetime
    paid_at: datetime | None


def _attempt(row: Row[Any]) -> PaymentAttempt:
    return PaymentAttempt(
        id=int(row.id),
        order_id=int(row.order_id),
        attempt=int(row.attempt),
        gateway=row.gateway,
        reference=row.reference,
        amount_cents=int(row.amount_cents),
        currency=row.currency,
        status=PaymentState(row.status),
        gateway_status=row.gateway_status,
        pay_url=row.pay_url,
        gateway_id=row.gateway_id,
        gateway_transaction_id=row.gateway_transaction_id,
        charged_cents=None if row.charged_cents is None else int(row.charged_cents),
        refunded_cents=int(row.refunded_cents),
        error_code=row.error_code,
        created_at=row.created_at,
        paid_at=row.paid_at,
    )


async def attempt_by_reference(
    conn: AsyncConnection, tenant_id: UUID, reference: str
) -> PaymentAttempt:
    row = (
        await conn.execute(
            select(payments).where(
                payments.c.tenant_id == tenant_id, payments.c.reference == reference
            )
        )
    ).one_or_none()
    if row is None:
        raise UnknownPaymentReference(f"this shop started no payment with reference {reference!r}")
    return _attempt(row)


async def lock_attempt(conn: AsyncConnection, tenant_id: UUID, payment_id: int) -> PaymentAttempt:
    row = (
        await conn.execute(
            select(payments)
            .where(payments.c.tenant_id == tenant_id, payments.c.id == payment_id)
            .with_for_update()
        )
    ).one()
    return _attempt(row)


async def attempts_for_order(
    conn: AsyncConnection, tenant_id: UUID, order_id: int
) -> list[PaymentAttempt]:
    rows = await conn.execute(
        select(payments)
        .where(payments.c.tenant_id == tenant_id, payments.c.order_id == order_id)
        .order_by(payments.c.attempt)
    )
    return [_attempt(row) for row in rows]


async def insert_attempt(
    conn: AsyncConnection,
    tenant_id: UUID,
    *,
    order_id: int,
    attempt: int,
    gateway: str,
    reference: str,
    amount_cents: int,
    currency: str,
) -> int:
    return int(
        await conn.scalar(
            payments.insert()
            .values(
                tenant_id=tenant_id,
                order_id=order_id,
                attempt=attempt,
                gateway=gateway,
                reference=reference,
                amount_cents=amount_cents,
                currency=currency,
            )
            .returning(payments.c.id)
        )
    )


async def update_attempt(
    conn: AsyncConnection, tenant_id: UUID, payment_id: int, **values: Any
) -> None:
    await conn.execute(
        update(payments)
        .where(payments.c.tenant_id == tenant_id, payments.c.id == payment_id)
        .values(updated_at=func.now(), **values)
    )


class PostgresLedger:
    """`NotificationLedger` on one connection: `claim` writes the key in the caller's
    transaction, so it commits with the order change or not at all. A concurrent duplicate
    blocks on the primary key until the first commits, then finds the key taken."""

    def __init__(
        self,
        conn: AsyncConnection,
        tenant_id: UUID,
        *,
        gateway: str,
        payment_id: int | None = None,
        event: str = "",
        state: str = "",
    ) -> None:
        self.conn = conn
        self.tenant_id = tenant_id
        self.gateway = gateway
        self.payment_id = payment_id
        self.event = event[:100]
        self.state = state[:40]

    async def seen(self, key: str) -> bool:
        return bool(
            await self.conn.scalar(
                select(
                    exists().where(
                        payment_notifications.c.tenant_id == self.tenant_id,
                        payment_notifications.c.dedupe_key == key,
                    )
                )
            )
        )

    async def claim(self, key: str) -> bool:
        claimed = await self.conn.scalar(
            insert(payment_notifications)
            .values(
                tenant_id=self.tenant_id,
                dedupe_key=key,
                gateway=self.gateway,
                payment_id=self.payment_id,
                event=self.event,
                state=self.state,
            )
            .on_conflict_do_nothing()
            .returning(payment_notifications.c.dedupe_key)
        )
        return claimed is not None
