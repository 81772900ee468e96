"""GET /export.csv, /export.xlsx, /export.geojson (the current selection, any filter of the
map) and the admins' import page, GET|POST /admin/import and POST /admin/import/confirm.

An upload is checked first (a dry run); a file without problems waits in the instance folder
under a random name until the admin confirms, and is removed then or after PENDING_MAX_AGE.
"""

from __future__ import annotations

import io
import re
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import Session

from kommunkarta import db, geo
from kommunkarta.filters import InitiativeFilter
from kommunkarta.models import Role
from kommunkarta.services import audit
from kommunkarta.services.data_io import deflate, export_cache, exporter, importer, serialise
from kommunkarta.services.data_io.importing import read, row_check
from kommunkarta.vocabulary import selection_from_request

bp = Blueprint("opendata", __name__)

PENDING_MAX_AGE = 3600  # seconds an upload waits for its confirmation
PENDING_NAME = re.compile(r"^[A-Za-z0-9_-]{22}\.(csv|xlsx)$")
MULTIPART_OVERHEAD = 64 * 1024


def _download(body, kind: str, generated: datetime) -> Response:
    response = body if isinstance(body, Response) else Response(body)
    response.mimetype = exporter.MIMETYPES[kind].split(";")[0]
    name = f"kommunkartan-{generated:%Y-%m-%d}.{kind}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Link"] = f'<{serialise.LICENCE_URL}>; rel="license"'
    response.headers["X-Data-License"] = serialise.LICENCE
    response.headers["X-Data-Generated"] = serialise.timestamp(generated)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _streamed(chunks: Callable[[Session], Iterator[bytes]]) -> Iterator[bytes]:
    """The chunks, read from a session opened once the response streams: the view's own
    session is closed when the view returns, before the first chunk is asked for, and this
    one is closed when the streaming ends (or the client goes away)."""

    def generate() -> Iterator[bytes]:
        yield from chunks(db.session())

    return stream_with_context(generate())


def _csv_gzip(session: Session, selection: InitiativeFilter) -> Iterator[bytes]:
    """The gzip CSV (exporter.csv_gzip), kept as it streams when it has a filter: without
    one it is the lines kept per process sent as they are, and keeping it would hold them
    twice."""
    chunks = exporter.csv_gzip(session, selection)
    if selection.is_empty:
        return chunks
    return export_cache.keeping(export_cache.key(session, selection), chunks)


@bp.get("/export.csv")
def export_csv():
    """Sent from the kept copy while the data is as it was when the copy was written
    (services.data_io.export_cache); else joined from the lines kept per process
    (services.data_io.export_rows). Compressed either way: unpacked here for a client that
    does not take gzip."""
    selection = selection_from_request()
    generated = datetime.now(UTC)
    kept = export_cache.get(export_cache.key(db.session(), selection))
    packed = [kept] if kept is not None else _streamed(lambda s: _csv_gzip(s, selection))
    if not request.accept_encodings["gzip"]:
        return _download(Response(deflate.gunzip(packed)), "csv", generated)
    response = Response(kept if kept is not None else packed)  # a kept copy with its length
    response.headers["Content-Encoding"] = "gzip"
    return _download(response, "csv", generated)


@bp.get("/export.geojson")
def export_geojson():
    selection = selection_from_request()
    generated = datetime.now(UTC)
    geodata = geo.current()
    body = _streamed(
        lambda session: exporter.geojson_chunks(session, selection, geodata, generated)
    )
    return _download(body, "geojson", generated)


@bp.get("/export.xlsx")
def export_xlsx():
    selection = selection_from_request()
    generated = datetime.now(UTC)
    spool = tempfile.TemporaryFile()
    exporter.write_xlsx(db.session(), selection, spool, generated)
    spool.seek(0)
    response = send_file(spool, mimetype=exporter.MIMETYPES["xlsx"], max_age=0)
    return _download(response, "xlsx", generated)


# --- import (admins) ----------------------------------------------------------------------


def _admin_only() -> None:
    if current_user.role != Role.ADMIN:
        abort(403)


def _pending_dir() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _keep(data: bytes, suffix: str) -> str:
    """Store an upload until it is confirmed; returns its token. Drops stale uploads."""
    folder = _pending_dir()
    for old in folder.iterdir():
        if old.stat().st_mtime < time.time() - PENDING_MAX_AGE:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(16) + suffix
    (folder / token).write_bytes(data)
    return token


def _claimed(token: str) -> Path | None:
    """The upload under `token`, taken from the pending ones by an atomic rename, so that it
    is imported once: a confirmation sent again at the same moment (a double click) finds it
    gone, as it would a moment later."""
    if not PENDING_NAME.match(token):
        return None
    claimed = _pending_dir() / f"importing-{secrets.token_urlsafe(8)}-{token}"
    try:
        (_pending_dir() / token).rename(claimed)
    except FileNotFoundError:
        return None
    return claimed


def _page(**context):
    return render_template(
        "opendata/import.html",
        columns=serialise.COLUMNS,
        required=row_check.REQUIRED_COLUMNS,
        separator=serialise.SEPARATOR,
        max_mb=read.MAX_BYTES // 2**20,
        **context,
    )


@bp.route("/admin/import", methods=["GET", "POST"])
@login_required
def import_upload():
    _admin_only()
    if request.method == "GET":
        return _page()
    request.max_content_length = read.MAX_BYTES + MULTIPART_OVERHEAD
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page(problem=_("Choose a CSV or XLSX file.")), 400
    data = upload.read()
    suffix = Path(upload.filename).suffix.lower()
    try:
        report = importer.import_file(
            db.session(),
            io.BytesIO(data),
            upload.filename,
            geo.current(),
            dry_run=True,
            by=current_user,
        )
    except read.ImportFileError as error:
        return _page(problem=str(error), filename=upload.filename), 400
    token = _keep(data, suffix) if report.ok else None
    return _page(report=report, filename=upload.filename, token=token), 200 if report.ok else 400


@bp.post("/admin/import/confirm")
@login_required
def import_confirm():
    _admin_only()
    token = request.form.get("token", "")
    filename = request.form.get("filename", "")[:200] or token
    path = _claimed(token)
    if path is None:
        flash(_("That upload has expired. Please upload the file again."), "error")
        return redirect(url_for("opendata.import_upload"))
    try:
        with path.open("rb") as source:
            report = importer.import_file(
                db.session(), source, token, geo.current(), by=current_user
            )
    except read.ImportFileError as error:
        return _page(problem=str(error), filename=filename), 409
    finally:
        path.unlink(missing_ok=True)
    if report.written and (report.created or report.updated):
        audit.imported(
            db.session(), current_user, filename, "import", report.created, report.updated
        )
    return _page(report=report, filename=filename), 200 if report.ok else 409
