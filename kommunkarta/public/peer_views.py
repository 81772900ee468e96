"""Finding peers: places side by side, the embeddable map of one place and its snippet, and
the neighbours the map highlights."""

from __future__ import annotations

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from markupsafe import escape

from kommunkarta import db, geo, rules
from kommunkarta.errors import error_response
from kommunkarta.filters import InitiativeFilter
from kommunkarta.i18n import select_locale
from kommunkarta.links import absolute_url
from kommunkarta.public import bp, map_views
from kommunkarta.public.peer_args import place_to_embed, places_to_compare
from kommunkarta.rules import UnknownPlace
from kommunkarta.security import allow_framing
from kommunkarta.services.errors import InvalidField
from kommunkarta.services.places import peers
from kommunkarta.services.register import initiatives
from kommunkarta.services.text import swedish_key
from kommunkarta.vocabulary import vocabulary

EMBED_LATEST = 10
NEIGHBOURS_MAX_AGE = 3600  # seconds: the boundaries change only with a new release


def _choices(session) -> dict:
    """The places a comparison can choose from: counties, and municipalities by county, each
    in Swedish alphabetical order."""
    regions = sorted(initiatives.regions(session), key=lambda p: swedish_key(p.name))
    municipalities = initiatives.municipalities_by_name(session)
    return {
        "regions": regions,
        "municipalities": [
            (region, [m for m in municipalities if m.region_code == region.code])
            for region in regions
        ],
    }


@bp.get("/compare")
def compare_page():
    session = db.session()
    try:
        level, codes = places_to_compare(request.args, vocabulary())
    except InvalidField as error:
        chosen = {name: request.args.getlist(name) for name in ("municipality", "region")}
        page = render_template(
            "public/compare.html", error=error, chosen=chosen, **_choices(session)
        )
        return page, 400
    return render_template(
        "public/compare.html",
        comparison=peers.compare(session, level, codes) if codes else None,
        chosen={level: codes},
        **_choices(session),
    )


@bp.get("/embed")
@allow_framing
def embed():
    if not any(request.args.get(level, "").strip() for level in ("municipality", "region")):
        # no place yet: a page to choose one (still a 400, as the address names no place)
        return render_template("public/embed_choose.html", **_choices(db.session())), 400
    try:
        level, code = place_to_embed(request.args, vocabulary())
    except UnknownPlace as error:
        return error_response(404, error.message, error.field)
    except InvalidField as error:
        return error_response(400, error.message, error.field)
    session = db.session()
    place_list = (
        initiatives.municipalities(session)
        if level == "municipality"
        else initiatives.regions(session)
    )
    place = next(p for p in place_list if p.code == code)
    selection = InitiativeFilter(**{level: code})
    counts = {  # the shades of the county's municipalities compare them with each other
        m: n
        for m, n in initiatives.counts_by_municipality(session, InitiativeFilter()).items()
        if (m if level == "municipality" else m[:2]) == code
    }
    return render_template(
        "public/embed.html",
        level=level,
        place=place,
        latest=initiatives.search(session, selection, per_page=EMBED_LATEST),
        rendered=map_views.embed_map(level, code, counts),
    )


@bp.app_template_global()
def embed_snippet(level: str, code: str, name: str) -> str:
    """The <iframe> to copy onto another site, as text (the page escapes it again)."""
    src = absolute_url("public.embed", **{level: code}, lang=select_locale())
    title = _("AI initiatives in %(name)s – Kommunkartan", name=name)
    return (
        f'<iframe src="{escape(src)}" title="{escape(title)}" width="100%" height="520" '
        'style="border:0" loading="lazy"></iframe>'
    )


@bp.get("/map/neighbours/<code>")
def map_neighbours(code: str):
    """The codes of the municipalities that share a border with one, for the map."""
    if not rules.is_municipality_code(code):
        message = _("A municipality code has four digits, such as 0180.")
        return jsonify({"error": message, "field": "code"}), 400
    neighbours = geo.current().neighbours.get(code)
    if neighbours is None:
        message = _("There is no municipality with code %(code)s.", code=code)
        return jsonify({"error": message, "field": "code"}), 404
    response = jsonify({"code": code, "neighbours": list(neighbours)})
    response.cache_control.public = True
    response.cache_control.max_age = NEIGHBOURS_MAX_AGE
    return response
