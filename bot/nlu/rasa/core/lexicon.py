"""Lookup tables and regexes from Rasa training data, and the per-message analysis built on them.

Standard library only. `Lexicon` holds what `lookup:` and `regex:` blocks define and finds
them in a message (whole tokens for lookups, anywhere for regexes); `analyse` tokenises a
message once and finds its amounts, which the featurizer, the product tagger and the amount
extractor all read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from bot.nlu.rasa.core.amounts import UNIT, UnitLexicon, extract_amounts
from bot.nlu.rasa.core.text import Token, normalise, tokenize


class Analysis(NamedTuple):
    text: str
    tokens: list[Token]
    amounts: list[dict[str, Any]]  # quantity / money / unit entities, in text order
    classes: list[str]  # per token: the amount kind it belongs to, or ""


def analyse(text: str, units: UnitLexicon, tokens: list[Token] | None = None) -> Analysis:
    tokens = tokenize(text) if tokens is None else tokens
    amounts = extract_amounts(text, tokens, units)
    classes = [""] * len(tokens)
    if amounts:
        for i, token in enumerate(tokens):
            for entity in amounts:
                if entity["start"] < token.end and token.start < entity["end"]:
                    classes[i] = entity["entity"]
                    break
    return Analysis(text, tokens, amounts, classes)


class Lexicon:
    """Named word lists (matched on whole tokens, case-insensitively) and named regexes."""

    def __init__(
        self, tables: Mapping[str, Iterable[str]], regexes: Sequence[tuple[str, str]] = ()
    ) -> None:
        self.tables = {name: sorted({normalise(e).strip() for e in entries} - {""})
                       for name, entries in tables.items()}  # fmt: skip
        self.regexes = [(name, pattern) for name, pattern in regexes]
        self._compiled = [(name, re.compile(pattern, re.IGNORECASE)) for name, pattern in regexes]
        # first word -> [(all words, table)], longest entries first
        self._entries: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for name, entries in self.tables.items():
            for entry in entries:
                words = tuple(token.norm for token in tokenize(entry))
                if words:
                    self._entries.setdefault(words[0], []).append((words, name))
        for candidates in self._entries.values():
            candidates.sort(key=lambda item: -len(item[0]))

    @classmethod
    def from_training(
        cls, lookup_tables: Iterable[Mapping[str, Any]], regexes: Iterable[Mapping[str, Any]]
    ) -> Lexicon:
        """From Rasa's `TrainingData.lookup_tables` and `.regex_features`."""
        tables: dict[str, list[str]] = {}
        for table in lookup_tables:
            elements = table.get("elements") or []
            if isinstance(elements, str):  # a file name in old Rasa formats: not supported
                continue
            tables.setdefault(str(table["name"]), []).extend(str(e) for e in elements)
        patterns = [(str(r["name"]), str(r["pattern"])) for r in regexes]
        return cls(tables, patterns)

    def spans(self, words: Sequence[str]) -> list[tuple[int, int, str]]:
        """(first token, end token, table) of every lookup entry, longest first, no overlaps."""
        found = []
        i = 0
        while i < len(words):
            for entry, name in self._entries.get(words[i], ()):
                if tuple(words[i : i + len(entry)]) == entry:
                    found.append((i, i + len(entry), name))
                    i += len(entry)
                    break
            else:
                i += 1
        return found

    def matches(self, text: str, tokens: Sequence[Token]) -> list[str]:
        """Names of the tables and regexes found in a message, once per occurrence."""
        names = [name for *_, name in self.spans([token.norm for token in tokens])]
        names.extend(name for name, regex in self._compiled if regex.search(text))
        return names

    def units(self, synonyms: Mapping[str, str]) -> UnitLexicon:
        return UnitLexicon.build(self.tables.get(UNIT, ()), synonyms)

    def to_json(self) -> dict[str, Any]:
        return {"tables": self.tables, "regexes": [list(r) for r in self.regexes]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Lexicon:
        return cls(data.get("tables", {}), [tuple(r) for r in data.get("regexes", [])])
