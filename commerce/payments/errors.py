"""The payments branch of the commerce error tree.

Everything `commerce.payments` raises on purpose derives from `PaymentError` (itself a
`commerce.errors.CommerceError`), so a caller can catch payments in one clause and still tell
the cases apart. Each class carries a stable `code` for operators and logs::

    PaymentError
    ├── PaymentInputError         our own request is invalid (bad reference, amount, currency)
    ├── NotificationRejected      not proven to come from the gateway: answer 4xx, change nothing
    │   ├── MissingSignature          no x-paystack-signature header / no Ozow Hash field
    │   ├── InvalidSignature          signature or hash does not match (forged, tampered, wrong key)
    │   └── MalformedNotification     signed, but not a notification we can read
    ├── ReplayedNotification      verified, and already processed: answer 200, change nothing
    ├── PaymentMismatch           the gateway's payment does not fit the order: never mark it paid
    │   ├── AmountMismatch
    │   ├── CurrencyMismatch
    │   ├── ReferenceMismatch
    │   └── ModeMismatch              a test-mode payment reached a live shop
    ├── PaymentNotConfirmed       the notification says paid, the gateway's API does not: while
    │                             pending, retryable (answer non-200, or poll `confirm` later)
    ├── RefundNotSupported        this gateway cannot refund through its API
    ├── UnknownPaymentReference   no payment attempt of this shop has the reference: not ours
    ├── OrderNotPayable           the order cannot take a payment now (cash, paid, closed)
    └── GatewayError              the gateway did not take a request (`status`, `gateway_code`)
        ├── GatewayTransient          retry later with backoff                    retryable
        │   ├── GatewayUnreachable        no HTTP answer (connect, TLS, timeout)
        │   └── GatewayUnavailable        HTTP 5xx or 429
        ├── GatewayAuthError          the key is wrong or for the other mode: fix the settings
        ├── PaymentNotFound           the gateway does not know this reference
        └── GatewayRejected           the request is invalid for the gateway (permanent)
            └── DuplicateReference        the reference was used before: start a new attempt

`retryable` says whether sending the same request later can succeed.
"""

from __future__ import annotations

from typing import ClassVar

from commerce.errors import CommerceError, InvalidInput, NotFound, Refused

__all__ = [
    "AmountMismatch",
    "CurrencyMismatch",
    "DuplicateReference",
    "GatewayAuthError",
    "GatewayError",
    "GatewayRejected",
    "GatewayTransient",
    "GatewayUnavailable",
    "GatewayUnreachable",
    "InvalidSignature",
    "MalformedNotification",
    "MissingSignature",
    "ModeMismatch",
    "NotificationRejected",
    "OrderNotPayable",
    "PaymentError",
    "PaymentInputError",
    "PaymentMismatch",
    "PaymentNotConfirmed",
    "PaymentNotFound",
    "ReferenceMismatch",
    "RefundNotSupported",
    "ReplayedNotification",
    "UnknownPaymentReference",
]


class PaymentError(CommerceError):
    """Base of every error raised by `commerce.payments`."""

    code: ClassVar[str] = "payment.error"
    retryable: bool = False

    def __init__(self, message: str, *, gateway: str | None = None) -> None:
        super().__init__(message)
        self.gateway = gateway


class PaymentInputError(PaymentError, InvalidInput):
    code: ClassVar[str] = "payment.invalid_input"


class NotificationRejected(PaymentError):
    """The notification is not proven to come from the gateway; it must change nothing."""

    code: ClassVar[str] = "payment.notification_rejected"


class MissingSignature(NotificationRejected):
    code: ClassVar[str] = "payment.signature_missing"


class InvalidSignature(NotificationRejected):
    code: ClassVar[str] = "payment.signature_invalid"


class MalformedNotification(NotificationRejected):
    code: ClassVar[str] = "payment.notification_malformed"


class ReplayedNotification(PaymentError):
    """A verified notification that was already processed (the gateways re-send on purpose)."""

    code: ClassVar[str] = "payment.notification_replayed"

    def __init__(self, message: str, *, gateway: str | None = None, dedupe_key: str) -> None:
        super().__init__(message, gateway=gateway)
        self.dedupe_key = dedupe_key


class PaymentMismatch(PaymentError):
    """The payment the gateway holds does not fit the order."""

    code: ClassVar[str] = "payment.mismatch"


class AmountMismatch(PaymentMismatch):
    code: ClassVar[str] = "payment.amount_mismatch"


class CurrencyMismatch(PaymentMismatch):
    code: ClassVar[str] = "payment.currency_mismatch"


class ReferenceMismatch(PaymentMismatch):
    code: ClassVar[str] = "payment.reference_mismatch"


class ModeMismatch(PaymentMismatch):
    code: ClassVar[str] = "payment.test_mode"


class PaymentNotConfirmed(PaymentError):
    """Retryable while the gateway's state may still change (pending, abandoned); not once it
    failed, was cancelled or reversed: then acknowledge and hold the order for a person."""

    code: ClassVar[str] = "payment.not_confirmed"

    def __init__(self, message: str, *, gateway: str | None = None, retryable: bool) -> None:
        super().__init__(message, gateway=gateway)
        self.retryable = retryable


class RefundNotSupported(PaymentError):
    code: ClassVar[str] = "payment.refund_not_supported"


class UnknownPaymentReference(PaymentError, NotFound):
    """A verified notification for a reference this shop never started (e.g. a sale made
    elsewhere on the same merchant account): acknowledge it, change nothing."""

    code: ClassVar[str] = "payment.unknown_reference"


class OrderNotPayable(PaymentError, Refused):
    code: ClassVar[str] = "payment.order_not_payable"


class GatewayError(PaymentError):
    """The gateway did not take a request. `status` is the HTTP status (None: no answer);
    `gateway_code` the gateway's own error code when it gave one."""

    code: ClassVar[str] = "payment.gateway_error"

    def __init__(
        self,
        message: str,
        *,
        gateway: str | None = None,
        status: int | None = None,
        gateway_code: str | None = None,
    ) -> None:
        super().__init__(message, gateway=gateway)
        self.status = status
        self.gateway_code = gateway_code

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({str(self)!r}, gateway={self.gateway!r}, "
            f"status={self.status}, gateway_code={self.gateway_code!r})"
        )


class GatewayTransient(GatewayError):
    code: ClassVar[str] = "payment.gateway_transient"
    retryable = True


class GatewayUnreachable(GatewayTransient):
    code: ClassVar[str] = "payment.gateway_unreachable"


class GatewayUnavailable(GatewayTransient):
    code: ClassVar[str] = "payment.gateway_unavailable"


class GatewayAuthError(GatewayError):
    code: ClassVar[str] = "payment.gateway_auth"


class PaymentNotFound(GatewayError, NotFound):
    code: ClassVar[str] = "payment.not_found"


class GatewayRejected(GatewayError):
    code: ClassVar[str] = "payment.gateway_rejected"


class DuplicateReference(GatewayRejected):
    code: ClassVar[str] = "payment.duplicate_reference"
