"""GET/POST /password/forgot and GET/POST /password/reset/<token>: a one-time link by mail
that sets a password (a reset, or an invitation's first password) and signs the person in.

/password/forgot answers the same, in the same time, whether or not the address has an
account: the address is looked up and the mail sent in the background
(services.account_mail.reset_after; a failure is logged for the operator). It is limited per
client address and per address asked about (Flask-Limiter, shared through Redis).
"""

from __future__ import annotations

from flask import current_app, flash, make_response, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from kommunkarta import db
from kommunkarta.auth import bp
from kommunkarta.auth.forms import ForgotForm, NewPasswordForm
from kommunkarta.auth.views import landing, sign_in
from kommunkarta.extensions import limiter
from kommunkarta.services import account_links, account_mail, accounts
from kommunkarta.services.errors import InvalidField
from kommunkarta.services.text import clean

FORGOT_PER_CLIENT = "10 per hour"
FORGOT_PER_ADDRESS = "3 per hour"

LINK_PROBLEMS = {
    "expired": lambda: _("This link has expired. Ask for a new one below."),
    "used": lambda: _("This link has already been used. Ask for a new one below if you need it."),
    "invalid": lambda: _(
        "This link is not valid. Check that you copied all of it, or ask for a new one."
    ),
    "other account": lambda: _(
        "This link is for another account than the one you are signed in with. Sign out first."
    ),
}


def _address_key() -> str:
    return "forgot-address:" + clean(request.form.get("email", "")).lower()[:254]


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(FORGOT_PER_CLIENT, methods=["POST"])
@limiter.limit(FORGOT_PER_ADDRESS, methods=["POST"], key_func=_address_key)
def forgot_password():
    form = ForgotForm()
    if form.validate_on_submit():
        response = make_response(render_template("auth/forgot_sent.html"))
        account_mail.reset_after(response, form.email.data)  # the address is looked up there
        return response
    status = 400 if request.method == "POST" else 200
    return render_template("auth/forgot.html", form=form), status


def _link_problem(reason: str):
    message = LINK_PROBLEMS[reason]()
    return render_template("auth/link_problem.html", message=message, form=ForgotForm()), 400


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """Checked on every request, so a link used or expired in between is refused on POST."""
    session = db.session()
    try:
        user, purpose = account_links.account_for(
            session, token[:1000], current_app.config["SECRET_KEY"]
        )
    except account_links.BadLink as problem:
        return _link_problem(problem.reason)
    if current_user.is_authenticated and current_user.id != user.id:
        return _link_problem("other account")
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.set_password(session, user, form.password.data)
        except InvalidField as error:
            form.password.errors = [*form.password.errors, error.reason]
        else:
            sign_in(user)
            if purpose is account_links.Purpose.INVITATION:
                flash(_("Welcome! Your password is set and you are signed in."), "success")
            else:
                flash(_("Your new password is set. You are signed out everywhere else."), "success")
            return redirect(landing(user))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "auth/set_password.html", form=form, account=user, purpose=str(purpose), token=token
    ), status
