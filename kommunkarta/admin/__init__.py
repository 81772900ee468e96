"""Account administration: list, create, enable and disable accounts, and choose a
coordinator's municipalities. Admins only."""

from flask import Blueprint

# NotFound, NotAllowed and Conflict are answered app-wide (kommunkarta.errors)
bp = Blueprint("admin", __name__)


from kommunkarta.admin import (  # noqa: E402, F401  (routes register on bp)
    approval_views,
    audit_views,
    taxonomy_views,
    views,
)
