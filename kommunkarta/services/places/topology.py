"""The map's municipality boundaries as quantised TopoJSON, and back.

GeoJSON stores every border two municipalities share twice, and every coordinate as a decimal
of ten or more characters. TopoJSON stores a shared border once (an *arc* that both polygons
refer to, one of them backwards) and coordinates as whole numbers on a grid, each point as the
step from the one before. The grid is fitted to the map: no point moves more than MAX_ERROR_M
metres along either axis, under a pixel at the deepest zoom the map allows (14: about 4.8 m
per pixel at 60° N, 5.4 m at Sweden's southern tip), so the drawn map does not change. One
departure from the TopoJSON specification, for size: each arc is one flat list
`[x0, y0, dx1, dy1, dx2, dy2, …]` instead of a list of pairs. The county code, always the
first two digits of a municipality's code (geodata checks it), is left for the reader to add.
The 234 KB of GeoJSON the API serves (59 KB gzipped) become 93 KB (under 35 KB gzipped).

`geodata build` writes the file; the map fetches it and decodes it in the browser
(static/js/map/topology.js); the API keeps serving GeoJSON (/api/v1/boundaries/*).
Pure Python on plain dicts: it runs at build time and in tests, never per request.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

MAX_ERROR_M = 4.0
METRES_PER_DEGREE = 111_320  # of latitude, and of longitude at the equator

Point = tuple[int, int]


def _polygons(geometry: dict[str, Any]) -> list[list[list[list[float]]]]:
    polygons: list[list[list[list[float]]]]
    if geometry["type"] == "Polygon":
        polygons = [geometry["coordinates"]]
        return polygons
    if geometry["type"] == "MultiPolygon":
        polygons = geometry["coordinates"]
        return polygons
    raise ValueError(f"not a polygon: {geometry['type']}")


def encode(
    collection: dict[str, Any],
    properties: tuple[str, ...],
    name: str,
    max_error_m: float = MAX_ERROR_M,
) -> dict[str, Any]:
    """A TopoJSON topology with one GeometryCollection `name` holding the collection's
    (Multi)Polygons and the named properties of each feature. Raises ValueError for any other
    geometry."""
    features = collection["features"]
    corners = [
        point
        for feature in features
        for polygon in _polygons(feature["geometry"])
        for ring in polygon
        for point in ring
    ]
    west, south = min(p[0] for p in corners), min(p[1] for p in corners)
    # a grid step of twice the error in metres along each axis; a degree of longitude is
    # widest at the southern edge
    step_y = 2 * max_error_m / METRES_PER_DEGREE
    step_x = 2 * max_error_m / (METRES_PER_DEGREE * math.cos(math.radians(south)))

    def snapped(ring: list[list[float]]) -> list[Point]:
        points: list[Point] = []
        for x, y in ring[:-1]:  # the closing point again: the ring closes itself
            point = (round((x - west) / step_x), round((y - south) / step_y))
            if not points or points[-1] != point:
                points.append(point)
        while len(points) > 1 and points[0] == points[-1]:
            points.pop()
        return points

    shapes = [
        [[snapped(ring) for ring in polygon] for polygon in _polygons(feature["geometry"])]
        for feature in features
    ]
    junctions = _junctions(ring for shape in shapes for polygon in shape for ring in polygon)
    arcs: list[list[Point]] = []
    known: dict[tuple[Point, ...], int] = {}

    def arc_index(points: list[Point]) -> int:
        key = tuple(points)
        if key in known:
            return known[key]
        if key[::-1] in known:
            return ~known[key[::-1]]
        known[key] = len(arcs)
        arcs.append(points)
        return known[key]

    def ring_arcs(ring: list[Point]) -> list[int]:
        cuts = [i for i, point in enumerate(ring) if point in junctions]
        if not cuts:  # a ring no other ring touches, or that one other ring follows whole
            start = ring.index(min(ring))
            turned = ring[start:] + ring[:start]
            return [arc_index([*turned, turned[0]])]
        turned = ring[cuts[0] :] + ring[: cuts[0]]
        cuts = [i for i, point in enumerate(turned) if point in junctions] + [len(turned)]
        closed = [*turned, turned[0]]
        return [arc_index(closed[a : b + 1]) for a, b in zip(cuts, cuts[1:], strict=False)]

    geometries = []
    for feature, shape in zip(features, shapes, strict=True):
        polygons = [[ring_arcs(ring) for ring in polygon if len(ring) >= 3] for polygon in shape]
        polygons = [polygon for polygon in polygons if polygon]
        geometry: dict[str, Any] = (
            {"type": "Polygon", "arcs": polygons[0]}
            if len(polygons) == 1
            else {"type": "MultiPolygon", "arcs": polygons}
        )
        geometry["properties"] = {key: feature["properties"][key] for key in properties}
        geometries.append(geometry)
    return {
        "type": "Topology",
        "transform": {"scale": [step_x, step_y], "translate": [west, south]},
        "objects": {name: {"type": "GeometryCollection", "geometries": geometries}},
        "arcs": [_steps(arc) for arc in arcs],
    }


def _junctions(rings: Any) -> set[Point]:
    """Points where rings meet or part: those seen between different pairs of neighbours."""
    neighbours: dict[Point, set[frozenset[Point]]] = defaultdict(set)
    for ring in rings:
        for i, point in enumerate(ring):
            neighbours[point].add(frozenset((ring[i - 1], ring[(i + 1) % len(ring)])))
    return {point for point, pairs in neighbours.items() if len(pairs) > 1}


def _steps(arc: list[Point]) -> list[int]:
    out = list(arc[0])
    for (x, y), (px, py) in zip(arc[1:], arc, strict=False):
        out += (x - px, y - py)
    return out


def decode(topology: dict[str, Any], name: str) -> dict[str, Any]:
    """The GeoJSON FeatureCollection of the topology's object `name`, with the properties as
    stored (what the map's topology.js does in the browser, which adds the county code)."""
    (scale_x, scale_y), (west, south) = (
        topology["transform"]["scale"],
        topology["transform"]["translate"],
    )
    arcs = []
    for steps in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in zip(steps[::2], steps[1::2], strict=True):
            x, y = x + dx, y + dy
            points.append([x * scale_x + west, y * scale_y + south])
        arcs.append(points)

    def ring(indexes: list[int]) -> list[list[float]]:
        points: list[list[float]] = []
        for index in indexes:
            arc = arcs[index] if index >= 0 else arcs[~index][::-1]
            points.extend(arc if not points else arc[1:])
        return points

    features = []
    for geometry in topology["objects"][name]["geometries"]:
        if geometry["type"] == "Polygon":
            coordinates: Any = [ring(r) for r in geometry["arcs"]]
        else:
            coordinates = [[ring(r) for r in polygon] for polygon in geometry["arcs"]]
        features.append(
            {
                "type": "Feature",
                "properties": geometry["properties"],
                "geometry": {"type": geometry["type"], "coordinates": coordinates},
            }
        )
    return {"type": "FeatureCollection", "features": features}
