"""Multinomial logistic regression scored a batch at a time, and its weights on disk.

numpy only at inference (scikit-learn fits it, in the Rasa component). Weights persist as
.npy + JSON without pickle, so loading is safe and needs no scikit-learn or skops.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np  # type: ignore[import-not-found, unused-ignore]
import scipy.sparse  # type: ignore[import-untyped, import-not-found, unused-ignore]

from bot.nlu.rasa.core.sparse import Rows, dot

_FORMAT_VERSION = 1
_META_FILE = "linear_intent.json"
_COEF_FILE = "linear_intent_coef.npy"
_INTERCEPT_FILE = "linear_intent_intercept.npy"

Intent = dict[str, Any]  # {"name": str | None, "confidence": float}


class FeatureLayout:
    """Where each featurizer's sentence vector sits in the classifier's input row.

    Blocks are keyed by (origin, sparse?) - the featurizer's node name, identical in the train
    and predict graphs - and ordered as first seen, i.e. pipeline order. Saved with the
    weights, so a model keeps the scaling it was trained with even if a default changes.
    """

    def __init__(self, blocks: Sequence[Sequence[Any]], scaling: str = "none") -> None:
        if scaling not in {"log-l2", "none"}:
            raise ValueError(f"feature_scaling must be 'log-l2' or 'none', got {scaling!r}")
        self.scaling = scaling
        self.blocks = [(str(origin), bool(sparse), int(dim)) for origin, sparse, dim in blocks]
        self.width = sum(dim for *_, dim in self.blocks)

    def dim(self, origin: str, sparse: bool) -> int:
        for block_origin, block_sparse, dim in self.blocks:
            if (block_origin, block_sparse) == (origin, sparse):
                return dim
        raise ValueError(
            f"features from {origin!r} were not seen in training; the pipeline changed "
            "since the model was trained, so retrain it"
        )

    def assemble(self, parts: Mapping[tuple[str, bool], Any], n_rows: int) -> Rows:
        """One row per message from each block's (n_rows, dim) matrix (CSR or `Rows`).

        With scaling "log-l2" each block is put on one scale: log(1 + count) for sparse
        counts, then unit length per row, so long messages and big vocabularies do not
        dominate (lbfgs converges in a fraction of the iterations raw counts need).
        """
        if len(self.blocks) == 1 and self.scaling == "none":  # the common case: as it is
            origin, sparse, dim = self.blocks[0]
            only = parts.get((origin, sparse))
            return Rows.empty(n_rows, dim) if only is None else Rows.of(only)
        matrices = []
        for origin, sparse, dim in self.blocks:
            part = parts.get((origin, sparse))
            if part is None:
                part = scipy.sparse.csr_matrix((n_rows, dim), dtype=np.float64)
            elif isinstance(part, Rows):
                part = part.tocsr()
            if self.scaling == "log-l2":
                part = _log_l2(part, sparse)
            matrices.append(part)
        combined = scipy.sparse.hstack(matrices, format="csr", dtype=np.float64)
        combined.sort_indices()
        return Rows.of(combined)


def _log_l2(part: Any, sparse: bool) -> Any:
    scaled = scipy.sparse.csr_matrix(part, dtype=np.float64, copy=True)
    if sparse:
        scaled.data = np.log1p(np.abs(scaled.data)) * np.sign(scaled.data)
    rows = np.repeat(np.arange(scaled.shape[0]), np.diff(scaled.indptr))
    norms = np.sqrt(np.bincount(rows, weights=scaled.data**2, minlength=scaled.shape[0]))
    safe = np.where(norms > 0, norms, 1.0)
    scaled.data /= safe[rows]
    return scaled


class LinearLoadError(RuntimeError):
    """Persisted weights exist but cannot be read; not a ValueError, so never "untrained"."""


class LinearModel:
    def __init__(
        self, classes: Sequence[str], coef: Any, intercept: Any, meta: dict[str, Any]
    ) -> None:
        self.classes = [str(c) for c in classes]
        self.coef_t = np.ascontiguousarray(np.asarray(coef, dtype=np.float64).T)  # (width, k)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.meta = meta  # what the component needs to rebuild its input (feature layout)

    def probabilities(self, x: Rows) -> Any:
        """scikit-learn's predict_proba for a fitted LogisticRegression, from its weights."""
        logits = dot(x, self.coef_t) + self.intercept
        if self.coef_t.shape[1] == 1:  # two classes: one logit for classes[1]
            positive = 1.0 / (1.0 + np.exp(-logits[:, 0]))
            return np.column_stack([1.0 - positive, positive])
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def rank(self, x: Rows, ranking_length: int) -> list[tuple[Intent, list[Intent]]]:
        """(intent, ranking) per row of `x`; rows without features get intent None with
        confidence 0 and an empty ranking (a fallback can take over)."""
        probabilities = self.probabilities(x)
        has_features = x.nonempty()
        top = min(ranking_length or len(self.classes), len(self.classes))
        order = np.argsort(-probabilities, axis=1, kind="stable")[:, :top]
        chosen = np.take_along_axis(probabilities, order, axis=1).tolist()
        classes = self.classes
        results: list[tuple[Intent, list[Intent]]] = []
        for i, (indices, confidences) in enumerate(zip(order.tolist(), chosen, strict=True)):
            if not has_features[i]:
                results.append(({"name": None, "confidence": 0.0}, []))
                continue
            ranking = [
                {"name": classes[k], "confidence": p}
                for k, p in zip(indices, confidences, strict=True)
            ]
            results.append((ranking[0], ranking))
        return results

    def save(self, directory: Path) -> None:
        meta = {"format_version": _FORMAT_VERSION, "classes": self.classes, **self.meta}
        (directory / _META_FILE).write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
        coef = np.asarray(self.coef_t.T, dtype=np.float32)
        np.save(directory / _COEF_FILE, coef, allow_pickle=False)
        np.save(directory / _INTERCEPT_FILE, self.intercept, allow_pickle=False)

    @classmethod
    def load(cls, directory: Path) -> LinearModel:
        try:
            meta = json.loads((directory / _META_FILE).read_text("utf-8"))
            if meta.get("format_version") != _FORMAT_VERSION:
                raise ValueError(
                    f"format {meta.get('format_version')!r}, expected {_FORMAT_VERSION}"
                )
            coef = np.load(directory / _COEF_FILE, allow_pickle=False)
            intercept = np.load(directory / _INTERCEPT_FILE, allow_pickle=False)
            classes = meta.pop("classes")
            meta.pop("format_version")
            return cls(classes, coef, intercept, meta)
        except (OSError, ValueError, KeyError) as exc:
            raise LinearLoadError(f"cannot read intent weights in {directory}: {exc}") from exc
