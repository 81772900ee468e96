"""Submission and moderation: the coordinators' forms, the moderators' queue, the history of
each initiative and the public's suggestions."""

from flask import Blueprint, render_template
from flask_babel import gettext as _

from kommunkarta.errors import error_response
from kommunkarta.services.errors import Conflict, NotAllowed, NotFound

bp = Blueprint("submissions", __name__)


@bp.errorhandler(NotFound)
def _not_found(_error: NotFound):
    return error_response(404, _("The page or item you asked for does not exist."))


@bp.errorhandler(NotAllowed)
def _not_allowed(_error: NotAllowed):
    return error_response(403, _("You are not allowed to do that."))


@bp.errorhandler(Conflict)
def _conflict(error: Conflict):
    return render_template("submissions/conflict.html", message=error.message), 409


from kommunkarta.submissions import (  # noqa: E402, F401  (routes register on bp)
    moderation_views,
    organisation_views,
    report_views,
    suggest_views,
    upkeep_views,
    views,
)
