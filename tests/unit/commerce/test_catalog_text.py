"""SKUs from product names and search terms from what shoppers type."""

from __future__ import annotations

import pytest

from commerce.catalog_admin import derive_sku
from commerce.catalog_search import search_terms
from commerce.errors import InvalidInput


@pytest.mark.parametrize(
    ("name", "sku"),
    [
        ("Amasi 2L (Clover)", "AMASI-2L-CLOVER"),
        ("  white bread ", "WHITE-BREAD"),
        ("Tswekere 2kg", "TSWEKERE-2KG"),
        ("Crème soda", "CREME-SODA"),
        ("a" * 60, "A" * 40),
    ],
)
def test_skus_come_from_names(name: str, sku: str) -> None:
    assert derive_sku(name) == sku


def test_a_name_without_letters_or_digits_has_no_sku() -> None:
    with pytest.raises(InvalidInput, match="letters or digits"):
        derive_sku("!!!")


def test_search_terms_keep_the_phrase_and_the_content_words() -> None:
    terms = search_terms("  Do you have   WHITE bread? ")
    assert terms.phrase == "Do you have WHITE bread?"
    assert terms.words == ("white", "bread")
    assert search_terms("ngicela isinkwa").words == ("isinkwa",)
    assert search_terms("x" * 500).phrase == "x" * 100
    assert search_terms("   ").empty
