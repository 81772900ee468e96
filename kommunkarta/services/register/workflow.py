"""The publication workflow: an initiative's states, the actions that move it between them, and
who may do which action in which state. `TABLE` is the one statement of it. Services, views
and templates (through the `can` template global) ask `can()` instead of comparing states.

    draft --submit--> submitted --publish--> published
                      submitted --reject---> rejected --submit--> submitted

An initiative has two states. Its *stored* state (`Initiative.state`) says whether the public
sees a version of it; its *review* state (`Initiative.review_state`) is the working copy's,
which for a published initiative with a pending edit is the edit's. Actions on the working
copy (submit, publish, reject) look at the review state; actions on the initiative as a whole
(delete, confirm, adopt) at the stored state. Something not stored yet is in state `NEW`.

Who: `STAFF` (moderators and admins), `INVOLVED` (a coordinator of a participating
municipality, counting those a pending edit adds) and `COORDINATOR` (any other coordinator).
Anyone else, the public and switched-off accounts included, may do nothing here.

Refusals: someone who may not even view an unpublished initiative must not learn that it
exists (NotFound); someone who may never do the action with it gets NotAllowed; someone who
may, but not in the state it is in now, gets Conflict with the rule's message, or NotAllowed
where the rule has none (a coordinator deleting what has been published).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Set
from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from kommunkarta.models import Initiative, Role, State, User
from kommunkarta.services.errors import Conflict, NotAllowed, NotFound
from kommunkarta.services.register import permissions


class Action(enum.StrEnum):
    VIEW = "view"  # the working copy, its review page and its history
    CREATE = "create"
    EDIT = "edit"  # save the working copy, as a draft or for review
    SUBMIT = "submit"
    PUBLISH = "publish"  # approve what waits for review
    PUBLISH_DIRECTLY = "publish_directly"  # save and publish in one step, without review
    REJECT = "reject"
    DELETE = "delete"
    CONFIRM = "confirm"  # "still correct" (services.register.freshness)
    HANDLE_REPORTS = "handle_reports"  # read and resolve readers' reports
    ADOPT = "adopt"  # "we do this too", for a municipality not taking part
    MODERATE = "moderate"  # the review queue, and what only moderators see (a suggester's contact)


class Who(enum.StrEnum):
    STAFF = "staff"
    INVOLVED = "involved"
    COORDINATOR = "coordinator"


class Reads(enum.Enum):
    REVIEW = "review"  # Initiative.review_state
    STORED = "stored"  # Initiative.state


NEW = None
ANY = frozenset(State)
NEVER_PUBLISHED = ANY - {State.PUBLISHED}
ALWAYS = ANY | {NEW}

STAFF, INVOLVED, COORDINATOR = Who.STAFF, Who.INVOLVED, Who.COORDINATOR
DRAFT, SUBMITTED, PUBLISHED, REJECTED = (
    State.DRAFT,
    State.SUBMITTED,
    State.PUBLISHED,
    State.REJECTED,
)


@dataclass(frozen=True)
class Rule:
    may: Mapping[Who, Set[State | None]]  # who may, in which states
    reads: Reads = Reads.REVIEW
    to: State | None = None  # the review state it leads to, if it moves one
    refusal: LazyString | None = None  # the Conflict in a wrong state; None: NotAllowed


TABLE: Mapping[Action, Rule] = {
    Action.VIEW: Rule({STAFF: ANY, INVOLVED: ANY}),
    Action.CREATE: Rule({STAFF: {NEW}, COORDINATOR: {NEW}}),
    Action.EDIT: Rule({STAFF: ANY, INVOLVED: ANY}),
    Action.SUBMIT: Rule(
        {STAFF: {DRAFT, REJECTED}, INVOLVED: {DRAFT, REJECTED}},
        to=SUBMITTED,
        refusal=_l("Only a draft or a rejected initiative can be submitted for review."),
    ),
    Action.PUBLISH: Rule(
        {STAFF: {SUBMITTED}},
        to=PUBLISHED,
        refusal=_l("This initiative is not waiting for review."),
    ),
    Action.PUBLISH_DIRECTLY: Rule({STAFF: ALWAYS}, to=PUBLISHED),
    Action.REJECT: Rule(
        {STAFF: {SUBMITTED}},
        to=REJECTED,
        refusal=_l("This initiative is not waiting for review."),
    ),
    Action.DELETE: Rule({STAFF: ANY, INVOLVED: NEVER_PUBLISHED}, Reads.STORED),
    Action.CONFIRM: Rule(
        {STAFF: {PUBLISHED}, INVOLVED: {PUBLISHED}},
        Reads.STORED,
        refusal=_l("Only a published initiative can be confirmed as still correct."),
    ),
    Action.HANDLE_REPORTS: Rule({STAFF: ANY, INVOLVED: ANY}),
    Action.ADOPT: Rule({INVOLVED: {PUBLISHED}, COORDINATOR: {PUBLISHED}}, Reads.STORED),
    Action.MODERATE: Rule({STAFF: ALWAYS}),
}

# the states as people read them, on every page and in every history
STATE_LABELS: Mapping[str, LazyString] = {
    DRAFT: _l("Draft"),
    SUBMITTED: _l("Waiting for review"),
    PUBLISHED: _l("Published"),
    REJECTED: _l("Rejected"),
}


def who(user: User | None, initiative: Initiative | None) -> Who | None:
    """The part `user` plays for `initiative` (a new one if None); None: no part at all."""
    if permissions.is_staff(user):
        return STAFF
    if not permissions.signed_in(user) or user.role != Role.COORDINATOR:
        return None
    if initiative is not None and permissions.involves(user, initiative):
        return INVOLVED
    return COORDINATOR


def state_for(rule: Rule, initiative: Initiative | None) -> str | None:
    if initiative is None:
        return NEW
    return initiative.state if rule.reads == Reads.STORED else initiative.review_state


def can(user: User | None, action: Action | str, initiative: Initiative | None = None) -> bool:
    """May `user` do `action` with `initiative` (or with a new one, if None) now?"""
    rule = TABLE[Action(action)]
    part = who(user, initiative)
    return part is not None and state_for(rule, initiative) in rule.may.get(part, ())


def is_public(initiative: Initiative) -> bool:
    """Whether the public sees a version of it (services.register.initiatives.PUBLIC)."""
    return initiative.state == PUBLISHED


def changes_pending(initiative: Initiative) -> bool:
    """A published initiative with an edit the public does not see yet."""
    return is_public(initiative) and bool(initiative.pending_state)


def rejection_reason(initiative: Initiative) -> str:
    """The moderator's reason while the working copy stands rejected, else ""."""
    return (initiative.moderation_note or "") if initiative.review_state == REJECTED else ""


