"""Accounts that an organisation sign-in made, waiting for an admin: /admin/users/<id>/approve
(a role and municipalities, the municipality suggested from the address) and .../refuse."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from kommunkarta import db
from kommunkarta.admin import bp
from kommunkarta.admin.forms import ROLE_LABELS, AccountForm
from kommunkarta.models import Role
from kommunkarta.services import accounts, org_accounts
from kommunkarta.services.errors import InvalidField
from kommunkarta.services.places.choices import places_by_region
from kommunkarta.submissions.common import acting_user, municipality_choices


@bp.route("/admin/users/<id:user_id>/approve", methods=["GET", "POST"])
@login_required
def approve_user(user_id: int):
    session, user = db.session(), acting_user()
    account = accounts.get_user(session, user_id, user)
    if not account.awaiting_approval:
        flash(_("%(email)s is not waiting for approval.", email=account.email), "info")
        return redirect(url_for(".users"))
    form = AccountForm()
    form.role.description = ""  # the hint about signing out concerns a change of role
    form.municipalities.choices = municipality_choices(session)
    suggested = org_accounts.suggested_municipalities(session, account.email)
    if request.method == "GET":
        form.role.data = Role.COORDINATOR
        form.municipalities.data = suggested
    elif form.validate_on_submit():
        try:
            org_accounts.approve(
                session, user_id, form.role.data or "", form.municipalities.data or [], user
            )
        except InvalidField as error:
            session.rollback()
            field: Any = getattr(form, error.field, form.municipalities)
            field.errors = [*field.errors, error.reason]
        else:
            flash(_("%(email)s can now sign in.", email=account.email), "success")
            return redirect(url_for(".users"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "admin/user_approve.html",
        form=form,
        account=account,
        suggested=suggested,
        groups=places_by_region(session),
        role_labels=ROLE_LABELS,
    ), status


@bp.post("/admin/users/<id:user_id>/refuse")
@login_required
def refuse_user(user_id: int):
    try:
        email = org_accounts.refuse(db.session(), user_id, acting_user())
    except InvalidField as error:
        flash(str(error.reason), "error")
    else:
        flash(_("Refused the request of %(email)s.", email=email), "success")
    return redirect(url_for(".users"))
