"""Reading a catalogue CSV: prices as spreadsheets write them, one error per bad row."""

from __future__ import annotations

import pytest

from commerce.catalog_import import MAX_ROWS, parse_catalog, parse_price
from commerce.errors import InvalidInput


@pytest.mark.parametrize(
    ("text", "cents"),
    [("15.99", 1599), ("R15,99", 1599), ("r 1 250.50", 125050), ("1,250.50", 125050), ("7", 700)],
)
def test_prices(text: str, cents: int) -> None:
    assert parse_price(text) == cents


@pytest.mark.parametrize("text", ["", "free", "-1", "1.999", "NaN", "1e99"])
def test_bad_prices(text: str) -> None:
    with pytest.raises(ValueError, match="price"):
        parse_price(text)


def test_rows_are_read_with_their_line_numbers() -> None:
    parsed = parse_catalog(
        "sku,name_en,price,aliases_zu\n"
        "bread,Bread,15.99,isinkwa|isinkwa esimhlophe\n"
        "\n"
        "milk,Milk,21.99,,extra-cell\n"
        "eggs,Eggs,nope,\n"
    )
    [(line, bread)] = parsed.products
    assert (line, bread.sku, bread.price_cents) == (2, "BREAD", 1599)
    assert bread.aliases == {"zu": ("isinkwa", "isinkwa esimhlophe")}
    assert [(e.line, e.sku, e.column) for e in parsed.errors] == [
        (4, "MILK", None),
        (5, "EGGS", "price"),
    ]


def test_files_that_cannot_be_read_are_refused() -> None:
    with pytest.raises(InvalidInput, match="empty"):
        parse_catalog("")
    with pytest.raises(InvalidInput, match="name_en, price"):
        parse_catalog("sku\nA\n")
    rows = "".join(f"S{i},Name,1.00\n" for i in range(MAX_ROWS + 1))
    with pytest.raises(InvalidInput, match="split"):
        parse_catalog("sku,name_en,price\n" + rows)
