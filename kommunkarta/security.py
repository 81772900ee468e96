"""Security headers on every response.

The Content-Security-Policy allows scripts only from the app itself and inline scripts that
carry this response's nonce (the Folium set-up script does). Styles may be inline because
Leaflet positions its panes with style attributes. Frames: none may embed our pages, except
paths a blueprint marks with `allow_framing` (the embeddable map). The one outside origin
the policy can name is the optional base-map tile server.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from urllib.parse import urlparse

from flask import Flask, Response, current_app, g, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

OSM_TILES = "https://tile.openstreetmap.org"
MAX_CONTENT_LENGTH = 21 * 1024 * 1024  # an import file of 20 MB with its form around it


def csp_nonce() -> str:
    """This response's script nonce; templates put it on every inline <script>."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def allow_framing(view: Callable) -> Callable:
    """Mark a view whose page other sites may show in a frame."""
    view.allow_framing = True  # type: ignore[attr-defined]  # read back by getattr
    return view


def tile_origin(tiles: str) -> str | None:
    """The origin (with a wildcard for a `{s}` subdomain) of the configured tile server."""
    if tiles in ("", "none"):
        return None
    if tiles == "osm":
        return OSM_TILES
    parsed = urlparse(tiles)
    return f"{parsed.scheme}://{parsed.netloc.replace('{s}', '*')}"


def _framing_allowed() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "allow_framing", False))


def _private(response: Response) -> bool:
    """Whether a response may hold something for one person only: it went to someone signed
    in (their session names an account, or this request loaded one), or it carries a form
    with a CSRF token (a form page: the token is the visitor's own). Neither a browser's
    history nor a shared cache may keep such a page. Responses that are the same for
    everyone (static files, and those a view marks public, such as the boundaries) are not
    private."""
    if request.endpoint == "static" or response.cache_control.public:
        return False
    user = g.get("_login_user")
    if user is not None and user.is_authenticated:
        return True
    if "csrf_token" in g:  # Flask-WTF made (or read) this visitor's token for the page
        return True
    cookie = current_app.config["SESSION_COOKIE_NAME"]
    return cookie in request.cookies and session.get("_user_id") is not None


def _headers(response: Response) -> Response:
    images = "'self' data:"
    if origin := tile_origin(current_app.config["TILES"]):
        images += f" {origin}"
    framing = "*" if _framing_allowed() else "'none'"
    policy = [
        "default-src 'self'",
        f"script-src 'self' 'nonce-{csp_nonce()}'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src {images}",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        f"frame-ancestors {framing}",
    ]
    headers = response.headers
    if _private(response):
        response.cache_control.no_store = True
        response.cache_control.private = True
        response.cache_control.max_age = None
    headers.setdefault("Content-Security-Policy", "; ".join(policy))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if not _framing_allowed():
        headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, take the client's address, scheme and host
    from their X-Forwarded-* headers (so that HTTPS sets Secure cookies and HSTS, and rate
    limits count per client, not per proxy). Off by default: without a proxy that
    overwrites them, anyone could send those headers."""
    if count := app.config.get("TRUSTED_PROXIES", 0):
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # as Flask's docs do it
            app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=count
        )


def init_app(app: Flask) -> None:
    # forms and uploads stay small; an import file is the largest thing anyone sends
    # (Flask's own default is None, no limit, so setdefault would leave it unlimited)
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = MAX_CONTENT_LENGTH
    trust_proxies(app)
    app.after_request(_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
