"""The map's Leaflet set-up as Folium writes it, kept in `data/map_skeleton.json` with slots
for what differs between maps.

Folium builds the map's Leaflet set-up, but Folium imports pandas, some 85 MB in every web
worker that imports it. So Folium runs here, when the file is written, not in the worker:
`python -m kommunkarta.public.map_skeleton` renders each kind of map (no base map,
OpenStreetMap, a configured tile URL) with a marker in place of every value that differs
between maps (the map's name, its bounds, the tile layer's name, URL and attribution) and
writes the result; `map_builder` fills the slots for each page. tests/unit/test_map_skeleton.py
fails when the file differs from what the installed Folium writes, and when a filled
skeleton differs from Folium's own rendering of the same values.

Folium is pinned to one minor version (pyproject.toml). Only its public API is used, except
in `_give_stable_name`; the tests fail on an upgrade until that use has been checked again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from kommunkarta.public.map_builder import CONFIG_SLOT, SKELETON_FILE

if TYPE_CHECKING:
    import folium

OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
OSM_MAX_ZOOM = 19
TILE_MODES = ("none", "osm", "url")  # `url`: any other KOMMUNKARTA_TILES, a URL template

# Folium's script runs before map.js, a deferred module: until the module has loaded,
# mountMap only queues the map; the module mounts what waits and replaces mountMap.
QUEUE = (
    "window.Kommunkarta = window.Kommunkarta || {pending: [], "
    "mountMap: function (map, config) { this.pending.push([map, config]); }};"
)

# What stands for each slot while Folium renders: values that nothing else in its output
# looks like, each found in the rendering as Folium writes it and replaced by @@slot@@.
MARKER_ID = "kkslotmap"  # the map's name is map_kkslotmap
MARKER_BOUNDS = [[1.125, 2.125], [3.125, 4.125]]
MARKER_URL = "kkslottileurl"
MARKER_ATTRIBUTION = "kkslotattribution"


def mount_script(map_name: str) -> str:
    """The script that hands Folium's Leaflet map to map.js, with the page's config slot."""
    return QUEUE + f"\nKommunkarta.mountMap({map_name}, {CONFIG_SLOT});"


def _give_stable_name(fmap: folium.Map, map_id: str) -> None:
    """Name the map's JavaScript variable and element id `map_id` (dashes made underscores)
    instead of Folium's random one, so that the same page is the same bytes every time.

    The one use of a private attribute of Folium (branca's `Element._id`, from which
    `get_name()` is made): Folium takes no id of its own."""
    fmap._id = map_id.replace("-", "_")


def folium_map(
    map_id: str, bounds: list[list[float]], tiles: str, attribution: str
) -> tuple[str, str, str | None]:
    """Folium's rendering of one map: (the map's <div>, its set-up script, the name Folium
    gave the tile layer or None). `tiles` is one of TILE_MODES' meanings: "none", "osm" or
    a tile URL template with its `attribution`."""
    import folium
    from branca.element import Element, Figure

    fmap = folium.Map(tiles=None, control_scale=False, zoom_snap=0.25)
    # Folium gives zoom limits only to tile layers; the marker clusters need the map's own
    fmap.options.update(minZoom=4, maxZoom=14)
    _give_stable_name(fmap, map_id)
    fmap.default_js = []
    fmap.default_css = []
    layer = None
    if tiles == "osm":
        layer = folium.TileLayer(OSM_URL, attr=OSM_ATTRIBUTION, max_zoom=OSM_MAX_ZOOM)
    elif tiles not in ("", "none"):
        layer = folium.TileLayer(tiles, attr=attribution or tiles)
    if layer is not None:
        layer.add_to(fmap)
    fmap.fit_bounds(bounds)
    figure = fmap.get_root()
    assert isinstance(figure, Figure)  # a map is always put in a page of its own
    figure.render()
    # After Folium's own set-up (map, tiles, bounds), which rendering put in the script
    figure.script.add_child(Element(mount_script(fmap.get_name())))
    html = figure.html.render()
    script = figure.script.render()
    return html, script, layer.get_name() if layer is not None else None


def _slotted(text: str, marker: str, slot: str, times: int | None = None) -> str:
    found = text.count(marker)
    if found == 0 or (times is not None and found != times):
        raise ValueError(f"Folium's output holds {marker!r} {found} times: check the skeleton")
    return text.replace(marker, f"@@{slot}@@")


def build() -> dict[str, dict[str, str]]:
    """Every kind of map as Folium writes it, with @@slots@@ for the values: `map` (the map's
    name), `bounds` (JSON), and for tiles `tile_layer` (the layer's name), `tile_url` and
    `attribution` (JSON strings)."""
    skeletons = {}
    for mode in TILE_MODES:
        tiles = MARKER_URL if mode == "url" else mode
        html, script, layer = folium_map(MARKER_ID, MARKER_BOUNDS, tiles, MARKER_ATTRIBUTION)
        if layer is not None:
            script = _slotted(script, layer, "tile_layer")
        if mode == "url":
            script = _slotted(script, json.dumps(MARKER_URL), "tile_url", 1)
            script = _slotted(script, json.dumps(MARKER_ATTRIBUTION), "attribution", 1)
        script = _slotted(script, json.dumps(MARKER_BOUNDS), "bounds", 1)
        name = f"map_{MARKER_ID}"
        skeletons[mode] = {
            "html": _slotted(html, name, "map"),
            "script": _slotted(script, name, "map"),
        }
    return skeletons


def write(path: Path = SKELETON_FILE) -> None:
    path.write_text(json.dumps(build(), indent=2, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write()
