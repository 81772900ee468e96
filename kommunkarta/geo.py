"""Access to the boundaries, loaded once per process on first use, and how they are served.

Not at app creation: a command that needs no boundaries (`routes`, `create-user`, `remind`…)
starts without reading them or importing geopandas. The served app loads them as it starts
(`wsgi.py`), so that no visitor waits for it.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from flask import Flask, Response, current_app, request

from kommunkarta.services.places import geodata
from kommunkarta.services.places.geodata import Geodata

BOUNDARY_MAX_AGE = 7 * 24 * 3600
GZIP_LEVEL = 9  # once per process: the smallest file for every visitor's download
_GZIPPED: dict[str, bytes] = {}  # ETag -> the compressed body


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
    """Boundaries as they are served everywhere: with their ETag, cached for a week, and
    compressed once per process rather than on every request (35 ms of a worker's time for
    the map's own file, paid by every first visit)."""
    if request.accept_encodings["gzip"]:
        response = Response(_gzipped(body, etag), mimetype=mimetype)
        response.headers["Content-Encoding"] = "gzip"
        etag += ":gzip"  # other bytes, another tag (as Flask-Compress tags what it packs)
    else:
        response = Response(body, mimetype=mimetype)
    response.vary.add("Accept-Encoding")
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = BOUNDARY_MAX_AGE
    response.make_conditional(request)  # in place: a 304 when the ETag matches
    return response


def _gzipped(body: bytes, etag: str) -> bytes:
    """`body` compressed, kept under its ETag (one per boundary file, for the process)."""
    packed = _GZIPPED.get(etag)
    if packed is None:
        packed = _GZIPPED[etag] = gzip.compress(body, GZIP_LEVEL, mtime=0)
    return packed
