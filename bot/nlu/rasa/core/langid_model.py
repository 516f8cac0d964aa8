"""Naive Bayes language identification for short chat messages (en, zu, st, ... and mixed).

Runs inside the NLU service under Rasa's Python 3.10 with numpy only; it imports nothing from
Rasa, so the Rasa component (`language_id.py`) stays a thin adapter around it.

Model: multinomial naive Bayes over per-word features (the word itself plus its character
2-4-grams with `<`/`>` word-boundary padding), add-one smoothing, uniform class prior (the
training set's language mix says nothing about a given shopper; the app holds that prior).

Every feature belongs to exactly one word, so a message's log-likelihood is the sum of its
words' log-likelihoods. That gives three things cheaply:
- a per-word cache (chat vocabularies repeat a lot), so a batch costs one pass over new words;
- per-word posteriors, used to call a message `mixed` when confident words disagree;
- an honest "no evidence" case: features never seen in training are ignored, so digits, amounts
  and emoji come back `und` with confidence 0, and words seen in every language land near a
  uniform posterior instead of a confident wrong guess.

Some chat words belong to every language here ("ok", "eish", "sharp") but training data
files them under English, because code-switched examples are labelled `mixed` and left out.
`neutral_words` lists them; they are dropped before training and scoring, like digits.

Naive Bayes counts overlapping n-grams as independent evidence and is overconfident, worst
for words never seen in training. Log-likelihoods are therefore scaled by two temperatures, one
for in-vocabulary and one for out-of-vocabulary (OOV) words, fitted by k-fold cross-validation
on the training data (minimum held-out log-loss). Cross-validation cannot see one more risk:
many OOV words in chat carry no language at all (brand and product names, slang, typos:
"simba", "coke"), while the OOV words of intent examples are real words. So an OOV word's
posterior is mixed with a uniform one, weight `oov_neutral_share`; with the default 0.5 a lone
unseen word can never claim more than 0.67.
"""

from __future__ import annotations

import json
import logging
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np  # type: ignore[import-not-found, unused-ignore]

logger = logging.getLogger(__name__)

MIXED = "mixed"
UNDETERMINED = "und"  # BCP 47 "undetermined": the text holds no usable evidence

_FORMAT_VERSION = 1
_META_FILE = "langid.json"
_WEIGHTS_FILE = "langid_log_probs.npy"
# Letter runs, keeping inner hyphens and apostrophes ("i-oda", "don't") inside the word.
_WORD_RE = re.compile(r"[^\W\d_]+(?:[-'\u2019][^\W\d_]+)*")
_DIGIT_RE = re.compile(r"\d")
# South African chat words used alike in English, isiZulu and Sesotho messages ("yebo" is
# isiZulu, but everyone says it: alone it must not switch the shopper's language).
NEUTRAL_WORDS = (
    "ok", "okay", "okey", "k", "kk", "lol", "haha", "hahaha", "hehe", "hmm", "eish", "sharp",
    "shap", "yebo",
)  # fmt: skip


@dataclass(frozen=True)
class LanguageIdSettings:
    """Hyper-parameters; stored with the model so loading reproduces the features."""

    min_n: int = 2
    max_n: int = 4
    alpha: float = 1.0
    # An in-vocabulary word must reach this posterior to count as evidence of a language
    # when deciding `mixed`.
    mixed_word_confidence: float = 0.8
    # Shorter words (a, o, ke, le, na, ho) are shared across these languages too often to
    # prove a switch on their own.
    mixed_min_word_length: int = 3
    # Fixed temperatures skip cross-validated calibration (None = fit it).
    temperature: float | None = None
    oov_temperature: float | None = None
    # Assumed share of unseen words that belong to no language (see the module docstring).
    oov_neutral_share: float = 0.5
    neutral_words: tuple[str, ...] = NEUTRAL_WORDS
    folds: int = 5
    seed: int = 13
    cache_size: int = 50_000

    def __post_init__(self) -> None:
        if not 1 <= self.min_n <= self.max_n:
            raise ValueError(f"need 1 <= min_n <= max_n, got min_n={self.min_n} max_n={self.max_n}")
        if self.alpha <= 0:
            raise ValueError(f"alpha must be > 0, got {self.alpha}")
        if self.mixed_min_word_length < 1:
            raise ValueError(
                f"mixed_min_word_length must be >= 1, got {self.mixed_min_word_length}"
            )
        if not 0 <= self.oov_neutral_share < 1:
            raise ValueError(f"oov_neutral_share must be in [0, 1), got {self.oov_neutral_share}")
        if not 0.5 <= self.mixed_word_confidence <= 1:
            raise ValueError(
                f"mixed_word_confidence must be in [0.5, 1], got {self.mixed_word_confidence}"
            )


