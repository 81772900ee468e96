"""The map page at `/`."""

from __future__ import annotations

from flask import render_template

from kommunkarta import db
from kommunkarta.public import bp
from kommunkarta.services import initiatives
from kommunkarta.vocabulary import selection_from_request


@bp.get("/")
def home():
    selection = selection_from_request()
    session = db.session()
    return render_template(
        "public/home.html",
        regions=initiatives.regions(session),
        counts=initiatives.counts_by_region(session, selection),
        total=initiatives.count(session, selection),
    )
