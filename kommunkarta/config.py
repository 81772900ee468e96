"""Configuration read from the environment (see the README's table)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _secret_key(instance_path: Path) -> str:
    """Return SECRET_KEY from the environment, or one generated once and kept on disk."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def from_environment(instance_path: Path) -> dict:
    """Build the app's settings from environment variables with sensible defaults."""
    instance_path.mkdir(parents=True, exist_ok=True)
    sqlite_file = instance_path / "kommunkarta.sqlite"
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{sqlite_file}",
        "TILES": os.environ.get("KOMMUNKARTA_TILES", "none"),
        "TILES_ATTRIBUTION": os.environ.get("KOMMUNKARTA_TILES_ATTRIBUTION", ""),
        "REDIS_URL": os.environ.get("REDIS_URL"),
        "GEODATA_DIR": os.environ.get("KOMMUNKARTA_GEODATA_DIR") or str(PROJECT_ROOT / "geodata"),
        "SMTP_URL": os.environ.get("SMTP_URL"),
        "BABEL_DEFAULT_LOCALE": "sv",
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
        ],
        "COMPRESS_ALGORITHM": ["gzip"],
        "COMPRESS_ALGORITHM_STREAMING": ["gzip"],
    }
