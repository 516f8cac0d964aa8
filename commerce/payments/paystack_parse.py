"""Reading Paystack's answers and events, leniently where Paystack is inconsistent.

Refund amounts come as integers in some samples and strings in others; ``metadata`` may be an
object, ``""`` or ``0``. Unknown status words map to `UNKNOWN` with a warning, never a crash.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from commerce.payments.base import Notification, NotificationKind, PaymentState, RefundState
from commerce.payments.errors import (
    DuplicateReference,
    GatewayAuthError,
    GatewayError,
    GatewayRejected,
    MalformedNotification,
    PaymentNotFound,
)

__all__ = [
    "as_cents",
    "gateway_error",
    "notification_from_event",
    "refund_state",
    "transaction_state",
]

log = logging.getLogger(__name__)
NAME = "paystack"

_TRANSACTION_STATES = {
    "success": PaymentState.PAID,
    "abandoned": PaymentState.ABANDONED,
    "failed": PaymentState.FAILED,
    "ongoing": PaymentState.PENDING,
    "pending": PaymentState.PENDING,
    "processing": PaymentState.PENDING,
    "queued": PaymentState.PENDING,
    "reversed": PaymentState.REVERSED,
}

# A refund's status, seen from the payment it refunds.
_REFUND_EVENT_STATES = {
    "pending": PaymentState.PENDING,
    "processing": PaymentState.PENDING,
    "processed": PaymentState.REVERSED,
    "failed": PaymentState.FAILED,
    "needs-attention": PaymentState.NEEDS_REVIEW,
}

_REFUND_STATES = {
    "pending": RefundState.PENDING,
    "processing": RefundState.PENDING,
    "processed": RefundState.PROCESSED,
    "failed": RefundState.FAILED,
    "needs-attention": RefundState.NEEDS_ATTENTION,
}


def transaction_state(status: str) -> PaymentState:
    state = _TRANSACTION_STATES.get(status.lower())
    if state is None:
        log.warning("unknown Paystack transaction status %r: treated as unknown", status)
        return PaymentState.UNKNOWN
    return state


def refund_state(status: str) -> RefundState:
    state = _REFUND_STATES.get(status.lower())
    if state is None:
        log.warning("unknown Paystack refund status %r: treated as needing attention", status)
        return RefundState.NEEDS_ATTENTION
    return state


def as_cents(value: Any) -> int | None:
    """An amount in subunits from an int, a digit string or an integral Decimal; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return None


def gateway_error(status: int, payload: Any, action: str) -> GatewayError:
    """The error for a Paystack answer that is not a success (4xx, or 200 with status false)."""
    body = payload if isinstance(payload, dict) else {}
    message = str(body.get("message") or "no message")
    code = body.get("code") if isinstance(body.get("code"), str) else None
    text = f"Paystack refused {action} (HTTP {status}): {message}"
    if status == 401 or message.lower() == "invalid key":
        return GatewayAuthError(
            text + "; check the secret key, and that it is for the same mode (test or live)",
            gateway=NAME,
            status=status,
            gateway_code=code,
        )
    if status == 404 or "not found" in message.lower():
        # The spec says 404 "Entity not found"; live Paystack answers 400 "Transaction
        # reference not found", also for a test reference verified with a live key.
        return PaymentNotFound(text, gateway=NAME, status=status, gateway_code=code)
    if code == "duplicate_reference":
        return DuplicateReference(
            text + "; start a new payment attempt with a new reference",
            gateway=NAME,
            status=status,
            gateway_code=code,
        )
    return GatewayRejected(text, gateway=NAME, status=status, gateway_code=code)


def _text(data: dict[str, Any], key: str, event: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedNotification(f"the Paystack {event} event has no data.{key}", gateway=NAME)
    return value


def notification_from_event(payload: Any) -> Notification:
    """A `Notification` from a verified webhook body (already parsed)."""
    event = payload.get("event") if isinstance(payload, dict) else None
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(event, str) or not isinstance(data, dict):
        raise MalformedNotification(
            "the Paystack webhook body needs an 'event' string and a 'data' object", gateway=NAME
        )
    is_test = data.get("domain") == "test"
    raw_currency = data.get("currency")
    currency = raw_currency.upper() if isinstance(raw_currency, str) else None
    if event == "charge.success":
        reference = _text(data, "reference", event)
        amount = as_cents(data.get("amount"))
        if amount is None:
            raise MalformedNotification(
                f"the Paystack {event} event has no whole-number data.amount", gateway=NAME
            )
        return Notification(
            gateway=NAME,
            kind=NotificationKind.PAYMENT,
            event=event,
            reference=reference,
            state=transaction_state(str(data.get("status", "success"))),
            amount_cents=amount,
            currency=currency,
            is_test=is_test,
            dedupe_key=f"{NAME}:{event}:{reference}",
            gateway_transaction_id=str(data["id"]) if data.get("id") is not None else None,
        )
    if event.startswith("refund."):
        reference = _text(data, "transaction_reference", event)
        status = str(data.get("status", ""))
        return Notification(
            gateway=NAME,
            kind=NotificationKind.REFUND,
            event=event,
            reference=reference,
            state=_REFUND_EVENT_STATES.get(status.lower(), PaymentState.UNKNOWN),
            amount_cents=as_cents(data.get("amount")),
            currency=currency,
            is_test=is_test,
            dedupe_key=f"{NAME}:{event}:{reference}",
        )
    found = data.get("reference")
    reference = found if isinstance(found, str) else ""
    return Notification(
        gateway=NAME,
        kind=NotificationKind.OTHER,
        event=event,
        reference=reference,
        state=PaymentState.UNKNOWN,
        amount_cents=None,
        currency=currency,
        is_test=is_test,
        dedupe_key=f"{NAME}:{event}:{reference or data.get('id', '')}",
    )
