"""Readers' reports: anyone reports a mistake in a published initiative (CSRF, honeypot and a
rate limit, as for suggestions); its coordinators and the moderators resolve it with a reply."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from kommunkarta import db
from kommunkarta.extensions import limiter
from kommunkarta.models import utcnow
from kommunkarta.services.errors import InvalidField, InvalidFields, NotFound
from kommunkarta.services.register import initiatives, reports
from kommunkarta.submissions import bp
from kommunkarta.submissions.common import acting_user, page_number, show_errors
from kommunkarta.submissions.suggest_views import PER_CLIENT
from kommunkarta.submissions.upkeep_forms import ReportForm, ResolveForm


@bp.route("/initiatives/<id:initiative_id>/report", methods=["GET", "POST"])
@limiter.limit(PER_CLIENT, methods=["POST"])
def report(initiative_id: int):
    session = db.session()
    initiative = initiatives.get_visible(session, initiative_id)
    if initiative is None:
        raise NotFound()
    form = ReportForm()
    thanks = url_for("public.initiative_page", initiative_id=initiative_id)
    if request.method == "POST" and form.website.data:
        flash(_("Thank you. The people responsible for it will look at your report."), "success")
        return redirect(thanks)  # a robot: say thanks, keep nothing
    if form.validate_on_submit():
        try:
            reports.submit(session, initiative_id, form.text.data, form.contact.data, utcnow())
        except InvalidFields as error:
            show_errors(form, error)
        else:
            flash(
                _("Thank you. The people responsible for it will look at your report."), "success"
            )
            return redirect(thanks)
    status = 400 if request.method == "POST" else 200
    return render_template("submissions/report.html", initiative=initiative, form=form), status


def report_list(status: int = 200, forms: dict | None = None):
    page = reports.open_reports(db.session(), acting_user(), page_number())
    forms = forms or {}
    for item in page.items:
        forms.setdefault(item.id, ResolveForm(formdata=None))
    return render_template("submissions/reports.html", page=page, forms=forms), status


@bp.get("/reports")
@login_required
def report_queue():
    return report_list()


@bp.post("/reports/<id:report_id>/resolve")
@login_required
def resolve(report_id: int):
    form = ResolveForm()
    if form.validate_on_submit():
        try:
            reports.resolve(db.session(), report_id, form.reply.data, acting_user(), utcnow())
        except InvalidField as error:
            db.session().rollback()
            form.reply.errors = [*form.reply.errors, error.reason]
        else:
            flash(_("Resolved. The reply is shown on the initiative's page."), "success")
            return redirect(url_for(".report_queue"))
    return report_list(400, {report_id: form})
