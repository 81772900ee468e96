"""Keeping the register alive, the coordinators' and moderators' side: the review list of what
has gone stale, "still correct" in one click, "we have no initiatives", and "we do this too"."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from wtforms.fields.choices import SelectChoice

from kommunkarta import db, rules
from kommunkarta.i18n import select_locale
from kommunkarta.models import utcnow
from kommunkarta.services import taxonomy
from kommunkarta.services.errors import InvalidField, InvalidFields, NotAllowed, NotFound
from kommunkarta.services.register import (
    adoption,
    coverage,
    freshness,
    initiatives,
    permissions,
    reports,
    workflow,
)
from kommunkarta.submissions import bp
from kommunkarta.submissions.common import acting_user, page_number, show_errors
from kommunkarta.submissions.upkeep_forms import AdoptForm, ConfirmForm


def stale_months() -> int:
    return current_app.config["STALE_MONTHS"]


def _checked() -> None:
    """A one-click action's CSRF token; 400 without it."""
    if not ConfirmForm().validate_on_submit():
        abort(400)


def upkeep_counts() -> dict[str, int | None]:
    """For templates/submissions/_upkeep_summary.html: what the signed-in user has to review.
    Staff get no count of stale items: counting all of them would slow every moderation
    page down after each write; /needs-review counts them."""
    session, user = db.session(), acting_user()
    stale = None
    if not permissions.is_staff(user):
        stale = freshness.stale_count(session, user, utcnow(), stale_months())
    return {"stale": stale, "open_reports": reports.open_count(session, user)}


def review_list(status: int = 200, problem: str | None = None):
    session, user = db.session(), acting_user()
    now, months = utcnow(), stale_months()
    return (
        render_template(
            "submissions/needs_review.html",
            page=freshness.stale_initiatives(session, user, now, months, page_number()),
            adoptions=freshness.stale_adoptions(session, user, now, months),
            places=coverage.looked_after(session, user, now, months),
            months=months,
            problem=problem,
        ),
        status,
    )


@bp.get("/needs-review")
@login_required
def needs_review():
    return review_list()


@bp.post("/initiatives/<id:initiative_id>/confirm")
@login_required
def confirm(initiative_id: int):
    _checked()
    initiative = freshness.confirm(db.session(), initiative_id, acting_user(), utcnow())
    flash(_("Confirmed: “%(title)s” is still correct.", title=initiative.title), "success")
    return redirect(url_for(".needs_review"))


@bp.post("/adoptions/<id:adoption_id>/confirm")
@login_required
def confirm_adoption(adoption_id: int):
    _checked()
    freshness.confirm_adoption(db.session(), adoption_id, acting_user(), utcnow())
    flash(_("Confirmed: your municipality still does this."), "success")
    return redirect(url_for(".needs_review"))


@bp.post("/municipalities/<code>/confirm-none")
@login_required
def confirm_none(code: str):
    if not rules.is_municipality_code(code):
        raise NotFound()
    _checked()
    try:
        coverage.confirm_none(db.session(), code, acting_user(), utcnow())
    except InvalidField as error:
        db.session().rollback()
        return review_list(400, str(error.reason))
    flash(_("Recorded: no AI initiatives for now."), "success")
    return redirect(url_for(".needs_review"))


def adopt_form(user, initiative, posted: bool = True) -> AdoptForm | None:
    """The "we do this too" form for a coordinator who may adopt the initiative, or None.
    Shown, it offers their municipalities that have not adopted it yet; posted, it takes any
    that could, so that adopting twice gets the service's message."""
    codes = workflow.adopting_codes(user, initiative)
    if not posted:
        done = {a.municipality_code for a in initiative.adoptions}
        codes = [c for c in codes if c not in done]
    if not codes:
        return None
    names = {m.code: m.name for m in user.municipalities}
    locale = select_locale()
    form = AdoptForm() if posted else AdoptForm(formdata=None)
    form.municipality.choices = [SelectChoice(c, names[c]) for c in codes]
    form.status.choices = [
        SelectChoice(t.slug, t.name(locale)) for t in taxonomy.offered(db.session(), "statuses")
    ]
    return form


@bp.route("/initiatives/<id:initiative_id>/adopt", methods=["GET", "POST"])
@login_required
def adopt(initiative_id: int):
    session, user = db.session(), acting_user()
    initiative = initiatives.get_visible(session, initiative_id)
    if initiative is None:
        raise NotFound()
    if not workflow.adopting_codes(user, initiative):
        raise NotAllowed()
    form = adopt_form(user, initiative, posted=request.method == "POST")
    if form is None:  # shown when each of their municipalities has adopted it already
        own = permissions.own_codes(user)
        done = [a.municipality.name for a in initiative.adoptions if a.municipality_code in own]
        return _adopt_page(initiative, None, 200, str(adoption.already_adopted(", ".join(done))))
    if form.validate_on_submit():
        try:
            adoption.adopt(session, initiative_id, form.request(), user, utcnow())
        except InvalidFields as error:
            session.rollback()
            show_errors(form, error)
        else:
            flash(_("Added: your municipality does this too."), "success")
            return redirect(url_for("public.initiative_page", initiative_id=initiative_id))
    status = 400 if request.method == "POST" else 200
    return _adopt_page(initiative, form, status)


def _adopt_page(initiative, form, status: int, problem: str | None = None):
    return (
        render_template(
            "submissions/adopt.html", initiative=initiative, form=form, problem=problem
        ),
        status,
    )
