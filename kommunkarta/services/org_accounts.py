"""Accounts for people who sign in with their organisation's account (OpenID Connect).

A person is matched to an account by an e-mail address that their identity provider has
verified, and by nothing else: an address the provider has not verified could be anyone's.
Someone with no account gets one that waits, inactive, until an admin approves it with a
role and municipalities; the municipality is suggested from the address's domain
(kungsbacka.se -> Kungsbacka, 1384).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session, selectinload

from kommunkarta import rules
from kommunkarta.models import Municipality, Role, User
from kommunkarta.services import accounts, audit
from kommunkarta.services.errors import InvalidField, NotFound
from kommunkarta.services.places.find import normalise
from kommunkarta.services.register import permissions


class Outcome(enum.StrEnum):
    SIGNED_IN = "signed_in"  # an active account: sign the person in
    WAITING = "waiting"  # an account awaiting approval (new or earlier)
    DISABLED = "disabled"  # an account an admin disabled
    UNVERIFIED = "unverified"  # no e-mail address the provider has verified


def verified_email(claims: Mapping[str, object]) -> str | None:
    """The e-mail address of verified ID token claims, only if the provider says it has
    verified it: `email_verified` (OpenID Connect), or Microsoft Entra ID's `xms_edov`
    (the address's domain is verified as the tenant's)."""
    email = claims.get("email")
    if not isinstance(email, str) or not rules.is_email(email.strip()):
        return None
    if not any(claims.get(name) in (True, "true") for name in ("email_verified", "xms_edov")):
        return None
    return email.strip().lower()


def account_for_identity(
    session: Session, claims: Mapping[str, object]
) -> tuple[Outcome, User | None]:
    """What to do with someone whose provider vouched for these claims; makes an account
    awaiting approval for an unknown verified address (and commits)."""
    email = verified_email(claims)
    if email is None or len(email) > 254:
        return Outcome.UNVERIFIED, None
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(
            email=email,
            password_hash=None,
            role=Role.COORDINATOR,
            active=False,
            awaiting_approval=True,
        )
        session.add(user)
        session.commit()
        return Outcome.WAITING, user
    if user.awaiting_approval:
        return Outcome.WAITING, user
    if not user.active:
        return Outcome.DISABLED, user
    return Outcome.SIGNED_IN, user


def waiting(session: Session, by: User | None) -> list[User]:
    """Accounts awaiting approval, oldest first; raises NotAllowed unless `by` is an admin."""
    permissions.require_admin(by)
    return list(
        session.scalars(
            select(User)
            .where(User.awaiting_approval.is_(True))
            .options(selectinload(User.municipalities))
            .order_by(User.created_at, User.id)
        )
    )


def suggested_municipalities(session: Session, email: str) -> list[str]:
    """Codes of the municipality whose name is the address's domain (`x@kungsbacka.se`,
    `x@skola.kungsbacka.se` -> ["1384"]); empty when none fits."""
    domain = email.rpartition("@")[2].lower().split(".")
    if len(domain) < 2 or domain[-1] != "se":
        return []
    label = normalise(domain[-2])
    if not label:
        return []
    names = session.execute(select(Municipality.code, Municipality.name)).all()
    return sorted(code for code, name in names if normalise(name) == label)


def _waiting(session: Session, user_id: int, by: User | None) -> User:
    """The waiting account, locked and read again: two admins deciding about it at once are
    taken one after the other, and the second finds it decided (InvalidField) or refused
    (NotFound). Raises NotAllowed too."""
    user = accounts.get_user(session, user_id, by)
    try:
        session.refresh(user, with_for_update=True)
    except InvalidRequestError:  # refused (deleted) meanwhile
        raise NotFound() from None
    if not user.awaiting_approval:
        raise InvalidField("role", _l("This account is not waiting for approval."))
    return user


def approve(session: Session, user_id: int, role: str, codes: list[str], by: User | None) -> User:
    """Let a waiting account in with a role (a coordinator with municipalities). Raises
    NotAllowed, NotFound or InvalidField (not waiting, an unknown role, no municipality)."""
    user = _waiting(session, user_id, by)
    if role not in set(Role):
        raise InvalidField("role", _l("Unknown role."))
    user.municipalities = (
        accounts.municipalities_for(session, codes) if role == Role.COORDINATOR else []
    )
    user.role = role
    user.awaiting_approval = False
    user.active = True
    accounts.end_sessions(user)
    detail = {"role": role, "municipalities": [m.code for m in user.municipalities]}
    audit.record(session, audit.ACCOUNT_APPROVED, by, subject=user.email, detail=detail)
    session.commit()
    return user


def refuse(session: Session, user_id: int, by: User | None) -> str:
    """Delete a waiting account (it holds nothing yet); returns its address. Raises
    NotAllowed, NotFound or InvalidField (the account is not waiting)."""
    user = _waiting(session, user_id, by)
    email = user.email
    session.delete(user)
    audit.record(session, audit.ACCOUNT_REFUSED, by, subject=email)
    session.commit()
    return email
