"""The in-memory counts of one filter, kept current write by write.

A tally holds which slots of the index (services.register.count_index) are under the filter
and, once asked for, the figures per municipality, per county and in total, and the
initiatives by start year and status. When a write
changes some initiatives, their old slots' part is taken out of every tally and their new
slots' part put in — a few small sums over the links of the changed slots — instead of
counting every link again: at 100,000 initiatives that is the difference between the first
answer after a write costing as much as a warm one and costing several milliseconds more.
Counts are whole numbers and stay exact; the sums of hours and kronor are floats and may
differ from a recount in their last bits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from kommunkarta.services.register.count_arrays import Part
from kommunkarta.services.register.count_reading import NO_YEAR


class Facets(NamedTuple):
    """The index's per-slot values that tallies sum or count by."""

    amounts: Sequence[np.ndarray]  # hours, kronor, with hours, with kronor
    year: np.ndarray
    status: np.ndarray


def figures(
    chosen: np.ndarray, parts: Sequence[Part], amounts: Sequence[np.ndarray], width: int
) -> np.ndarray:
    """A (5, width) array: count, hours, kronor, with hours, with kronor per target, over the
    links whose slot is chosen."""
    out = np.zeros((5, width))
    for slots, targets in parts:
        picked = chosen[slots]
        slots, targets = slots[picked], targets[picked]
        out[0] += np.bincount(targets, minlength=width)
        for k, amount in enumerate(amounts, start=1):
            out[k] += np.bincount(targets, weights=amount[slots], minlength=width)
    return out


def totals(chosen: np.ndarray, slots: np.ndarray, amounts: Sequence[np.ndarray]) -> np.ndarray:
    """Count, hours, kronor, with hours, with kronor of the chosen among `slots`."""
    picked = slots[chosen[slots]]
    return np.array([len(picked), *(amount[picked].sum() for amount in amounts)])


@dataclass
class Tally:
    """One filter's selection and the figures computed from it so far (None: not asked for
    since the last full load)."""

    chosen: np.ndarray  # per slot: a live initiative under the filter
    places: np.ndarray | None = None  # (5, municipalities): taking part or adopting
    adopted: np.ndarray | None = None  # (municipalities,): adopting and not taking part
    counties: np.ndarray | None = None  # (5, counties): any of its municipalities
    total: np.ndarray | None = None  # (5,): each initiative once
    years: Counter[tuple[int, int]] | None = None  # (start year, status id): initiatives

    def add(
        self, slots: np.ndarray, links: tuple[Part, Part, Part], facets: Facets, sign: int
    ) -> None:
        """Put in (sign 1) or take out (sign -1) the part of the given slots, whose links
        (taking part, adopting, counties) are given; `chosen` must cover the slots."""
        taking_part, adopting, counties = links
        amounts = facets.amounts
        if self.places is not None:
            _add(self.places, self.chosen, (taking_part, adopting), amounts, sign)
        if self.adopted is not None:
            np.add.at(self.adopted, adopting[1][self.chosen[adopting[0]]], sign)
        if self.counties is not None:
            _add(self.counties, self.chosen, (counties,), amounts, sign)
        if self.total is not None:
            self.total += sign * totals(self.chosen, slots, amounts)
        if self.years is not None:
            picked = slots[self.chosen[slots]]
            years, statuses = facets.year[picked].tolist(), facets.status[picked].tolist()
            for key in zip(years, statuses, strict=True):
                if key[0] != NO_YEAR:
                    self.years[key] += sign
                    if not self.years[key]:
                        del self.years[key]


def _add(
    out: np.ndarray,
    chosen: np.ndarray,
    parts: Sequence[Part],
    amounts: Sequence[np.ndarray],
    sign: int,
) -> None:
    """`figures` of a few links added to `out` in place (times sign), without a pass over
    every target."""
    for slots, targets in parts:
        picked = chosen[slots]
        if picked.any():
            slots, targets = slots[picked], targets[picked]
            weights = np.stack([np.ones(len(slots)), *(amount[slots] for amount in amounts)])
            np.add.at(out.T, targets, (sign * weights).T)  # out.T: a view of out
