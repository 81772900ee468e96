"""Pages under /admin/taxonomy: the four lists of terms; adding, changing, moving, retiring,
restoring and merging terms (services.taxonomy_admin, services.taxonomy_merge)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import login_required
from wtforms.fields.choices import SelectChoice

from kommunkarta import db
from kommunkarta.admin import bp
from kommunkarta.admin.forms import MergeForm, TermForm, TermTextForm
from kommunkarta.i18n import select_locale
from kommunkarta.services import taxonomy, taxonomy_admin, taxonomy_merge
from kommunkarta.services.errors import InvalidField
from kommunkarta.services.register import permissions
from kommunkarta.submissions.common import acting_user

KIND_LABELS = {
    "benefit_areas": _l("Benefit areas"),
    "areas": _l("Operational areas"),
    "statuses": _l("Status"),
    "technologies": _l("Technologies"),
}


def _show_error(form, error: InvalidField) -> None:
    field = getattr(form, error.field)
    field.errors = [*field.errors, error.reason]


def _page(forms: dict, status: int = 200):
    return render_template(
        "admin/taxonomy.html",
        terms=taxonomy.all_terms(db.session()),
        labels=KIND_LABELS,
        forms=forms,
    ), status


def _back(kind: str, slug: str = ""):
    return redirect(url_for(".taxonomy_page", _anchor=f"{kind}-{slug}" if slug else kind))


@bp.get("/admin/taxonomy")
@login_required
def taxonomy_page():
    permissions.require_admin(acting_user())
    return _page({kind: TermForm(prefix=kind) for kind in taxonomy.KINDS})


@bp.post("/admin/taxonomy/<kind>")
@login_required
def add_term(kind: str):
    permissions.require_admin(acting_user())
    if kind not in taxonomy.KINDS:
        abort(404)
    forms = {k: TermForm(prefix=k, formdata=None) for k in taxonomy.KINDS}
    form = forms[kind] = TermForm(prefix=kind)
    if form.validate_on_submit():
        session = db.session()
        try:
            taxonomy_admin.add(session, kind, form.slug.data, form.text(), acting_user())
        except InvalidField as error:
            session.rollback()
            _show_error(form, error)
        else:
            flash(_("Added %(slug)s.", slug=form.slug.data), "success")
            return _back(kind)
    return _page(forms, 400)


def _term_page(
    kind: str, found, form: TermTextForm, merge: MergeForm, status: int = 200, use_error=None
):
    locale = select_locale()
    merge.into.choices = [
        SelectChoice(t.slug, t.name(locale))
        for t in taxonomy.offered(db.session(), kind)
        if t.slug != found.slug
    ]
    return render_template(
        "admin/taxonomy_term.html",
        form=form,
        merge=merge,
        term=found,
        kind=kind,
        label=KIND_LABELS[kind],
        use_error=use_error,
    ), status


@bp.route("/admin/taxonomy/<kind>/<slug>", methods=["GET", "POST"])
@login_required
def change_term(kind: str, slug: str):
    session, user = db.session(), acting_user()
    found = taxonomy_admin.term(session, kind, slug, user)
    form = TermTextForm(obj=found if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            taxonomy_admin.change(session, kind, slug, form.text(), user)
        except InvalidField as error:
            session.rollback()
            _show_error(form, error)
        else:
            flash(_("Saved %(slug)s.", slug=slug), "success")
            return _back(kind, slug)
    status = 400 if request.method == "POST" else 200
    return _term_page(kind, found, form, MergeForm(formdata=None), status)


@bp.post("/admin/taxonomy/<kind>/<slug>/move")
@login_required
def move_term(kind: str, slug: str):
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    taxonomy_admin.move(db.session(), kind, slug, direction == "up", acting_user())
    return _back(kind, slug)


def _refused(kind: str, slug: str, error: InvalidField, merge: MergeForm | None = None):
    """The term's page again with the reason beside the form that was sent; nothing changed."""
    session = db.session()
    session.rollback()
    found = taxonomy_admin.term(session, kind, slug, acting_user())
    text = TermTextForm(obj=found, formdata=None)
    if merge is None:  # retiring or restoring
        return _term_page(kind, found, text, MergeForm(formdata=None), 400, error.reason)
    _show_error(merge, error)
    return _term_page(kind, found, text, merge, 400)


@bp.post("/admin/taxonomy/<kind>/<slug>/retire")
@login_required
def retire_term(kind: str, slug: str):
    restoring = request.form.get("retired") == "0"
    change = taxonomy_admin.restore if restoring else taxonomy_admin.retire
    try:
        change(db.session(), kind, slug, acting_user())
    except InvalidField as error:
        return _refused(kind, slug, error)
    if restoring:
        flash(_("%(slug)s is in use again.", slug=slug), "success")
    else:
        flash(_("Retired %(slug)s.", slug=slug), "success")
    return _back(kind, slug)


@bp.post("/admin/taxonomy/<kind>/<slug>/merge")
@login_required
def merge_term(kind: str, slug: str):
    session, user = db.session(), acting_user()
    form = MergeForm()  # CSRFProtect checks the token of every POST
    into = form.into.data or ""
    confirmed = request.form.get("confirm") == "yes"
    try:
        if not confirmed:  # first say what it would do; it cannot be undone
            plan = taxonomy_merge.preview(session, kind, slug, into, user)
            return render_template(
                "admin/taxonomy_merge.html", plan=plan, kind=kind, label=KIND_LABELS[kind]
            )
        changed = taxonomy_merge.merge(session, kind, slug, into, user)
    except InvalidField as error:
        return _refused(kind, slug, error, form)
    flash(
        ngettext(
            "Merged %(slug)s into %(into)s: %(num)s initiative changed.",
            "Merged %(slug)s into %(into)s: %(num)s initiatives changed.",
            changed,
            slug=slug,
            into=into,
        ),
        "success",
    )
    return _back(kind, into)
