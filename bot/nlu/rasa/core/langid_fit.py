"""Training of the naive Bayes language identifier: counts, and temperatures fitted by
cross-validation (see `langid_model` for the model and why it needs calibrating).

numpy only; imported by `NaiveBayesLanguageModel.fit`, never at serving time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np  # type: ignore[import-not-found, unused-ignore]

from bot.nlu.rasa.core.langid_model import (
    LanguageIdSettings,
    _oov_logits,
    word_features,
    words_of,
)

_TEMPERATURES = np.geomspace(0.01, 4.0, 100)
_MIN_OOV_WORDS = 20  # fewer held-out unseen words than this: one temperature for all words


def feature_ids(
    text: str, settings: LanguageIdSettings, vocabulary: dict[str, int], neutral: frozenset[str]
) -> list[Any]:
    """One array of feature ids per word of `text`, the word's own feature first."""
    return [
        np.array(
            [
                vocabulary.setdefault(feature, len(vocabulary))
                for feature in word_features(word, settings.min_n, settings.max_n)
            ],
            dtype=np.int64,
        )
        for word in words_of(text, neutral)
    ]


def count_matrix(rows: Sequence[list[Any]], y: Any, n_features: int, n_languages: int) -> Any:
    counts = np.zeros((n_features, n_languages), dtype=np.float64)
    for word_ids, label in zip(rows, y, strict=True):
        if word_ids:
            np.add.at(counts[:, label], np.concatenate(word_ids), 1.0)
    return counts


def smoothed_log_probs(counts: Any, alpha: float) -> Any:
    # Smooth over the features seen anywhere in training; unseen ones are skipped at inference.
    n_known = int((counts.sum(axis=1) > 0).sum())
    totals = counts.sum(axis=0) + alpha * n_known
    return np.log((counts + alpha) / totals)


def fit_temperatures(
    rows: Sequence[list[Any]], y: Any, counts: Any, settings: LanguageIdSettings
) -> tuple[float, float]:
    """(in-vocabulary, out-of-vocabulary) temperatures from k-fold held-out log-loss.

    The OOV temperature is fitted per word (held-out words unseen in the other folds, labelled
    with their message's language); the in-vocabulary one per message, given the OOV one.
    """
    fixed_iv, fixed_oov = settings.temperature, settings.oov_temperature
    folds = _stratified_folds(y, settings.folds, settings.seed)
    if folds is None or (fixed_iv is not None and fixed_oov is not None):
        return (fixed_iv or 1.0, fixed_oov or fixed_iv or 1.0)
    iv_sums, oov_sums, message_labels, oov_words, oov_labels = [], [], [], [], []
    oov_by_message: list[list[Any]] = []
    for fold in range(settings.folds):
        test = np.flatnonzero(folds == fold)
        fold_counts = counts - count_matrix(
            [rows[i] for i in test.tolist()], y[test], *counts.shape
        )
        log_probs = smoothed_log_probs(fold_counts, settings.alpha)
        seen = fold_counts.sum(axis=1) > 0  # features only in the held-out fold are unseen
        for i in test.tolist():
            iv_sum, oov_sum = np.zeros(counts.shape[1]), np.zeros(counts.shape[1])
            message_oov: list[Any] = []
            for ids in rows[i]:
                known = ids[seen[ids]]
                if not len(known):
                    continue
                loglik = log_probs[known].sum(axis=0)
                if seen[ids[0]]:
                    iv_sum += loglik
                else:
                    oov_sum += loglik
                    message_oov.append(loglik)
                    oov_words.append(loglik)
                    oov_labels.append(y[i])
            iv_sums.append(iv_sum)
            oov_sums.append(oov_sum)
            oov_by_message.append(message_oov)
            message_labels.append(y[i])
    labels = np.array(message_labels)
    if fixed_oov is None and len(oov_words) >= _MIN_OOV_WORDS:
        fixed_oov = _best_temperature(lambda t: t * np.vstack(oov_words), np.array(oov_labels))
    iv = np.vstack(iv_sums)
    if fixed_oov is None:
        if fixed_iv is not None:
            return fixed_iv, fixed_iv
        # Too few unseen words to calibrate them apart: one shared temperature.
        oov = np.vstack(oov_sums)
        shared = _best_temperature(lambda t: t * (iv + oov), labels)
        return shared, shared
    if fixed_iv is None:
        oov_t, share = fixed_oov, settings.oov_neutral_share
        oov_logits = np.vstack(
            [
                sum((_oov_logits(w, oov_t, share) for w in words), np.zeros(iv.shape[1]))
                for words in oov_by_message
            ]
        )
        fixed_iv = _best_temperature(lambda t: t * iv + oov_logits, labels)
    return fixed_iv, fixed_oov


def _best_temperature(logits_at: Any, labels: Any) -> float:
    losses = [_log_loss(logits_at(t), labels) for t in _TEMPERATURES]
    return float(_TEMPERATURES[int(np.argmin(losses))])


def _stratified_folds(y: Any, k: int, seed: int) -> Any | None:
    """Fold number per example, spread evenly within each language; None if a language has
    fewer than k examples (cross-validation would then say little)."""
    if k < 2 or np.bincount(y).min() < k:
        return None
    rng = np.random.default_rng(seed)
    folds = np.empty(len(y), dtype=np.int64)
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        folds[members] = np.arange(len(members)) % k
    return folds


def _log_loss(logits: Any, labels: Any) -> float:
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=1))
    return float((log_norm - shifted[np.arange(len(labels)), labels]).mean())
