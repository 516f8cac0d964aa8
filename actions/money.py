"""Formatting integer cents for chat. Rand amounts read the same in all three languages."""

from __future__ import annotations


def format_rand(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    rands, rest = divmod(abs(cents), 100)
    return f"{sign}R{rands}.{rest:02d}"
