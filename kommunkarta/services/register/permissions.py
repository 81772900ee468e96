"""Who may do what with an initiative — the one place that decides it.

Moderators and admins may do everything with every initiative. A coordinator may view, edit,
submit and confirm as still correct the initiatives that involve one of their municipalities,
read and resolve readers' reports on them, and delete those that were never published; a
coordinator never publishes or rejects. For their own municipalities a coordinator (or staff)
may state that there are no initiatives, and a coordinator may adopt another municipality's
published initiative ("we do this too"). Anyone else may do nothing here. Someone who may
not even view an unpublished initiative must not learn that it exists: for them it is
NotFound; for a published one (which the public sees anyway) it is NotAllowed.
"""

from __future__ import annotations

import enum
import json
from typing import TypeGuard

from kommunkarta.models import Initiative, Role, State, User
from kommunkarta.services.errors import NotAllowed, NotFound

STAFF = frozenset({Role.MODERATOR, Role.ADMIN})


class Action(enum.StrEnum):
    VIEW = "view"  # the working copy, its review page and its history
    EDIT = "edit"
    SUBMIT = "submit"
    PUBLISH = "publish"
    REJECT = "reject"
    DELETE = "delete"
    CONFIRM = "confirm"  # "still correct" (services.freshness)
    HANDLE_REPORTS = "handle_reports"  # read and resolve readers' reports (services.reports)


COORDINATOR_ACTIONS = frozenset(
    {
        Action.VIEW,
        Action.EDIT,
        Action.SUBMIT,
        Action.DELETE,
        Action.CONFIRM,
        Action.HANDLE_REPORTS,
    }
)


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
    if not signed_in(user) or user.role != Role.COORDINATOR:
        return False
    return bool({m.code for m in user.municipalities} & participants(initiative))


def may(user: User | None, action: Action, initiative: Initiative) -> bool:
    if is_staff(user):
        return True
    if not involves(user, initiative) or action not in COORDINATOR_ACTIONS:
        return False
    return action != Action.DELETE or initiative.state != State.PUBLISHED


def own_codes(user: User | None) -> set[str]:
    """The municipalities a signed-in coordinator speaks for (none for anyone else)."""
    if not signed_in(user) or user.role != Role.COORDINATOR:
        return set()
    return {m.code for m in user.municipalities}


def may_confirm_none(user: User | None, code: str) -> bool:
    """Staff, or a coordinator of the municipality, may state that it has no initiatives."""
    return is_staff(user) or code in own_codes(user)


def adopting_codes(user: User | None, initiative: Initiative) -> list[str]:
    """Which of a coordinator's municipalities could adopt a published initiative: those
    not taking part in it. Staff speak for no municipality, so adopt nothing."""
    if initiative.state != State.PUBLISHED:
        return []
    return sorted(own_codes(user) - {m.code for m in initiative.municipalities})


def allowed(user: User | None, initiative: Initiative) -> dict[str, bool]:
    """Every action with whether `user` may do it, for showing only the buttons that work."""
    return {action.value: may(user, action, initiative) for action in Action}


def require(user: User | None, action: Action, initiative: Initiative | None) -> Initiative:
    """Return the initiative if `user` may do `action`; raises NotFound or NotAllowed."""
    if initiative is None:
        raise NotFound()
    if not may(user, Action.VIEW, initiative) and initiative.state != State.PUBLISHED:
        raise NotFound()
    if not may(user, action, initiative):
        raise NotAllowed()
    return initiative


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
