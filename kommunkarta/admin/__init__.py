"""Account administration: list, create, enable and disable accounts, and choose a
coordinator's municipalities. Admins only."""

from flask import Blueprint
from flask_babel import gettext as _

from kommunkarta.errors import error_response
from kommunkarta.services.errors import NotAllowed, NotFound

bp = Blueprint("admin", __name__)


@bp.errorhandler(NotFound)
def _not_found(_error: NotFound):
    return error_response(404, _("The page or item you asked for does not exist."))


@bp.errorhandler(NotAllowed)
def _not_allowed(_error: NotAllowed):
    return error_response(403, _("You are not allowed to do that."))


from kommunkarta.admin import (  # noqa: E402, F401  (routes register on bp)
    approval_views,
    audit_views,
    taxonomy_views,
    views,
)
