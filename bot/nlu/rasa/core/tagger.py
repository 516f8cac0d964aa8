"""Proposes product spans: a token tagger (begin / inside / outside) scored a batch at a time.

numpy and scipy only at inference; scikit-learn fits it. The NLU only *proposes* a product:
the words the shopper used for it ("izinkwa", "nama ya kgoho", "white sugar"); the app
decides which catalogue item that is, so new products need no retraining. Two sources:

- Logistic regression per token over the token, its prefixes and suffixes (isiZulu and
  Sesotho noun classes live in prefixes: izin-, ama-, di-), its neighbours, and whether
  they are amounts. It learns product positions ("ngicela _ ezimbili", "2 kg _") from the
  inline `product` annotations, so it can propose names it has never seen.
- Entries of a `product` lookup table, matched exactly; these win where the two overlap.

Tokens inside an amount (quantity, money, unit) are never part of a product.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np  # type: ignore[import-not-found, unused-ignore]
import scipy.sparse  # type: ignore[import-untyped, import-not-found, unused-ignore]

from bot.nlu.rasa.core.lexicon import Analysis, Lexicon
from bot.nlu.rasa.core.sparse import Rows, dot
from bot.nlu.rasa.core.text import shape

OUTSIDE, BEGIN, INSIDE = 0, 1, 2
_FORMAT_VERSION = 1
_META_FILE = "tagger.json"
_COEF_FILE = "tagger_coef.npy"
_INTERCEPT_FILE = "tagger_intercept.npy"
_PAD = ("<s>", "</s>")


class TaggerLoadError(RuntimeError):
    """Persisted tagger files exist but cannot be read; not a ValueError, so never "untrained"."""


@dataclass(frozen=True)
class TaggerSettings:
    entity: str = "product"
    C: float = 10.0
    max_iter: int = 500
    window: int = 2  # neighbours on each side used as features
    min_confidence: float = 0.5  # mean token probability a proposed span needs
    # "balanced" would make the few product words weigh as much as all the others; on
    # nlu_data/test it costs precision without finding more unseen names than dropout does.
    class_weight: str | None = None
    # Word dropout: training also sees each sentence again with some words hidden (as if
    # never seen): product words more often than others, so the tagger learns where
    # products go, not only which words are products, and proposes names it has never
    # seen ("I want to buy amasi").
    dropout_copies: int = 2
    product_dropout: float = 0.5
    word_dropout: float = 0.1
    seed: int = 13


class ProductTagger:
    def __init__(
        self,
        features: Sequence[str],
        coef: Any,
        intercept: Any,
        settings: TaggerSettings,
        lexicon: Lexicon,
    ) -> None:
        self.features = list(features)
        self.vocabulary = {name: i for i, name in enumerate(self.features)}
        self.coef_t = np.ascontiguousarray(np.asarray(coef, dtype=np.float64).T)  # (F, 3)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.settings = settings
        self.lexicon = lexicon
        self._own: dict[str, list[int]] = {}
        self._neighbours: dict[str, list[int | None]] = {}

    # ------------------------------------------------------------------ training
    @classmethod
    def fit(
        cls,
        messages: Sequence[Analysis],
        spans: Sequence[Sequence[tuple[int, int]]],
        settings: TaggerSettings,
        lexicon: Lexicon,
    ) -> ProductTagger | None:
        """Fit on messages and their annotated product spans (character offsets).

        None if no message has a product span: there is nothing to learn from.
        """
        from sklearn.linear_model import LogisticRegression  # type: ignore[import-not-found, unused-ignore]

        labels = [_labels(message, found) for message, found in zip(messages, spans, strict=True)]
        if not any(label != OUTSIDE for message_labels in labels for label in message_labels):
            return None
        views = [(message, frozenset[int]()) for message in messages]
        rng = random.Random(settings.seed)
        for _ in range(settings.dropout_copies):
            for message, message_labels in zip(messages, labels, strict=True):
                hidden = frozenset(
                    i
                    for i, label in enumerate(message_labels)
                    if rng.random()
                    < (settings.product_dropout if label != OUTSIDE else settings.word_dropout)
                )
                views.append((message, hidden))
        labels = labels * (1 + settings.dropout_copies)
        y = np.array([label for message_labels in labels for label in message_labels])
        vocabulary: dict[str, int] = {}
        rows = [
            [vocabulary.setdefault(name, len(vocabulary)) for name in names]
            for message, hidden in views
            for names in _all_token_names(message, settings, lexicon, hidden)
        ]
        x = _binary_csr(rows, len(vocabulary))
        model = LogisticRegression(
            C=settings.C,
            max_iter=settings.max_iter,
            solver="lbfgs",
            class_weight=settings.class_weight,
        )
        model.fit(x, y)
        coef, intercept = _three_classes(model)
        features = sorted(vocabulary, key=vocabulary.__getitem__)
        return cls(features, coef, intercept, settings, lexicon)

    # ------------------------------------------------------------------ inference
    def predict(self, messages: Sequence[Analysis]) -> list[list[dict[str, Any]]]:
        """Product entities per message (Rasa-style dicts, text order)."""
        indices: list[int] = []
        lengths: list[int] = []
        for message in messages:
            self._token_features(message, indices, lengths)
        if not lengths:
            return [[] for _ in messages]
        indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        x = Rows(
            np.ones(len(indices)), np.array(indices, dtype=np.int64), indptr, len(self.features)
        )
        logits = dot(x, self.coef_t) + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        probabilities = np.exp(logits)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        labels = probabilities.argmax(axis=1).tolist()
        best = probabilities.max(axis=1).tolist()
        results, offset = [], 0
        for message in messages:
            n = len(message.tokens)
            results.append(
                self._entities(message, labels[offset : offset + n], best[offset : offset + n])
            )
            offset += n
        return results

    def token_rows(self, message: Analysis) -> list[list[int]]:
        """Column ids of each token's features (for checks against `_all_token_names`)."""
        indices: list[int] = []
        lengths: list[int] = []
        self._token_features(message, indices, lengths)
        rows, start = [], 0
        for length in lengths:
            rows.append(indices[start : start + length])
            start += length
        return rows

    def _token_features(self, message: Analysis, indices: list[int], lengths: list[int]) -> None:
        """Append the column ids of every token's features: the same set `_all_token_names`
        names, from per-word caches (a word's own features, and what it is as a neighbour)."""
        get, window = self.vocabulary.get, self.settings.window
        pad = [_PAD[0]] * window
        words = [*pad, *(shape(token.norm) for token in message.tokens), *([_PAD[1]] * window)]
        neighbours = [self._neighbour_ids(word) for word in words]
        classes = ["<s>", *message.classes, "</s>"]
        lookup_id = get("lookup")
        in_lookup = self._in_lookup(message) if lookup_id is not None else None
        for k in range(len(message.tokens)):
            i = k + window  # position in the padded `words`
            ids: list[int | None] = [*self._own_ids(words[i])]
            for offset in range(1, window + 1):
                ids.append(neighbours[i - offset][2 * offset - 2])
                ids.append(neighbours[i + offset][2 * offset - 1])
            ids.append(get(f"a={classes[k + 1]}"))
            ids.append(get(f"a-1={classes[k]}"))
            ids.append(get(f"a+1={classes[k + 2]}"))
            ids.append(get(f"w-1|w={words[i - 1]}|{words[i]}"))
            if in_lookup is not None and in_lookup[k]:
                ids.append(lookup_id)
            found = [column for column in ids if column is not None]
            indices.extend(found)
            lengths.append(len(found))

    def _own_ids(self, word: str) -> list[int]:
        cached = self._own.get(word)
        if cached is None:
            names = [f"w={word}", "bias", *_affixes(word)]
            cached = [self.vocabulary[n] for n in names if n in self.vocabulary]
            self._own[word] = cached
        return cached

    def _neighbour_ids(self, word: str) -> list[int | None]:
        """Ids of w-1=word, w+1=word, w-2=word, w+2=word, ...: the word seen from its
        neighbours."""
        cached = self._neighbours.get(word)
        if cached is None:
            cached = []
            for offset in range(1, self.settings.window + 1):
                cached.append(self.vocabulary.get(f"w-{offset}={word}"))
                cached.append(self.vocabulary.get(f"w+{offset}={word}"))
            self._neighbours[word] = cached
        if len(self._own) > 100_000 or len(self._neighbours) > 100_000:
            self._own.clear()  # bounded; chat vocabularies re-warm them fast
            self._neighbours.clear()
        return cached

    def _in_lookup(self, message: Analysis) -> list[bool]:
        flags = [False] * len(message.tokens)
        for a, b, name in self.lexicon.spans([token.norm for token in message.tokens]):
            if name == self.settings.entity:
                flags[a:b] = [True] * (b - a)
        return flags

    def _entities(
        self, message: Analysis, labels: list[int], confidence: list[float]
    ) -> list[dict[str, Any]]:
        tokens, words = message.tokens, [token.norm for token in message.tokens]
        spans: list[tuple[int, int, float]] = []
        for i, label in enumerate(labels):
            if label == OUTSIDE or message.classes[i]:
                continue
            if spans and spans[-1][1] == i and _adjacent(message, i):  # B or I: one name
                first, _, total = spans[-1]
                spans[-1] = (first, i + 1, total + confidence[i])
            else:
                spans.append((i, i + 1, confidence[i]))
        scored = [(a, b, total / (b - a)) for a, b, total in spans]
        scored = [span for span in scored if span[2] >= self.settings.min_confidence]
        looked_up = [
            (a, b, 1.0)
            for a, b, name in self.lexicon.spans(words)
            if name == self.settings.entity and not any(message.classes[a:b])
        ]
        scored = [s for s in scored if not any(s[0] < b and a < s[1] for a, b, _ in looked_up)]
        return [
            {
                "entity": self.settings.entity,
                "start": tokens[a].start,
                "end": tokens[b - 1].end,
                "value": message.text[tokens[a].start : tokens[b - 1].end],
                "confidence_entity": round(float(p), 4),
            }
            for a, b, p in sorted(scored + looked_up)
        ]

    # ------------------------------------------------------------------ persistence
    def save(self, directory: Path) -> None:
        meta = {
            "format_version": _FORMAT_VERSION,
            "settings": asdict(self.settings),
            "lexicon": self.lexicon.to_json(),
            "features": self.features,
        }
        (directory / _META_FILE).write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
        np.save(directory / _COEF_FILE, self.coef_t.T.astype(np.float32), allow_pickle=False)
        np.save(directory / _INTERCEPT_FILE, self.intercept, allow_pickle=False)

    @classmethod
    def load(cls, directory: Path) -> ProductTagger:
        try:
            meta = json.loads((directory / _META_FILE).read_text("utf-8"))
            if meta.get("format_version") != _FORMAT_VERSION:
                raise ValueError(
                    f"format {meta.get('format_version')!r}, this code reads {_FORMAT_VERSION}"
                )
            coef = np.load(directory / _COEF_FILE, allow_pickle=False)
            intercept = np.load(directory / _INTERCEPT_FILE, allow_pickle=False)
            settings = TaggerSettings(**meta["settings"])
            lexicon = Lexicon.from_json(meta["lexicon"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise TaggerLoadError(
                f"cannot read the product tagger in {directory} ({exc}); retrain the model"
            ) from exc
        return cls(meta["features"], coef, intercept, settings, lexicon)


def _labels(message: Analysis, spans: Sequence[tuple[int, int]]) -> list[int]:
    labels = [OUTSIDE] * len(message.tokens)
    for start, end in spans:
        inside = [i for i, t in enumerate(message.tokens) if start <= t.start and t.end <= end]
        for k, i in enumerate(inside):
            labels[i] = BEGIN if k == 0 else INSIDE
    return labels


def _adjacent(message: Analysis, i: int) -> bool:
    """Only spaces between tokens i-1 and i: "white bread" is one name, "bread, milk" two."""
    gap = message.text[message.tokens[i - 1].end : message.tokens[i].start]
    return not gap.strip()


def _all_token_names(
    message: Analysis,
    settings: TaggerSettings,
    lexicon: Lexicon,
    hidden: frozenset[int] = frozenset(),
) -> list[list[str]]:
    """Feature names of every token of a message, in order. A `hidden` token is treated as
    a word never seen in training: neither it nor its affixes are in any feature."""
    words: list[str | None] = [
        None if i in hidden else shape(token.norm) for i, token in enumerate(message.tokens)
    ]
    classes = message.classes
    in_lookup = [False] * len(words)
    for a, b, name in lexicon.spans([token.norm for token in message.tokens]):
        if name == settings.entity:
            in_lookup[a:b] = [True] * (b - a)
    result = []
    for i, word in enumerate(words):
        names = ["bias"]
        if word is not None:
            names += [f"w={word}", *_affixes(word)]
        names.append(f"a={classes[i]}")
        for offset in range(1, settings.window + 1):
            before = words[i - offset] if i >= offset else _PAD[0]
            after = words[i + offset] if i + offset < len(words) else _PAD[1]
            if before is not None:
                names.append(f"w-{offset}={before}")
            if after is not None:
                names.append(f"w+{offset}={after}")
        names.append(f"a-1={classes[i - 1] if i else '<s>'}")
        names.append(f"a+1={classes[i + 1] if i + 1 < len(words) else '</s>'}")
        previous = words[i - 1] if i else _PAD[0]
        if word is not None and previous is not None:
            names.append(f"w-1|w={previous}|{word}")
        if in_lookup[i]:
            names.append("lookup")
        result.append(names)
    return result


def _affixes(word: str) -> list[str]:
    names = []
    for n in (2, 3, 4):
        if len(word) > n:
            names.append(f"p{n}={word[:n]}")
            names.append(f"s{n}={word[-n:]}")
    return names


def _binary_csr(rows: Sequence[Sequence[int]], width: int) -> Any:
    indptr = np.cumsum([0] + [len(row) for row in rows])
    indices = np.fromiter((c for row in rows for c in row), dtype=np.int64, count=int(indptr[-1]))
    data = np.ones(len(indices), dtype=np.float64)
    return scipy.sparse.csr_matrix((data, indices, indptr), shape=(len(rows), width))


def _three_classes(model: Any) -> tuple[Any, Any]:
    """Weights for (outside, begin, inside) even if a class never occurred in training."""
    coef = np.full((3, model.coef_.shape[1]), 0.0)
    intercept = np.full(3, -1e3)
    if model.coef_.shape[0] == 1:  # two classes: sklearn keeps one row for classes_[1]
        coef[model.classes_[1]], intercept[model.classes_[1]] = model.coef_[0], model.intercept_[0]
        intercept[model.classes_[0]] = 0.0
    else:
        for row, label in enumerate(model.classes_):
            coef[label], intercept[label] = model.coef_[row], model.intercept_[row]
    return coef, intercept
