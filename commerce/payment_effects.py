"""What a settled notification does to the attempt and the order, inside one transaction.

Called by `order_payments.apply_notification` after the ledger claim, in the same transaction.
Statuses of an attempt only move forward: once paid or reversed, a late "pending" or "failed"
changes nothing. Money that arrives where it cannot be honoured (a second charge, an order
already paid or cancelled) is kept as paid on its attempt and the merchant is told to refund.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncConnection

from commerce import audit, events
from commerce.errors import IllegalTransition
from commerce.order_machine import Status
from commerce.order_status import transition
from commerce.orders import Order, load
from commerce.payment_records import (
    PaymentAttempt,
    attempts_for_order,
    lock_attempt,
    update_attempt,
)
from commerce.payments.base import Notification, NotificationKind, PaymentState
from commerce.payments.settle import Settlement

__all__ = ["Applied", "Outcome", "apply_settlement"]

PAYABLE = frozenset({Status.PLACED, Status.CONFIRMED})
_SETTLED = frozenset({PaymentState.PAID, PaymentState.REVERSED})
# Who hears of an attempt that did not pay: the shopper may ask for a new link after a failure;
# an inconclusive result needs a person to check with the bank.
_TOLD: dict[PaymentState, tuple[str, tuple[str, ...]]] = {
    PaymentState.FAILED: ("payment.failed", ("shopper",)),
    PaymentState.CANCELLED: ("payment.failed", ("shopper",)),
    PaymentState.NEEDS_REVIEW: ("payment.needs_review", ("merchant",)),
    PaymentState.UNKNOWN: ("payment.needs_review", ("merchant",)),
}


class Outcome(StrEnum):
    PAID = "paid"  # this notification marked the order paid
    REFUNDED = "refunded"  # this notification marked the order refunded
    RECORDED = "recorded"  # the attempt's state changed; the order did not
    UNCHANGED = "unchanged"  # nothing new (e.g. "pending" after "paid")
    NEEDS_REFUND = "needs_refund"  # money arrived that the order cannot take: merchant told
    IGNORED = "ignored"  # verified, but not about a payment of ours


@dataclass(frozen=True, slots=True)
class Applied:
    outcome: Outcome
    reference: str
    order_status: Status | None = None


def _details(attempt: PaymentAttempt, **extra: object) -> dict[str, object]:
    return {"reference": attempt.reference, "gateway": attempt.gateway, **extra}


async def apply_settlement(
    conn: AsyncConnection, tenant_id: UUID, payment_id: int, settlement: Settlement
) -> Applied:
    attempt = await lock_attempt(conn, tenant_id, payment_id)
    order = await load(conn, tenant_id, attempt.order_id, lock=True)
    notification = settlement.notification
    if notification.kind is NotificationKind.REFUND:
        return await _refund(conn, tenant_id, attempt, order, notification, settlement.state)
    if settlement.paid:
        return await _paid(conn, tenant_id, attempt, order, settlement)
    return await _other(conn, tenant_id, attempt, order, notification, settlement.state)


async def _paid(
    conn: AsyncConnection,
    tenant_id: UUID,
    attempt: PaymentAttempt,
    order: Order,
    settlement: Settlement,
) -> Applied:
    confirmed = settlement.confirmed
    if confirmed is None:  # settle confirms every "paid" payment claim; never trust one without
        raise AssertionError(f"payment {attempt.reference} settled as paid without confirmation")
    transaction_id = (
        confirmed.gateway_transaction_id or settlement.notification.gateway_transaction_id
    )
    if attempt.status in _SETTLED:
        if attempt.status is PaymentState.PAID and transaction_id not in (
            None,
            attempt.gateway_transaction_id,
        ):
            return await _needs_refund(
                conn, tenant_id, attempt, order, confirmed.amount_cents, "a second charge"
            )
        return Applied(Outcome.UNCHANGED, attempt.reference, order.status)
    actor = audit.gateway_actor(attempt.gateway)
    await update_attempt(
        conn,
        tenant_id,
        attempt.id,
        status=PaymentState.PAID.value,
        gateway_status=confirmed.gateway_status[:100],
        charged_cents=confirmed.amount_cents,
        gateway_transaction_id=transaction_id,
        paid_at=func.now(),
    )
    details = _details(attempt, amount_cents=attempt.amount_cents)
    await audit.record(conn, tenant_id, actor, "payment.paid", f"order:{order.id}", details)
    if order.status in PAYABLE and order.paid_at is None:
        reason = f"paid by {attempt.gateway}, {attempt.reference}"
        moved = await transition(conn, tenant_id, order.id, Status.PAID, actor=actor, reason=reason)
        return Applied(Outcome.PAID, attempt.reference, moved.status)
    why = "the order was already paid" if order.paid_at else f"the order is {order.status}"
    return await _needs_refund(conn, tenant_id, attempt, order, confirmed.amount_cents, why)


async def _needs_refund(
    conn: AsyncConnection,
    tenant_id: UUID,
    attempt: PaymentAttempt,
    order: Order,
    amount_cents: int,
    why: str,
) -> Applied:
    details = _details(attempt, order_number=order.number, amount_cents=amount_cents, why=why)
    actor = audit.gateway_actor(attempt.gateway)
    await audit.record(conn, tenant_id, actor, "payment.needs_refund", f"order:{order.id}", details)
    await events.emit(
        conn,
        tenant_id,
        "payment.needs_refund",
        notify=("merchant",),
        order_id=order.id,
        customer_id=order.customer_id,
        payload=details,
    )
    return Applied(Outcome.NEEDS_REFUND, attempt.reference, order.status)


async def _other(
    conn: AsyncConnection,
    tenant_id: UUID,
    attempt: PaymentAttempt,
    order: Order,
    notification: Notification,
    state: PaymentState,
) -> Applied:
    """Pending, failed, cancelled, abandoned, needs review: the attempt changes, the order not."""
    if attempt.status in _SETTLED or attempt.status is state:
        return Applied(Outcome.UNCHANGED, attempt.reference, order.status)
    await update_attempt(
        conn,
        tenant_id,
        attempt.id,
        status=state.value,
        gateway_status=notification.event[:100],
        gateway_transaction_id=notification.gateway_transaction_id
        or attempt.gateway_transaction_id,
    )
    actor = audit.gateway_actor(attempt.gateway)
    details = _details(attempt, order_number=order.number)
    await audit.record(
        conn, tenant_id, actor, f"payment.{state.value}", f"order:{order.id}", details
    )
    told = _TOLD.get(state)
    if told is not None:
        kind, notify = told
        await events.emit(
            conn,
            tenant_id,
            kind,
            notify=notify,
            order_id=order.id,
            customer_id=order.customer_id,
            payload=details,
        )
    return Applied(Outcome.RECORDED, attempt.reference, order.status)


async def _refund(
    conn: AsyncConnection,
    tenant_id: UUID,
    attempt: PaymentAttempt,
    order: Order,
    notification: Notification,
    state: PaymentState,
) -> Applied:
    actor = audit.gateway_actor(attempt.gateway)
    subject = f"order:{order.id}"
    if state is not PaymentState.REVERSED or attempt.status is not PaymentState.PAID:
        action = f"payment.refund_{state.value}"
        await audit.record(conn, tenant_id, actor, action, subject, _details(attempt))
        return Applied(Outcome.RECORDED, attempt.reference, order.status)
    paid = attempt.charged_cents or attempt.amount_cents
    amount = notification.amount_cents if notification.amount_cents is not None else paid
    refunded = attempt.refunded_cents + amount
    full = refunded >= paid
    status = PaymentState.REVERSED if full else PaymentState.PAID
    await update_attempt(conn, tenant_id, attempt.id, refunded_cents=refunded, status=status.value)
    details = _details(attempt, refunded_cents=refunded, full=full)
    await audit.record(conn, tenant_id, actor, "payment.refunded", subject, details)
    others = [
        a
        for a in await attempts_for_order(conn, tenant_id, order.id)
        if a.id != attempt.id and a.status is PaymentState.PAID
    ]
    # Only when no other payment still stands for the order (a refunded second charge leaves
    # the order paid by the first).
    if not full or others or order.paid_at is None or order.status is Status.REFUNDED:
        return Applied(Outcome.RECORDED, attempt.reference, order.status)
    try:
        moved = await transition(
            conn, tenant_id, order.id, Status.REFUNDED, actor=actor, reason=attempt.reference
        )
    except IllegalTransition:
        return Applied(Outcome.RECORDED, attempt.reference, order.status)
    return Applied(Outcome.REFUNDED, attempt.reference, moved.status)
