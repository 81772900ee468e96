"""The boundaries as SVG path data, for the map as an image (/map.svg).

Drawn from the boundaries projected to SWEREF 99 TM (EPSG:3006, Sweden's national projection,
so the country keeps its shape; `Geodata.projected`) and simplified as one coverage
(`shapely.coverage_simplify`), so that neighbours keep their shared border and no slivers open
between them. Coordinates are in image units of some hundred metres (the areas fitted into
HEIGHT by MAX_WIDTH) from the north-west corner of their bounds, y downwards, one decimal: the
whole country in some 90 KB of path data. Made once per level and county
(`Geodata.outlines`). numpy and shapely are imported when the first outline is drawn, not with
this module (see `geodata`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

HEIGHT = 900.0  # image units from the northernmost to the southernmost point ...
MAX_WIDTH = 520.0  # ... unless the areas are so wide that this is the limit
TOLERANCE = 0.5  # simplification, in image units: under a pixel at any size a slide shows


@dataclass(frozen=True)
class Outlines:
    paths: dict[str, str]  # code -> SVG path data (fill-rule evenodd for holes)
    names: dict[str, str]
    width: float
    height: float


def outlines(names: dict[str, str], projected: Sequence[Any]) -> Outlines:
    """Path data of the areas named in `names` (code -> name), whose boundaries `projected`
    holds in the same order in metres (SWEREF 99 TM), fitted into HEIGHT by MAX_WIDTH image
    units."""
    import numpy as np
    import shapely

    minx, miny, maxx, maxy = shapely.total_bounds(projected)
    unit = max((maxy - miny) / HEIGHT, (maxx - minx) / MAX_WIDTH)  # metres per image unit
    simplified = shapely.coverage_simplify(projected, TOLERANCE * unit)
    origin = np.array([minx, maxy])
    flip = np.array([1.0, -1.0])

    def ring(coords: np.ndarray) -> str:
        points = np.round((coords - origin) * flip / unit, 1)
        text = " ".join(f"{x:g} {y:g}" for x, y in points[:-1])  # closed by Z
        first, _, rest = text.partition(" ")
        head, _, tail = rest.partition(" ")
        return f"M{first} {head}L{tail}Z"

    def path(geometry: Any) -> str:  # a shapely (Multi)Polygon
        parts = []
        for polygon in getattr(geometry, "geoms", [geometry]):
            parts.append(ring(shapely.get_coordinates(polygon.exterior)))
            parts.extend(ring(shapely.get_coordinates(hole)) for hole in polygon.interiors)
        return "".join(parts)

    return Outlines(
        paths={code: path(geometry) for code, geometry in zip(names, simplified, strict=True)},
        names=dict(names),
        width=round((maxx - minx) / unit, 1),
        height=round((maxy - miny) / unit, 1),
    )
