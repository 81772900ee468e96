"""Folium is used through its public API but for one private attribute; these tests fail when
Folium is upgraded past the pinned minor version or stops honouring that attribute."""

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import folium

from kommunkarta.public import map_builder

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_installed_folium_is_the_pinned_minor_version():
    declared = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    (pin,) = [spec for spec in declared if spec.lower().startswith("folium")]
    pinned_minor = re.fullmatch(r"folium~=(\d+\.\d+)\.\d+", pin).group(1)
    installed_minor = ".".join(version("folium").split(".")[:2])
    assert installed_minor == pinned_minor, (
        f"Folium {version('folium')} is installed but {pin} is declared: check "
        "map_builder._give_stable_name (a private attribute) and the rendered map before "
        "moving the pin"
    )


def test_the_map_takes_the_stable_name():
    fmap = folium.Map(tiles=None)
    map_builder._give_stable_name(fmap, "some-map")
    assert fmap.get_name() == "map_some_map"


def test_rendered_map_uses_the_stable_name_and_only_our_assets():
    rendered = map_builder.render(
        '{"n": 1}', {"css": ["/static/a.css"], "js": ["/static/a.js"]}, map_id="my-map"
    )
    assert 'id="map_my_map"' in rendered.html
    assert rendered.script.rstrip().endswith('Kommunkarta.mountMap(map_my_map, {"n": 1});')
    assert "var map_my_map = L.map(" in rendered.script
    assert rendered.assets == (
        '<link rel="stylesheet" href="/static/a.css"/>\n<script src="/static/a.js"></script>'
    )
    again = map_builder.render(
        '{"n": 1}', {"css": ["/static/a.css"], "js": ["/static/a.js"]}, map_id="my-map"
    )
    assert again == rendered
