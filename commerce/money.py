"""Money as integer cents (ZAR). No floats anywhere: parsing goes through `Decimal` and refuses
fractions of a cent, so totals, delivery fees and change are exact."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from commerce.errors import InsufficientTender, InvalidInput

# "R45.99", "45,99", "R 1 200", "1200.5": what shoppers and merchants type in chat.
_AMOUNT = re.compile(r"^[Rr]?\s*(?P<number>[0-9][0-9 ]*(?:[.,][0-9]{1,2})?)$")
MAX_CENTS = 10**11  # R1 000 000 000: far above any shop order, far below bigint


def parse_cents(raw: str) -> int:
    """An amount typed in chat as integer cents; refuses anything ambiguous."""
    match = _AMOUNT.match(raw.strip())
    if match is None:
        raise InvalidInput(f"amount {raw!r} must look like R45.99 or 45,99")
    number = match["number"].replace(" ", "").replace(",", ".")
    try:
        cents = Decimal(number) * 100
    except InvalidOperation as exc:  # pragma: no cover - the pattern already excludes these
        raise InvalidInput(f"amount {raw!r} is not a number") from exc
    return _checked(int(cents), raw)


def line_total(unit_price_cents: int, quantity: int) -> int:
    if unit_price_cents < 0 or quantity <= 0:
        raise InvalidInput(
            f"a line needs a price >= 0 and a quantity >= 1, got {unit_price_cents} x {quantity}"
        )
    return _checked(unit_price_cents * quantity, f"{unit_price_cents} x {quantity}")


def total(amounts: Iterable[int]) -> int:
    return _checked(sum(amounts), "total")


def change_due(due_cents: int, tendered_cents: int) -> int:
    """Change to hand back for cash; refuses a tender that does not cover the amount due."""
    if due_cents < 0 or tendered_cents < 0:
        raise InvalidInput(
            f"amounts must not be negative (due {due_cents}, tendered {tendered_cents})"
        )
    if tendered_cents < due_cents:
        raise InsufficientTender(due_cents, tendered_cents)
    return tendered_cents - due_cents


def _checked(cents: int, what: str) -> int:
    if not 0 <= cents <= MAX_CENTS:
        raise InvalidInput(f"amount {what} is out of range (0 to {MAX_CENTS} cents)")
    return cents
