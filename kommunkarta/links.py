"""Absolute links to the app, built from KOMMUNKARTA_PUBLIC_URL alone.

Embed snippets, mails, feeds and images that other sites or programs keep need an absolute
address. `url_for(..., _external=True)` would take the host from the request, and a request's
`Host` header is whatever the sender chose (`Host: evil.example` would put the attacker's site
into a snippet people copy, or into a password-reset mail). Everything absolute goes through
`absolute_url` instead, which never looks at the request; it also works outside a request (the
command line, mail jobs).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app

SETTING = "KOMMUNKARTA_PUBLIC_URL"
DEFAULT = "http://127.0.0.1:5000"


def public_url(raw: str | None) -> str:
    """The configured base address without a trailing slash; raises ValueError unless it is
    an http(s) URL with a host and nothing after its path (no query, no fragment)."""
    text = (raw or DEFAULT).strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(f"{SETTING} must be an http:// or https:// address, not {raw!r}")
    return text.rstrip("/")


def absolute_url(endpoint: str, **values: Any) -> str:
    """The absolute address of `endpoint` under the configured public URL (a path in it, such
    as https://example.se/kommunkartan, is kept as the prefix)."""
    parts = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
    )
    anchor = values.pop("_anchor", None)
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{anchor}" if anchor else url