@dataclass(frozen=True)
class LanguageGuess:
    """One message's language: a code, the probability of that code, and per-language scores."""

    code: str
    confidence: float
    scores: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "confidence": self.confidence, "scores": dict(self.scores)}


class _WordScore(NamedTuple):
    logits: Any  # (n_languages,) the word's calibrated contribution to the message logits
    n_known: int  # features of the word seen in training
    in_vocabulary: bool  # the word itself was seen in training
    vote: tuple[int, float]  # the word's own most likely language and its posterior
    terms: tuple[float, ...]  # `logits` as plain floats, for summing without numpy


def words_of(text: str, neutral: frozenset[str] = frozenset()) -> list[str]:
    """Lower-cased words of `text` that can carry language evidence.

    Chunks holding digits ("R50", "2kg") are amounts, not words; `neutral` words are dropped.
    """
    normalised = unicodedata.normalize("NFKC", text).casefold()
    return [
        word
        for chunk in normalised.split()
        if not _DIGIT_RE.search(chunk)
        for word in _WORD_RE.findall(chunk)
        if word not in neutral
    ]


def word_features(word: str, min_n: int, max_n: int) -> list[str]:
    """The word itself (always first) plus its boundary-padded character n-grams.

    The n-gram spanning the whole padded word is left out: it would only repeat `w:<word>`.
    """
    padded = f"<{word}>"
    features = [f"w:{word}"]
    for n in range(min_n, min(max_n, len(padded) - 1) + 1):
        features.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return features


def _oov_logits(loglik: Any, temperature: float, neutral_share: float) -> Any:
    """log of an unseen word's posterior, mixed with uniform for the chance it has no language."""
    mixed = (1 - neutral_share) * _softmax(temperature * loglik) + neutral_share / loglik.shape[-1]
    return np.log(mixed)


def _softmax_list(logits: list[float]) -> list[float]:
    top = max(logits)
    exp = [math.exp(value - top) for value in logits]
    total = sum(exp)
    return [value / total for value in exp]


def _softmax(logits: Any) -> Any:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


