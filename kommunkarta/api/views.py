"""The public, read-only JSON API under /api/v1."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from kommunkarta import db, geo
from kommunkarta.services import initiatives, taxonomy
from kommunkarta.vocabulary import selection_from_request

bp = Blueprint("api", __name__)

BOUNDARY_MAX_AGE = 7 * 24 * 3600


@bp.after_request
def _open_data(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/municipalities")
def municipalities():
    selection = selection_from_request()
    session = db.session()
    counts = initiatives.counts_by_municipality(session, selection)
    return jsonify(
        [
            {
                "code": m.code,
                "name": m.name,
                "region_code": m.region_code,
                "count": counts.get(m.code, 0),
            }
            for m in initiatives.municipalities(session)
        ]
    )


@bp.get("/regions")
def regions():
    selection = selection_from_request()
    session = db.session()
    counts = initiatives.counts_by_region(session, selection)
    return jsonify(
        [
            {
                "code": r.code,
                "name": r.name,
                "count": counts.get(r.code, (0, 0))[0],
                "municipalities_with_initiatives": counts.get(r.code, (0, 0))[1],
            }
            for r in initiatives.regions(session)
        ]
    )


@bp.get("/taxonomy")
def taxonomy_terms():
    terms = taxonomy.all_terms(db.session())
    return jsonify(
        {
            kind: [{"slug": t.slug, "name_sv": t.name_sv, "name_en": t.name_en} for t in items]
            for kind, items in terms.items()
        }
    )


def _geojson(body: bytes, etag: str) -> Response:
    response = Response(body, mimetype="application/geo+json")
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = BOUNDARY_MAX_AGE
    return response.make_conditional(request)


@bp.get("/boundaries/municipalities")
def municipality_boundaries():
    data = geo.current()
    return _geojson(data.municipalities_geojson, data.municipalities_etag)


@bp.get("/boundaries/regions")
def region_boundaries():
    data = geo.current()
    return _geojson(data.regions_geojson, data.regions_etag)
