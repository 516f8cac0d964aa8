"""Finding products by what people type: a name or alias in any language, in any of them.

Shoppers type whole sentences ("do you have brown bread?"), so a search scores each product:
the whole phrase found in one of its names or aliases counts most, then each word found.
Matching is a case-insensitive substring match (ILIKE, the typed text escaped) over every name
and alias in the JSONB columns; a shop's catalogue is small (hundreds of rows), so this needs
no search index. NUL characters are dropped from what was typed (PostgreSQL refuses them).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import ColumnElement, Text, case, exists, func, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from commerce.catalog import Product, product_from_row
from commerce.db import tenant_transaction
from commerce.schema import products
from commerce.text import without_nul

MAX_QUERY = 100
MAX_WORDS = 6
PHRASE_WEIGHT = 100  # the whole phrase outranks any number of single words
# Request words that would match product names by accident ("have" in "Havells").
FILLER = frozenset(
    (
        *("the", "and", "you", "have", "any", "for", "with", "please", "want", "need"),
        *("how", "much", "what", "are", "there", "some"),
        *("ngicela", "sicela", "ngifuna", "ufuna", "unayo", "unawo", "kukhona", "ikhona"),
        *("malini", "yimalini", "imalini", "kopa", "batla", "bokae", "teng"),
    )
)
_WORD = re.compile(r"[^\W_]{3,}")


def _texts(column: ColumnElement[object], path: str) -> ColumnElement[str]:
    """Each string a JSONB column holds at `path` (a constant), as a set-returning column."""
    found = func.jsonb_path_query(column, literal_column(f"'{path}'::jsonpath")).column_valued("v")
    return found.op("#>>", return_type=Text)(literal_column("'{}'::text[]"))


def _any_name(test: Callable[[ColumnElement[str]], ColumnElement[bool]]) -> ColumnElement[bool]:
    """One of the product's names, or of its aliases in any language, passes `test`.
    (`$.*[*]` in lax mode visits every alias, and takes a lone string as one alias.)"""
    names, aliases = _texts(products.c.names, "$.*"), _texts(products.c.aliases, "$.*[*]")
    return or_(exists().where(test(names)), exists().where(test(aliases)))


def _contains(term: str) -> ColumnElement[bool]:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return _any_name(lambda name: name.ilike(f"%{escaped}%"))


def _equals(term: str) -> ColumnElement[bool]:
    return _any_name(lambda name: func.lower(name) == func.lower(term))


@dataclass(frozen=True, slots=True)
class SearchTerms:
    phrase: str
    words: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.phrase


def search_terms(query: str) -> SearchTerms:
    """The phrase (spaces normalised) and its content words (3+ letters, no filler words)."""
    phrase = " ".join(without_nul(query).split())[:MAX_QUERY]
    words: list[str] = []
    for word in _WORD.findall(phrase.casefold()):
        if word not in FILLER and word not in words:
            words.append(word)
    return SearchTerms(phrase, tuple(words[:MAX_WORDS]))


async def search_products(
    engine: AsyncEngine, tenant_id: UUID, query: str, *, limit: int = 10
) -> list[Product]:
    """Active products whose names or aliases (any language) contain the query or its words,
    best match first, then cheapest."""
    return [product for product, _ in await _scored(engine, tenant_id, query, limit)]


async def _scored(
    engine: AsyncEngine, tenant_id: UUID, query: str, limit: int
) -> list[tuple[Product, int]]:
    terms = search_terms(query)
    if terms.empty:
        return []
    score: ColumnElement[int] = case((_contains(terms.phrase), PHRASE_WEIGHT), else_=0)
    for word in _split(terms):
        score = score + case((_contains(word), 1), else_=0)
    scored = (
        select(products, score.label("score"))
        .where(products.c.tenant_id == tenant_id, products.c.active.is_(True))
        .subquery()
    )
    statement = (
        select(scored)
        .where(scored.c.score > 0)
        .order_by(scored.c.score.desc(), scored.c.price_cents, scored.c.sku)
        .limit(limit)
    )
    async with tenant_transaction(engine, tenant_id) as conn:
        rows = await conn.execute(statement)
        return [(product_from_row(row), int(row.score)) for row in rows]


async def products_named(
    conn: AsyncConnection,
    tenant_id: UUID,
    name: str,
    *,
    active_only: bool = True,
    lock: bool = False,
) -> list[Product]:
    """Products with exactly this name or alias in some language (case-insensitive); at most
    two, which is enough to tell "one" from "several"."""
    query = select(products).where(products.c.tenant_id == tenant_id, _equals(without_nul(name)))
    if active_only:
        query = query.where(products.c.active.is_(True))
    query = query.order_by(products.c.active.desc(), products.c.id).limit(2)
    rows = await conn.execute(query.with_for_update() if lock else query)
    return [product_from_row(row) for row in rows]


def _split(terms: SearchTerms) -> tuple[str, ...]:
    """The words to score one by one: none when the phrase is that one word already."""
    if terms.words == (terms.phrase.casefold(),):
        return ()
    return terms.words


async def find_product_by_name(engine: AsyncEngine, tenant_id: UUID, name: str) -> Product | None:
    """The one product a merchant means by a name: an exact name or alias (any language), else
    the single best search match that contains the whole phrase or all its words. None when
    nothing or several match equally: a price change must never land on a guess."""
    clean = " ".join(without_nul(name).split())[:MAX_QUERY]
    if not clean:
        return None
    async with tenant_transaction(engine, tenant_id) as conn:
        exact = await products_named(conn, tenant_id, clean)
    if exact:
        return exact[0] if len(exact) == 1 else None
    found = await _scored(engine, tenant_id, clean, 2)
    if not found:
        return None
    (best, score), rest = found[0], found[1:]
    whole = score >= PHRASE_WEIGHT or score == len(_split(search_terms(clean)))
    unique = not rest or rest[0][1] < score
    return best if whole and unique else None
