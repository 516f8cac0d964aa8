"""Sparse rows without scipy.sparse's per-call overhead, for the serving hot path.

A parse of one message multiplies two small sparse matrices by dense weights; scipy.sparse
spends more time validating and dispatching (about 100 microseconds per matrix here) than
multiplying. `Rows` is a CSR matrix's three arrays, and `dot` calls the very kernel
`csr_matrix @ dense` uses (`_sparsetools.csr_matvecs`), so results are bit for bit those of
scipy; `Rows.tocsr()` gives a real scipy matrix where Rasa needs one.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np  # type: ignore[import-not-found, unused-ignore]
import scipy.sparse  # type: ignore[import-untyped, import-not-found, unused-ignore]

try:  # private, but the same kernel for a decade of scipy releases; the public path is slower
    from scipy.sparse._sparsetools import (  # type: ignore[import-untyped, import-not-found, unused-ignore]
        csr_matvecs,
    )
except ImportError:  # pragma: no cover - a scipy without it: use the public operator
    csr_matvecs = None


class Rows(NamedTuple):
    data: Any  # float64 values
    indices: Any  # int64 column of each value, sorted within a row
    indptr: Any  # int64, n_rows + 1 offsets into data/indices
    n_cols: int

    @property
    def n_rows(self) -> int:
        return len(self.indptr) - 1

    def nonempty(self) -> Any:
        return np.diff(self.indptr) > 0

    def tocsr(self) -> Any:
        return scipy.sparse.csr_matrix(
            (self.data, self.indices, self.indptr), shape=(self.n_rows, self.n_cols)
        )

    @classmethod
    def of(cls, matrix: Any) -> Rows:
        """The rows of a scipy CSR matrix (or of Rows), with int64 indices."""
        if isinstance(matrix, Rows):
            return matrix
        csr = scipy.sparse.csr_matrix(matrix)
        return cls(
            np.asarray(csr.data, dtype=np.float64),
            np.asarray(csr.indices, dtype=np.int64),
            np.asarray(csr.indptr, dtype=np.int64),
            int(csr.shape[1]),
        )

    @classmethod
    def empty(cls, n_rows: int, n_cols: int) -> Rows:
        return cls(
            np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(n_rows + 1, dtype=np.int64), n_cols
        )


def dot(rows: Rows, weights: Any) -> Any:
    """`rows @ weights` for C-contiguous float64 `weights` of shape (n_cols, k)."""
    out = np.zeros((rows.n_rows, weights.shape[1]))
    if csr_matvecs is None:
        return np.asarray(rows.tocsr() @ weights)
    csr_matvecs(
        rows.n_rows,
        rows.n_cols,
        weights.shape[1],
        rows.indptr,
        rows.indices,
        rows.data,
        weights.ravel(),
        out.ravel(),
    )
    return out
