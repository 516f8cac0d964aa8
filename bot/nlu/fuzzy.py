"""Fuzzy fallback over a shop's catalogue terms, for misspellings ("bred", "sugr", "ubisy").

Scores are rapidfuzz's `fuzz.ratio` (0-100, insertions and deletions cost 1, a changed letter
costs 2). That suits typing on a phone: a dropped or doubled letter ("bred", "sugr", "breads")
scores high, while a changed letter in a short word scores low — and a changed letter is what
turns one real word into another ("sale"/"salt", "break"/"bread", "date"/"data").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process


@dataclass(frozen=True, slots=True)
class FuzzyPolicy:
    # Shorter words (typed or in the catalogue) must match exactly: "tea" is not "tee".
    min_length: int = 4
    # Anywhere in a message: one dropped/added letter in 4+ ("bred"), one changed letter in 7+.
    cutoff: float = 85.0
    # Inside a span the NLU proposed as a product, the context already says "product":
    # one changed letter in 5+ ("ubisy"), and the first letter may be wrong too.
    proposed_cutoff: float = 80.0


class FuzzyIndex:
    """Catalogue terms bucketed so a lookup compares against few strings."""

    def __init__(self, terms: Iterable[str], policy: FuzzyPolicy) -> None:
        self.policy = policy
        by_words: defaultdict[int, list[str]] = defaultdict(list)
        by_initial: defaultdict[tuple[int, str], list[str]] = defaultdict(list)
        joined: dict[str, str] = {}  # "mealiemeal" -> "mealie meal", for one-word typing
        for term in set(terms):
            if len(term) < policy.min_length:
                continue
            size = term.count(" ") + 1
            by_words[size].append(term)
            by_initial[(size, term[0])].append(term)
            if size > 1:
                joined.setdefault(term.replace(" ", ""), term)
        self._by_words = dict(by_words)
        self._by_initial = dict(by_initial)
        self._joined = joined
        self._joined_by_initial: defaultdict[str, list[str]] = defaultdict(list)
        for key in joined:
            self._joined_by_initial[key[0]].append(key)

    def lookup(self, query: str, *, proposed: bool = False) -> list[tuple[str, float]]:
        """Terms close to `query` (words joined by single spaces), best first."""
        if len(query) < self.policy.min_length:
            return []
        size = query.count(" ") + 1
        cutoff = self.policy.proposed_cutoff if proposed else self.policy.cutoff
        if proposed:
            choices = self._by_words.get(size, [])
            joined = list(self._joined) if size == 1 else []
        else:
            choices = self._by_initial.get((size, query[0]), [])
            joined = self._joined_by_initial.get(query[0], []) if size == 1 else []
        if not choices and not joined:
            return []
        found: dict[str, float] = {}
        for term, score, _ in process.extract(
            query, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
        ):
            found[term] = score
        for key, score, _ in process.extract(
            query, joined, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
        ):
            term = self._joined[key]
            found[term] = max(score, found.get(term, 0.0))
        return sorted(found.items(), key=lambda item: (-item[1], item[0]))
