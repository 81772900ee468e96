"""Accounts: creating them, signing in and managing them.

A failed sign-in says the same thing, and costs the same time, whether or not the email has an
account: an unknown email is checked against a dummy hash.

Sessions end on the server: a session cookie names the account and its session token
(`User.get_id`), and `session_user` accepts a cookie only while the token is the account's
current one. Signing out, a new password, disabling the account and a new role replace the
token (`end_sessions`), so a copied cookie is worthless afterwards, on every instance at once.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Sequence
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from kommunkarta import rules
from kommunkarta.models import Municipality, Role, User, new_session_token
from kommunkarta.services import audit
from kommunkarta.services.errors import InvalidField, NotFound
from kommunkarta.services.register import permissions
from kommunkarta.services.text import clean

SESSION_ID = re.compile(r"([0-9]{1,18}):([A-Za-z0-9_-]{32,64})")
MIN_PASSWORD = rules.PASSWORD_MIN


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
    user: User | None = (
        session.scalar(select(User).where(User.email == email)) if len(email) <= 254 else None
    )
    stored = user.password_hash if user and user.password_hash else None
    matches = check_password_hash(stored or _dummy_hash(), password) and stored is not None
    if user is None or not matches:
        raise LoginFailed()
    if not user.active:
        raise AccountDisabled()
    return user


def find_for_reset(session: Session, email: str) -> User | None:
    """The active account with this address, to mail a reset link to; None otherwise."""
    email = clean(email).lower()
    if len(email) > 254:
        return None
    user = session.scalar(select(User).where(User.email == email))
    return user if user is not None and user.active else None


def session_user(session: Session, session_id: str) -> User | None:
    """The account a session cookie names (`id:token`), or None when the account is gone or
    disabled or the token is not its current one (the session has ended)."""
    match = SESSION_ID.fullmatch(session_id)
    if match is None:
        return None
    try:
        user_id = rules.record_id(match[1])
    except InvalidField:
        return None
    user = session.get(User, user_id)
    if user is None or not user.active or not user.session_token:
        return None
    return user if hmac.compare_digest(user.session_token, match[2]) else None


def start_session(session: Session, user: User) -> None:
    """Before a sign-in: an account without a token yet (one from before tokens) gets one."""
    if not user.session_token:
        user.session_token = new_session_token()
        session.commit()


def end_sessions(user: User) -> None:
    """End every session of the account (the caller commits): the cookies carry the old token."""
    user.session_token = new_session_token()


def sign_out(session: Session, user: User) -> None:
    end_sessions(user)
    audit.record(session, audit.SIGN_OUT, user)
    session.commit()


def check_password_rules(password: str, field: str = "password") -> None:
    """Raises InvalidField unless the password may be used."""
    if len(password) < MIN_PASSWORD:
        raise InvalidField(field, _l("Use at least %(num)s characters.", num=MIN_PASSWORD))
    if len(password) > rules.LENGTHS["password"]:
        raise InvalidField(
            field, _l("Use at most %(limit)s characters.", limit=rules.LENGTHS["password"])
        )


def set_password(session: Session, user: User, password: str) -> None:
    """Give the account a new password and end all its sessions; the caller signs the
    person in again if they should stay. Raises InvalidField for a password too short."""
    check_password_rules(password)
    user.password_hash = generate_password_hash(password)
    end_sessions(user)
    audit.record(session, audit.PASSWORD_CHANGED, user, subject=user.email)
    session.commit()


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """A signed-in person's new password; raises InvalidField ("current") for a wrong
    current password or ("password") for a new one that breaks the rules."""
    if not user.password_hash or not check_password_hash(user.password_hash, current):
        raise InvalidField("current", _l("That is not your current password."))
    set_password(session, user, new)


def all_users(session: Session, by: User | None) -> list[User]:
    """Every account, by email; raises NotAllowed unless `by` is an admin."""
    by = permissions.require_admin(by)
    return list(
        session.scalars(
            select(User).options(selectinload(User.municipalities)).order_by(User.email)
        )
    )


def get_user(session: Session, user_id: int, by: User | None) -> User:
    by = permissions.require_admin(by)
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
    by = permissions.require_admin(by)
    user = create_user(session, clean(email), password, role, municipality_codes)
    _audit_created(session, user, by)
    session.commit()
    return user


def _audit_created(session: Session, user: User, by: User | None, invited: bool = False) -> None:
    detail: dict[str, object] = {
        "role": user.role,
        "municipalities": [m.code for m in user.municipalities],
    }
    if invited:
        detail["invited"] = True
    audit.record(session, audit.ACCOUNT_CREATED, by, subject=user.email, detail=detail)


def _audit_changed(session: Session, user: User, by: User | None, **changes: list[object]) -> None:
    changed = {name: pair for name, pair in changes.items() if pair[0] != pair[1]}
    if changed:
        audit.record(session, audit.ACCOUNT_CHANGED, by, subject=user.email, detail=changed)


def set_active(session: Session, user_id: int, active: bool, by: User | None) -> User:
    """Enable or disable an account; a disabled account cannot sign in and is signed out.
    Raises NotAllowed, NotFound or InvalidField (an admin cannot disable themselves)."""
    by = permissions.require_admin(by)
    user = get_user(session, user_id, by)
    if user.id == by.id and not active:
        raise InvalidField("active", _l("You cannot disable your own account."))
    if active and user.awaiting_approval:
        raise InvalidField("active", _l("Approve the account with a role first."))
    _audit_changed(session, user, by, active=[user.active, active])
    user.active = active
    if not active:
        end_sessions(user)
    session.commit()
    return user


def set_role(session: Session, user_id: int, role: str, codes: list[str], by: User | None) -> User:
    """Give an account a role and (a coordinator) its municipalities; a new role ends the
    account's sessions, so the person signs in again with it. Raises NotAllowed, NotFound
    or InvalidField (an unknown role, an admin changing their own role, a coordinator
    without municipalities)."""
    by = permissions.require_admin(by)
    user = get_user(session, user_id, by)
    if role not in set(Role):
        raise InvalidField("role", _l("Unknown role."))
    if role != user.role and user.id == by.id:
        raise InvalidField("role", _l("You cannot change your own role."))
    before = (user.role, [m.code for m in user.municipalities])
    if role == Role.COORDINATOR:
        user.municipalities = municipalities_for(session, codes)
    else:
        user.municipalities = []
    if role != user.role:
        user.role = role
        end_sessions(user)
    _audit_changed(
        session,
        user,
        by,
        role=[before[0], role],
        municipalities=[before[1], [m.code for m in user.municipalities]],
    )
    session.commit()
    return user


def set_municipalities(session: Session, user_id: int, codes: list[str], by: User | None) -> User:
    """Bind a coordinator to these municipalities; raises NotAllowed, NotFound or InvalidField."""
    user = get_user(session, user_id, by)
    if user.role != Role.COORDINATOR:
        raise InvalidField("municipalities", _l("Only coordinators have municipalities."))
    before = [m.code for m in user.municipalities]
    user.municipalities = municipalities_for(session, codes)
    _audit_changed(
        session, user, by, municipalities=[before, [m.code for m in user.municipalities]]
    )
    session.commit()
    return user


def municipalities_for(session: Session, codes: list[str]) -> list[Municipality]:
    """The municipalities of a coordinator; raises InvalidField for an unknown code or none."""
    found = list(
        session.scalars(
            select(Municipality).where(Municipality.code.in_(codes)).order_by(Municipality.code)
        )
    )
    if len(found) != len(set(codes)):
        raise InvalidField("municipalities", _l("Unknown municipality."))
    if not found:
        raise InvalidField("municipalities", _l("A coordinator needs at least one municipality."))
    return found


def invite(
    session: Session, email: str, role: str, municipality_codes: list[str], by: User | None
) -> User:
    """An account without a password, for an invitation (services.account_links) to
    complete; `by` is the admin, or None on the command line. Raises NotAllowed or
    InvalidField (see create_user)."""
    if by is not None:
        permissions.require_admin(by)
    user = create_user(session, clean(email), None, role, municipality_codes)
    _audit_created(session, user, by, invited=True)
    session.commit()
    return user


def create_user(
    session: Session,
    email: str,
    password: str | None,
    role: str,
    municipality_codes: Sequence[str] = (),
) -> User:
    """Create an account (without a password when `password` is None: an invitation);
    raises InvalidField for a bad email, role, password or code."""
    email = email.strip().lower()
    if not rules.is_email(email):
        raise InvalidField("email", f"'{email}' is not an email address")
    if role not in set(Role):
        raise InvalidField("role", f"unknown role '{role}'")
    if password is not None and len(password) < MIN_PASSWORD:
        raise InvalidField("password", f"the password must have at least {MIN_PASSWORD} characters")
    taken = InvalidField("email", f"an account for {email} already exists")
    if session.scalar(select(func.count()).where(User.email == email)):
        raise taken
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
        password_hash=None if password is None else generate_password_hash(password),
        role=role,
        municipalities=municipalities,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:  # another admin made an account for the address since the check
        session.rollback()
        raise taken from None
    return user