def state_label(initiative: Initiative) -> str:
    state = initiative.review_state
    return str(STATE_LABELS.get(state, state))


def require_actor(user: User | None, action: Action, initiative: Initiative | None) -> Initiative:
    """The initiative if `user` may do `action` with it in some state; raises NotFound or
    NotAllowed. Whether its state allows it now is `require_state`'s question, asked once
    the row is locked."""
    if initiative is None:
        raise NotFound()
    if not can(user, Action.VIEW, initiative) and not is_public(initiative):
        raise NotFound()
    if who(user, initiative) not in TABLE[action].may:
        raise NotAllowed()
    return initiative


def require_state(user: User | None, action: Action, initiative: Initiative) -> None:
    """Raise Conflict (or NotAllowed, where the rule gives no reason) unless the initiative's
    state lets `user` do `action` now."""
    if not can(user, action, initiative):
        refusal = TABLE[action].refusal
        raise Conflict(refusal) if refusal is not None else NotAllowed()


def require_user(user: User | None, action: Action) -> User:
    """`user`, if they may do `action` where no stored initiative is concerned (create one,
    moderate); raises NotAllowed."""
    if not can(user, action) or user is None:
        raise NotAllowed()
    return user


def target(action: Action) -> State:
    """The review state `action` leads to."""
    state = TABLE[action].to
    assert state is not None, f"{action} moves no state"
    return state


def adopting_codes(user: User | None, initiative: Initiative) -> list[str]:
    """Which of a coordinator's municipalities could adopt the initiative: those not taking
    part in it. Staff speak for no municipality, so adopt nothing."""
    if not can(user, Action.ADOPT, initiative):
        return []
    return sorted(permissions.own_codes(user) - {m.code for m in initiative.municipalities})
