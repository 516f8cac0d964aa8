"""Catalogue import from CSV, with a report of every row that was refused and why.

Columns (header row required; order free; names case-insensitive)::

    sku, name_en, price                 required
    name_zu, name_st, unit              optional
    aliases_en, aliases_zu, aliases_st  optional, words separated by "|"

`price` is in rand as a spreadsheet writes it: "15.99", "R15,99", "1 250.00". Good rows are
written (added or updated by SKU) in one transaction; bad rows are reported with their line
number in the file and written not at all. Unknown columns are listed, never guessed at.
Lines may end in CRLF, LF or CR alone (Excel's "CSV (Macintosh)"). A file the csv reader
cannot read (a cell past its field limit) is refused whole, naming the line.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncEngine

from commerce import audit
from commerce.catalog import NewProduct, upsert_products
from commerce.db import tenant_transaction
from commerce.errors import InvalidInput
from commerce.text import NUL

__all__ = ["MAX_ROWS", "ImportReport", "RowError", "import_catalog", "parse_catalog"]

MAX_ROWS = 5000
LANGUAGES = ("en", "zu", "st")
REQUIRED = ("sku", "name_en", "price")
KNOWN = frozenset(
    {*REQUIRED, "name_zu", "name_st", "unit", *(f"aliases_{lang}" for lang in LANGUAGES)}
)
MAX_PRICE_CENTS = 2**31 - 1  # products.price_cents is an integer column
_MONEY_NOISE = re.compile(r"[\sRr]")


@dataclass(frozen=True, slots=True)
class RowError:
    line: int  # line in the file; the header is line 1
    sku: str | None
    column: str | None
    message: str


@dataclass(frozen=True, slots=True)
class ParsedCatalog:
    products: list[tuple[int, NewProduct]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportReport:
    rows: int
    imported: int
    errors: tuple[RowError, ...]
    ignored_columns: tuple[str, ...]
    dry_run: bool


def parse_price(text: str) -> int:
    """Rand text to cents; ValueError with the reason."""
    raw = _MONEY_NOISE.sub("", text)
    if "," in raw and "." in raw:
        raw = raw.replace(",", "")  # thousands separators
    elif "," in raw:
        raw = raw.replace(",", ".")  # a decimal comma
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"price {text!r} is not an amount in rand, e.g. 15.99") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"price {text!r} must be zero or more")
    if amount * 100 > MAX_PRICE_CENTS:
        raise ValueError(f"price {text!r} is too large")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"price {text!r} has fractions of a cent")
    return int(amount * 100)


def _row_product(row: dict[str, str]) -> NewProduct:
    for column, value in row.items():
        if column in KNOWN and NUL in value:  # PostgreSQL cannot store it
            raise _Refused(column, "the cell has a NUL character (U+0000); remove it")
    if not row.get("sku"):
        raise _Refused("sku", "the row has no SKU (a short code of your own, e.g. BREAD-WHITE)")
    if not row.get("name_en"):
        raise _Refused("name_en", "the row has no English name; other languages fall back to it")
    try:
        price = parse_price(row.get("price", ""))
    except ValueError as exc:
        raise _Refused("price", str(exc)) from None
    names = {lang: row.get(f"name_{lang}", "") for lang in LANGUAGES}
    aliases = {
        lang: tuple(w.strip() for w in row.get(f"aliases_{lang}", "").split("|") if w.strip())
        for lang in LANGUAGES
    }
    product = NewProduct(
        sku=row.get("sku", ""),
        names={lang: name for lang, name in names.items() if name.strip()},
        price_cents=price,
        unit=row.get("unit", "").strip() or "each",
        aliases={lang: words for lang, words in aliases.items() if words},
    )
    try:
        return product.validated()
    except InvalidInput as exc:
        raise _Refused(None, str(exc)) from None


class _Refused(Exception):
    def __init__(self, column: str | None, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


def parse_catalog(text: str) -> ParsedCatalog:
    """Rows of a catalogue CSV as products and per-row errors. Raises `InvalidInput` only for
    a file that cannot be read at all (no header, required columns missing, too many rows, a
    line the csv reader refuses)."""
    # newline="": the csv reader splits lines itself (CR alone too, and breaks inside quotes).
    source = io.StringIO(text.lstrip("\ufeff"), newline="")
    reader = csv.DictReader(source, restkey="__extra__")
    try:
        return _parse(reader)
    except csv.Error as exc:  # e.g. "field larger than field limit (131072)"
        line = reader.reader.line_num  # DictReader's own line_num lags behind on an error
        raise InvalidInput(f"line {line} of the CSV cannot be read: {exc}") from None


def _parse(reader: csv.DictReader[str]) -> ParsedCatalog:
    if not reader.fieldnames:
        raise InvalidInput("the CSV is empty: the first line must name the columns")
    columns = [name.strip().lower() for name in reader.fieldnames]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise InvalidInput(
            f"the CSV lacks the column(s) {', '.join(missing)}; the header needs at least "
            f"{', '.join(REQUIRED)}"
        )
    reader.fieldnames = columns
    parsed = ParsedCatalog(ignored_columns=tuple(c for c in columns if c not in KNOWN))
    first_line: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if len(parsed.products) + len(parsed.errors) >= MAX_ROWS:
            raise InvalidInput(f"the CSV has more than {MAX_ROWS} rows; split it into parts")
        values = {k: (v or "").strip() for k, v in row.items() if isinstance(v, str | None)}
        sku = values.get("sku", "").upper() or None
        if "__extra__" in row:
            parsed.errors.append(
                RowError(line, sku, None, "the row has more cells than the header")
            )
            continue
        if not any(values.values()):
            continue  # blank lines at the end of an exported sheet
        if sku is not None and sku in first_line:
            message = f"SKU {sku} is also on line {first_line[sku]}; keep one row per SKU"
            parsed.errors.append(RowError(line, sku, "sku", message))
            continue
        try:
            product = _row_product(values)
        except _Refused as exc:
            parsed.errors.append(RowError(line, sku, exc.column, exc.message))
            continue
        first_line[product.sku] = line
        parsed.products.append((line, product))
    return parsed


async def import_catalog(
    engine: AsyncEngine, tenant_id: UUID, text: str, *, actor: str, dry_run: bool = False
) -> ImportReport:
    """Write the good rows of a catalogue CSV (unless `dry_run`) and report the bad ones."""
    parsed = parse_catalog(text)
    products = [product for _, product in parsed.products]
    if products and not dry_run:
        await upsert_products(engine, tenant_id, products)
        async with tenant_transaction(engine, tenant_id) as conn:
            details = {"imported": len(products), "refused": len(parsed.errors)}
            await audit.record(conn, tenant_id, actor, "catalog.imported", "catalog", details)
    return ImportReport(
        rows=len(parsed.products) + len(parsed.errors),
        imported=0 if dry_run else len(products),
        errors=tuple(parsed.errors),
        ignored_columns=parsed.ignored_columns,
        dry_run=dry_run,
    )
