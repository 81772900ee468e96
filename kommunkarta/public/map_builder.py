"""Building the Leaflet map with Folium, without inlining any geometry.

Folium writes the map's Leaflet set-up; one script element of ours after it hands the map to
`static/js/map.js` (an ES module; its parts are in `static/js/map/`), which fetches the
boundaries once from the API (cached by ETag), shades them with the counts given here and,
when a filter changes, fetches new counts and restyles in place. Every script and style
sheet comes from the app itself — no CDN.

Folium is pinned to one minor version (pyproject.toml). Only its public API is used, except
in `_give_stable_name`; tests/unit/test_map_builder.py fails on an upgrade until that use
has been checked again. Folium (which brings pandas) is imported when a map is first built,
not with this module, so that commands start without it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

if TYPE_CHECKING:
    import folium

# Sweden, whole: south-west and north-east corners
SWEDEN_BOUNDS = [[55.2, 10.9], [69.1, 24.2]]
CONFIG_SLOT = "__kommunkarta_map_config__"  # where each page's config goes into the skeleton
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'


# Folium's inline script runs before map.js, a deferred module: until the module has loaded,
# mountMap only queues the map; the module mounts what waits and replaces mountMap.
QUEUE = (
    "window.Kommunkarta = window.Kommunkarta || {pending: [], "
    "mountMap: function (map, config) { this.pending.push([map, config]); }};"
)


def mount_script(map_name: str) -> str:
    """The script that hands Folium's Leaflet map to map.js, with the page's config slot."""
    return QUEUE + f"\nKommunkarta.mountMap({map_name}, {CONFIG_SLOT});"


def _give_stable_name(fmap: folium.Map, map_id: str) -> None:
    """Name the map's JavaScript variable and element id `map_id` (dashes made underscores)
    instead of Folium's random one, so that the same page is the same bytes every time.

    The one use of a private attribute of Folium (branca's `Element._id`, from which
    `get_name()` is made): Folium takes no id of its own."""
    fmap._id = map_id.replace("-", "_")


@dataclass(frozen=True)
class RenderedMap:
    """The three pieces of a Folium map that our own page template places."""

    assets: Markup  # <script>/<link> tags for <head>
    html: Markup  # the map's <div>
    script: Markup  # the inline set-up script, after the div


def _tile_layer(tiles: str, attribution: str) -> folium.TileLayer | None:
    import folium

    if tiles in ("", "none"):
        return None
    if tiles == "osm":
        return folium.TileLayer(
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            attr=OSM_ATTRIBUTION,
            max_zoom=19,
        )
    return folium.TileLayer(tiles, attr=attribution or tiles)


def render(
    config_json: str,
    asset_urls: dict[str, list[str]],
    tiles: str = "none",
    tiles_attribution: str = "",
    bounds: list[list[float]] | None = None,
    map_id: str = "kommunkarta-map",
    **map_options: Any,
) -> RenderedMap:
    """Render a Folium map that shows our choropleth; `asset_urls` are local URLs of style
    sheets (`css`), classic scripts (`js`) and ES modules (`modules`), with the modules those
    import (`module_deps`) and the data the map fetches first (`fetch`) to preload.

    Folium builds the map once per set of arguments; each page only puts its config in."""
    skeleton = _skeleton(
        tuple(asset_urls.get("css", [])),
        tuple(asset_urls.get("js", [])),
        tuple(asset_urls.get("modules", [])),
        tuple(asset_urls.get("module_deps", [])),
        tuple(asset_urls.get("fetch", [])),
        tiles,
        tiles_attribution,
        tuple(tuple(corner) for corner in bounds or SWEDEN_BOUNDS),
        map_id,
        tuple(sorted(map_options.items())),
    )
    script = str(skeleton.script).replace(CONFIG_SLOT, str(config_json))
    return RenderedMap(skeleton.assets, skeleton.html, Markup(script))


@functools.lru_cache(maxsize=64)
def _skeleton(
    css: tuple[str, ...],
    js: tuple[str, ...],
    modules: tuple[str, ...],
    module_deps: tuple[str, ...],
    fetched: tuple[str, ...],
    tiles: str,
    tiles_attribution: str,
    bounds: tuple[tuple[float, ...], ...],
    map_id: str,
    map_options: tuple[tuple[str, Any], ...],
) -> RenderedMap:
    import folium
    from branca.element import CssLink, Element, Figure, JavascriptLink

    fmap = folium.Map(tiles=None, control_scale=False, zoom_snap=0.25, **dict(map_options))
    # Folium gives zoom limits only to tile layers; the marker clusters need the map's own
    fmap.options.update(minZoom=4, maxZoom=14)
    _give_stable_name(fmap, map_id)
    fmap.default_js = []
    fmap.default_css = []
    layer = _tile_layer(tiles, tiles_attribution)
    if layer is not None:
        layer.add_to(fmap)
    fmap.fit_bounds([list(corner) for corner in bounds])
    figure = fmap.get_root()
    assert isinstance(figure, Figure)  # a map is always put in a page of its own
    figure.render()
    # After Folium's own set-up (map, tiles, bounds), which rendering put in the script
    figure.script.add_child(Element(mount_script(fmap.get_name())))
    # Only our links and scripts, not the rest of Folium's header: its page styles and its
    # viewport tag (which forbids zooming) would fight our layout and accessibility.
    links = [CssLink(url).render() for url in css] + [JavascriptLink(url).render() for url in js]
    links += [f'<script type="module" src="{escape(url)}"></script>' for url in modules]
    # fetched at once, side by side, instead of as each import or request is reached
    links += [f'<link rel="modulepreload" href="{escape(url)}">' for url in module_deps]
    links += [
        f'<link rel="preload" href="{escape(url)}" as="fetch" crossorigin>' for url in fetched
    ]
    assets = "\n".join(links)
    html = figure.html.render()
    return RenderedMap(Markup(assets), Markup(html), Markup(figure.script.render()))
