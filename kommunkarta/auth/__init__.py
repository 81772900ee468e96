"""Signing in and out, and who the current user is."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, has_request_context, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _

from kommunkarta import db
from kommunkarta.extensions import login_manager
from kommunkarta.models import User
from kommunkarta.services import accounts

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The signed-in account, while its session has not ended (services.accounts)."""
    return accounts.session_user(db.session(), session_id)


@login_manager.unauthorized_handler
def _sign_in_first():
    """Send someone who is not signed in to the sign-in page, coming back here afterwards
    (for a page they looked at; a form they posted cannot be repeated by a redirect)."""
    flash(_("Please sign in to continue."), "info")
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target))


class SessionInterface(SecureCookieSessionInterface):
    """The session cookie is HttpOnly and SameSite=Lax (config), and Secure whenever the
    request came over HTTPS, or always with SESSION_COOKIE_SECURE."""

    def get_cookie_secure(self, app: Flask) -> bool:
        if super().get_cookie_secure(app):
            return True
        return has_request_context() and request.is_secure


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    oidc.init_app(app)


from kommunkarta.auth import oidc, oidc_views, password_views, views  # noqa: E402, F401, I001
