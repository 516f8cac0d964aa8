"""Proofs of origin: Paystack's webhook HMAC and Ozow's SHA-512 hashes.

Paystack: ``x-paystack-signature`` = lowercase hex HMAC-SHA512 of the *raw* request bytes, keyed
with the secret API key of the same mode. Re-serialised JSON gives other bytes and so another
signature, hence the raw body.

Ozow: not an HMAC. Concatenate the field values in the documented order (absent or empty
fields add nothing), append the private key, lowercase the whole string, SHA-512, lowercase
hex. The request (``HashCheck``) and the notification (``Hash``) use different orders.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping

from commerce.payments.errors import InvalidSignature, MissingSignature

__all__ = [
    "OZOW_NOTIFICATION_ORDER",
    "OZOW_REQUEST_ORDER",
    "PAYSTACK_SIGNATURE_HEADER",
    "ozow_hash",
    "ozow_notification_hash",
    "ozow_request_hash",
    "paystack_signature",
    "verify_ozow_hash",
    "verify_paystack_signature",
]

PAYSTACK_SIGNATURE_HEADER = "x-paystack-signature"

OZOW_REQUEST_ORDER: tuple[str, ...] = (
    "SiteCode",
    "CountryCode",
    "CurrencyCode",
    "Amount",
    "TransactionReference",
    "BankReference",
    "Optional1",
    "Optional2",
    "Optional3",
    "Optional4",
    "Optional5",
    "Customer",
    "CancelUrl",
    "ErrorUrl",
    "SuccessUrl",
    "NotifyUrl",
    "IsTest",
)

OZOW_NOTIFICATION_ORDER: tuple[str, ...] = (
    "SiteCode",
    "TransactionId",
    "TransactionReference",
    "Amount",
    "Status",
    "Optional1",
    "Optional2",
    "Optional3",
    "Optional4",
    "Optional5",
    "CurrencyCode",
    "IsTest",
    "StatusMessage",
)


def _require_key(key: str, what: str) -> bytes:
    if not key:
        # An empty key makes the proof computable by anyone: a misconfiguration, not a request.
        raise ValueError(f"the {what} is empty; set it from the gateway's merchant dashboard")
    return key.encode()


def _same_hex(expected: str, received: str) -> bool:
    # Bytes, because compare_digest refuses non-ASCII str and the value is attacker-controlled.
    received_bytes = received.strip().lower().encode("utf-8", "replace")
    return hmac.compare_digest(expected.encode(), received_bytes)


def paystack_signature(raw_body: bytes, secret_key: str) -> str:
    key = _require_key(secret_key, "Paystack secret key")
    return hmac.new(key, raw_body, hashlib.sha512).hexdigest()


def verify_paystack_signature(raw_body: bytes, header: str | None, secret_key: str) -> None:
    """Raise unless `header` is Paystack's signature of exactly these bytes."""
    expected = paystack_signature(raw_body, secret_key)
    if not header:
        raise MissingSignature(
            f"the {PAYSTACK_SIGNATURE_HEADER} header is missing; Paystack signs every webhook, "
            "so this request did not come from Paystack",
            gateway="paystack",
        )
    if not _same_hex(expected, header):
        raise InvalidSignature(
            f"the {PAYSTACK_SIGNATURE_HEADER} header does not match the body; check that the "
            "secret key is the one of the same mode (test or live) and that the HMAC is taken "
            "over the raw request bytes, before any JSON parsing",
            gateway="paystack",
        )


def ozow_hash(values: Iterable[str], private_key: str) -> str:
    key = _require_key(private_key, "Ozow private key").decode()
    text = ("".join(values) + key).lower()
    return hashlib.sha512(text.encode("utf-8")).hexdigest()


def _in_order(fields: Mapping[str, str], order: tuple[str, ...]) -> list[str]:
    return [fields.get(name) or "" for name in order]


def ozow_request_hash(fields: Mapping[str, str], private_key: str) -> str:
    """``HashCheck`` for a payment request; `fields` hold the values exactly as posted."""
    return ozow_hash(_in_order(fields, OZOW_REQUEST_ORDER), private_key)


def ozow_notification_hash(fields: Mapping[str, str], private_key: str) -> str:
    """``Hash`` of a notification; `fields` hold the values exactly as received."""
    return ozow_hash(_in_order(fields, OZOW_NOTIFICATION_ORDER), private_key)


def verify_ozow_hash(expected: str, received: str | None, *, field: str = "Hash") -> None:
    """Raise unless `received` equals `expected` (case-insensitive, constant time)."""
    if not received:
        raise MissingSignature(
            f"the Ozow {field} field is missing; Ozow hashes every notification, so this "
            "request did not come from Ozow",
            gateway="ozow",
        )
    if not _same_hex(expected, received):
        raise InvalidSignature(
            f"the Ozow {field} does not match the posted fields; check the private key and "
            "that the fields are hashed as received (same Amount text, documented order)",
            gateway="ozow",
        )
