"""Pages under /admin/users."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from kommunkarta import db
from kommunkarta.admin import bp
from kommunkarta.admin.forms import ROLE_LABELS, AccountForm, InviteForm, NewUserForm
from kommunkarta.models import User
from kommunkarta.services import account_mail, accounts, org_accounts
from kommunkarta.services.account_links import Purpose
from kommunkarta.services.errors import InvalidField
from kommunkarta.services.places.choices import places_by_region
from kommunkarta.services.register import permissions
from kommunkarta.services.register.reminders import MailError
from kommunkarta.submissions.common import acting_user, municipality_choices

# create_user's checks that the form cannot make first, in the visitor's language
CREATE_MESSAGES = {
    "email": lambda: _("An account with this email already exists."),
    "municipalities": lambda: _("A coordinator needs at least one municipality."),
}


def _render(template: str, status: int = 200, **context):
    return (
        render_template(
            template,
            groups=places_by_region(db.session()),
            role_labels=ROLE_LABELS,
            **context,
        ),
        status,
    )


@bp.get("/admin/users")
@login_required
def users():
    session, user = db.session(), acting_user()
    return render_template(
        "admin/users.html",
        users=accounts.all_users(session, user),
        waiting=org_accounts.waiting(session, user),
        role_labels=ROLE_LABELS,
    )


@bp.route("/admin/users/new", methods=["GET", "POST"])
@login_required
def new_user():
    session, user = db.session(), acting_user()
    permissions.require_admin(user)
    form = NewUserForm()
    form.municipalities.choices = municipality_choices(session)
    if form.validate_on_submit():
        try:
            created = accounts.create(
                session,
                form.email.data,
                form.password.data,
                form.role.data,
                form.municipalities.data or [],
                user,
            )
        except InvalidField as error:
            session.rollback()
            _show_create_error(form, error)
        else:
            flash(_("Created the account for %(email)s.", email=created.email), "success")
            return redirect(url_for(".users"))
    status = 400 if request.method == "POST" else 200
    return _render("admin/user_create.html", status, form=form)


def _show_create_error(form: InviteForm, error: InvalidField) -> None:
    field = "municipalities" if error.field == "municipality" else error.field
    message = CREATE_MESSAGES[field]() if field in CREATE_MESSAGES else error.reason
    getattr(form, field).errors = [*getattr(form, field).errors, message]


def _send_invitation(account: User) -> None:
    """Mail the invitation; without a mail server, show the admin the link to pass on."""
    try:
        sent, url = account_mail.send_link(account, Purpose.INVITATION)
    except MailError as error:
        flash(_("The invitation could not be sent: %(reason)s", reason=str(error)), "error")
        return
    if sent:
        flash(_("Sent an invitation to %(email)s.", email=account.email), "success")
    else:
        flash(
            _(
                "No mail server is set up, so give %(email)s this link yourself, in a safe "
                "way (it works once, for seven days): %(link)s",
                email=account.email,
                link=url,
            ),
            "info",
        )


@bp.route("/admin/users/invite", methods=["GET", "POST"])
@login_required
def invite_user():
    session, user = db.session(), acting_user()
    permissions.require_admin(user)
    form = InviteForm()
    form.municipalities.choices = municipality_choices(session)
    if form.validate_on_submit():
        try:
            invited = accounts.invite(
                session, form.email.data, form.role.data, form.municipalities.data or [], user
            )
        except InvalidField as error:
            session.rollback()
            _show_create_error(form, error)
        else:
            _send_invitation(invited)
            return redirect(url_for(".users"))
    status = 400 if request.method == "POST" else 200
    return _render("admin/user_create.html", status, form=form)


@bp.post("/admin/users/<id:user_id>/invite")
@login_required
def invite_again(user_id: int):
    """A new invitation for an account whose person has not chosen a password yet."""
    account = accounts.get_user(db.session(), user_id, acting_user())
    if account.password_hash is not None or not account.active:
        flash(_("%(email)s already has a password.", email=account.email), "error")
    else:
        _send_invitation(account)
    return redirect(url_for(".users"))


@bp.route("/admin/users/<id:user_id>", methods=["GET", "POST"])
@login_required
def edit_user(user_id: int):
    session, user = db.session(), acting_user()
    account = accounts.get_user(session, user_id, user)
    form = AccountForm()
    form.municipalities.choices = municipality_choices(session)
    if request.method == "GET":
        form.municipalities.data = [m.code for m in account.municipalities]
        form.role.data = account.role
    elif form.validate_on_submit():
        codes = form.municipalities.data or []
        try:
            if form.role.data:
                accounts.set_role(session, user_id, form.role.data, codes, user)
            else:
                accounts.set_municipalities(session, user_id, codes, user)
        except InvalidField as error:
            session.rollback()
            field: Any = getattr(form, error.field, form.municipalities)
            field.errors = [*field.errors, error.reason]
        else:
            flash(_("Saved the account of %(email)s.", email=account.email), "success")
            return redirect(url_for(".users"))
    status = 400 if request.method == "POST" else 200
    return _render("admin/user_edit.html", status, form=form, account=account)


@bp.post("/admin/users/<id:user_id>/active")
@login_required
def set_active(user_id: int):
    active = request.form.get("active")
    if active not in ("0", "1"):
        abort(400)
    session = db.session()
    try:
        account = accounts.set_active(session, user_id, active == "1", acting_user())
    except InvalidField as error:
        flash(str(error.reason), "error")
        return redirect(url_for(".users"))
    if account.active:
        flash(_("%(email)s can sign in again.", email=account.email), "success")
    else:
        flash(_("%(email)s can no longer sign in.", email=account.email), "success")
    return redirect(url_for(".users"))
