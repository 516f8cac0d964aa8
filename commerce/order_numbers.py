"""Human-friendly order numbers per shop: A-0001 … A-9999, B-0001 … Z-9999, AA-0001 …

Short enough to read out over the phone and type in chat. They come from a per-shop counter
row, updated in the order's own transaction: a rolled-back checkout leaves no gap, and two
shops never share a sequence.
"""

from __future__ import annotations

import re
from uuid import UUID

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from commerce.errors import InvalidInput
from commerce.schema_orders import order_counters

BLOCK = 9999
_NUMBER = re.compile(r"^([A-Z]+)-?([0-9]{1,4})$")


def _letters(block: int) -> str:
    """0 → A, 25 → Z, 26 → AA (bijective base 26, like spreadsheet columns)."""
    letters = ""
    block += 1
    while block:
        block, rest = divmod(block - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def format_number(sequence: int) -> str:
    if sequence < 1:
        raise InvalidInput(f"order sequence must start at 1, got {sequence}")
    block, rest = divmod(sequence - 1, BLOCK)
    return f"{_letters(block)}-{rest + 1:04d}"


def normalise_number(raw: str) -> str:
    """What a shopper types ("a42", "A-042", " a-0042 ") as the stored form ("A-0042")."""
    match = _NUMBER.match(raw.strip().upper().replace(" ", ""))
    if match is None or int(match[2]) == 0:
        raise InvalidInput(f"order number {raw!r} must look like A-0042")
    return f"{match[1]}-{int(match[2]):04d}"


async def next_number(conn: AsyncConnection, tenant_id: UUID) -> str:
    """The shop's next order number (locks the shop's counter until the transaction ends)."""
    statement = insert(order_counters).values(tenant_id=tenant_id, last_number=1)
    sequence = await conn.scalar(
        statement.on_conflict_do_update(
            index_elements=[order_counters.c.tenant_id],
            set_={"last_number": order_counters.c.last_number + 1},
        ).returning(order_counters.c.last_number)
    )
    return format_number(int(sequence))
