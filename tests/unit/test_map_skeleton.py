"""Folium writes the map's Leaflet set-up ahead of time (public.map_skeleton) and each page
fills its values in (public.map_builder). These tests fail when the stored skeleton drifts
from what the installed Folium writes, when a filled skeleton differs from Folium's own
rendering of the same values, and when Folium is upgraded past the pinned minor version or
stops honouring the one private attribute used."""

import json
import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import folium
import pytest
from branca.element import JavascriptLink

from kommunkarta.public import map_builder, map_skeleton

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
REWRITE = "run `python -m kommunkarta.public.map_skeleton` and check the map in a browser"


def test_installed_folium_is_the_pinned_minor_version():
    declared = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    (pin,) = [spec for spec in declared if spec.lower().startswith("folium")]
    pinned_minor = re.fullmatch(r"folium~=(\d+\.\d+)\.\d+", pin).group(1)
    installed_minor = ".".join(version("folium").split(".")[:2])
    assert installed_minor == pinned_minor, (
        f"Folium {version('folium')} is installed but {pin} is declared: check "
        "map_skeleton._give_stable_name (a private attribute) and the rendered map before "
        "moving the pin"
    )


def test_the_map_takes_the_stable_name():
    fmap = folium.Map(tiles=None)
    map_skeleton._give_stable_name(fmap, "some-map")
    assert fmap.get_name() == "map_some_map"


def test_the_stored_skeleton_is_what_folium_writes_now():
    stored = json.loads(map_builder.SKELETON_FILE.read_text(encoding="utf-8"))
    assert stored == map_skeleton.build(), f"Folium's output has changed: {REWRITE}"


@pytest.mark.parametrize(
    "map_id, bounds, tiles, attribution",
    [
        ("kommunkarta-map", map_builder.SWEDEN_BOUNDS, "none", ""),
        ("kommunkarta-map", map_builder.SWEDEN_BOUNDS, "", ""),
        ("kommunkarta-map", map_builder.SWEDEN_BOUNDS, "osm", ""),
        ("region-map", [[55.33, 12.45], [56.527, 14.58]], "none", ""),
        ("embed-map", [[59.2247019, 17.7654321], [59.4401, 18.2000001]], "osm", "ignored"),
        (
            "embed-map",
            [[63.0, 14.1], [64.2, 16.0]],
            "https://{s}.tiles.example.se/{z}/{x}/{y}.png?key=a&b='c'",
            '&copy; <a href="https://example.se">Lantmäteriet</a> "x" \\ </script>',
        ),
        ("kommunkarta-map", map_builder.SWEDEN_BOUNDS, "https://t.example/{z}/{x}/{y}", ""),
    ],
)
def test_a_filled_skeleton_is_folium_s_own_rendering(map_id, bounds, tiles, attribution):
    html, script = map_builder.skeleton(map_id, bounds, tiles, attribution)
    folium_html, folium_script, layer = map_skeleton.folium_map(map_id, bounds, tiles, attribution)
    if layer is not None:  # Folium names the tile layer at random; the skeleton does not
        folium_script = folium_script.replace(layer, f"tile_layer_map_{map_id.replace('-', '_')}")
    assert "@@" not in html + script
    assert html == folium_html
    assert script == folium_script


def test_rendered_map_uses_the_stable_name_and_only_our_assets():
    assets = {
        "css": ["/static/a.css"],
        "js": ["/static/a.js"],
        "modules": ["/static/m.js"],
        "module_deps": ["/static/m/a.js", "/static/m/b.js"],
        "fetch": ["/map/boundaries/municipalities"],
    }
    rendered = map_builder.render('{"n": 1}', assets, map_id="my-map")
    assert 'id="map_my_map"' in rendered.html
    assert rendered.script.rstrip().endswith('Kommunkarta.mountMap(map_my_map, {"n": 1});')
    assert "var map_my_map = L.map(" in rendered.script
    # what the map draws first is asked for first; Leaflet's script comes before the set-up
    assert rendered.assets.splitlines() == [
        '<link rel="preload" href="/map/boundaries/municipalities" as="fetch" crossorigin>',
        '<link rel="preload" href="/static/a.js" as="script">',
        '<link rel="stylesheet" href="/static/a.css">',
        '<script type="module" src="/static/m.js"></script>',
        '<link rel="modulepreload" href="/static/m/a.js">',
        '<link rel="modulepreload" href="/static/m/b.js">',
    ]
    assert rendered.scripts == JavascriptLink("/static/a.js").render()
    assert map_builder.render('{"n": 1}', assets, map_id="my-map") == rendered
