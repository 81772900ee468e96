"""Signing in and managing accounts (creating them is services.users.create_user).

A failed sign-in says the same thing, and costs the same time, whether or not the email has an
account: an unknown email is checked against a dummy hash.
"""

from __future__ import annotations

from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from kommunkarta.models import Municipality, Role, User
from kommunkarta.services import permissions
from kommunkarta.services.errors import NotFound
from kommunkarta.services.text import clean
from kommunkarta.services.users import InvalidField, create_user


class LoginFailed(Exception):
    """Wrong email or password (we do not say which)."""


class AccountDisabled(Exception):
    """The password is right but an admin has disabled the account."""


@cache
def _dummy_hash() -> str:
    return generate_password_hash("not a password of anyone")


def authenticate(session: Session, email: str, password: str) -> User:
    """The account for these credentials; raises LoginFailed or AccountDisabled."""
    email = clean(email).lower()
    user = session.scalar(select(User).where(User.email == email)) if len(email) <= 254 else None
    matches = check_password_hash(user.password_hash if user else _dummy_hash(), password)
    if user is None or not matches:
        raise LoginFailed()
    if not user.active:
        raise AccountDisabled()
    return user


def all_users(session: Session, by: User | None) -> list[User]:
    """Every account, by email; raises NotAllowed unless `by` is an admin."""
    permissions.require_admin(by)
    return list(
        session.scalars(
            select(User).options(selectinload(User.municipalities)).order_by(User.email)
        )
    )


def get_user(session: Session, user_id: int, by: User | None) -> User:
    permissions.require_admin(by)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


def create(
    session: Session,
    email: str,
    password: str,
    role: str,
    municipality_codes: list[str],
    by: User | None,
) -> User:
    """Raises NotAllowed or InvalidField (see services.users.create_user)."""
    permissions.require_admin(by)
    user = create_user(session, clean(email), password, role, municipality_codes)
    session.commit()
    return user


def set_active(session: Session, user_id: int, active: bool, by: User | None) -> User:
    """Enable or disable an account; a disabled account cannot sign in and is signed out.
    Raises NotAllowed, NotFound or InvalidField (an admin cannot disable themselves)."""
    user = get_user(session, user_id, by)
    if user.id == by.id and not active:
        raise InvalidField("active", _l("You cannot disable your own account."))
    user.active = active
    session.commit()
    return user


def set_municipalities(session: Session, user_id: int, codes: list[str], by: User | None) -> User:
    """Bind a coordinator to these municipalities; raises NotAllowed, NotFound or InvalidField."""
    user = get_user(session, user_id, by)
    if user.role != Role.COORDINATOR:
        raise InvalidField("municipalities", _l("Only coordinators have municipalities."))
    found = list(
        session.scalars(
            select(Municipality).where(Municipality.code.in_(codes)).order_by(Municipality.code)
        )
    )
    if len(found) != len(set(codes)):
        raise InvalidField("municipalities", _l("Unknown municipality."))
    if not found:
        raise InvalidField("municipalities", _l("A coordinator needs at least one municipality."))
    user.municipalities = found
    session.commit()
    return user
