"""The growing numpy arrays that the in-memory counts (services.register.count_index) keep:
one value per initiative's slot, and links from slots to places or terms.

Slots are handed out in increasing order and never reused, and links are kept sorted by
slot, so the links of any few slots — the ones a write touched — are found by binary search
instead of a pass over every link.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# (slot, target index) of some links: an initiative's municipalities, counties or terms
Part = tuple[np.ndarray, np.ndarray]


class Column:
    """A numpy array that grows at its end (amortised doubling)."""

    def __init__(self, dtype: Any) -> None:
        self.data = np.empty(1024, dtype=dtype)
        self.size = 0

    def extend(self, values: np.ndarray) -> None:
        end = self.size + len(values)
        if end > len(self.data):
            grown = np.empty(max(end, 2 * len(self.data)), dtype=self.data.dtype)
            grown[: self.size] = self.data[: self.size]
            self.data = grown
        self.data[self.size : end] = values
        self.size = end

    @property
    def values(self) -> np.ndarray:
        return self.data[: self.size]


class Links:
    """(slot, target index) pairs sorted by slot."""

    def __init__(self) -> None:
        self.slots = Column(np.int32)
        self.targets = Column(np.int32)

    def extend(self, slots: np.ndarray, targets: np.ndarray) -> None:
        """Add links of new slots, all above those already linked."""
        order = np.argsort(slots, kind="stable")
        self.slots.extend(slots[order])
        self.targets.extend(targets[order])

    @property
    def every(self) -> Part:
        return self.slots.values, self.targets.values

    def of(self, slots: np.ndarray) -> Part:
        """The links of the given slots (sorted, each once)."""
        values = self.slots.values
        slots = slots.astype(values.dtype)  # else numpy converts every link to search
        first = np.searchsorted(values, slots, "left")
        lengths = np.searchsorted(values, slots, "right") - first
        # each slot's run of positions, first[i] .. first[i] + lengths[i] - 1, in one array
        positions = np.repeat(first - np.cumsum(lengths) + lengths, lengths) + np.arange(
            lengths.sum()
        )
        return values[positions], self.targets.values[positions]

    def mark(self, start: int, size: int, targets: np.ndarray) -> np.ndarray:
        """Which of the slots start .. size - 1 have a link to any of `targets`."""
        marked = np.zeros(size - start, dtype=bool)
        values = self.slots.values
        first = int(np.searchsorted(values, values.dtype.type(start)))  # (as in `of`)
        slots, linked = values[first:], self.targets.values[first:]
        marked[slots[np.isin(linked, targets)] - start] = True
        return marked
