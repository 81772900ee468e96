"""Building the Leaflet map without inlining any geometry, and without Folium at run time.

Folium writes the map's Leaflet set-up, ahead of time: `map_skeleton` renders each kind of
map with Folium into `map_skeleton.json`, with slots for the map's name, bounds and tile
layer, which this module fills for each page (Folium imports pandas, which no web worker
should carry). One script element of ours after it hands the map to `static/js/map.js` (an
ES module; its parts are in `static/js/map/`), which fetches the boundaries once from the
API (cached by ETag), shades them with the counts given here and, when a filter changes,
fetches new counts and restyles in place. Every script and style sheet comes from the app
itself — no CDN.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup, escape

# Sweden, whole: south-west and north-east corners
SWEDEN_BOUNDS = [[55.2, 10.9], [69.1, 24.2]]
SKELETON_FILE = Path(__file__).parent.parent / "data" / "map_skeleton.json"
SLOT = re.compile(r"@@(\w+)@@")  # a value in the skeleton (public.map_skeleton)
CONFIG_SLOT = "__kommunkarta_map_config__"  # where each page's config goes


@dataclass(frozen=True)
class RenderedMap:
    """The pieces of a Folium map that our own page template places."""

    assets: Markup  # <link> and module <script> tags for <head>
    html: Markup  # the map's <div>
    scripts: Markup  # the classic <script>s (Leaflet), right before the set-up script
    script: Markup  # the inline set-up script, after the div


def render(
    config_json: str,
    asset_urls: dict[str, list[str]],
    tiles: str = "none",
    tiles_attribution: str = "",
    bounds: list[list[float]] | None = None,
    map_id: str = "kommunkarta-map",
) -> RenderedMap:
    """Our choropleth's map: Folium's set-up for `tiles` ("none", "osm" or a tile URL
    template with its attribution) fitted to `bounds` (Sweden by default), with the page's
    config put in; `asset_urls` are local URLs of style sheets (`css`), classic scripts
    (`js`) and ES modules (`modules`), with the modules those import (`module_deps`) and the
    data the map fetches first (`fetch`) to preload."""
    html, script = skeleton(map_id, bounds or SWEDEN_BOUNDS, tiles, tiles_attribution)
    script = script.replace(CONFIG_SLOT, str(config_json))
    scripts = [f'<script src="{escape(url)}"></script>' for url in asset_urls.get("js", [])]
    return RenderedMap(
        _asset_links(asset_urls), Markup(html), Markup("\n".join(scripts)), Markup(script)
    )


def config_json(config: dict) -> Markup:
    """A page's map config as JSON for its set-up script, without spaces and with letters
    such as å as themselves rather than \\u escapes (the config is the largest part of the
    map page); as safe in a <script> as `htmlsafe_json_dumps` makes it."""
    return htmlsafe_json_dumps(config, separators=(",", ":"), ensure_ascii=False)


def skeleton(
    map_id: str, bounds: list[list[float]], tiles: str, attribution: str
) -> tuple[str, str]:
    """The map's <div> and set-up script as Folium writes them for these values, with the
    config slot still in the script."""
    mode = tiles if tiles in ("none", "osm") else "none" if tiles == "" else "url"
    name = "map_" + map_id.replace("-", "_")
    values = {
        "map": name,
        "bounds": json.dumps([list(corner) for corner in bounds]),
        "tile_layer": f"tile_layer_{name}",  # Folium names it at random
        "tile_url": str(htmlsafe_json_dumps(tiles)),
        "attribution": str(htmlsafe_json_dumps(attribution or tiles)),
    }
    kind = _skeletons()[mode]
    fill = functools.partial(SLOT.sub, lambda slot: values[slot.group(1)])
    return fill(kind["html"]), fill(kind["script"])


@functools.cache
def _skeletons() -> dict[str, dict[str, str]]:
    return json.loads(SKELETON_FILE.read_text(encoding="utf-8"))


def _asset_links(asset_urls: dict[str, list[str]]) -> Markup:
    """Only our links and scripts, not the rest of Folium's header: its page styles and its
    viewport tag (which forbids zooming) would fight our layout and accessibility.

    What the map needs first is asked for first and at once, side by side: the data it
    draws, then Leaflet (whose <script> comes only at the end of the body, so that the
    page is read while it loads), then the modules, instead of as each import or request
    is reached."""
    links = [
        f'<link rel="preload" href="{escape(url)}" as="fetch" crossorigin>'
        for url in asset_urls.get("fetch", [])
    ]
    links += [
        f'<link rel="preload" href="{escape(url)}" as="script">' for url in asset_urls.get("js", [])
    ]
    links += [f'<link rel="stylesheet" href="{escape(url)}">' for url in asset_urls.get("css", [])]
    links += [
        f'<script type="module" src="{escape(url)}"></script>'
        for url in asset_urls.get("modules", [])
    ]
    links += [
        f'<link rel="modulepreload" href="{escape(url)}">'
        for url in asset_urls.get("module_deps", [])
    ]
    return Markup("\n".join(links))
