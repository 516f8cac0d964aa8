"""The one interface every payment gateway implements, and the values it returns.

A gateway is stateless apart from its configuration (one instance per shop and gateway, since
each shop has its own merchant account). Money is integer cents; currency is ISO 4217.

Flow for an online payment::

    start(ref, cents)            -> PaymentStart   send `pay_url` to the shopper in chat
    verify_notification(...)     -> Notification   webhook/notify POST: proves origin or raises
    confirm(ref)                 -> PaymentStatus  ask the gateway's API before marking paid
    refund(ref)                  -> RefundResult

`settle.py` chains the last two with the order's expected amount and replay protection.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, runtime_checkable

__all__ = [
    "CustomerHint",
    "Notification",
    "NotificationKind",
    "PaymentGateway",
    "PaymentStart",
    "PaymentState",
    "PaymentStatus",
    "RefundResult",
    "RefundState",
]


class PaymentState(StrEnum):
    """A payment attempt's state, the same words for every gateway."""

    PENDING = "pending"  # started or in progress; a final state will follow
    PAID = "paid"
    FAILED = "failed"  # declined or a technical error; the shopper may try again
    CANCELLED = "cancelled"  # the shopper (or the gateway) cancelled
    ABANDONED = "abandoned"  # never completed; no webhook comes for it on Paystack
    NEEDS_REVIEW = "needs_review"  # inconclusive at the bank: a person must check it
    REVERSED = "reversed"  # refunded or charged back after being paid
    UNKNOWN = "unknown"  # a status word we do not know: hold, never give value

    @property
    def is_final(self) -> bool:
        return self not in {PaymentState.PENDING, PaymentState.NEEDS_REVIEW, PaymentState.UNKNOWN}


class NotificationKind(StrEnum):
    PAYMENT = "payment"  # about a payment attempt (Paystack charge.success, Ozow notify)
    REFUND = "refund"  # about a refund of a paid attempt (Paystack refund.*)
    OTHER = "other"  # verified but not for us (e.g. subscriptions): acknowledge, ignore


class RefundState(StrEnum):
    PENDING = "pending"
    PROCESSED = "processed"
    FAILED = "failed"
    NEEDS_ATTENTION = "needs_attention"


@dataclass(frozen=True, slots=True)
class CustomerHint:
    """What we may tell the gateway about the shopper. All optional; personal data, so the
    gateways send no more than they need and nothing here is logged."""

    name: str | None = field(default=None, repr=False)
    email: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class PaymentStart:
    """A started payment: send `pay_url` to the shopper (None for cash)."""

    gateway: str
    reference: str  # our reference; notifications and `confirm` use it
    amount_cents: int
    currency: str
    pay_url: str | None
    gateway_id: str | None = None  # Paystack access_code, Ozow paymentRequestId


@dataclass(frozen=True, slots=True)
class Notification:
    """A notification whose origin was proven (signature or hash checked).

    Its content is the gateway's claim, not yet a confirmed payment: give value only after
    `confirm` (see `settle.settle`). `dedupe_key` is stable across re-sends of the same
    notification and differs between states, so store it with a unique constraint.
    """

    gateway: str
    kind: NotificationKind
    event: str  # the gateway's event or status word, verbatim
    reference: str
    state: PaymentState
    amount_cents: int | None
    currency: str | None
    is_test: bool
    dedupe_key: str
    gateway_transaction_id: str | None = None


@dataclass(frozen=True, slots=True)
class PaymentStatus:
    """The gateway's answer to "what happened to this reference?", from its API.

    `amount_cents` is what was charged; `requested_amount_cents` what was asked for when the
    gateway reports it separately (Paystack, when fees are passed to the shopper).
    """

    gateway: str
    reference: str
    state: PaymentState
    amount_cents: int
    currency: str
    is_test: bool
    gateway_status: str
    gateway_transaction_id: str | None = None
    requested_amount_cents: int | None = None
    paid_at: str | None = None


@dataclass(frozen=True, slots=True)
class RefundResult:
    gateway: str
    reference: str
    state: RefundState
    amount_cents: int | None
    refund_id: str | None = None


@runtime_checkable
class PaymentGateway(Protocol):
    """What the order service needs from a payment method."""

    @property
    def name(self) -> str:
        """Stable id stored with payments: "cash", "paystack", "ozow"."""
        ...

    @property
    def accepts_test_payments(self) -> bool:
        """False for a live account: test-mode payments must never be honoured."""
        ...

    async def start(
        self,
        order_ref: str,
        amount_cents: int,
        currency: str = "ZAR",
        customer_hint: CustomerHint | None = None,
    ) -> PaymentStart:
        """Start a payment attempt. `order_ref` becomes the gateway reference verbatim, so it
        must be unique per attempt (see `references.payment_reference`)."""
        ...

    def verify_notification(
        self,
        raw_body: bytes,
        headers: Mapping[str, str],
        form: Mapping[str, str] | None = None,
    ) -> Notification:
        """Prove a notification came from the gateway and read it; raise
        `NotificationRejected` otherwise. Pure: no I/O."""
        ...

    async def confirm(self, reference: str) -> PaymentStatus:
        """Ask the gateway's API for the state of `reference`."""
        ...

    async def refund(
        self, reference: str, amount_cents: int | None = None, reason: str = ""
    ) -> RefundResult:
        """Refund a paid attempt, in full when `amount_cents` is None."""
        ...
