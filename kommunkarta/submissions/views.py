"""The coordinators' side: new and edit forms, the review page of one initiative, its history,
submitting and deleting, and "my initiatives"."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from kommunkarta import db, geo, rules
from kommunkarta.i18n import select_locale
from kommunkarta.models import Initiative, State
from kommunkarta.services.errors import Conflict, InvalidFields
from kommunkarta.services.places.choices import places_by_region
from kommunkarta.services.register import (
    copies,
    moderation,
    permissions,
    revisions,
    submissions,
    workflow,
)
from kommunkarta.services.register.content import changes
from kommunkarta.services.register.submissions import Intent
from kommunkarta.services.register.workflow import Action
from kommunkarta.submissions import bp, upkeep_views
from kommunkarta.submissions.common import (
    acting_user,
    action_version,
    carried_terms,
    municipality_choices,
    page_number,
    show_all_problems,
    show_errors,
    term_choices,
)
from kommunkarta.submissions.effect_forms import maths_strings, maths_text
from kommunkarta.submissions.forms import InitiativeForm, RejectForm

# templates ask the workflow, never compare states themselves
for template_global in (
    workflow.state_label,
    workflow.is_public,
    workflow.changes_pending,
    workflow.rejection_reason,
):
    bp.add_app_template_global(template_global)


@bp.app_template_global("can")
def can(user, action: str, initiative: Initiative | None = None) -> bool:
    """`workflow.can` for templates, which pass `current_user` (anonymous: nobody)."""
    return workflow.can(user if user.is_authenticated else None, action, initiative)


@bp.app_template_global("is_staff")
def is_staff(user) -> bool:
    """`permissions.is_staff` for templates, which pass `current_user` (anonymous: no)."""
    return user.is_authenticated and permissions.is_staff(user)


@bp.app_template_global("is_admin")
def is_admin(user) -> bool:
    """`permissions.is_admin` for templates, which pass `current_user` (anonymous: no)."""
    return user.is_authenticated and permissions.is_admin(user)


SAVED = {
    Intent.DRAFT: lambda: _("Saved as a draft."),
    Intent.SUBMIT: lambda: _("Submitted for review. A moderator will look at it."),
    Intent.PUBLISH: lambda: _("Saved and published."),
}


def _form(keep: Mapping[str, Iterable[str]] | None = None) -> InitiativeForm:
    """The form with its choices; `keep`: retired terms (kind -> slugs) the initiative
    being edited carries, offered too so that saving does not drop them."""
    session = db.session()
    form = InitiativeForm()
    form.location_errors = []
    terms = term_choices(session, keep)
    form.status.choices = terms["statuses"]
    form.benefit_areas.choices = terms["benefit_areas"]
    form.areas.choices = terms["areas"]
    form.technologies.choices = terms["technologies"]
    form.municipalities.choices = municipality_choices(session)
    # one empty effect row to fill in; "Add another effect" (no script) posts back for one more
    adding = request.method == "POST" and bool(form.add_effect.data)
    form.prepare_effect_rows(terms["benefit_areas"], add_blank=request.method == "GET" or adding)
    return form


def _render_form(form: InitiativeForm, initiative: Initiative | None, status: int = 200, **extra):
    user = acting_user()
    return (
        render_template(
            "submissions/form.html",
            form=form,
            initiative=initiative,
            groups=places_by_region(db.session()),
            own={m.code for m in user.municipalities} if user else set(),
            effect_maths=maths_text,
            effect_maths_strings=maths_strings(),
            **extra,
        ),
        status,
    )


def _unseen_duplicates(form: InitiativeForm, initiative_id: int | None = None) -> list:
    """Published initiatives in the same municipalities that look like the one being
    submitted, unless the person has been shown them already (a draft is never held up)."""
    if form.intent() == Intent.DRAFT or request.form.get("duplicates_seen") == "1":
        return []
    # imported here: numpy is imported with it, and only this check needs it
    from kommunkarta.services.places import similarity

    content = form.content()
    return similarity.possible_duplicates(
        db.session(),
        content.title,
        content.summary,
        content.description,
        content.municipalities,
        exclude=initiative_id,
    )


@bp.route("/initiatives/new", methods=["GET", "POST"])
@login_required
def new():
    user = acting_user()
    form = _form()
    if request.method == "GET":
        form.municipalities.data = [m.code for m in user.municipalities]
    elif form.add_effect.data:
        return _render_form(form, None, focus_effect=True)
    elif form.validate_on_submit():
        if duplicates := _unseen_duplicates(form):
            return _render_form(form, None, duplicates=duplicates)
        try:
            initiative = submissions.create(
                db.session(), form.content(), user, form.intent(), geo.current()
            )
        except InvalidFields as error:
            show_errors(form, error)
        else:
            flash(SAVED[form.intent()](), "success")
            return redirect(url_for(".review", initiative_id=initiative.id))
    else:
        show_all_problems(form, db.session(), user)
    return _render_form(form, None, 400 if request.method == "POST" else 200)


@bp.route("/initiatives/<id:initiative_id>/edit", methods=["GET", "POST"])
@login_required
def edit(initiative_id: int):
    session, user = db.session(), acting_user()
    initiative = submissions.get(session, initiative_id, user, Action.EDIT)
    carried = carried_terms(copies.working_copy(initiative))
    form = _form(carried)
    if request.method == "GET":
        form.fill(copies.working_copy(initiative))
        form.prepare_effect_rows(term_choices(session, carried)["benefit_areas"], add_blank=True)
        form.version.data = initiative.version
        return _render_form(form, initiative)
    if form.add_effect.data:
        return _render_form(form, initiative, focus_effect=True)
    if form.validate_on_submit():
        version = rules.version(form.version.data or "")  # InvalidField -> 400
        if duplicates := _unseen_duplicates(form, initiative_id):
            return _render_form(form, initiative, duplicates=duplicates)
        try:
            saved = submissions.update(
                session,
                initiative_id,
                form.content(),
                version,
                user,
                form.intent(),
                geo.current(),
            )
        except InvalidFields as error:
            show_errors(form, error)
        except Conflict as conflict:
            return _conflicting(form, initiative_id, conflict)
        else:
            if saved.review_state == State.PUBLISHED and form.intent() != Intent.PUBLISH:
                flash(
                    _("Nothing differs from the published version, so there is nothing to review.")
                )
            else:
                flash(SAVED[form.intent()](), "success")
            return redirect(url_for(".review", initiative_id=initiative_id))
    else:
        show_all_problems(form, session, user)
    return _render_form(form, initiative, 400)


def _conflicting(form: InitiativeForm, initiative_id: int, conflict: Conflict):
    """The form again with what was typed, the fields that differ from the stored version,
    and that version's number, so that saving again is a deliberate choice."""
    session, user = db.session(), acting_user()
    session.rollback()
    initiative = submissions.get(session, initiative_id, user, Action.EDIT)
    current = copies.working_copy(initiative)
    differing = [str(revisions.FIELD_LABELS[name]) for name in changes(current, form.content())]
    form.version.data = initiative.version
    return _render_form(form, initiative, 409, conflict=conflict.message, differing=differing)


