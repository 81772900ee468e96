"""One-time links that let a person set a password: a password reset (valid for an hour)
and an invitation (valid for seven days).

A link is signed with the app's SECRET_KEY (itsdangerous) and carries the account's id,
what it is for and a fingerprint of the account's password hash and e-mail. Setting a
password changes the hash, so a link works once: afterwards (and after any other new
password, or a new address) its fingerprint no longer matches. Nothing is stored.
"""

from __future__ import annotations

import enum
import hashlib
import time

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from kommunkarta.models import User

SALT = "kommunkarta-account-link"
RESET_SECONDS = 60 * 60
INVITATION_SECONDS = 7 * 24 * 60 * 60


class Purpose(enum.StrEnum):
    RESET = "reset"
    INVITATION = "invitation"


MAX_AGE = {Purpose.RESET: RESET_SECONDS, Purpose.INVITATION: INVITATION_SECONDS}


class BadLink(Exception):
    """The link cannot be used; `reason` is "invalid" (forged, mangled, unknown account),
    "expired" or "used" (a password was set since, or the account was disabled)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def _fingerprint(user: User) -> str:
    material = f"{user.id}\n{user.email}\n{user.password_hash or ''}"
    return hashlib.sha256(material.encode()).hexdigest()[:24]


def make(user: User, purpose: Purpose, secret_key: str) -> str:
    """The token of a link for this account (its id must be known: flush first)."""
    return _serializer(secret_key).dumps({"u": user.id, "p": str(purpose), "f": _fingerprint(user)})


def clock() -> float:
    """Seconds since the epoch (a function of its own, so tests can move time on)."""
    return time.time()


def account_for(session: Session, token: str, secret_key: str) -> tuple[User, Purpose]:
    """The account a link is for and what for; raises BadLink."""
    serializer = _serializer(secret_key)
    try:
        payload, signed_at = serializer.loads(token, return_timestamp=True)
    except (BadSignature, ValueError, TypeError):
        raise BadLink("invalid") from None
    if not isinstance(payload, dict) or payload.get("p") not in set(Purpose):
        raise BadLink("invalid")
    user_id = payload.get("u")
    if not isinstance(user_id, int) or isinstance(user_id, bool) or not 0 < user_id < 2**63:
        raise BadLink("invalid")
    purpose = Purpose(payload["p"])
    age = clock() - signed_at.timestamp()
    if age > MAX_AGE[purpose]:
        raise BadLink("expired")
    user = session.get(User, user_id)
    if user is None:
        raise BadLink("invalid")
    if payload.get("f") != _fingerprint(user) or not user.active:
        raise BadLink("used")
    return user, purpose
