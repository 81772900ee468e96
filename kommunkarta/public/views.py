"""Public pages other than the map, and the health check."""

from __future__ import annotations

from flask import jsonify
from sqlalchemy import text

from kommunkarta import db
from kommunkarta.public import bp


@bp.get("/healthz")
def healthz():
    try:
        db.session().execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means "not healthy"
        db.session().rollback()
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})
