"""GET/POST /login, POST /logout and GET/POST /account/password.

Failed sign-ins are limited per client address (Flask-Limiter) and slowed down per account
and address with growing delays (auth.throttle), both shared through Redis when REDIS_URL is
set; a successful one does not count.
"""

from __future__ import annotations

from flask import (
    Response,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from kommunkarta import db
from kommunkarta.auth import bp, oidc, throttle
from kommunkarta.auth.forms import ChangePasswordForm, LoginForm
from kommunkarta.extensions import limiter
from kommunkarta.models import User
from kommunkarta.services import accounts, audit
from kommunkarta.services.errors import InvalidField
from kommunkarta.services.register import permissions
from kommunkarta.services.text import clean, safe_next

PER_CLIENT = "20 per 10 minutes"


def _failed(response: Response) -> bool:
    return response.status_code != 302


def landing(user: User) -> str:
    """Where someone goes after signing in when no page asked for it."""
    if permissions.is_staff(user):
        return url_for("submissions.moderation_queue")
    return url_for("submissions.mine")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(PER_CLIENT, methods=["POST"], deduct_when=_failed)
def login():
    target = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(target or landing(current_user))
    form = LoginForm()
    email = clean(request.form.get("email", "")).lower()[:254]
    if request.method == "POST" and (wait := throttle.wait_seconds(email)):
        form.validate_on_submit()  # the messages beside the fields, if any
        form.form_errors.append(
            _(
                "Too many failed attempts. Wait %(seconds)s seconds and try again.",
                seconds=wait,
            )
        )
        response = make_response(render_template("auth/login.html", form=form, next=target), 429)
        response.headers["Retry-After"] = str(wait)
        return response
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(db.session(), form.email.data, form.password.data)
        except accounts.LoginFailed:
            throttle.failed(email)
            _failed_sign_in(form.email.data, "wrong email or password")
            form.form_errors.append(_("Wrong email or password."))
        except accounts.AccountDisabled:
            throttle.failed(email)
            _failed_sign_in(form.email.data, "account disabled")
            form.form_errors.append(
                _("This account is disabled. Ask an administrator if you need it again.")
            )
        else:
            throttle.succeeded(email)
            audit.record(db.session(), audit.SIGN_IN, user)
            db.session().commit()
            sign_in(user)
            flash(_("You are signed in as %(email)s.", email=user.email), "success")
            return redirect(target or landing(user))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "auth/login.html", form=form, next=target, organisation_sign_in=oidc.enabled()
    ), status


def _failed_sign_in(email: str, reason: str) -> None:
    session_ = db.session()
    session_.rollback()
    audit.record(
        session_, audit.SIGN_IN_FAILED, email=clean(email).lower(), detail={"reason": reason}
    )
    session_.commit()


def sign_in(user: User) -> None:
    """A new session (and CSRF token) for the account, carrying its session token."""
    accounts.start_session(db.session(), user)
    session.clear()
    login_user(user)


@bp.post("/logout")
def logout():
    """Ends the session on the server too: a copy of the cookie no longer signs anyone in."""
    if current_user.is_authenticated:
        accounts.sign_out(db.session(), current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("public.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """A new password ends every other session of the account; this one goes on."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            accounts.change_password(db.session(), user, form.current.data, form.password.data)
        except InvalidField as error:
            getattr(form, error.field).errors = [*getattr(form, error.field).errors, error.reason]
        else:
            sign_in(user)
            flash(_("Your password is changed. You are signed out everywhere else."), "success")
            return redirect(landing(user))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/change_password.html", form=form), status
