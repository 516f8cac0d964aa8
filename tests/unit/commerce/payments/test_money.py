"""References and amounts: what both gateways accept, converted exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest

from commerce.errors import InvalidInput
from commerce.payments.errors import PaymentInputError
from commerce.payments.money import (
    cents_to_rand_text,
    check_amount,
    check_reference,
    payment_reference,
    rand_to_cents,
)


def test_payment_reference_is_safe_and_per_attempt() -> None:
    assert payment_reference("spaza-01", 123) == "SPAZA01-123-1"
    assert payment_reference("Mama's Spaza!", "00042", attempt=3) == "MAMASSPAZA-00042-3"


@pytest.mark.parametrize(
    ("shop", "order", "attempt"), [("", 1, 1), ("shop", "---", 1), ("shop", 1, 0)]
)
def test_payment_reference_refuses_empty_parts(shop: str, order: str | int, attempt: int) -> None:
    with pytest.raises(PaymentInputError):
        payment_reference(shop, order, attempt)


@pytest.mark.parametrize("reference", ["", "a b", "x/../y", "ref?x=1", "é", "R" * 51])
def test_bad_references_are_refused_with_the_rule(reference: str) -> None:
    with pytest.raises(PaymentInputError, match="A-Z, a-z, 0-9"):
        check_reference(reference)


def test_input_errors_are_commerce_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        check_amount(0)


@pytest.mark.parametrize("amount", [0, -1, True, 1.5, "100"])
def test_amounts_must_be_positive_whole_cents(amount: object) -> None:
    with pytest.raises(PaymentInputError, match="positive whole number of cents"):
        check_amount(amount)  # type: ignore[arg-type]


def test_amount_maximum() -> None:
    assert check_amount(999_999_999, maximum=999_999_999) == 999_999_999
    with pytest.raises(PaymentInputError, match="maximum"):
        check_amount(1_000_000_000, maximum=999_999_999)


@pytest.mark.parametrize(
    ("cents", "text"), [(1, "0.01"), (500, "5.00"), (14990, "149.90"), (999_999_999, "9999999.99")]
)
def test_rand_text_round_trip(cents: int, text: str) -> None:
    assert cents_to_rand_text(cents) == text
    assert rand_to_cents(text) == cents


@pytest.mark.parametrize(
    ("value", "cents"), [("149.9", 14990), (Decimal("149.9"), 14990), (149, 14900), (" 5.00 ", 500)]
)
def test_rand_to_cents_accepts_text_decimal_int(value: str | Decimal | int, cents: int) -> None:
    assert rand_to_cents(value) == cents


@pytest.mark.parametrize("value", ["1.001", "abc", "", "NaN", "Infinity", 149.9, True])
def test_rand_to_cents_refuses_the_rest(value: object) -> None:
    with pytest.raises(ValueError, match="amount"):
        rand_to_cents(value)  # type: ignore[arg-type]
