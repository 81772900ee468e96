"""Pages under /admin/taxonomy: the four lists of terms, adding, renaming and moving terms."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from kommunkarta import db
from kommunkarta.admin import bp
from kommunkarta.admin.forms import TermForm, TermNamesForm
from kommunkarta.services import taxonomy, taxonomy_admin
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
            taxonomy_admin.add(
                session, kind, form.slug.data, form.name_sv.data, form.name_en.data, acting_user()
            )
        except InvalidField as error:
            session.rollback()
            _show_error(form, error)
        else:
            flash(_("Added %(slug)s.", slug=form.slug.data), "success")
            return redirect(url_for(".taxonomy_page", _anchor=kind))
    return _page(forms, 400)


@bp.route("/admin/taxonomy/<kind>/<slug>", methods=["GET", "POST"])
@login_required
def rename_term(kind: str, slug: str):
    session, user = db.session(), acting_user()
    found = taxonomy_admin.term(session, kind, slug, user)
    form = TermNamesForm(obj=found if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            taxonomy_admin.rename(session, kind, slug, form.name_sv.data, form.name_en.data, user)
        except InvalidField as error:
            session.rollback()
            _show_error(form, error)
        else:
            flash(_("Renamed %(slug)s.", slug=slug), "success")
            return redirect(url_for(".taxonomy_page", _anchor=kind))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "admin/taxonomy_term.html", form=form, term=found, kind=kind, label=KIND_LABELS[kind]
    ), status


@bp.post("/admin/taxonomy/<kind>/<slug>/move")
@login_required
def move_term(kind: str, slug: str):
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    taxonomy_admin.move(db.session(), kind, slug, direction == "up", acting_user())
    return redirect(url_for(".taxonomy_page", _anchor=f"{kind}-{slug}"))
