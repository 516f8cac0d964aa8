"""What the catalogue matcher returns: ranked candidates, grouped by the words they cover."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

Method = Literal["exact", "inflected", "fuzzy"]

# Top score per method, so any exact match outranks any inflected one, and that any fuzzy one.
METHOD_WEIGHT: dict[Method, float] = {"exact": 1.0, "inflected": 0.95, "fuzzy": 0.9}
EXACT_CORE = 0.97  # a name without its size ("milk" for "Milk 1L"): "Milk" itself wins


@dataclass(frozen=True, slots=True)
class Proposal:
    """A span the NLU tagged `product`, with its (possibly normalised) value."""

    start: int
    end: int
    value: str

    @classmethod
    def from_entity(cls, entity: Mapping[str, Any], text: str) -> Proposal | None:
        """From a Rasa entity dict; without offsets, the value is looked up in the text."""
        value = str(entity.get("value") or "")
        start, end = entity.get("start"), entity.get("end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
            return cls(start, end, value or text[start:end])
        found = text.lower().find(value.lower()) if value else -1
        return cls(found, found + len(value), value) if found >= 0 else None

    def covers(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end


@dataclass(frozen=True, slots=True)
class Candidate:
    product_id: int
    sku: str
    start: int  # character offsets of the matched words in the text
    end: int
    text: str  # the words as the shopper wrote them
    term: str  # the catalogue name or alias they matched (folded)
    language: str  # the language of that name or alias
    method: Method
    score: float  # 0-1; exact 1.0, inflected 0.95, fuzzy at most 0.9
    proposed: bool = False  # inside a span the NLU tagged `product`

    def moved(self, start: int, end: int, text: str) -> Candidate:
        return replace(self, start=start, end=end, text=text, proposed=True)


@dataclass(frozen=True, slots=True)
class Mention:
    """Words that name a product, and the products they may mean (best first)."""

    start: int
    end: int
    text: str
    candidates: tuple[Candidate, ...]

    @property
    def ambiguous(self) -> bool:
        """More than one product fits equally well: ask the shopper which."""
        first, *rest = self.candidates
        return bool(rest) and rest[0].score == first.score


@dataclass(frozen=True, slots=True)
class ProductMatches:
    candidates: tuple[Candidate, ...]  # best first
    unmatched: tuple[Proposal, ...] = ()  # NLU product spans that fit no product of this shop

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    def mentions(self) -> tuple[Mention, ...]:
        """Candidates grouped by the words they cover, in the order of the text."""
        spans: dict[tuple[int, int], list[Candidate]] = {}
        for candidate in self.candidates:
            spans.setdefault((candidate.start, candidate.end), []).append(candidate)
        return tuple(
            Mention(start, end, found[0].text, tuple(found))
            for (start, end), found in sorted(spans.items())
        )


def score(method: Method, similarity: float) -> float:
    """A candidate's score from how it matched and how closely (0-1)."""
    return round(METHOD_WEIGHT[method] * similarity, 4)


def rank(candidates: Iterable[Candidate]) -> tuple[Candidate, ...]:
    """Best first, one candidate per product and span (the best-scoring one)."""
    best: dict[tuple[int, int, int], Candidate] = {}
    for candidate in candidates:
        key = (candidate.product_id, candidate.start, candidate.end)
        known = best.get(key)
        if known is None or _order(candidate) < _order(known):
            best[key] = candidate
    return tuple(sorted(best.values(), key=_order))


def _order(candidate: Candidate) -> tuple[float, bool, int, int, str]:
    return (
        -candidate.score,
        not candidate.proposed,
        candidate.start,
        candidate.product_id,
        candidate.language,
    )