def review_page(initiative_id: int, status: int = 200, **extra):
    """The working copy beside the published version, with the actions the user may take."""
    session, user = db.session(), acting_user()
    review = moderation.review(session, initiative_id, user, select_locale())
    return (
        render_template(
            "submissions/review.html",
            review=review,
            initiative=review.initiative,
            reject_form=extra.pop("reject_form", None) or RejectForm(formdata=None),
            field_labels=revisions.FIELD_LABELS,
            **extra,
        ),
        status,
    )


@bp.get("/initiatives/<id:initiative_id>/review")
@login_required
def review(initiative_id: int):
    return review_page(initiative_id)


@bp.get("/initiatives/<id:initiative_id>/history")
@login_required
def history(initiative_id: int):
    session = db.session()
    initiative = submissions.get(session, initiative_id, acting_user(), Action.VIEW)
    entries = revisions.described_history(session, initiative_id, select_locale())
    return render_template("submissions/history.html", initiative=initiative, entries=entries)


@bp.post("/initiatives/<id:initiative_id>/submit")
@login_required
def submit(initiative_id: int):
    version = action_version()
    try:
        submissions.submit(db.session(), initiative_id, version, acting_user(), geo.current())
    except InvalidFields as error:
        db.session().rollback()
        return review_page(initiative_id, 400, problems=error.errors)
    flash(_("Submitted for review. A moderator will look at it."), "success")
    return redirect(url_for(".review", initiative_id=initiative_id))


@bp.post("/initiatives/<id:initiative_id>/delete")
@login_required
def delete(initiative_id: int):
    version = action_version()
    submissions.delete(db.session(), initiative_id, version, acting_user())
    flash(_("The initiative was deleted."), "success")
    return redirect(url_for(".mine"))


@bp.get("/initiatives/mine")
@login_required
def mine():
    page = submissions.mine(db.session(), acting_user(), page_number())
    return render_template("submissions/mine.html", page=page, **upkeep_views.upkeep_counts())
