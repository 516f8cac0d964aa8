"""Sparse sentence features for a whole batch at once: words, character n-grams, lexicons.

numpy and scipy only (no Rasa), shared by the Rasa featurizer and the fast serving pipeline.
Like Rasa's CountVectorsFeaturizer (words; char_wb 1-4) plus RegexFeaturizer (lookup tables
and regexes from the training data), but one vocabulary, one pass and one CSR matrix per
batch, where Rasa's builds per-message matrices three times over.

Feature names carry their block: `w:` word or word bigram, `c:` character n-gram inside a
word boundary, `l:` lexicon (a lookup table or regex that matched). Digits become 0 before
featurising (`R15` and `R20` look alike) and amounts add a class word (`w:<quantity>`), so
"ngicela 3" and "ngicela 12" share their evidence. Each block is scaled on its own: log(1 +
count), then unit length, so long messages and big vocabularies do not dominate.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np  # type: ignore[import-not-found, unused-ignore]

from bot.nlu.rasa.core.lexicon import Analysis, Lexicon
from bot.nlu.rasa.core.sparse import Rows
from bot.nlu.rasa.core.text import shape

_FORMAT_VERSION = 1
_FILE = "vectorizer.json"
BLOCKS = ("w", "c", "l")


@dataclass(frozen=True)
class VectorizerSettings:
    word_max_n: int = 1  # 2 adds word bigrams
    char_min_n: int = 1
    char_max_n: int = 4
    amount_classes: bool = True

    def __post_init__(self) -> None:
        if not 1 <= self.char_min_n <= self.char_max_n:
            raise ValueError(
                f"need 1 <= char_min_n <= char_max_n, got {self.char_min_n}, {self.char_max_n}"
            )
        if self.word_max_n not in (1, 2):
            raise ValueError(f"word_max_n must be 1 or 2, got {self.word_max_n}")


class Vectorizer:
    """Feature names -> columns, grouped by block; `transform` a batch into one CSR matrix."""

    def __init__(self, features: Sequence[str], settings: VectorizerSettings, lexicon: Lexicon):
        self.settings = settings
        self.lexicon = lexicon
        # Columns are sorted by name, so every block is one contiguous column range.
        self.features = sorted(features)
        self.vocabulary = {name: i for i, name in enumerate(self.features)}
        self.width = len(self.features)
        starts = [_first_with_prefix(self.features, f"{block}:") for block in BLOCKS]
        self._block_starts = np.array(starts, dtype=np.int64)
        self._cache: dict[str, list[int]] = {}

    # ------------------------------------------------------------------ training
    @classmethod
    def fit(
        cls, messages: Sequence[Analysis], settings: VectorizerSettings, lexicon: Lexicon
    ) -> Vectorizer:
        seen: set[str] = set()
        for message in messages:
            seen.update(_feature_names(message, settings, lexicon))
        return cls(sorted(seen), settings, lexicon)

    # ------------------------------------------------------------------ inference
    def transform(self, messages: Sequence[Analysis]) -> Rows:
        """One sparse row per message (float64, sorted column indices)."""
        rows: list[int] = []
        cols: list[int] = []
        vocabulary = self.vocabulary
        for row, message in enumerate(messages):
            ids: list[int] = []
            for token in message.tokens:
                ids.extend(self._token_ids(token.norm))
            for name in _context_names(message, self.settings, self.lexicon):
                column = vocabulary.get(name)
                if column is not None:
                    ids.append(column)
            rows.extend([row] * len(ids))
            cols.extend(ids)
        return self._scaled_rows(len(messages), rows, cols)

    def _token_ids(self, norm: str) -> list[int]:
        cached = self._cache.get(norm)
        if cached is None:
            names = _token_names(norm, self.settings)
            cached = [self.vocabulary[n] for n in names if n in self.vocabulary]
            if len(self._cache) > 100_000:
                self._cache.clear()  # bounded; chat vocabularies re-warm it fast
            self._cache[norm] = cached
        return cached

    def _scaled_rows(self, n_rows: int, rows: list[int], cols: list[int]) -> Rows:
        if not rows:
            return Rows.empty(n_rows, self.width)
        keys = np.asarray(rows, dtype=np.int64) * self.width + np.asarray(cols, dtype=np.int64)
        unique, counts = np.unique(keys, return_counts=True)  # sorted: row-major, columns up
        row_of, col_of = np.divmod(unique, self.width)
        values = np.log1p(counts.astype(np.float64))
        block = np.searchsorted(self._block_starts, col_of, side="right") - 1
        group = row_of * len(BLOCKS) + block
        norms = np.sqrt(np.bincount(group, weights=values * values))
        values /= norms[group]
        indptr = np.searchsorted(row_of, np.arange(n_rows + 1)).astype(np.int64)
        return Rows(values, col_of.astype(np.int64), indptr, self.width)

    # ------------------------------------------------------------------ persistence
    def save(self, directory: Path) -> None:
        meta = {
            "format_version": _FORMAT_VERSION,
            "settings": asdict(self.settings),
            "lexicon": self.lexicon.to_json(),
            "features": self.features,
        }
        (directory / _FILE).write_text(json.dumps(meta, ensure_ascii=False), "utf-8")

    @classmethod
    def load(cls, directory: Path) -> Vectorizer:
        meta = json.loads((directory / _FILE).read_text("utf-8"))
        if meta.get("format_version") != _FORMAT_VERSION:
            raise ValueError(
                f"features in {directory} have format {meta.get('format_version')!r}, this "
                f"code reads {_FORMAT_VERSION}; retrain the NLU model"
            )
        settings = VectorizerSettings(**meta["settings"])
        return cls(meta["features"], settings, Lexicon.from_json(meta["lexicon"]))


def _first_with_prefix(names: Sequence[str], prefix: str) -> int:
    """Index of the first name >= prefix in sorted `names` (the block's first column)."""
    lo, hi = 0, len(names)
    while lo < hi:
        mid = (lo + hi) // 2
        if names[mid] < prefix:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _token_names(norm: str, settings: VectorizerSettings) -> list[str]:
    """Features of one token on its own: the word and its boundary-padded n-grams."""
    word = shape(norm)
    padded = f" {word} "
    names = [f"w:{word}"]
    for n in range(settings.char_min_n, settings.char_max_n + 1):
        names.extend(
            f"c:{padded[i : i + n]}" for i in range(len(padded) - n + 1) if padded[i : i + n] != " "
        )
    return names


def _context_names(message: Analysis, settings: VectorizerSettings, lexicon: Lexicon) -> list[str]:
    """Features that depend on more than one token: bigrams, amount classes, lexicons."""
    names: list[str] = []
    if settings.word_max_n > 1:
        words = [shape(token.norm) for token in message.tokens]
        names.extend(f"w:{a} {b}" for a, b in pairwise(words))
    if settings.amount_classes:
        names.extend(f"w:<{kind}>" for kind in message.classes if kind)
    names.extend(f"l:{name}" for name in lexicon.matches(message.text, message.tokens))
    return names


def _feature_names(message: Analysis, settings: VectorizerSettings, lexicon: Lexicon) -> list[str]:
    names: list[str] = []
    for token in message.tokens:
        names.extend(_token_names(token.norm, settings))
    return names + _context_names(message, settings, lexicon)
