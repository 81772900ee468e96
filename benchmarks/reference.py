"""What the map page is compared with; routes that only the benchmark's apps have.

- The naive baseline: the usual way to put a choropleth in a Flask page with Folium — a
  `folium.Choropleth` with every municipality boundary inlined, joined with the counts of a
  plain GROUP BY query and built anew on every request (`fmap.get_root().render()`).
- The floor: a trivial endpoint answering with a cached copy of another page's body (same
  size, same type, compressed the same way), so what ours costs above it is our own work.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import quote

from flask import Flask, Response, current_app, request
from sqlalchemy import func, select

from kommunkarta import db, geo
from kommunkarta.models import Initiative, initiative_municipalities
from kommunkarta.services.register.initiatives import visible
from kommunkarta.vocabulary import selection_from_request

if TYPE_CHECKING:
    import geopandas as gpd

BASELINE = "/_bench/folium"
FLOOR = "/_bench/floor"


def register(app: Flask) -> None:
    app.add_url_rule(BASELINE, "bench_folium", naive_folium_map)
    app.add_url_rule(FLOOR, "bench_floor", floor)


def floor_path(path: str) -> str:
    """The floor endpoint standing for `path`."""
    return f"{FLOOR}?path={quote(path, safe='')}"


@cache
def _boundaries() -> gpd.GeoDataFrame:
    """The municipalities as the usual Folium page holds them: a GeoDataFrame read once."""
    import geopandas as gpd

    areas = geo.current().municipalities.values()
    return gpd.GeoDataFrame(
        {"code": [a.code for a in areas], "name": [a.name for a in areas]},
        geometry=[a.geometry for a in areas],
        crs=4326,
    ).set_index("code")


def naive_folium_map() -> str:
    # imported here, as the app imports its own libraries: a worker that never serves the
    # baseline does not hold Folium, pandas and geopandas, and its memory is the app's own
    import folium

    selection = selection_from_request()
    link = initiative_municipalities
    counts: dict[str, int] = dict(
        db.session()
        .execute(
            selection.apply(
                visible(
                    select(link.c.municipality_code, func.count()).select_from(
                        link.join(Initiative, Initiative.id == link.c.initiative_id)
                    )
                )
            ).group_by(link.c.municipality_code)
        )
        .all()
    )
    frame = _boundaries().copy()
    frame["count"] = [counts.get(code, 0) for code in frame.index]
    frame = frame.reset_index()
    fmap = folium.Map(location=[62.5, 17.0], zoom_start=5, tiles=None)
    choropleth = folium.Choropleth(
        geo_data=frame,
        data=frame,
        columns=["code", "count"],
        key_on="feature.properties.code",
        fill_color="YlGnBu",
        legend_name="Initiativ",
    )
    choropleth.add_to(fmap)
    folium.GeoJsonTooltip(fields=["name", "count"]).add_to(choropleth.geojson)
    return fmap.get_root().render()


def floor() -> Response:
    """The body of `?path=...`, fetched once per process and then served from memory."""
    target = request.args["path"]
    cache = current_app.extensions.setdefault("bench_floor", {})
    if target not in cache:
        with current_app.test_client() as client:
            response = client.get(target)
            cache[target] = (response.get_data(), response.mimetype)
            response.close()
    body, mimetype = cache[target]
    return Response(body, mimetype=mimetype)
