"""The moderators' side: the queue, publishing and rejecting."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from kommunkarta import db, geo, rules
from kommunkarta.services.errors import InvalidField, InvalidFields
from kommunkarta.services.register import moderation
from kommunkarta.submissions import bp
from kommunkarta.submissions.common import acting_user, action_version, page_number
from kommunkarta.submissions.forms import RejectForm
from kommunkarta.submissions.upkeep_views import upkeep_counts
from kommunkarta.submissions.views import review_page


@bp.get("/moderation")
@login_required
def moderation_queue():
    page = moderation.queue(db.session(), acting_user(), page_number())
    return render_template("submissions/moderation.html", page=page, **upkeep_counts())


@bp.post("/initiatives/<id:initiative_id>/publish")
@login_required
def publish(initiative_id: int):
    version = action_version()
    try:
        moderation.publish(db.session(), initiative_id, version, acting_user(), geo.current())
    except InvalidFields as error:
        db.session().rollback()
        return review_page(initiative_id, 400, problems=error.errors)
    flash(_("Published. It is now on the map."), "success")
    return redirect(url_for(".moderation_queue"))


@bp.post("/initiatives/<id:initiative_id>/reject")
@login_required
def reject(initiative_id: int):
    form = RejectForm()
    if form.validate_on_submit():
        try:
            moderation.reject(
                db.session(),
                initiative_id,
                rules.version(form.version.data),
                form.reason.data,
                acting_user(),
            )
        except InvalidField as error:
            form.reason.errors = [*form.reason.errors, error.reason]
        else:
            flash(_("Rejected. The coordinators can see your reason."), "success")
            return redirect(url_for(".moderation_queue"))
    return review_page(initiative_id, 400, reject_form=form)