class NaiveBayesLanguageModel:
    """A trained language identifier; `predict` takes a whole batch of texts."""

    def __init__(
        self,
        languages: Sequence[str],
        vocabulary: dict[str, int],
        log_probs: Any,
        temperatures: tuple[float, float],
        settings: LanguageIdSettings,
    ) -> None:
        self.languages = tuple(languages)
        self.vocabulary = vocabulary
        self.log_probs = log_probs  # (n_features, n_languages): log P(feature | language)
        self.temperature, self.oov_temperature = temperatures
        self.settings = settings
        self._neutral = _neutral_set(settings)
        self._uniform = {code: round(1.0 / len(self.languages), 4) for code in self.languages}
        # Reads and writes of a dict are atomic under the GIL, so concurrent predict calls may
        # share the cache.
        self._cache: dict[str, _WordScore] = {}

    # ----------------------------------------------------------------- training
    @classmethod
    def fit(
        cls, texts: Sequence[str], labels: Sequence[str], settings: LanguageIdSettings
    ) -> NaiveBayesLanguageModel:
        """Train on labelled texts; raises ValueError with fewer than two languages."""
        if len(texts) != len(labels):
            raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
        languages = sorted(set(labels))
        if len(languages) < 2:
            raise ValueError(
                f"need examples of at least two languages to tell them apart, got {languages}"
            )
        from bot.nlu.rasa.core.langid_fit import (
            count_matrix,
            feature_ids,
            fit_temperatures,
            smoothed_log_probs,
        )

        vocabulary: dict[str, int] = {}
        neutral = _neutral_set(settings)
        rows = [feature_ids(text, settings, vocabulary, neutral) for text in texts]
        y = np.array([languages.index(label) for label in labels], dtype=np.int64)
        counts = count_matrix(rows, y, len(vocabulary), len(languages))
        temperatures = fit_temperatures(rows, y, counts, settings)
        logger.debug(
            "language model: %d examples, %d features, languages %s, temperatures %s",
            len(texts),
            len(vocabulary),
            languages,
            temperatures,
        )
        return cls(
            languages,
            vocabulary,
            smoothed_log_probs(counts, settings.alpha),
            temperatures,
            settings,
        )

    # ----------------------------------------------------------------- inference
    def predict(self, texts: Sequence[str]) -> list[LanguageGuess]:
        """One guess per text. Per-word scores come from a cache; with three or four
        languages, summing and normalising them in plain Python beats numpy's per-call cost."""
        return [self._guess(words_of(text, self._neutral)) for text in texts]

    def _undetermined(self) -> LanguageGuess:
        return LanguageGuess(UNDETERMINED, 0.0, dict(self._uniform))

    def _guess(self, words: list[str]) -> LanguageGuess:
        scored = [(word, score) for word in words if (score := self._word_score(word)).n_known]
        if not scored:
            return self._undetermined()
        totals = [sum(column) for column in zip(*(score.terms for _, score in scored), strict=True)]
        posterior = _softmax_list(totals)
        scores = {code: round(p, 4) for code, p in zip(self.languages, posterior, strict=True)}
        votes = [
            score.vote
            for word, score in scored
            if score.in_vocabulary and len(word) >= self.settings.mixed_min_word_length
        ]
        mixed = self._mixed_confidence(votes) if len(votes) > 1 else None
        if mixed is not None:
            return LanguageGuess(MIXED, round(mixed, 4), scores)
        best = max(range(len(posterior)), key=posterior.__getitem__)
        return LanguageGuess(self.languages[best], round(posterior[best], 4), scores)

    def _mixed_confidence(self, votes: list[tuple[int, float]]) -> float | None:
        """Probability that two languages are both present, or None when they are not.

        Only in-vocabulary words of `mixed_min_word_length`+ letters vote: a claim of code-
        switching needs words seen in training, not an unseen word whose n-grams happen to
        look foreign ("bottle" has Sesotho "tle"), nor a short word shared across languages.
        Per language, take its strongest word; the message is mixed when two languages have a
        word above `mixed_word_confidence`, with the chance both words are labelled right.
        `votes` holds each voter's (most likely language, its posterior) on its own.
        """
        strongest: dict[int, float] = {}
        for language, probability in votes:
            strongest[language] = max(probability, strongest.get(language, 0.0))
        ranked = sorted(strongest.values(), reverse=True)
        if len(ranked) < 2 or ranked[1] < self.settings.mixed_word_confidence:
            return None
        return ranked[0] * ranked[1]

    def _word_score(self, word: str) -> _WordScore:
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        features = word_features(word, self.settings.min_n, self.settings.max_n)
        ids = [self.vocabulary[f] for f in features if f in self.vocabulary]
        loglik = self.log_probs[ids].sum(axis=0)
        in_vocabulary = features[0] in self.vocabulary
        if in_vocabulary:
            logits = self.temperature * loglik
        else:
            logits = _oov_logits(loglik, self.oov_temperature, self.settings.oov_neutral_share)
        own = _softmax(logits)
        vote = (int(own.argmax()), float(own.max()))
        score = _WordScore(logits, len(ids), in_vocabulary, vote, tuple(logits.tolist()))
        if len(self._cache) >= self.settings.cache_size:
            self._cache.clear()  # crude but bounded; chat vocabularies re-warm it fast
        self._cache[word] = score
        return score

    # ----------------------------------------------------------------- persistence
    def save(self, directory: Path) -> None:
        """Write the model as JSON plus one .npy array (no pickle, so loading is safe)."""
        meta = {
            "format_version": _FORMAT_VERSION,
            "languages": list(self.languages),
            "temperatures": [self.temperature, self.oov_temperature],
            "settings": asdict(self.settings),
            "features": sorted(self.vocabulary, key=self.vocabulary.__getitem__),
        }
        (directory / _META_FILE).write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
        np.save(directory / _WEIGHTS_FILE, self.log_probs.astype(np.float32), allow_pickle=False)

    @classmethod
    def load(cls, directory: Path) -> NaiveBayesLanguageModel:
        meta = json.loads((directory / _META_FILE).read_text("utf-8"))
        if meta.get("format_version") != _FORMAT_VERSION:
            raise ValueError(
                f"language model in {directory} has format {meta.get('format_version')!r}, "
                f"this code reads {_FORMAT_VERSION}; retrain the NLU model"
            )
        log_probs = np.load(directory / _WEIGHTS_FILE, allow_pickle=False).astype(np.float64)
        vocabulary = {feature: i for i, feature in enumerate(meta["features"])}
        temperature, oov_temperature = (float(t) for t in meta["temperatures"])
        stored = meta["settings"]
        settings = LanguageIdSettings(
            **{**stored, "neutral_words": tuple(stored.get("neutral_words", ()))}
        )
        return cls(
            meta["languages"], vocabulary, log_probs, (temperature, oov_temperature), settings
        )


def _neutral_set(settings: LanguageIdSettings) -> frozenset[str]:
    return frozenset(unicodedata.normalize("NFKC", w).casefold() for w in settings.neutral_words)
