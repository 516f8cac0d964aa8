"""The daily reconciliation of one shop: orders against gateway payments and cash.

A day is the shop's own calendar day (its time zone from the shop settings). The report lists
every order that something happened to that day (placed, paid, closed, a payment attempt
moved, a notification held) with its state as of now, and a verdict that says whether the
money fits the order. Totals count the money that came in that day: cash taken on handover and
gateway payments confirmed that day, by method. Amounts are integer cents.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from commerce import shop_settings
from commerce.db import tenant_transaction
from commerce.payment_records import PaymentAttempt, attempts_for_order
from commerce.payments.base import PaymentState
from commerce.schema_customers import audit_log
from commerce.schema_orders import orders
from commerce.schema_payments import payments

__all__ = ["DailyReconciliation", "ReconciliationLine", "Totals", "Verdict", "daily_report"]


class Verdict(StrEnum):
    SETTLED = "settled"  # paid, and the money matches the order
    AWAITING = "awaiting_payment"  # open and not paid yet
    CANCELLED = "cancelled"  # called off before any money came: nothing owed
    REFUNDED = "refunded"
    UNCONFIRMED = "unconfirmed"  # marked paid by card/EFT with less confirmed by a gateway
    OVERPAID = "overpaid"  # more confirmed than the order's total: refund the difference
    REFUND_DUE = "refund_due"  # money came for an order that cannot take it
    HELD = "held"  # a gateway notification was held for a person to check

    @property
    def is_exception(self) -> bool:
        return self in _EXCEPTIONS


_EXCEPTIONS = frozenset({Verdict.UNCONFIRMED, Verdict.OVERPAID, Verdict.REFUND_DUE, Verdict.HELD})
_UNPAID = frozenset({Verdict.AWAITING, Verdict.HELD})  # still owed by the shopper


@dataclass(frozen=True, slots=True)
class ReconciliationLine:
    order_number: str
    status: str
    payment_method: str  # cash | card | eft
    total_cents: int
    gateway_cents: int  # confirmed by a gateway and standing (not reversed)
    refunded_cents: int
    cash_cents: int  # taken in cash on handover
    references: str  # the paid attempts' references, space-separated
    verdict: Verdict
    placed_at: datetime
    paid_at: datetime | None


@dataclass(frozen=True, slots=True)
class Totals:
    orders: int
    cash_cents: int  # cash taken this day
    card_cents: int  # card payments confirmed this day
    eft_cents: int  # EFT payments confirmed this day
    fees_cents: int  # charged above the order totals (fees passed to shoppers)
    outstanding_cents: int  # open orders not yet paid (awaiting or held)
    refund_due_cents: int
    exceptions: int  # lines a person should look at


@dataclass(frozen=True, slots=True)
class DailyReconciliation:
    day: date
    timezone: str
    lines: tuple[ReconciliationLine, ...]
    totals: Totals

    def to_json(self) -> dict[str, Any]:
        lines = []
        for line in self.lines:
            row = asdict(line)
            row["verdict"] = line.verdict.value
            row["placed_at"] = line.placed_at.isoformat()
            row["paid_at"] = line.paid_at.isoformat() if line.paid_at else None
            lines.append(row)
        return {
            "day": self.day.isoformat(),
            "timezone": self.timezone,
            "lines": lines,
            "totals": asdict(self.totals),
        }

    def to_csv(self) -> str:
        """One row per order, amounts in cents (exact; a spreadsheet divides by 100)."""
        out = io.StringIO()
        lines = self.to_json()["lines"]
        writer = csv.DictWriter(
            out, fieldnames=list(ReconciliationLine.__slots__), lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(lines)
        return out.getvalue()


def _verdict(row: Any, standing: int, held: bool) -> Verdict:
    status, total, paid = row.status, int(row.total_cents), row.paid_at is not None
    if row.payment_method == "cash":
        if status == "refunded":
            return Verdict.REFUNDED
        if status == "cancelled":
            return Verdict.CANCELLED
        return Verdict.SETTLED if paid else Verdict.AWAITING
    if status == "refunded":
        return Verdict.REFUND_DUE if standing else Verdict.REFUNDED
    if status == "cancelled" or (standing and not paid):
        return Verdict.REFUND_DUE if standing else Verdict.CANCELLED
    if paid:
        if standing > total:
            return Verdict.OVERPAID
        return Verdict.SETTLED if standing == total else Verdict.UNCONFIRMED
    return Verdict.HELD if held else Verdict.AWAITING


async def _order_ids(
    conn: AsyncConnection, tenant_id: UUID, start: datetime, end: datetime
) -> tuple[set[int], set[int]]:
    """Orders touched in [start, end), and those among them with a held notification."""

    def within(column: Any) -> Any:
        return and_(column >= start, column < end)

    touched = set(
        await conn.scalars(
            select(orders.c.id).where(
                orders.c.tenant_id == tenant_id,
                or_(
                    within(orders.c.placed_at), within(orders.c.paid_at), within(orders.c.closed_at)
                ),
            )
        )
    )
    touched |= set(
        await conn.scalars(
            select(payments.c.order_id).where(
                payments.c.tenant_id == tenant_id,
                or_(within(payments.c.paid_at), within(payments.c.updated_at)),
            )
        )
    )
    held_subjects = await conn.scalars(
        select(audit_log.c.subject).where(
            audit_log.c.tenant_id == tenant_id,
            audit_log.c.action == "payment.held",
            within(audit_log.c.at),
        )
    )
    held = {int(s.split(":", 1)[1]) for s in held_subjects if s.startswith("order:")}
    return {int(i) for i in touched} | held, held


def _standing(attempts: list[PaymentAttempt]) -> int:
    return sum(a.amount_cents for a in attempts if a.status is PaymentState.PAID)


async def daily_report(engine: AsyncEngine, tenant_id: UUID, day: date) -> DailyReconciliation:
    async with tenant_transaction(engine, tenant_id) as conn:
        zone = (await shop_settings.load(conn, tenant_id)).timezone
        start = datetime.combine(day, time.min, tzinfo=ZoneInfo(zone))
        end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=ZoneInfo(zone))
        ids, held = await _order_ids(conn, tenant_id, start, end)
        rows = (
            await conn.execute(
                select(orders)
                .where(orders.c.tenant_id == tenant_id, orders.c.id.in_(ids))
                .order_by(orders.c.id)
            )
        ).all()
        attempts = {row.id: await attempts_for_order(conn, tenant_id, row.id) for row in rows}
    lines, money = [], {"cash": 0, "card": 0, "eft": 0, "fees": 0}
    for row in rows:
        tried = attempts[row.id]
        standing = _standing(tried)
        is_cash = row.payment_method == "cash"
        cash = int(row.total_cents) if is_cash and row.paid_at is not None else 0
        if cash and start <= row.paid_at < end:
            money["cash"] += cash
        for a in tried:
            if a.paid_at is not None and start <= a.paid_at < end:
                money[row.payment_method] += a.amount_cents
                money["fees"] += max(0, (a.charged_cents or a.amount_cents) - a.amount_cents)
        verdict = _verdict(row, standing, row.id in held)
        paid_refs = " ".join(a.reference for a in tried if a.paid_at is not None)
        lines.append(
            ReconciliationLine(
                order_number=row.number,
                status=row.status,
                payment_method=row.payment_method,
                total_cents=int(row.total_cents),
                gateway_cents=standing,
                refunded_cents=sum(a.refunded_cents for a in tried),
                cash_cents=cash,
                references=paid_refs,
                verdict=verdict,
                placed_at=row.placed_at,
                paid_at=row.paid_at,
            )
        )
    totals = Totals(
        orders=len(lines),
        cash_cents=money["cash"],
        card_cents=money["card"],
        eft_cents=money["eft"],
        fees_cents=money["fees"],
        outstanding_cents=sum(x.total_cents for x in lines if x.verdict in _UNPAID),
        refund_due_cents=sum(_refund_due(x) for x in lines),
        exceptions=sum(x.verdict.is_exception for x in lines),
    )
    return DailyReconciliation(day, zone, tuple(lines), totals)


def _refund_due(line: ReconciliationLine) -> int:
    if line.verdict is Verdict.REFUND_DUE:
        return line.gateway_cents
    if line.verdict is Verdict.OVERPAID:
        return line.gateway_cents - line.total_cents
    return 0
