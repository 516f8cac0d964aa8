"""The `product` entity, decided by the shop's own catalogue.

The NLU may propose a product span; the shop's catalogue decides which product (if any) it is,
so a product added a minute ago is understood without retraining. Per shop, a spaCy
PhraseMatcher (on a blank multilingual pipeline) holds every product name and alias in every
language; text is matched in three passes, each only where the one before found nothing:

1. exact: the words of a name or alias, case- and accent-insensitive ("Bread", "isinkwa");
   a name's words without its size ("Milk 1L" → "milk") count too, a little lower;
2. inflected: isiZulu/Sesotho prefixes and English plurals, read back to the catalogue's
   form by attested rules only (`bot.nlu.noun_forms`: "yesinkwa" → "isinkwa");
3. fuzzy: misspellings (`bot.nlu.fuzzy`: "bred", "sugr"), looser inside the NLU's span.

Quantities are not ours (the NLU extracts them), but a number word or digit next to a product
never spoils a match: words with digits are skipped by the fuzzy pass, and matching is by
whole words, so "ngicela 2 bread" and "bohobe tse pedi" find the bread.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from bot.nlu.catalog_text import (
    Word,
    blank_pipeline,
    fold,
    has_digit,
    name_forms,
    term_doc,
    words_of,
)
from bot.nlu.client import Parse
from bot.nlu.fuzzy import FuzzyIndex, FuzzyPolicy
from bot.nlu.noun_forms import base_forms
from bot.nlu.product_matches import (
    EXACT_CORE,
    Candidate,
    Method,
    ProductMatches,
    Proposal,
    rank,
    score,
)
from commerce.catalog import Product

MAX_FUZZY_WORDS = 4  # longer catalogue names are only matched exactly
_KEY = "PRODUCT"


@dataclass(frozen=True, slots=True)
class _Sense:
    """One product a catalogue term stands for."""

    product_id: int
    sku: str
    language: str
    weight: float  # 1.0 for a whole name or alias, EXACT_CORE for a name without its size


@dataclass(frozen=True, slots=True)
class _Hit:
    first: int  # word indexes, end exclusive
    last: int
    term: str
    method: Method
    similarity: float


class CatalogMatcher:
    """Matches text against one shop's catalogue. Build with `CatalogMatcher.build`.

    Build and match on one thread (the event loop): all matchers share one spaCy vocabulary,
    and `match` frees the words it added when it returns (a spaCy memory zone).
    """

    def __init__(self, terms: Mapping[str, tuple[_Sense, ...]], policy: FuzzyPolicy) -> None:
        self.nlp: Language = blank_pipeline()
        self.terms = dict(terms)
        # One key for all patterns: a match's words, joined, are the term it matched.
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.matcher.add(_KEY, [term_doc(term) for term in self.terms])
        self.fuzzy = FuzzyIndex(self.terms, policy)
        self.max_words = max((t.count(" ") + 1 for t in self.terms), default=0)
        # Words of the names and aliases per language, for reading inflected forms back.
        self.lexicon: dict[str, set[str]] = defaultdict(set)
        self.words: set[str] = set()
        for term, senses in self.terms.items():
            self.words.update(term.split(" "))
            for sense in senses:
                self.lexicon[sense.language].update(term.split(" "))
        self.product_ids = frozenset(s.product_id for ss in self.terms.values() for s in ss)

    @classmethod
    def build(
        cls, products: Iterable[Product], *, policy: FuzzyPolicy | None = None
    ) -> CatalogMatcher:
        """A matcher for these products (a shop's active catalogue)."""
        senses: defaultdict[str, dict[tuple[int, str], _Sense]] = defaultdict(dict)
        for product in products:
            for language, name in _names_and_aliases(product):
                for form, weight in zip(name_forms(name), (1.0, EXACT_CORE), strict=True):
                    if not form:
                        continue
                    known = senses[form].get((product.id, language))
                    if known is None or known.weight < weight:
                        senses[form][(product.id, language)] = _Sense(
                            product.id, product.sku, language, weight
                        )
        terms = {term: tuple(by_product.values()) for term, by_product in senses.items()}
        return cls(terms, policy or FuzzyPolicy())

    def __len__(self) -> int:
        return len(self.product_ids)

    def match_parse(self, parse: Parse) -> ProductMatches:
        """Match a parsed message, using the NLU's proposed `product` spans."""
        proposals = [
            proposal
            for entity in parse.entities
            if entity.get("entity") == "product"
            and (proposal := Proposal.from_entity(entity, parse.text)) is not None
        ]
        return self.match(parse.text, proposals)

    def match(self, text: str, proposals: Sequence[Proposal] = ()) -> ProductMatches:
        """Ranked candidates (best first) for the products mentioned in `text`."""
        with self.nlp.memory_zone():  # a long-running process must not keep every word it saw
            words = words_of(self.nlp, text)
            hits = self._find(words, proposals)
            candidates = self._candidates(text, words, hits, proposals)
            unmatched: list[Proposal] = []
            for proposal in proposals:
                if any(c.start < proposal.end and proposal.start < c.end for c in candidates):
                    continue
                found = self._match_value(text, proposal)
                candidates.extend(found)
                if not found:
                    unmatched.append(proposal)
        return ProductMatches(rank(candidates), tuple(unmatched))

    def _find(self, words: list[Word], proposals: Sequence[Proposal]) -> list[_Hit]:
        forms = [w.text for w in words]
        hits = self._phrases(forms, "exact")
        analysed = [self._analyse(form) for form in forms]
        changed = {i for i, form in enumerate(analysed) if form != forms[i]}
        if changed:
            hits += [
                hit
                for hit in self._phrases(analysed, "inflected")
                if changed.intersection(range(hit.first, hit.last))
            ]
        hits = _outermost(hits)
        covered = {i for hit in hits for i in range(hit.first, hit.last)}
        return hits + self._fuzzy(words, covered, proposals)

    def _phrases(self, forms: list[str], method: Method) -> list[_Hit]:
        if not forms:
            return []
        doc = Doc(self.nlp.vocab, words=forms)
        return [
            _Hit(start, end, " ".join(forms[start:end]), method, 1.0)
            for _, start, end in self.matcher(doc)
        ]

    def _analyse(self, form: str) -> str:
        """The catalogue's form of an inflected word, or the word itself."""
        if form in self.words:
            return form
        for language, lexicon in self.lexicon.items():
            for base in base_forms(form, language):
                if base in lexicon:
                    return base
        return form

    def _fuzzy(
        self, words: list[Word], covered: set[int], proposals: Sequence[Proposal]
    ) -> list[_Hit]:
        found: list[_Hit] = []
        skip = [i in covered or has_digit(w.text) for i, w in enumerate(words)]
        for size in range(min(self.max_words, MAX_FUZZY_WORDS), 0, -1):
            for first in range(len(words) - size + 1):
                if any(skip[first : first + size]):
                    continue
                span = words[first : first + size]
                proposed = any(p.covers(span[0].start, span[-1].end) for p in proposals)
                query = " ".join(w.text for w in span)
                for term, ratio in self.fuzzy.lookup(query, proposed=proposed):
                    found.append(_Hit(first, first + size, term, "fuzzy", ratio / 100))
        return _best_spans(found)

    def _candidates(
        self, text: str, words: list[Word], hits: list[_Hit], proposals: Sequence[Proposal]
    ) -> list[Candidate]:
        out: list[Candidate] = []
        for hit in hits:
            start, end = words[hit.first].start, words[hit.last - 1].end
            proposed = any(p.start < end and start < p.end for p in proposals)
            for sense in self.terms[hit.term]:
                out.append(
                    Candidate(
                        product_id=sense.product_id,
                        sku=sense.sku,
                        start=start,
                        end=end,
                        text=text[start:end],
                        term=hit.term,
                        language=sense.language,
                        method=hit.method,
                        score=score(hit.method, hit.similarity * sense.weight),
                        proposed=proposed,
                    )
                )
        return out

    def _match_value(self, text: str, proposal: Proposal) -> list[Candidate]:
        """The NLU's normalised value (e.g. a synonym's target), for a span nothing matched."""
        value = proposal.value
        if not value.strip() or fold(value) == fold(text[proposal.start : proposal.end]):
            return []
        words = words_of(self.nlp, value)
        whole = Proposal(0, len(value), value)
        found = self._candidates(value, words, self._find(words, [whole]), [whole])
        span = text[proposal.start : proposal.end]
        return [c.moved(proposal.start, proposal.end, span) for c in found]


def _names_and_aliases(product: Product) -> Iterable[tuple[str, str]]:
    for language, name in product.names.items():
        yield language, name
    for language, aliases in product.aliases.items():
        for alias in aliases:
            yield language, alias


def _outermost(hits: list[_Hit]) -> list[_Hit]:
    """Drop hits inside a longer one: "brown bread" means brown bread, not any "bread"."""
    return [
        hit
        for hit in hits
        if not any(
            other.first <= hit.first
            and hit.last <= other.last
            and other.last - other.first > hit.last - hit.first
            for other in hits
        )
    ]


def _best_spans(hits: list[_Hit]) -> list[_Hit]:
    """Keep non-overlapping spans, the best-scoring (then longest) first; all terms per span."""
    best: dict[tuple[int, int], float] = {}
    for hit in hits:
        key = (hit.first, hit.last)
        best[key] = max(best.get(key, 0.0), hit.similarity)
    taken: set[int] = set()
    chosen: set[tuple[int, int]] = set()
    for (first, last), _ in sorted(best.items(), key=lambda kv: (-kv[1], kv[0][0] - kv[0][1])):
        if taken.isdisjoint(range(first, last)):
            chosen.add((first, last))
            taken.update(range(first, last))
    return [hit for hit in hits if (hit.first, hit.last) in chosen]


def as_entities(matches: ProductMatches) -> list[dict[str, Any]]:
    """The best product per mention as Rasa-style entity dicts, for the dialogue."""
    entities: list[dict[str, Any]] = []
    for mention in matches.mentions():
        best = mention.candidates[0]
        entities.append(
            {
                "entity": "product",
                "value": best.text,
                "start": best.start,
                "end": best.end,
                "confidence": best.score,
                "extractor": "CatalogMatcher",
                "product_id": best.product_id,
                "sku": best.sku,
                "method": best.method,
                "ambiguous": mention.ambiguous,
            }
        )
    return entities
