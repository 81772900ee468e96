"""The OpenID Connect client (Authlib's Flask client), set up only when
KOMMUNKARTA_OIDC_ISSUER, _CLIENT_ID and _CLIENT_SECRET are all set.

Authlib does the protocol: the authorisation code flow with PKCE (S256), a `state` and a
`nonce` kept in the session and checked on the way back, the ID token's signature checked
against the issuer's keys from discovery, and its issuer, audience, expiry and nonce.
We add a check that the discovery document names the configured issuer.
"""

from __future__ import annotations

from flask import Flask, current_app

NAME = "organisation"
TIMEOUT = 10  # seconds to wait for the identity provider


class IssuerMismatch(ValueError):
    """The discovery document names another issuer than the one configured."""


def init_app(app: Flask) -> None:
    config = app.config
    if not (config["OIDC_ISSUER"] and config["OIDC_CLIENT_ID"] and config["OIDC_CLIENT_SECRET"]):
        return
    from authlib.integrations.flask_client import OAuth  # only when it is set up: slow to load

    oauth = OAuth(app)
    oauth.register(
        NAME,
        client_id=config["OIDC_CLIENT_ID"],
        client_secret=config["OIDC_CLIENT_SECRET"],
        server_metadata_url=f"{config['OIDC_ISSUER']}/.well-known/openid-configuration",
        client_kwargs={
            "scope": "openid email profile",
            "code_challenge_method": "S256",
            "default_timeout": TIMEOUT,
        },
    )
    app.extensions["oidc_client"] = oauth.create_client(NAME)


def enabled() -> bool:
    return "oidc_client" in current_app.extensions


def client():
    """The registered client, its issuer's metadata loaded (and checked) on first use.
    Raises requests.RequestException when the issuer cannot be reached, IssuerMismatch."""
    oidc = current_app.extensions["oidc_client"]
    metadata = oidc.load_server_metadata()
    if metadata.get("issuer", "").rstrip("/") != current_app.config["OIDC_ISSUER"]:
        oidc.server_metadata.clear()  # load again next time
        raise IssuerMismatch(f"the issuer's discovery document names {metadata.get('issuer')!r}")
    return oidc
