"""The public, read-only JSON API under /api/v1."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, abort, current_app, jsonify, request, url_for
from flask_babel import gettext as _

from kommunkarta import cache, db, geo, rules
from kommunkarta.api.encoded_rows import encoded
from kommunkarta.api.openapi import (
    DEFAULT_PER_PAGE,
    MAX_PAGE,
    MAX_PER_PAGE,
    build,
    documented,
)
from kommunkarta.services import taxonomy
from kommunkarta.services.data_io import serialise
from kommunkarta.services.errors import InvalidField
from kommunkarta.services.places import find, timeline
from kommunkarta.services.register import initiatives
from kommunkarta.vocabulary import selection_from_request, vocabulary

bp = Blueprint("api", __name__)
# the fields of the counts API's rows, in the contract's order
MUNICIPALITY_FIELDS = ("code", "name", "region_code", "count", "hours_per_year", "sek_per_year")
REGION_FIELDS = ("code", "name", "count", "municipalities_with_initiatives")


@bp.after_request
def _open_data(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _whole_number(name: str, default: int, maximum: int) -> int:
    """A paging argument; blank is the default; raises InvalidField (-> 400 naming it)."""
    raw = request.args.get(name, "").strip()
    return rules.whole_number(raw, name, 1, maximum) if raw else default


@bp.get("/initiatives")
@documented(
    "Published initiatives under the filters, a page at a time",
    "ItemPage",
    filters=True,
    paging=True,
)
def initiative_list():
    selection = selection_from_request()
    page = _whole_number("page", 1, MAX_PAGE)
    per_page = _whole_number("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    found = initiatives.search(db.session(), selection, page, per_page)
    return jsonify(
        {
            "items": [serialise.to_item(i) for i in found.items],
            "total": found.total,
            "page": page,
            "per_page": per_page,
        }
    )


@bp.get("/initiatives/<initiative_id>")
@documented("One published initiative", "Item", id_parameter="initiative_id", not_found=True)
def initiative_detail(initiative_id: str):
    if not rules.DIGITS.fullmatch(initiative_id):
        raise InvalidField("id", _("the id must be a whole number"), initiative_id[:80])
    # a whole number too large for any id is simply not there (and never given to int())
    try:
        number = rules.record_id(initiative_id)
    except InvalidField:
        abort(404)
    found = initiatives.get_visible(db.session(), number)
    if found is None:
        abort(404)
    return jsonify(serialise.to_item(found))


@bp.get("/openapi.json")
@documented("This OpenAPI description", {"type": "object"})
def openapi_document():
    return jsonify(build(current_app, vocabulary()))


@bp.get("/municipalities")
@documented(
    "All 290 municipalities with their count under the filters",
    {"type": "array", "items": {"$ref": "#/components/schemas/MunicipalityCount"}},
    filters=True,
)
def municipalities():
    selection = selection_from_request()
    session = db.session()

    def body() -> bytes:
        figures = initiatives.figures_by_municipality(session, selection)
        none = initiatives.Figures()
        rows = [
            (m.code, m.name, m.region_code, f.count, round(f.hours_per_year), round(f.sek_per_year))
            for m in initiatives.municipalities(session)
            for f in (figures.get(m.code, none),)
        ]
        return encoded(key, MUNICIPALITY_FIELDS, rows)

    key = ("municipalities", cache.filter_key(selection))
    return _counts_json(key, body)


@bp.get("/regions")
@documented(
    "All 21 counties with their counts under the filters",
    {"type": "array", "items": {"$ref": "#/components/schemas/RegionCount"}},
    filters=True,
)
def regions():
    selection = selection_from_request()
    session = db.session()

    def body() -> bytes:
        counts = initiatives.counts_by_region(session, selection)
        rows = [(r.code, r.name, *counts.get(r.code, (0, 0))) for r in initiatives.regions(session)]
        return encoded(key, REGION_FIELDS, rows)

    key = ("regions", cache.filter_key(selection))
    return _counts_json(key, body)


@bp.get("/timeline")
@documented(
    "Published initiatives under the filters by start year, from the first year to the last "
    "(years between with none are there with count 0; initiatives without a start year are "
    "left out)",
    {"type": "array", "items": {"$ref": "#/components/schemas/YearCount"}},
    filters=True,
)
def timeline_counts():
    selection = selection_from_request()
    session = db.session()

    def body() -> bytes:
        years = timeline.timeline(session, selection).years
        return jsonify([{"year": y.year, "count": y.count} for y in years]).get_data()

    return _counts_json(("timeline", cache.filter_key(selection)), body)


def _counts_json(key: tuple, body: Callable[[], bytes]) -> Response:
    """The map restyles from these on every filter change: the encoded body is cached until
    the next write, and its ETag lets a client revalidate for a 304."""
    data = cache.cached(db.session(), ("api", key), body)
    response = Response(data, mimetype="application/json")
    response.add_etag()
    response.make_conditional(request)  # in place: a 304 when the ETag matches
    return response


@bp.get("/places")
@documented(
    "Municipalities and counties whose name matches q, best first (case-, accent- and "
    "language-blind: ostersund, Gothenburg)",
    {"type": "array", "maxItems": find.LIMIT, "items": {"$ref": "#/components/schemas/PlaceMatch"}},
    parameters=(
        {
            "name": "q",
            "in": "query",
            "required": True,
            "description": "What someone typed: part of a place's name.",
            "schema": {
                "type": "string",
                "minLength": 1,
                "maxLength": find.QUERY_MAX,
                "pattern": rules.PLACE_SEARCH_PATTERN,
            },
        },
    ),
)
def places():
    text = request.args.get("q", "")
    problem = find.query_problem(text)
    if problem:
        raise InvalidField("q", problem)
    matches = find.search(find.known_places(db.session()), text)
    return jsonify([_place_json(m) for m in matches])


def _place_json(match: find.Match) -> dict[str, str]:
    return {
        "code": match.code,
        "name": match.name,
        "level": match.level,
        "url": url_for(find.ENDPOINTS[match.level], code=match.code),
    }


@bp.get("/taxonomy")
@documented(
    "The four taxonomies: slugs with Swedish and English names and descriptions, retired and "
    "merged terms included",
    "Taxonomy",
)
def taxonomy_terms():
    fields = ("slug", "name_sv", "name_en", "description_sv", "description_en")
    terms = taxonomy.all_terms(db.session())
    return jsonify(
        {
            kind: [
                {name: getattr(t, name) for name in fields}
                | {"retired": t.retired, "merged_into": t.merged_into}
                for t in items
            ]
            for kind, items in terms.items()
        }
    )


@bp.get("/boundaries/municipalities")
@documented(
    "Municipality boundaries",
    "FeatureCollection",
    media_type="application/geo+json",
    conditional=True,
)
def municipality_boundaries():
    data = geo.current()
    return geo.boundary_response(data.municipalities_geojson, data.municipalities_etag)


@bp.get("/boundaries/regions")
@documented(
    "County boundaries", "FeatureCollection", media_type="application/geo+json", conditional=True
)
def region_boundaries():
    data = geo.current()
    return geo.boundary_response(data.regions_geojson, data.regions_etag)
