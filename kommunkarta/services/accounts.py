"""Accounts: creating them, signing in and managing them.

A failed sign-in says the same thing, and costs the same time, whether or not the email has an
account: an unknown email is checked against a dummy hash.
"""

from __future__ import annotations

import re
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from kommunkarta.models import Municipality, Role, User
from kommunkarta.services.errors import InvalidField, NotFound
from kommunkarta.services.register import permissions
from kommunkarta.services.text import clean

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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
    """Raises NotAllowed or InvalidField (see create_user)."""
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


def create_user(
    session: Session,
    email: str,
    password: str,
    role: str,
    municipality_codes: list[str] = (),
) -> User:
    """Create an account; raises InvalidField for a bad email, role, password or code."""
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise InvalidField("email", f"'{email}' is not an email address")
    if role not in set(Role):
        raise InvalidField("role", f"unknown role '{role}'")
    if len(password) < 10:
        raise InvalidField("password", "the password must have at least 10 characters")
    if session.scalar(select(func.count()).where(User.email == email)):
        raise InvalidField("email", f"an account for {email} already exists")
    municipalities = []
    for code in municipality_codes:
        municipality = session.get(Municipality, code)
        if municipality is None:
            raise InvalidField("municipality", f"unknown municipality code '{code}'")
        municipalities.append(municipality)
    if role == Role.COORDINATOR and not municipalities:
        raise InvalidField("municipality", "a coordinator needs at least one municipality")
    user = User(
        email=email,
        password_hash=generate_password_hash(password),
        role=role,
        municipalities=municipalities,
    )
    session.add(user)
    return user
