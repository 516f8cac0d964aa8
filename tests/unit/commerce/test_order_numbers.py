"""Order numbers people can read out: A-0001 … Z-9999, AA-0001 …"""

from __future__ import annotations

import re

import pytest

from commerce.errors import InvalidInput
from commerce.order_numbers import format_number, normalise_number


@pytest.mark.parametrize(
    ("sequence", "number"),
    [
        (1, "A-0001"),
        (42, "A-0042"),
        (9999, "A-9999"),
        (10000, "B-0001"),
        (26 * 9999, "Z-9999"),
        (26 * 9999 + 1, "AA-0001"),
        (27 * 9999 + 1, "AB-0001"),
    ],
)
def test_numbers_count_in_blocks_of_letters(sequence: int, number: str) -> None:
    assert format_number(sequence) == number
    assert re.fullmatch(r"[A-Z]+-[0-9]{4}", number)  # the column's CHECK


def test_numbers_never_repeat_over_a_long_life() -> None:
    numbers = {format_number(n) for n in range(1, 60 * 9999, 97)}
    assert len(numbers) == len(range(1, 60 * 9999, 97))


@pytest.mark.parametrize("typed", ["a42", "A-42", " a-0042 ", "A 0042", "A0042"])
def test_what_shoppers_type_finds_the_order(typed: str) -> None:
    assert normalise_number(typed) == "A-0042"


@pytest.mark.parametrize("typed", ["", "42", "A-", "A-00000", "A-0000", "#A1", "\u0627-1"])
def test_other_input_is_refused(typed: str) -> None:
    with pytest.raises(InvalidInput, match="must look like A-0042"):
        normalise_number(typed)
    with pytest.raises(InvalidInput):
        format_number(0)
