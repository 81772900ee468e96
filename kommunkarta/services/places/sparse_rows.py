"""Sparse matrices as compressed rows in plain numpy, for the similarity index.

What scipy.sparse's CSR format holds, with the three operations the index needs: a product
of rows with another matrix while it is built, a sparse vector times the matrix (a query:
it reads only the rows of its own terms) and which columns any of some rows hold. Importing
SciPy cost every serving worker some 13 MB resident for these few lines, and its products
know no uint16 (the text postings' weights, services.places.text_model, which keeps them in a
form of its own at 2 bytes an entry against SciPy's 8).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class SparseRows:
    """Row r holds `columns[starts[r]:starts[r + 1]]` (ascending) with the values of the
    same slice of `values`; `values` None means every entry is 1."""

    starts: NDArray[np.int64]
    columns: NDArray[Any]  # an integer type wide enough for `width`
    width: int
    values: NDArray[Any] | None = None

    @classmethod
    def from_entries(
        cls,
        rows: NDArray[Any],
        columns: NDArray[Any],
        height: int,
        width: int,
        values: NDArray[Any] | None = None,
    ) -> SparseRows:
        """The matrix of (row, column, value) entries, each (row, column) at most once."""
        order = np.lexsort((columns, rows))
        starts = np.zeros(height + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=height), out=starts[1:])
        return cls(
            starts,
            np.ascontiguousarray(columns[order]),
            width,
            None if values is None else np.ascontiguousarray(values[order]),
        )

    def __len__(self) -> int:
        return len(self.starts) - 1

    def entries_of(self, rows: NDArray[Any]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """The positions of the given rows' entries, row after row, and each row's length."""
        first = self.starts[rows]
        lengths = self.starts[np.asarray(rows) + 1] - first
        # each row's run first[i] .. first[i] + lengths[i] - 1, in one array
        positions = np.repeat(first - np.cumsum(lengths) + lengths, lengths)
        return positions + np.arange(len(positions)), lengths

    def values_at(self, positions: NDArray[Any]) -> NDArray[np.float64]:
        if self.values is None:
            return np.ones(len(positions))
        values: NDArray[np.float64] = self.values[positions].astype(np.float64)
        return values

    def weighted_sum(self, rows: NDArray[Any], weights: NDArray[Any]) -> NDArray[np.float32]:
        """Σ weights[i] × row rows[i], dense: a sparse vector times this matrix."""
        positions, lengths = self.entries_of(rows)
        products = np.repeat(np.asarray(weights, dtype=np.float64), lengths)
        products *= self.values_at(positions)
        return np.bincount(self.columns[positions], weights=products, minlength=self.width).astype(
            np.float32
        )

    def any_of(self, rows: NDArray[Any]) -> NDArray[np.bool_]:
        """True for each column that any of the rows holds."""
        found = np.zeros(self.width, dtype=bool)
        found[self.columns[self.entries_of(rows)[0]]] = True
        return found

    def times(self, other: SparseRows, first: int, last: int) -> SparseRows:
        """Rows first .. last - 1 of this matrix times `other` (summed, as sparse)."""
        here = slice(self.starts[first], self.starts[last])
        inner = self.columns[here]
        positions, lengths = other.entries_of(inner)
        row = np.repeat(
            np.repeat(np.arange(last - first), np.diff(self.starts[first : last + 1])), lengths
        )
        keys = row * other.width + other.columns[positions]
        products = np.repeat(self.values_at(np.arange(here.start, here.stop)), lengths)
        products *= other.values_at(positions)
        keys, at = np.unique(keys, return_inverse=True)
        sums = np.bincount(at, weights=products, minlength=len(keys))
        starts = np.zeros(last - first + 1, dtype=np.int64)
        np.cumsum(np.bincount(keys // other.width, minlength=last - first), out=starts[1:])
        return SparseRows(starts, keys % other.width, other.width, sums)
