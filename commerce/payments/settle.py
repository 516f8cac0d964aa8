"""From a verified notification to a decision about the order, safely.

`settle` is the one path from a gateway notification to "mark the order paid":

1. a replay (the same `dedupe_key` seen before) is refused with `ReplayedNotification`;
2. the notification must be for the order's reference, and test-mode payments are refused on
   a live account;
3. a "paid" claim is confirmed with the gateway's API (`confirm`) and must match the order's
   amount and currency (`check_payment`), or it raises and nothing changes;
4. the key is claimed last, so a retryable failure above leaves the gateway's re-send usable.

`confirm_payment` is the same check without a notification, for polling (Paystack sends no
webhook for abandoned or failed payments) and for the daily reconciliation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from commerce.payments.base import (
    Notification,
    NotificationKind,
    PaymentGateway,
    PaymentState,
    PaymentStatus,
)
from commerce.payments.errors import (
    AmountMismatch,
    CurrencyMismatch,
    ModeMismatch,
    PaymentNotConfirmed,
    ReferenceMismatch,
    ReplayedNotification,
)
from commerce.payments.money import cents_to_rand_text

__all__ = [
    "ExpectedPayment",
    "MemoryLedger",
    "NotificationLedger",
    "Settlement",
    "check_payment",
    "confirm_payment",
    "settle",
]


@dataclass(frozen=True, slots=True)
class ExpectedPayment:
    """What the order says is owed for one payment attempt."""

    reference: str
    amount_cents: int
    currency: str = "ZAR"


@dataclass(frozen=True, slots=True)
class Settlement:
    notification: Notification
    state: PaymentState  # what to apply to the attempt (PAID only after confirmation)
    confirmed: PaymentStatus | None  # the gateway API's answer, when one was asked

    @property
    def paid(self) -> bool:
        return self.state is PaymentState.PAID


class NotificationLedger(Protocol):
    """Where processed notification keys are kept (a table with a unique key in production,
    written in the same transaction as the order change)."""

    async def seen(self, key: str) -> bool: ...

    async def claim(self, key: str) -> bool:
        """Store `key`; False when it was stored already (a concurrent duplicate)."""
        ...


@dataclass
class MemoryLedger:
    """In-process `NotificationLedger`, for tests and the embedded development mode."""

    keys: set[str] = field(default_factory=set)

    async def seen(self, key: str) -> bool:
        return key in self.keys

    async def claim(self, key: str) -> bool:
        if key in self.keys:
            return False
        self.keys.add(key)
        return True


_TERMINAL = frozenset({PaymentState.FAILED, PaymentState.CANCELLED, PaymentState.REVERSED})


def _rand(cents: int) -> str:
    return f"R{cents_to_rand_text(cents)}"


def check_payment(expected: ExpectedPayment, status: PaymentStatus, *, accepts_test: bool) -> None:
    """Raise unless the gateway's payment is for this order, in its currency and amount.

    When fees are passed to the shopper the gateway charges more than was asked
    (`requested_amount_cents`); the ask must equal the order and the charge cover it.
    """
    where = f"{status.gateway} payment {status.reference!r}"
    if status.reference != expected.reference:
        raise ReferenceMismatch(
            f"{where} is not for order payment {expected.reference!r}", gateway=status.gateway
        )
    if status.is_test and not accepts_test:
        raise ModeMismatch(
            f"{where} was made in test mode and this account is live; never honour it",
            gateway=status.gateway,
        )
    if status.currency.upper() != expected.currency.upper():
        raise CurrencyMismatch(
            f"{where} is in {status.currency!r}, the order in {expected.currency!r}",
            gateway=status.gateway,
        )
    asked = status.requested_amount_cents
    asked = status.amount_cents if asked is None else asked
    if asked != expected.amount_cents or status.amount_cents < asked:
        raise AmountMismatch(
            f"{where} is for {_rand(asked)} (charged {_rand(status.amount_cents)}), the order "
            f"is {_rand(expected.amount_cents)}; hold the order and check it with the shop",
            gateway=status.gateway,
        )


async def confirm_payment(gateway: PaymentGateway, expected: ExpectedPayment) -> PaymentStatus:
    """Ask the gateway about `expected.reference`; when it says paid, check it fits."""
    status = await gateway.confirm(expected.reference)
    if status.state is PaymentState.PAID:
        check_payment(expected, status, accepts_test=gateway.accepts_test_payments)
    return status


async def settle(
    gateway: PaymentGateway,
    notification: Notification,
    expected: ExpectedPayment,
    ledger: NotificationLedger,
) -> Settlement:
    """Decide what a verified notification does to the order (see the module docstring).

    Raises `ReplayedNotification` (acknowledge, change nothing), a `PaymentMismatch` (hold
    the order), `PaymentNotConfirmed` or a retryable `GatewayError` (answer non-200 so the
    gateway re-sends, or poll `confirm_payment` later).
    """
    key = notification.dedupe_key
    if notification.kind is NotificationKind.OTHER:
        return Settlement(notification, PaymentState.UNKNOWN, None)
    if await ledger.seen(key):
        raise ReplayedNotification(
            f"notification {key} was processed before", gateway=gateway.name, dedupe_key=key
        )
    if notification.reference != expected.reference:
        raise ReferenceMismatch(
            f"{gateway.name} notification is for {notification.reference!r}, not for order "
            f"payment {expected.reference!r}",
            gateway=gateway.name,
        )
    if notification.is_test and not gateway.accepts_test_payments:
        raise ModeMismatch(
            f"{gateway.name} notification {key} is a test-mode payment and this account is "
            "live; never honour it",
            gateway=gateway.name,
        )
    confirmed = None
    if notification.kind is NotificationKind.PAYMENT and notification.state is PaymentState.PAID:
        confirmed = await _confirm_claim(gateway, notification, expected)
    if not await ledger.claim(key):
        raise ReplayedNotification(
            f"notification {key} was processed concurrently", gateway=gateway.name, dedupe_key=key
        )
    return Settlement(notification, notification.state, confirmed)


async def _confirm_claim(
    gateway: PaymentGateway, notification: Notification, expected: ExpectedPayment
) -> PaymentStatus:
    claimed = notification.amount_cents
    if claimed is not None and claimed < expected.amount_cents:
        # Refuse before asking the API: the gateway itself says too little was paid.
        raise AmountMismatch(
            f"{gateway.name} notification {notification.dedupe_key} is for {_rand(claimed)}, "
            f"the order is {_rand(expected.amount_cents)}",
            gateway=gateway.name,
        )
    status = await gateway.confirm(expected.reference)
    if status.state is not PaymentState.PAID:
        # Paystack reports an unpaid transaction as "abandoned" even while the shopper may
        # still pay, so only these outcomes make a re-send pointless.
        final = status.state in _TERMINAL
        raise PaymentNotConfirmed(
            f"{gateway.name} notified payment {expected.reference!r} as paid but its API says "
            f"{status.gateway_status!r}; "
            + ("hold the order for a person to check" if final else "try again later"),
            gateway=gateway.name,
            retryable=not final,
        )
    check_payment(expected, status, accepts_test=gateway.accepts_test_payments)
    if claimed is not None and claimed != status.amount_cents:
        raise AmountMismatch(
            f"{gateway.name} notified {_rand(claimed)} for {expected.reference!r} but its API "
            f"says {_rand(status.amount_cents)} was charged",
            gateway=gateway.name,
        )
    return status
