"""Turning errors into responses: JSON under /api, a page in the current language elsewhere.

A user's mistake is a 4xx with a message naming what was wrong; an unreachable database is a
friendly 503; nothing shows a traceback. The services' errors have one handler each for the
whole app: `InvalidField` (a bad argument) 400, `NotFound` 404, `NotAllowed` 403, `Conflict`
409; a view catches them itself only to answer differently (a form shown again with its
messages, for instance).
"""

from __future__ import annotations

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from kommunkarta.extensions import login_manager
from kommunkarta.filters import InitiativeFilter
from kommunkarta.services.errors import Conflict, InvalidField, NotAllowed, NotFound

# the parameters of the map's selection: a bad one is announced as an invalid filter
SELECTION_PARAMS = frozenset(InitiativeFilter.params()) | {"level", "view", "measure"}


def wants_json() -> bool:
    return request.path.startswith(("/api/", "/export.", "/map/"))


def error_response(status: int, message: str, field: str | None = None):
    if wants_json():
        response = jsonify({"error": message, "field": field})
        response.status_code = status
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response
    return render_template("errors/error.html", status=status, message=message, field=field), status


def _invalid_field(error: InvalidField):
    return error_response(400, filter_message(error), error.field)


def filter_message(error: InvalidField) -> str:
    """The message of a bad argument in the current language, naming a filter parameter."""
    if error.field not in SELECTION_PARAMS:
        return str(error.message)
    return _("Invalid filter “%(field)s”: %(reason)s", field=error.field, reason=str(error.message))


def _not_found(_error: NotFound):
    return error_response(404, _("The page or item you asked for does not exist."))


def _not_allowed(_error: NotAllowed):
    return error_response(403, _("You are not allowed to do that."))


def _conflict(error: Conflict):
    return render_template("submissions/conflict.html", message=error.message), 409


def _http_error(error: HTTPException):
    messages = {
        400: _("The request could not be understood."),
        403: _("You are not allowed to do that."),
        404: _("The page or item you asked for does not exist."),
        405: _("That method is not allowed here."),
        413: _(
            "What you sent is too large. Shorten the text, or split the file into smaller ones."
        ),
        429: _("Too many requests. Please wait a moment and try again."),
    }
    message = messages.get(error.code or 500, error.description or "")
    if error.code == 400 and error.description and "CSRF" in error.description:
        message = _("The form has expired or lacks its security token. Please try again.")
    return error_response(error.code or 500, message)


def _database_unavailable(error: OperationalError | InterfaceError):
    # Logged in one line, the driver's own reason: an unreachable server, but also a
    # serialization failure or a deadlock, which are faults to find, not to come back from.
    reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
    current_app.logger.warning(
        "database unavailable for %s %s: %s: %s",
        request.method,
        request.path,
        type(error.orig or error).__name__,
        reason,
    )
    # The page shows who is signed in; loading the account needs the database, so this
    # response is drawn for an anonymous visitor (the session cookie stays as it is).
    g._login_user = login_manager.anonymous_user()
    return error_response(503, _("The database is unavailable right now. Please try again soon."))


def register(app: Flask) -> None:
    app.register_error_handler(InvalidField, _invalid_field)
    app.register_error_handler(NotFound, _not_found)
    app.register_error_handler(NotAllowed, _not_allowed)
    app.register_error_handler(Conflict, _conflict)
    app.register_error_handler(HTTPException, _http_error)
    # the database cannot be reached or the connection broke; any other database error is
    # a fault of ours, a 500 that is logged, and no reason to tell people to come back later
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(InterfaceError, _database_unavailable)
