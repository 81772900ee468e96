"""`GET /map.svg`: the map as it stands, as an image for reports and slides."""

from __future__ import annotations

from flask import Response, request

from kommunkarta import cache, db, geo
from kommunkarta.i18n import select_locale
from kommunkarta.models import utcnow
from kommunkarta.public import bp, coverage_map, map_image, map_measure
from kommunkarta.public.map_views import (  # the map's own argument rules
    LEVELS,
    VIEWS,
    choice,
    level_counts,
)
from kommunkarta.public.summary import places_with_any, summary_line
from kommunkarta.services.register import initiatives
from kommunkarta.vocabulary import selection_from_request


@bp.get("/map.svg")
def map_svg():
    """The same filters, `level`, `view`, `measure` and `lang` as `/`; cached until the next
    write (and the next day: the image carries its date), with an ETag for revalidation."""
    selection = selection_from_request()
    level = choice("level", LEVELS)
    view = choice("view", VIEWS)
    measure = choice("measure", map_measure.MEASURES)
    locale = select_locale()
    session = db.session()
    today = utcnow().date()

    def draw() -> bytes:
        covered = coverage_map.load(session) if view == "coverage" else None
        counts = level_counts(session, selection, level)
        total = initiatives.count(session, selection)
        args = {**selection.to_args(), "lang": locale}
        if level != "municipality":
            args["level"] = level
        if view != "initiatives":
            args["view"] = view
        if measure != "initiatives":
            args["measure"] = measure
        picture = map_image.picture(
            session,
            geo.current(),
            selection,
            level=level,
            measure=measure,
            covered=covered,
            counts=map_measure.area_values(session, selection, level, measure, counts),
            summary=summary_line(selection, total, places_with_any(counts), level),
            note=map_measure.note(session, selection, measure),
            locale=locale,
            today=today,
            link_args=args,
        )
        return map_image.render(picture).encode()

    key = (
        "map.svg",
        cache.filter_key(selection),
        level,
        view,
        measure,
        locale,
        today.isoformat(),
    )
    response = Response(cache.cached(session, key, draw), mimetype="image/svg+xml")
    response.headers["Content-Disposition"] = 'inline; filename="kommunkartan.svg"'
    response.add_etag()
    return response.make_conditional(request)
