"""Text PostgreSQL can hold: never a NUL (U+0000), in text or jsonb, not even as a query
parameter. What shoppers type (a search, a delivery address) drops NUL characters; catalogue
and shop data is refused with `InvalidInput` when it has one.
"""

from __future__ import annotations

NUL = "\x00"


def without_nul(text: str) -> str:
    """Typed text fit for PostgreSQL: a NUL is a keyboard or app glitch, never what was meant."""
    return text.replace(NUL, "")
