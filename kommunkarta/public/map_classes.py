"""The map's classes and colours: the one definition that the live map (map.js, which gets
them from the page's config and from /map/summary) and the map as an image (/map.svg) share.

Up to five classes over the non-zero counts, their upper bounds at the quantiles (repeated
bounds merged); fewer classes take the darker end of the palette. An area with no initiative
has its own light grey, outside the classes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

PALETTE = ("#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494")
NONE_COLOUR = "#f2f2f2"


@dataclass(frozen=True)
class Classes:
    breaks: tuple[int, ...]  # the upper bound of each class, ascending
    colours: tuple[str, ...]  # the colour of each class

    def colour(self, count: int) -> str:
        """The fill of an area with `count` initiatives."""
        if not count:
            return NONE_COLOUR
        for high, colour in zip(self.breaks, self.colours, strict=True):
            if count <= high:
                return colour
        return self.colours[-1]

    def rows(self) -> list[tuple[str, int, int]]:
        """(colour, lowest, highest count) of each class, for a legend."""
        lows = (1, *(high + 1 for high in self.breaks[:-1])) if self.breaks else ()
        return list(zip(self.colours, lows, self.breaks, strict=True))

    def to_json(self) -> dict[str, list]:
        return {"breaks": list(self.breaks), "colours": list(self.colours)}


def classes(counts: Iterable[int], palette: tuple[str, ...] = PALETTE) -> Classes:
    """The classes of these counts (zeros left out; no classes when all are zero)."""
    values = sorted(c for c in counts if c > 0)
    n, k = len(values), len(palette)
    breaks: list[int] = []
    for i in range(1, k + 1 if n else 1):
        high = values[min(n - 1, -(-i * n // k) - 1)]  # the i-th k-quantile
        if high not in breaks:
            breaks.append(high)
    return Classes(tuple(breaks), palette[k - len(breaks) :])
