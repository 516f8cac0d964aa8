"""Reading the merchant's and the catalogue's inputs from the tracker: amounts, counts, which
product, which order, which category.

This turn's entities come before slots: a slot may be left over from an earlier turn, and a
price change must land on the product named now. Values arrive as the NLU normalises them
(money in integer cents, counts as numbers) or as typed text ("R15.99", "order:A-0001").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from actions.registry import ActionContext
from commerce.errors import InvalidInput
from commerce.money import parse_cents

MAX_COUNT = 100_000
_WHOLE = re.compile(r"^[+-]?[0-9]+$")


def entities(ctx: ActionContext) -> Iterator[dict[str, Any]]:
    for entity in ctx.call.tracker.latest_message.get("entities") or []:
        if isinstance(entity, dict):
            yield entity


def this_turn(ctx: ActionContext, name: str) -> Any:
    """The value of this turn's entity `name`, or None."""
    return next((e.get("value") for e in entities(ctx) if e.get("entity") == name), None)


def latest(ctx: ActionContext, name: str) -> Any:
    """This turn's entity, else the slot."""
    found = this_turn(ctx, name)
    return found if found is not None else ctx.call.tracker.slots.get(name)


def text(raw: Any, *, limit: int = 100) -> str | None:
    if raw is None or isinstance(raw, bool | dict | list):
        return None
    clean = " ".join(str(raw).split())[:limit]
    return clean or None


def identifier(raw: Any, kind: str) -> str | None:
    """`A-0001` from `A-0001` or a list-row id `order:A-0001` (kind "order")."""
    clean = text(raw)
    if clean is None:
        return None
    prefix, colon, rest = clean.partition(":")
    if colon and prefix.strip().casefold() == kind:
        return rest.strip() or None
    return clean


def number_id(raw: Any, kind: str) -> int | None:
    """12 from 12, "12" or a list-row id "<kind>:12"; None for anything else."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw if raw > 0 else None
    found = identifier(raw, kind)
    return int(found) if found is not None and found.isdigit() and int(found) > 0 else None


def cents(raw: Any) -> int | None:
    """An amount in integer cents: the NLU's 1599 (or "1599"), or typed "R15.99" / "15.99"."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if raw >= 0 else None
    if isinstance(raw, float):
        raw = f"{raw:.2f}"  # a float can only be rands: cents are always whole
    clean = text(raw)
    if clean is None:
        return None
    if clean.isdigit():
        return int(clean)
    try:
        return parse_cents(clean)
    except InvalidInput:
        return None


def count(raw: Any, *, signed: bool = False) -> int | None:
    """A whole number of units ("5", 5, 5.0; "-3" or "+5" only when `signed`)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, int):
        number = raw
    else:
        clean = text(raw)
        if clean is None or not _WHOLE.match(clean):
            return None
        number = int(clean)
    if abs(number) > MAX_COUNT or (number < 0 and not signed):
        return None
    return number


def product_reference(ctx: ActionContext, *, slots: bool = True) -> int | str | None:
    """The product this turn names: an id (entity `product_id`, a list row, or the catalogue
    matcher's `product` entity carrying `product_id`), else the product's name as typed; then
    (unless `slots` is False) the same from slots. None when nothing names a product."""
    for entity in entities(ctx):
        if entity.get("entity") == "product_id":
            raw = entity.get("value")
        elif "product_id" in entity:  # the catalogue matcher's `product` entity
            raw = entity["product_id"]
        else:
            continue
        found = number_id(raw, "product")
        if found is not None:
            return found
    named = text(this_turn(ctx, "product"))
    if named is not None or not slots:
        return named
    kept = ctx.call.tracker.slots
    return number_id(kept.get("product_id"), "product") or text(kept.get("product"))
