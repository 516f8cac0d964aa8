"""Money is integer cents: exact parsing, totals and change."""

from __future__ import annotations

import pytest

from commerce.errors import InsufficientTender, InvalidInput
from commerce.money import MAX_CENTS, change_due, line_total, parse_cents, total


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("R45.99", 4599),
        ("45,99", 4599),
        ("r 1 200", 120000),
        ("1200.5", 120050),
        ("0.10", 10),
        ("R0", 0),
        (" 7 ", 700),
    ],
)
def test_amounts_typed_in_chat_become_exact_cents(typed: str, cents: int) -> None:
    assert parse_cents(typed) == cents


@pytest.mark.parametrize("typed", ["", "R", "12.345", "-5", "abc", "1e3", "R12.3.4", "0.1.1"])
def test_ambiguous_amounts_are_refused(typed: str) -> None:
    with pytest.raises(InvalidInput, match=r"must look like R45\.99"):
        parse_cents(typed)


def test_floats_would_be_wrong_where_cents_are_right() -> None:
    assert 0.1 + 0.2 != 0.3
    assert total([parse_cents("0.10"), parse_cents("0.20")]) == parse_cents("0.30")
    assert line_total(1599, 3) == 4797


def test_change_for_cash_is_exact_and_never_negative() -> None:
    assert change_due(4797, 5000) == 203
    assert change_due(4797, 4797) == 0
    with pytest.raises(InsufficientTender, match="ask for 97 cents more") as caught:
        change_due(4797, 4700)
    assert (caught.value.due_cents, caught.value.tendered_cents) == (4797, 4700)
    assert isinstance(caught.value, InvalidInput)
    with pytest.raises(InvalidInput, match="must not be negative"):
        change_due(-1, 0)


def test_lines_and_totals_stay_in_range() -> None:
    with pytest.raises(InvalidInput, match="quantity >= 1"):
        line_total(100, 0)
    with pytest.raises(InvalidInput, match="out of range"):
        total([MAX_CENTS, 1])
