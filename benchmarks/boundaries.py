"""The map's TopoJSON against the GeoJSON it replaces, drawn in Chromium pixel by pixel.

`python -m benchmarks.boundaries` draws the municipalities twice with Leaflet's canvas
renderer, side by side at the same view — once from the served GeoJSON, once from the
TopoJSON decoded by the map's own topology.js — at every zoom from the map's widest (4) to
its deepest (14) over several places, and prints per view the share of pixels that differ
(any channel), that differ by more than a quarter of the range (not antialiasing), and of
those the ones whose colour the other drawing has nowhere within one pixel (more than a line
drawn one pixel over: Leaflet rounds every corner to a whole pixel, so a change of a metre can
move a line by one), with the sizes of both files. Nothing is timed.
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

from benchmarks import draw
from kommunkarta.services.places import geodata

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "kommunkarta" / "static" / "vendor" / "leaflet"
TOPOLOGY_JS = ROOT / "kommunkarta" / "static" / "js" / "map" / "topology.js"
PLACES = {
    "Sweden": (62.5, 16.5),
    "Stockholm": (59.33, 18.06),
    "Göteborg": (57.70, 11.97),
    "Jönköping": (57.78, 14.16),
    "Kiruna": (67.85, 20.22),
}
ZOOMS = range(4, 15)
WIDTH, HEIGHT = 640, 480

PAGE = """<!doctype html><html><head><meta charset="utf-8"><style>{css}
body {{ margin: 0; }} .map {{ width: {w}px; height: {h}px; float: left; }}</style></head>
<body><div id="old" class="map"></div><div id="new" class="map"></div>
<script>{leaflet}</script><script>window.SMOOTH = {smooth}; {decoder}
window.OLD = {old}; window.NEW = topologyFeatures({new});
function colour(code) {{ let h = 0; for (const c of code) h = (h * 31 + c.charCodeAt(0)) % 360;
  return "hsl(" + h + ", 60%, 60%)"; }}
function draw(id, data) {{
  const map = L.map(id, {{ zoomControl: false, attributionControl: false, fadeAnimation: false,
    zoomAnimation: false, markerZoomAnimation: false, preferCanvas: true }});
  const style = (f) => ({{ color: "#222", weight: 1, fillColor: colour(f.properties.code),
    fillOpacity: 1 }});
  L.geoJSON(data, {{ smoothFactor: window.SMOOTH, style: style }}).addTo(map);
  return map;
}}
window.MAPS = [draw("old", OLD), draw("new", NEW)];
window.compare = (lat, lon, zoom) => {{
  MAPS.forEach((m) => m.setView([lat, lon], zoom, {{ animate: false }}));
  const pixels = MAPS.map((m) => {{
    const canvas = m.getContainer().querySelector("canvas");
    return canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  }});
  const width = MAPS[0].getContainer().querySelector("canvas").width;
  const apart = (a, i, b, j) => {{
    let most = 0;
    for (let c = 0; c < 4; c++) most = Math.max(most, Math.abs(a[i + c] - b[j + c]));
    return most;
  }};
  // a pixel whose colour the other drawing has nowhere within one pixel of it: more than
  // a line drawn one pixel over (Leaflet rounds every corner to a whole pixel)
  const unmatched = (a, b, i) => {{
    const x = (i / 4) % width, y = Math.floor(i / 4 / width);
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {{
      const j = ((y + dy) * width + x + dx) * 4;
      if (j >= 0 && j < b.length && apart(a, i, b, j) <= 64) return false;
    }}
    return true;
  }};
  let differ = 0, visible = 0, moved = 0;
  for (let i = 0; i < pixels[0].length; i += 4) {{
    const most = apart(pixels[0], i, pixels[1], i);
    if (most > 0) differ++;
    if (most > 64) {{
      visible++;
      if (unmatched(pixels[0], pixels[1], i) || unmatched(pixels[1], pixels[0], i)) moved++;
    }}
  }}
  return [differ, visible, moved, pixels[0].length / 4];
}};
</script></body></html>"""


def page(boundaries: geodata.Geodata, smooth: float) -> str:
    decoder = TOPOLOGY_JS.read_text(encoding="utf-8").replace("export function", "function")
    return PAGE.format(
        css=(VENDOR / "leaflet.css").read_text(encoding="utf-8"),
        w=WIDTH,
        h=HEIGHT,
        leaflet=(VENDOR / "leaflet.js").read_text(encoding="utf-8"),
        decoder=decoder,
        smooth=smooth,
        old=boundaries.municipalities_geojson.decode(),
        new=boundaries.municipalities_topology.decode(),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.boundaries")
    parser.add_argument("--chromium", default=draw.CHROMIUM)
    parser.add_argument(
        "--smooth",
        type=float,
        default=1.0,
        help="Leaflet's smoothFactor for both (the map's is Leaflet's default, 1; 0 draws "
        "every point, to see the geometry's own difference)",
    )
    options = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    boundaries = geodata.load(ROOT / "geodata")
    old, new = boundaries.municipalities_geojson, boundaries.municipalities_topology
    print(
        f"GeoJSON {len(old) / 1000:.1f} KB ({len(gzip.compress(old, 6)) / 1000:.1f} KB gzip), "
        f"TopoJSON {len(new) / 1000:.1f} KB ({len(gzip.compress(new, 6)) / 1000:.1f} KB gzip)"
    )
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=options.chromium)
        tab = browser.new_page(viewport={"width": 2 * WIDTH, "height": HEIGHT})
        tab.set_content(page(boundaries, options.smooth))
        for place, (lat, lon) in PLACES.items():
            for zoom in ZOOMS if place != "Sweden" else range(4, 7):
                differ, visible, moved, total = tab.evaluate(f"compare({lat}, {lon}, {zoom})")
                rows.append((place, zoom, differ / total, visible / total, moved / total))
        browser.close()
    print(
        "| place | zoom | pixels differing | by more than a quarter "
        "| of those, not within a pixel's shift |"
    )
    print("|---|--:|--:|--:|--:|")
    for place, zoom, differ, visible, moved in rows:
        print(f"| {place} | {zoom} | {differ:.3%} | {visible:.3%} | {moved:.4%} |")
    summary = {
        "views": len(rows),
        "mean differing": f"{sum(r[2] for r in rows) / len(rows):.3%}",
        "mean by more than a quarter": f"{sum(r[3] for r in rows) / len(rows):.3%}",
        "worst not within a pixel's shift": max(rows, key=lambda row: row[4]),
    }
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
