"""Access to the boundaries, loaded once per process on first use, and how they are served.

Not at app creation: a command that needs no boundaries (`routes`, `create-user`, `remind`…)
starts without reading them or importing geopandas. The served app loads them as it starts
(`wsgi.py`), so that no visitor waits for it.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, current_app, request

from kommunkarta.services.places import geodata
from kommunkarta.services.places.geodata import Geodata

BOUNDARY_MAX_AGE = 7 * 24 * 3600


def current() -> Geodata:
    """The app's geodata; raises GeodataError if the files cannot be loaded."""
    return of(current_app)


def of(app: Flask) -> Geodata:
    """The geodata of `app`, read on the first call (`geodata.load` keeps it for the process);
    raises GeodataError if the files are missing or break a check."""
    return geodata.load(Path(app.config["GEODATA_DIR"]))


def preload(app: Flask) -> None:
    """Load the boundaries now; a problem is logged and raised again when they are needed,
    so that an app whose files are missing still starts (and `geodata build` still runs)."""
    try:
        of(app)
    except geodata.GeodataError as error:
        app.logger.warning("geodata not loaded: %s", error)


def boundary_response(body: bytes, etag: str, mimetype: str = "application/geo+json") -> Response:
    """Boundaries as they are served everywhere: with their ETag, cached for a week."""
    response = Response(body, mimetype=mimetype)
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = BOUNDARY_MAX_AGE
    response.make_conditional(request)  # in place: a 304 when the ETag matches
    return response
