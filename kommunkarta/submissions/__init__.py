"""Submission and moderation: the coordinators' forms, the moderators' queue, the history of
each initiative and the public's suggestions."""

from flask import Blueprint

# NotFound, NotAllowed and Conflict are answered app-wide (kommunkarta.errors)
bp = Blueprint("submissions", __name__)


from kommunkarta.submissions import (  # noqa: E402, F401  (routes register on bp)
    moderation_views,
    organisation_views,
    report_views,
    suggest_views,
    upkeep_views,
    views,
)
