"""The moderators' page of organisation names that import-pstw could not place: pick the
municipality each means, or "not a municipality" (services.data_io.waiting)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from kommunkarta import db
from kommunkarta.services.data_io import waiting
from kommunkarta.services.data_io.importing.read import ImportFileError
from kommunkarta.services.errors import InvalidField
from kommunkarta.services.register import permissions
from kommunkarta.submissions import bp
from kommunkarta.submissions.common import acting_user, municipality_choices


def _page(status: int = 200, problem: str | None = None, name: str | None = None):
    session = db.session()
    municipalities = [(choice.value, choice.label) for choice in municipality_choices(session)]
    return (
        render_template(
            "submissions/organisations.html",
            names=waiting.names(session),
            municipalities=municipalities,
            none=waiting.NOT_A_MUNICIPALITY,
            problem=problem,
            problem_name=name,
        ),
        status,
    )


@bp.get("/moderation/organisations")
@login_required
def organisation_names():
    permissions.require_staff(acting_user())
    return _page()


@bp.post("/moderation/organisations")
@login_required
def decide_organisation():
    by = permissions.require_staff(acting_user())
    name = request.form.get("name", "")
    choice = request.form.get("choice", "")
    if choice == "other":
        choice = request.form.get("other", "")
    try:
        imported = waiting.decide(db.session(), name, choice, by)
    except (InvalidField, ImportFileError) as error:
        db.session().rollback()
        message = error.reason if isinstance(error, InvalidField) else error
        return _page(400, str(message), name)
    flash(
        _(
            "Saved for every later import: “%(name)s”. Cases imported now: %(num)s.",
            name=name,
            num=imported,
        ),
        "success",
    )
    return redirect(url_for(".organisation_names"))
