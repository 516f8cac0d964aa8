"""Reading Ozow's notification bodies and status answers.

The notification's encoding is not documented beyond "posted": form-encoded is assumed, JSON
is accepted too (values kept as text, so the hash sees what was sent). The status API's object
is only partly confirmed (transactionId, transactionReference, currencyCode, amount, status),
and it may come as a list (Ozow allows duplicate references) or as one object.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

from commerce.payments._http import header_value
from commerce.payments.base import PaymentState
from commerce.payments.errors import MalformedNotification

__all__ = ["OzowTransaction", "notification_fields", "pick_transaction", "status_state"]

log = logging.getLogger(__name__)

_STATES = {
    "complete": PaymentState.PAID,
    "cancelled": PaymentState.CANCELLED,
    "error": PaymentState.FAILED,
    "abandoned": PaymentState.ABANDONED,
    "pendinginvestigation": PaymentState.NEEDS_REVIEW,
    "pending": PaymentState.PENDING,
}
# When one reference has several transactions, the one that tells most about the money wins.
_PRIORITY = ["complete", "pendinginvestigation", "pending"]


def status_state(status: str) -> PaymentState:
    state = _STATES.get(status.strip().lower())
    if state is None:
        log.warning("unknown Ozow status %r: treated as unknown (hold the order)", status)
        return PaymentState.UNKNOWN
    return state


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def notification_fields(
    raw_body: bytes, headers: Mapping[str, str], form: Mapping[str, str] | None
) -> dict[str, str]:
    if form is not None:
        return {str(key): _as_text(value) for key, value in form.items()}
    content_type = (header_value(headers, "content-type") or "").lower()
    try:
        text = raw_body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedNotification("the Ozow notification is not UTF-8", gateway="ozow") from exc
    if "json" in content_type:
        try:
            data = json.loads(text, parse_float=Decimal)
        except ValueError as exc:
            raise MalformedNotification(
                "the Ozow notification says JSON but is not", gateway="ozow"
            ) from exc
        if not isinstance(data, dict):
            raise MalformedNotification("the Ozow notification is not an object", gateway="ozow")
        return {str(key): _as_text(value) for key, value in data.items()}
    return dict(parse_qsl(text, keep_blank_values=True))


@dataclass(frozen=True, slots=True)
class OzowTransaction:
    transaction_id: str | None
    reference: str
    amount: str | Decimal | int
    status: str
    currency: str
    is_test: bool | None


def _get(item: Mapping[str, Any], key: str) -> Any:
    # Confirmed keys are camelCase; accept PascalCase too rather than miss a field.
    wanted = key.lower()
    return next((value for name, value in item.items() if name.lower() == wanted), None)


def _transaction(item: Any) -> OzowTransaction | None:
    if not isinstance(item, Mapping):
        return None
    amount, status = _get(item, "amount"), _get(item, "status")
    if not isinstance(amount, str | Decimal | int) or isinstance(amount, bool):
        return None
    if not isinstance(status, str):
        return None
    is_test = _get(item, "isTest")
    transaction_id = _get(item, "transactionId")
    return OzowTransaction(
        transaction_id=str(transaction_id) if transaction_id else None,
        reference=_as_text(_get(item, "transactionReference")),
        amount=amount,
        status=status,
        currency=(_as_text(_get(item, "currencyCode")) or "ZAR").upper(),
        is_test=_as_text(is_test).lower() == "true" if is_test is not None else None,
    )


def pick_transaction(payload: Any, reference: str) -> OzowTransaction | None:
    """The transaction for `reference` from a status answer (list or object), or None."""
    items = payload if isinstance(payload, list) else [payload]
    found = [
        t
        for t in map(_transaction, items)
        if t is not None and (not t.reference or t.reference == reference)
    ]
    if not found:
        return None

    def rank(transaction: OzowTransaction) -> int:
        status = transaction.status.strip().lower()
        return _PRIORITY.index(status) if status in _PRIORITY else len(_PRIORITY)

    return min(found, key=rank)
