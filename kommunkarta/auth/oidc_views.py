"""GET /login/oidc and GET /login/oidc/callback: signing in with an organisation account.

Anything that goes wrong on the way (the issuer unreachable, a wrong or missing `state`, a
used or forged code, an ID token that fails its checks, an address the provider has not
verified) ends with a message on the sign-in page and no session; password sign-in is
unaffected.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from kommunkarta import db, links
from kommunkarta.auth import bp, oidc
from kommunkarta.auth.views import landing, sign_in
from kommunkarta.services import audit, org_accounts
from kommunkarta.services.text import safe_next

NEXT_KEY = "oidc_next"


def _unavailable():
    flash(
        _(
            "Signing in with your organisation account is not possible right now. Sign in "
            "with your password, or try again later."
        ),
        "error",
    )
    return redirect(url_for("auth.login"))


@bp.get("/login/oidc")
def oidc_login():
    if not oidc.enabled():
        abort(404)
    import requests  # here: a worker of a site without organisation sign-in never needs it

    try:
        client = oidc.client()
        session[NEXT_KEY] = safe_next(request.args.get("next")) or ""
        return client.authorize_redirect(links.absolute_url("auth.oidc_callback"))
    except (requests.RequestException, ValueError) as error:
        current_app.logger.warning("OpenID Connect issuer not usable: %s", error)
        return _unavailable()


def _refused(reason: str):
    current_app.logger.warning("organisation sign-in refused: %s", reason)
    flash(
        _("Signing in with your organisation account did not succeed. Please try again."), "error"
    )
    return redirect(url_for("auth.login"))


@bp.get("/login/oidc/callback")
@db.writes  # the account, the audit log and the session token
def oidc_callback():
    if not oidc.enabled():
        abort(404)
    import requests

    try:
        client = oidc.client()
    except (requests.RequestException, ValueError) as error:
        current_app.logger.warning("OpenID Connect issuer not usable: %s", error)
        return _unavailable()
    try:
        token = client.authorize_access_token()
    except requests.RequestException as error:
        current_app.logger.warning("OpenID Connect issuer not usable: %s", error)
        return _unavailable()
    except Exception as error:  # noqa: BLE001  every failed check of the exchange refuses
        return _refused(f"{type(error).__name__}: {error}")
    claims = token.get("userinfo")
    if not claims:
        return _refused("no ID token")
    target = safe_next(session.pop(NEXT_KEY, None))
    outcome, user = org_accounts.account_for_identity(db.session(), claims)
    if outcome is org_accounts.Outcome.UNVERIFIED:
        flash(
            _(
                "Your organisation did not confirm your e-mail address, so we cannot tell who "
                "you are. Ask your IT department, or sign in with a password."
            ),
            "error",
        )
        return redirect(url_for("auth.login"))
    if outcome is org_accounts.Outcome.DISABLED:
        flash(_("This account is disabled. Ask an administrator if you need it again."), "error")
        return redirect(url_for("auth.login"))
    if outcome is org_accounts.Outcome.WAITING:
        return render_template("auth/waiting.html", account=user)
    audit.record(db.session(), audit.SIGN_IN, user, detail={"with": "oidc"})
    db.session().commit()
    sign_in(user)
    flash(_("You are signed in as %(email)s.", email=user.email), "success")
    return redirect(target or landing(user))
