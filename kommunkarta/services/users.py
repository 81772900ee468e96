"""Accounts: creating users and checking their municipalities."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from kommunkarta.models import Municipality, Role, User

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class InvalidField(ValueError):
    """A value breaks a rule; `field` names it so forms and the CLI can point at it."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


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
