"""Words of a message or a product name, in the one form both are compared in."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'", "`": "'"})


@dataclass(frozen=True, slots=True)
class Word:
    text: str  # folded: lower case, no accents
    start: int  # character offsets in the original text
    end: int


@cache
def blank_pipeline() -> Language:
    """One blank multilingual pipeline per process, shared by every shop's matcher.

    Only its tokenizer and vocabulary are used; a shop's matcher holds only that shop's terms,
    so sharing the vocabulary shares no catalogue. Building a pipeline costs 0.1-0.3 s, which
    would dominate rebuilding a shop's matcher.
    """
    return spacy.blank("xx")


def fold(text: str) -> str:
    """Lower case without accents ("Tšoana" → "tsoana"): shoppers type either."""
    text = text.translate(_QUOTES)
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words_of(nlp: Language, text: str) -> list[Word]:
    """Tokens that carry letters or digits; punctuation (hyphens of "i-bread") is dropped."""
    return [
        Word(fold(token.text), token.idx, token.idx + len(token.text))
        for token in nlp.make_doc(text)
        if _is_word(token.text)
    ]


def _is_word(token: str) -> bool:
    return token.isalnum() or any(ch.isalnum() for ch in token)


# Catalogue names and their pattern docs barely change between rebuilds of a shop's matcher,
# so tokenising them is cached per process (in the shared pipeline's permanent vocabulary).
@lru_cache(maxsize=50_000)
def name_forms(name: str) -> tuple[str, str]:
    """A product name or alias as `words_of` reads text (words joined by single spaces),
    and the same without its size ("" if nothing is left)."""
    words = [w.text for w in words_of(blank_pipeline(), name)]
    return " ".join(words), " ".join(without_sizes(words))


@lru_cache(maxsize=50_000)
def term_doc(term: str) -> Doc:
    """A PhraseMatcher pattern for a term (words joined by single spaces)."""
    return Doc(blank_pipeline().vocab, words=term.split(" "))


def has_digit(word: str) -> bool:
    """Sizes and quantities ("1l", "5kg", "x6", "2"): never part of what names a product."""
    return any(ch.isdigit() for ch in word)


# Units that follow an amount in product names ("2 kg", "100 s" after the tokenizer splits them).
_UNITS = frozenset(
    {"g", "gr", "kg", "mg", "l", "lt", "ltr", "ml", "litre", "litres", "liter", "liters"}
    | {"pack", "pk", "s", "x"}
)


def without_sizes(words: list[str]) -> list[str]:
    """A name's words without its size or pack count: "Maize meal 5kg" → "maize meal"."""
    kept: list[str] = []
    after_amount = False
    for index, word in enumerate(words):
        if has_digit(word):
            after_amount = True
            continue
        following = words[index + 1] if index + 1 < len(words) else ""
        if (after_amount and word in _UNITS) or (word == "x" and has_digit(following)):
            continue
        kept.append(word)
        after_amount = False
    return kept
