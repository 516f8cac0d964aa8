"""Cash on delivery or collection: the same interface, with a person as the "gateway".

Nothing is sent anywhere: `start` gives no link, there are no notifications, and the payment
is confirmed when the merchant records the cash (`record_cash`), which also works out change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from commerce.payments.base import (
    CustomerHint,
    Notification,
    PaymentStart,
    PaymentState,
    PaymentStatus,
    RefundResult,
    RefundState,
)
from commerce.payments.errors import AmountMismatch, MalformedNotification, PaymentInputError
from commerce.payments.money import cents_to_rand_text, check_amount, check_reference

__all__ = ["CashGateway", "CashReceipt", "record_cash"]

NAME = "cash"
AWAITING_CASH = "awaiting_cash"


@dataclass(frozen=True, slots=True)
class CashReceipt:
    reference: str
    amount_cents: int
    tendered_cents: int
    change_cents: int

    @property
    def dedupe_key(self) -> str:
        return f"{NAME}:{self.reference}"


def record_cash(reference: str, amount_cents: int, tendered_cents: int) -> CashReceipt:
    """The merchant took `tendered_cents` for an order of `amount_cents`: the change is exact.

    Raises `AmountMismatch` when the cash does not cover the order.
    """
    check_reference(reference)
    check_amount(amount_cents)
    if (
        isinstance(tendered_cents, bool)
        or not isinstance(tendered_cents, int)
        or tendered_cents < 0
    ):
        raise PaymentInputError(f"tendered_cents must be whole cents, got {tendered_cents!r}")
    if tendered_cents < amount_cents:
        short = amount_cents - tendered_cents
        raise AmountMismatch(
            f"R{cents_to_rand_text(tendered_cents)} in cash does not cover order "
            f"{reference} of R{cents_to_rand_text(amount_cents)}; take "
            f"R{cents_to_rand_text(short)} more",
            gateway=NAME,
        )
    return CashReceipt(reference, amount_cents, tendered_cents, tendered_cents - amount_cents)


class CashGateway:
    """`PaymentGateway` for cash. Stateless; the order holds what is owed."""

    @property
    def name(self) -> str:
        return NAME

    @property
    def accepts_test_payments(self) -> bool:
        return False

    async def start(
        self,
        order_ref: str,
        amount_cents: int,
        currency: str = "ZAR",
        customer_hint: CustomerHint | None = None,
    ) -> PaymentStart:
        return PaymentStart(
            NAME, check_reference(order_ref), check_amount(amount_cents), currency.upper(), None
        )

    def verify_notification(
        self,
        raw_body: bytes,
        headers: Mapping[str, str],
        form: Mapping[str, str] | None = None,
    ) -> Notification:
        raise MalformedNotification(
            "cash has no gateway notifications; the merchant records cash with record_cash",
            gateway=NAME,
        )

    async def confirm(self, reference: str) -> PaymentStatus:
        # No API can know: until the merchant records the cash, it is owed (amount unknown
        # here, so 0; the order holds the total).
        return PaymentStatus(
            gateway=NAME,
            reference=check_reference(reference),
            state=PaymentState.PENDING,
            amount_cents=0,
            currency="ZAR",
            is_test=False,
            gateway_status=AWAITING_CASH,
        )

    async def refund(
        self, reference: str, amount_cents: int | None = None, reason: str = ""
    ) -> RefundResult:
        # The merchant hands the cash back in person; recording it is all there is to do.
        return RefundResult(NAME, check_reference(reference), RefundState.PROCESSED, amount_cents)
