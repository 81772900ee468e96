"""Who someone is to the register: signed in or not, staff or not, which municipalities a
coordinator speaks for. What each of them may do with an initiative in which state is the
workflow's table (services.register.workflow).
"""

from __future__ import annotations

import json
from typing import TypeGuard

from kommunkarta.models import Initiative, Role, User
from kommunkarta.services.errors import NotAllowed

STAFF = frozenset({Role.MODERATOR, Role.ADMIN})


def signed_in(user: User | None) -> TypeGuard[User]:
    return user is not None and user.active


def is_staff(user: User | None) -> TypeGuard[User]:
    return signed_in(user) and user.role in STAFF


def is_admin(user: User | None) -> TypeGuard[User]:
    return signed_in(user) and user.role == Role.ADMIN


def participants(initiative: Initiative) -> set[str]:
    """Codes of the municipalities in the stored row and in a pending edit."""
    codes = {m.code for m in initiative.municipalities}
    if initiative.pending:
        codes.update(json.loads(initiative.pending).get("municipalities", ()))
    return codes


def involves(user: User | None, initiative: Initiative) -> bool:
    """Whether `user` coordinates one of the initiative's municipalities."""
    return bool(own_codes(user) & participants(initiative))


def own_codes(user: User | None) -> set[str]:
    """The municipalities a signed-in coordinator speaks for (none for anyone else)."""
    if not signed_in(user) or user.role != Role.COORDINATOR:
        return set()
    return {m.code for m in user.municipalities}


def may_confirm_none(user: User | None, code: str) -> bool:
    """Staff, or a coordinator of the municipality, may state that it has no initiatives."""
    return is_staff(user) or code in own_codes(user)


def require_signed_in(user: User | None) -> User:
    if not signed_in(user):
        raise NotAllowed()
    return user


def require_staff(user: User | None) -> User:
    if not is_staff(user):
        raise NotAllowed()
    return user


def require_admin(user: User | None) -> User:
    if not is_admin(user):
        raise NotAllowed()
    return user
