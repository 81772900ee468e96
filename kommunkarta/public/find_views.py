"""`/find?q=`: finding a place without script — straight to the one place meant, else a list."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from kommunkarta import db
from kommunkarta.public import bp
from kommunkarta.services.places import find

# the "find a place" field on the map, county and find pages: as long as a search may be
bp.record_once(lambda state: state.app.jinja_env.globals.update(place_query_max=find.QUERY_MAX))


@bp.get("/find")
def find_place():
    text = request.args.get("q", "")
    lang = request.args.get("lang") or None
    problem = find.query_problem(text)
    matches = [] if problem else find.search(find.known_places(db.session()), text)
    chosen = find.best(matches)
    if chosen is not None:
        return redirect(url_for(find.ENDPOINTS[chosen.level], code=chosen.code, lang=lang))
    return render_template(
        "public/find.html",
        q=text,
        problem=problem,
        matches=matches,
        endpoints=find.ENDPOINTS,
    ), (400 if problem else 200)
