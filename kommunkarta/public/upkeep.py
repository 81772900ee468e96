"""What an initiative's public page shows to keep it alive: when it was last confirmed, who
else does it (services.register.adoption), the answers to readers' reports, the report form and, for
a coordinator who may, the "we do this too" form."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from kommunkarta.models import Initiative, User, utcnow
from kommunkarta.services.register import freshness, reports
from kommunkarta.submissions.upkeep_forms import ReportForm
from kommunkarta.submissions.upkeep_views import adopt_form


def initiative_extras(
    session: Session, initiative: Initiative, user: User | None
) -> dict[str, Any]:
    """Template variables for templates/public/_upkeep.html and _last_confirmed.html."""
    months = current_app.config["STALE_MONTHS"]
    return {
        "stale": freshness.is_stale(initiative, utcnow(), months),
        "stale_months": months,
        "answers": reports.answers(session, initiative.id),
        "report_form": ReportForm(formdata=None),
        "adopt_form": adopt_form(user, initiative, posted=False),
    }
