"""Payments wired to orders: start an attempt (a link for the shopper), and apply a verified
gateway notification to the order exactly once.

    start_payment(engine, tenant, order_id, gateway)           -> PaymentLink
    apply_notification(engine, tenant, gateway, notification)  -> Applied

A notification is applied in three steps, and no transaction stays open across the gateway's
API call:

1. read the attempt by reference and check the ledger for the dedupe key (a replay stops here);
2. `settle` asks the gateway's API before anything is marked paid, and checks amount,
   currency and test mode against the attempt;
3. one transaction claims the key in `payment_notifications` and applies the result
   (`payment_effects`): the order moves by `order_status.transition` with actor
   `gateway:<name>`, which writes the outbox events that tell the shopper and the merchant.
   A concurrent duplicate waits on the key's primary key, finds it taken and changes nothing.

A payment that does not fit (amount, currency, test mode, reference) or that the gateway
finally refuses holds the order: nothing changes but a `payment.held` audit entry, so a person
can find it (the daily reconciliation lists them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce import audit
from commerce.db import tenant_transaction
from commerce.orders import Order, load
from commerce.payment_effects import PAYABLE, Applied, Outcome, apply_settlement
from commerce.payment_records import (
    PaymentAttempt,
    PostgresLedger,
    attempt_by_reference,
    attempts_for_order,
    insert_attempt,
    update_attempt,
)
from commerce.payments.base import (
    CustomerHint,
    Notification,
    NotificationKind,
    PaymentGateway,
    PaymentState,
)
from commerce.payments.errors import (
    OrderNotPayable,
    PaymentError,
    PaymentMismatch,
    PaymentNotConfirmed,
    ReplayedNotification,
    UnknownPaymentReference,
)
from commerce.payments.money import payment_reference
from commerce.payments.settle import ExpectedPayment, settle
from commerce.schema import tenants

__all__ = ["Applied", "Outcome", "PaymentLink", "apply_notification", "start_payment"]

CURRENCY = "ZAR"  # orders carry no currency: every shop sells in rand


@dataclass(frozen=True, slots=True)
class PaymentLink:
    """A started (or reused) attempt: send `pay_url` to the shopper."""

    order_id: int
    order_number: str
    gateway: str
    reference: str
    amount_cents: int
    currency: str
    pay_url: str | None
    reused: bool


def _check_payable(order: Order) -> None:
    if order.payment_method == "cash":
        raise OrderNotPayable(f"order {order.number} is paid in cash on handover: no link")
    if order.paid_at is not None or order.status not in PAYABLE:
        raise OrderNotPayable(f"order {order.number} is {order.status} and takes no payment")
    if order.reserved_until <= datetime.now(UTC):
        raise OrderNotPayable(
            f"order {order.number} is no longer held (its reservation ran out); order again"
        )


def _reusable(attempts: list[PaymentAttempt], gateway: str, amount: int) -> PaymentAttempt | None:
    """The newest attempt still waiting on this gateway for this amount, with its link."""
    for attempt in reversed(attempts):
        if attempt.gateway == gateway and attempt.amount_cents == amount and attempt.pay_url:
            return attempt if attempt.status is PaymentState.PENDING else None
    return None


async def start_payment(
    engine: AsyncEngine,
    tenant_id: UUID,
    order_id: int,
    gateway: PaymentGateway,
    *,
    customer_hint: CustomerHint | None = None,
    fresh: bool = False,
) -> PaymentLink:
    """A pay link for the order's total. Asking again gives the same link while that attempt
    is pending (a redelivered message, a shopper asking twice); `fresh` starts a new attempt.

    The attempt is written before the gateway hears of it, so any notification finds it. Raises
    `OrderNotPayable`, or the gateway's `PaymentError` (the attempt is then marked failed).
    """
    async with tenant_transaction(engine, tenant_id) as conn:
        order = await load(conn, tenant_id, order_id, lock=True)  # concurrent starts take turns
        _check_payable(order)
        attempts = await attempts_for_order(conn, tenant_id, order_id)
        reuse = None if fresh else _reusable(attempts, gateway.name, order.total_cents)
        if reuse is not None:
            return PaymentLink(
                order.id,
                order.number,
                reuse.gateway,
                reuse.reference,
                reuse.amount_cents,
                reuse.currency,
                reuse.pay_url,
                reused=True,
            )
        code = str(await conn.scalar(select(tenants.c.code).where(tenants.c.id == tenant_id)))
        number = max((a.attempt for a in attempts), default=0) + 1
        reference = payment_reference(code, order.number, number)
        payment_id = await insert_attempt(
            conn,
            tenant_id,
            order_id=order.id,
            attempt=number,
            gateway=gateway.name,
            reference=reference,
            amount_cents=order.total_cents,
            currency=CURRENCY,
        )
    try:
        started = await gateway.start(reference, order.total_cents, CURRENCY, customer_hint)
    except PaymentError as exc:
        async with tenant_transaction(engine, tenant_id) as conn:
            await update_attempt(conn, tenant_id, payment_id, status="failed", error_code=exc.code)
        raise
    async with tenant_transaction(engine, tenant_id) as conn:
        await update_attempt(
            conn, tenant_id, payment_id, pay_url=started.pay_url, gateway_id=started.gateway_id
        )
        details = {
            "reference": reference,
            "gateway": gateway.name,
            "amount_cents": order.total_cents,
        }
        actor = audit.gateway_actor(gateway.name)
        await audit.record(conn, tenant_id, actor, "payment.started", f"order:{order.id}", details)
    return PaymentLink(
        order.id,
        order.number,
        gateway.name,
        reference,
        order.total_cents,
        CURRENCY,
        started.pay_url,
        reused=False,
    )


@dataclass(frozen=True, slots=True)
class _SeenOnly:
    """The ledger as `settle` sees it: `seen` reads the table; the real claim is made later,
    in the transaction that changes the order, so none is held open across the API call."""

    engine: AsyncEngine
    tenant_id: UUID
    gateway: str

    async def seen(self, key: str) -> bool:
        async with tenant_transaction(self.engine, self.tenant_id) as conn:
            return await PostgresLedger(conn, self.tenant_id, gateway=self.gateway).seen(key)

    async def claim(self, key: str) -> bool:
        return True


async def _hold(
    engine: AsyncEngine, tenant_id: UUID, attempt: PaymentAttempt, exc: Exception
) -> None:
    code = getattr(exc, "code", "payment.error")
    details = {"reference": attempt.reference, "gateway": attempt.gateway, "code": code}
    details["why"] = str(exc)[:300]
    async with tenant_transaction(engine, tenant_id) as conn:
        await audit.record(
            conn,
            tenant_id,
            audit.gateway_actor(attempt.gateway),
            "payment.held",
            f"order:{attempt.order_id}",
            details,
        )


async def apply_notification(
    engine: AsyncEngine, tenant_id: UUID, gateway: PaymentGateway, notification: Notification
) -> Applied:
    """Apply a notification whose origin `gateway.verify_notification` proved.

    Raises `UnknownPaymentReference` (not ours: acknowledge), `ReplayedNotification`
    (acknowledge), a `PaymentMismatch` (held: acknowledge), `PaymentNotConfirmed` (retry when
    `retryable`, else held) or a `GatewayError` from the confirmation call.
    """
    if notification.kind is NotificationKind.OTHER:
        return Applied(Outcome.IGNORED, notification.reference)
    async with tenant_transaction(engine, tenant_id) as conn:
        attempt = await attempt_by_reference(conn, tenant_id, notification.reference)
    if attempt.gateway != gateway.name:
        raise UnknownPaymentReference(
            f"payment {attempt.reference} was started with {attempt.gateway}, not {gateway.name}",
            gateway=gateway.name,
        )
    expected = ExpectedPayment(attempt.reference, attempt.amount_cents, attempt.currency)
    try:
        settlement = await settle(
            gateway, notification, expected, _SeenOnly(engine, tenant_id, gateway.name)
        )
    except PaymentMismatch as exc:
        await _hold(engine, tenant_id, attempt, exc)
        raise
    except PaymentNotConfirmed as exc:
        if not exc.retryable:
            await _hold(engine, tenant_id, attempt, exc)
        raise
    key = notification.dedupe_key
    async with tenant_transaction(engine, tenant_id) as conn:
        ledger = PostgresLedger(
            conn,
            tenant_id,
            gateway=gateway.name,
            payment_id=attempt.id,
            event=notification.event,
            state=settlement.state.value,
        )
        if not await ledger.claim(key):
            raise ReplayedNotification(
                f"notification {key} was applied concurrently", gateway=gateway.name, dedupe_key=key
            )
        return await apply_settlement(conn, tenant_id, attempt.id, settlement)
