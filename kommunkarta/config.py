"""Configuration read from the environment (see the README's table)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from kommunkarta import links, rules
from kommunkarta.services.errors import InvalidField

PROJECT_ROOT = Path(__file__).resolve().parent.parent
STALE_MONTHS_SETTING = "KOMMUNKARTA_STALE_MONTHS"
MAX_STALE_MONTHS = 600


class InvalidSetting(click.ClickException, ValueError):
    """A setting has a value the app cannot use; the message names the setting.

    create_app raises it, so the app does not start; being a ClickException, every command
    line (`flask`, `kommunkarta`) reports it as one `Error:` line instead of a traceback."""


def stale_months(raw: object) -> int:
    """The stale threshold (services.register.freshness and .coverage) in months; raises
    InvalidSetting unless it is a whole number from 1 to MAX_STALE_MONTHS."""
    try:
        return rules.whole_number(str(raw), STALE_MONTHS_SETTING, 1, MAX_STALE_MONTHS)
    except InvalidField:
        raise InvalidSetting(
            f"{STALE_MONTHS_SETTING} must be a whole number of months from 1 to "
            f"{MAX_STALE_MONTHS}, not {str(raw)!r}"
        ) from None


def _secret_key(instance_path: Path, given: str | None) -> str:
    """The key given (settings, then environment), or one generated once and kept on disk;
    only the last writes to the instance folder."""
    if key := given or os.environ.get("SECRET_KEY"):
        return key
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _proxies(raw: str) -> int:
    """How many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host/-Port;
    raises ValueError for anything but a small whole number."""
    try:
        return rules.whole_number(raw, "KOMMUNKARTA_TRUSTED_PROXIES", 0, 5)
    except InvalidField:
        raise ValueError(
            f"KOMMUNKARTA_TRUSTED_PROXIES must be a whole number 0-5, not {raw!r}"
        ) from None


def _public_url(raw: str | None) -> str:
    try:
        return links.public_url(raw)
    except ValueError as error:
        raise InvalidSetting(str(error)) from None


def _database_url(instance_path: Path, given: str | None) -> str:
    """The database given (settings, then environment), or a SQLite file in the instance
    folder, which is made only then."""
    if url := given or os.environ.get("DATABASE_URL"):
        return url
    instance_path.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{instance_path / 'kommunkarta.sqlite'}"


def from_environment(instance_path: Path, given: Mapping[str, Any] | None = None) -> dict:
    """Build the app's settings from environment variables with sensible defaults. `given`
    are the settings the caller passes (tests, benchmarks): a secret key or database given
    there means nothing is written into the instance folder for it."""
    given = given or {}
    return {
        "SECRET_KEY": _secret_key(instance_path, given.get("SECRET_KEY")),
        "DATABASE_URL": _database_url(instance_path, given.get("DATABASE_URL")),
        "TILES": os.environ.get("KOMMUNKARTA_TILES", "none"),
        "TILES_ATTRIBUTION": os.environ.get("KOMMUNKARTA_TILES_ATTRIBUTION", ""),
        "REDIS_URL": os.environ.get("REDIS_URL"),
        "MAIL_FROM": os.environ.get("KOMMUNKARTA_MAIL_FROM") or "kommunkartan@localhost",
        "OIDC_ISSUER": os.environ.get("KOMMUNKARTA_OIDC_ISSUER", "").strip().rstrip("/"),
        "OIDC_CLIENT_ID": os.environ.get("KOMMUNKARTA_OIDC_CLIENT_ID", "").strip(),
        "OIDC_CLIENT_SECRET": os.environ.get("KOMMUNKARTA_OIDC_CLIENT_SECRET", "").strip(),
        "GEODATA_DIR": os.environ.get("KOMMUNKARTA_GEODATA_DIR") or str(PROJECT_ROOT / "geodata"),
        "SMTP_URL": os.environ.get("SMTP_URL"),
        "STALE_MONTHS": os.environ.get(STALE_MONTHS_SETTING, "12"),
        "PUBLIC_URL": _public_url(os.environ.get(links.SETTING)),
        "TRUSTED_PROXIES": _proxies(os.environ.get("KOMMUNKARTA_TRUSTED_PROXIES", "0")),
        "BABEL_DEFAULT_LOCALE": "sv",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm",  # dates and times as Sweden reads them
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "COMPRESS_MIMETYPES": [
            "text/html",
            "text/css",
            "text/csv",
            "application/javascript",
            "text/javascript",
            "application/json",
            "application/geo+json",
            "image/svg+xml",
            "application/atom+xml",
        ],
        "COMPRESS_ALGORITHM": ["gzip"],
        "COMPRESS_ALGORITHM_STREAMING": ["gzip"],
    }
