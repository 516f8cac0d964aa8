"""References and amounts, checked and converted in one place.

Paystack takes integer cents; Ozow takes rand as text with exactly two decimals, and its hash
covers that text, so "5" and "5.00" sign differently. Both conversions live here.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from commerce.payments.errors import PaymentInputError

__all__ = [
    "MAX_REFERENCE_LENGTH",
    "cents_to_rand_text",
    "check_amount",
    "check_reference",
    "payment_reference",
    "rand_to_cents",
]

# Paystack allows only "-", ".", "=" and alphanumerics; Ozow's TransactionReference is at most
# 50 characters. One rule that both accept keeps references portable between gateways.
MAX_REFERENCE_LENGTH = 50
_REFERENCE = re.compile(r"^[A-Za-z0-9.=-]{1,50}$")
_REFERENCE_PART = re.compile(r"[^A-Za-z0-9]+")
_CENT = Decimal("0.01")


def check_reference(reference: str) -> str:
    if not _REFERENCE.fullmatch(reference):
        raise PaymentInputError(
            f"payment reference {reference!r} is not accepted by the gateways: use 1 to "
            f"{MAX_REFERENCE_LENGTH} characters from A-Z, a-z, 0-9, '-', '.', '='"
        )
    return reference


def payment_reference(shop: str, order_id: int | str, attempt: int = 1) -> str:
    """A reference unique per payment attempt, e.g. ``SPAZA01-123-2``.

    Gateways refuse a reused reference, and a shopper may pay an order on a second try, so the
    attempt number is part of it.
    """
    if attempt < 1:
        raise PaymentInputError(f"attempt must be 1 or more, got {attempt}")
    parts = [_REFERENCE_PART.sub("", str(part)) for part in (shop, order_id)]
    if not all(parts):
        raise PaymentInputError(
            f"shop {shop!r} and order id {order_id!r} need at least one letter or digit each"
        )
    return check_reference(f"{parts[0].upper()}-{parts[1]}-{attempt}")


def check_amount(amount_cents: int, *, maximum: int | None = None) -> int:
    # bool is an int subclass; True cents is surely a bug.
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents <= 0:
        raise PaymentInputError(
            f"amount_cents must be a positive whole number of cents, got {amount_cents!r}"
        )
    if maximum is not None and amount_cents > maximum:
        raise PaymentInputError(f"amount_cents {amount_cents} is over the maximum {maximum}")
    return amount_cents


def cents_to_rand_text(amount_cents: int) -> str:
    """14990 -> "149.90" (Ozow's Amount, always two decimals)."""
    rand, cents = divmod(amount_cents, 100)
    return f"{rand}.{cents:02d}"


def rand_to_cents(value: str | Decimal | int) -> int:
    """ "149.90", "149.9", Decimal("149.9") or 149 -> cents. Raises ValueError on anything else,
    including fractions of a cent and floats (parse JSON with ``parse_float=Decimal``)."""
    if isinstance(value, bool | float):
        raise ValueError(f"amount {value!r} must be text or Decimal, not {type(value).__name__}")
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation as exc:
        raise ValueError(f"amount {value!r} is not a number") from exc
    if not amount.is_finite() or amount != amount.quantize(_CENT):
        raise ValueError(f"amount {value!r} is not a whole number of cents")
    return int(amount * 100)
