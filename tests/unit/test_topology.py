"""The map's TopoJSON: the served municipalities in about a third of the bytes, no corner
moved further than MAX_ERROR_M metres along either axis, every shared border stored once."""

import gzip
import json
import math

import pytest
import shapely.geometry

from kommunkarta.services.places import topology
from tests.conftest import GEODATA_DIR


@pytest.fixture(scope="module")
def source() -> dict:
    return json.loads((GEODATA_DIR / "municipalities.geojson").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def served(geo) -> dict:
    return json.loads(geo.municipalities_topology)


def _corners(feature: dict) -> list[tuple[float, float]]:
    geometry = feature["geometry"]
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    return [tuple(point) for polygon in polygons for ring in polygon for point in ring]


def test_the_served_file_is_what_build_makes_of_the_geojson(source, served):
    assert served == topology.encode(source, ("code", "name"), "municipalities")


def test_it_is_under_35_kb_gzipped_and_a_third_of_the_geojson(geo):
    assert len(gzip.compress(geo.municipalities_topology, 6)) <= 35_000
    assert len(geo.municipalities_topology) * 2.5 < len(geo.municipalities_geojson)


def test_decoded_it_is_every_municipality_within_the_error(source, served):
    decoded = topology.decode(served, "municipalities")
    assert [f["properties"] for f in decoded["features"]] == [
        {"code": f["properties"]["code"], "name": f["properties"]["name"]}
        for f in source["features"]
    ]
    limit = topology.MAX_ERROR_M * 1.01
    for before, after in zip(source["features"], decoded["features"], strict=True):
        shape = shapely.geometry.shape(after["geometry"])
        assert shape.is_valid, before["properties"]["code"]
        # every corner of the decoded outline lies within the error of a corner of the source
        originals = _corners(before)
        for x, y in _corners(after):
            nearest = min(originals, key=lambda p: (p[0] - x) ** 2 + (p[1] - y) ** 2)
            east = (x - nearest[0]) * topology.METRES_PER_DEGREE * math.cos(math.radians(y))
            north = (y - nearest[1]) * topology.METRES_PER_DEGREE
            assert abs(east) <= limit and abs(north) <= limit


def test_a_shared_border_is_one_arc():
    # two squares side by side share the edge x = 1: three arcs, the middle one used by both
    def square(code, x):
        ring = [[x, 60], [x + 1, 60], [x + 1, 61], [x, 61], [x, 60]]
        return {
            "type": "Feature",
            "properties": {"code": code, "name": code},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }

    pair = {"type": "FeatureCollection", "features": [square("a", 15), square("b", 16)]}
    encoded = topology.encode(pair, ("code",), "places")
    assert len(encoded["arcs"]) == 3
    first, second = (g["arcs"][0] for g in encoded["objects"]["places"]["geometries"])
    shared = set(first) & {~i for i in second}
    assert len(shared) == 1
    decoded = topology.decode(encoded, "places")
    for before, after in zip(pair["features"], decoded["features"], strict=True):
        distance = shapely.geometry.shape(after["geometry"]).hausdorff_distance(
            shapely.geometry.shape(before["geometry"])
        )
        assert distance < 1e-4  # degrees: about 10 m at most


def test_anything_but_polygons_is_refused():
    line = {
        "type": "Feature",
        "properties": {"code": "x"},
        "geometry": {"type": "LineString", "coordinates": [[15, 60], [16, 60]]},
    }
    with pytest.raises(ValueError, match="not a polygon"):
        topology.encode({"type": "FeatureCollection", "features": [line]}, ("code",), "x")
