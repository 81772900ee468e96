"""Public pages: the map, lists and pages per municipality, county and initiative."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from sqlalchemy import text

from kommunkarta import db
from kommunkarta.services import initiatives
from kommunkarta.vocabulary import selection_from_request

bp = Blueprint("public", __name__)


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


@bp.get("/healthz")
def healthz():
    try:
        db.session().execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means "not healthy"
        db.session().rollback()
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})
