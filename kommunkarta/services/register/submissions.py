"""The coordinators' side of the life cycle: creating, editing, submitting for review and
deleting initiatives, and the list of their own. What is edited is the working copy
(services.register.copies); who may do what in which state is the workflow's
(services.register.workflow).

Every change writes a Revision. Callers pass the version their form showed: if the initiative
changed since, the service raises Conflict instead of overwriting someone else's work.
"""

from __future__ import annotations

import enum
import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session, object_session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from kommunkarta.models import (
    Initiative,
    Role,
    State,
    User,
    initiative_municipalities,
    utcnow,
)
from kommunkarta.services.errors import Conflict, NotFound
from kommunkarta.services.places.geodata import Geodata
from kommunkarta.services.register import copies, initiatives, permissions, workflow
from kommunkarta.services.register.content import Content, changes, check
from kommunkarta.services.register.initiatives import Page
from kommunkarta.services.register.revisions import Event, record
from kommunkarta.services.register.workflow import Action

log = logging.getLogger(__name__)

CHANGED_MEANWHILE = _l(
    "Someone else changed this initiative after you opened it. Nothing was overwritten."
)


class Intent(enum.StrEnum):
    """What the person saving wants: keep a draft, ask for review, or (staff) publish."""

    DRAFT = "draft"
    SUBMIT = "submit"
    PUBLISH = "publish"


STATE_FOR_INTENT = {
    Intent.DRAFT: State.DRAFT,
    Intent.SUBMIT: State.SUBMITTED,
    Intent.PUBLISH: State.PUBLISHED,
}


def load(session: Session, initiative_id: int) -> Initiative | None:
    return session.scalars(
        select(Initiative)
        .where(Initiative.id == initiative_id)
        .options(*initiatives.WITH_TERMS, selectinload(Initiative.author))
    ).first()


def get(
    session: Session,
    initiative_id: int,
    by: User | None,
    action: Action,
    version: int | None = None,
) -> Initiative:
    """The initiative if `by` may do `action` with it now, still at `version` if given (then
    locked, see `require_version`); raises NotFound, NotAllowed or Conflict."""
    initiative = workflow.require_actor(by, action, load(session, initiative_id))
    if version is not None:
        require_version(initiative, version)
    workflow.require_state(by, action, initiative)
    return initiative


def commit(session: Session) -> None:
    """Commit; a concurrent save of the same initiative becomes Conflict."""
    try:
        session.commit()
    except StaleDataError:
        session.rollback()
        raise Conflict(CHANGED_MEANWHILE) from None


def require_version(initiative: Initiative, version: int) -> None:
    """Raise Conflict unless the stored initiative is still at `version` (NotFound once it
    has been deleted).

    The row is read again and locked for the rest of the transaction (PostgreSQL: FOR
    UPDATE; SQLite's writing transactions hold the whole database already): two saves of
    the same version at the same moment are taken one after the other, and the second
    finds the new version here instead of failing half-way through its writes."""
    session = object_session(initiative)
    assert session is not None, "a stored initiative belongs to a session"
    try:
        session.refresh(initiative, with_for_update=True)
    except InvalidRequestError:  # the row is gone: deleted by someone else meanwhile
        raise NotFound() from None
    if initiative.version != version:
        raise Conflict(CHANGED_MEANWHILE, current=copies.working_copy(initiative))


def create(
    session: Session, content: Content, by: User | None, intent: Intent, places: Geodata
) -> Initiative:
    """A new initiative by `by`; raises NotAllowed or InvalidFields."""
    by = workflow.require_user(
        by, Action.PUBLISH_DIRECTLY if intent == Intent.PUBLISH else Action.CREATE
    )
    check(session, content, by, places)
    state = STATE_FOR_INTENT[intent]
    initiative = Initiative(author_id=by.id, state=state, is_demo=False, moderation_note="")
    copies.write(session, initiative, content)
    if state == State.PUBLISHED:
        initiative.published_at = initiative.last_confirmed_at = utcnow()
    session.add(initiative)
    session.flush()
    event = {
        State.DRAFT: Event.CREATED,
        State.SUBMITTED: Event.SUBMITTED,
        State.PUBLISHED: Event.PUBLISHED,
    }[state]
    record(session, initiative, by, event, {**changes(None, content), "state": [None, state.value]})
    commit(session)
    return initiative


def update(
    session: Session,
    initiative_id: int,
    content: Content,
    version: int,
    by: User | None,
    intent: Intent,
    places: Geodata,
) -> Initiative:
    """Save an edit; raises NotFound, NotAllowed, Conflict (carrying the stored working copy)
    or InvalidFields."""
    action = Action.PUBLISH_DIRECTLY if intent == Intent.PUBLISH else Action.EDIT
    initiative = get(session, initiative_id, by, action, version)
    check(session, content, by, places)
    before, before_state = copies.working_copy(initiative), initiative.review_state
    diff = changes(before, content)
    if intent == Intent.PUBLISH:
        if workflow.is_public(initiative):
            initiative.pending = content.to_json()
        else:
            copies.write(session, initiative, content)
        diff = {**diff, **copies.make_public(session, initiative)}
        diff["state"] = [before_state, State.PUBLISHED.value]
        record(session, initiative, by, Event.PUBLISHED, diff)
        commit(session)
        return initiative
    state = STATE_FOR_INTENT[intent]
    if workflow.is_public(initiative):
        if content == Content.of(initiative):  # back to what is published: nothing to review
            initiative.pending, initiative.pending_state = None, None
        else:
            initiative.pending, initiative.pending_state = content.to_json(), state.value
    else:
        copies.write(session, initiative, content)
        initiative.state = state
        initiative.updated_at = utcnow()
    if initiative.review_state != before_state:
        diff["state"] = [before_state, initiative.review_state]
    submitted = initiative.review_state == State.SUBMITTED and before_state != State.SUBMITTED
    if diff:  # saving unchanged content is no change to record
        record(session, initiative, by, Event.SUBMITTED if submitted else Event.EDITED, diff)
    commit(session)
    return initiative


def submit(
    session: Session, initiative_id: int, version: int, by: User | None, places: Geodata
) -> Initiative:
    """Ask a moderator to publish the working copy; raises NotFound, NotAllowed, Conflict or
    InvalidFields."""
    initiative = get(session, initiative_id, by, Action.SUBMIT, version)
    before_state, after = initiative.review_state, workflow.target(Action.SUBMIT)
    check(session, copies.working_copy(initiative), by, places)
    if workflow.is_public(initiative):
        initiative.pending_state = after.value
    else:
        initiative.state = after
        initiative.updated_at = utcnow()
    record(session, initiative, by, Event.SUBMITTED, {"state": [before_state, after.value]})
    commit(session)
    return initiative


def delete(session: Session, initiative_id: int, version: int, by: User | None) -> None:
    """Remove an initiative and its history; raises NotFound, NotAllowed or Conflict."""
    initiative = get(session, initiative_id, by, Action.DELETE, version)
    session.delete(initiative)
    commit(session)
    log.info("initiative %s deleted by user %s", initiative_id, by.id if by else None)


# Sorting for "my initiatives": what needs the coordinator first.
ATTENTION = case(
    {State.REJECTED: 0, State.DRAFT: 1, State.SUBMITTED: 2}, value=Initiative.review_state, else_=3
)


def mine(session: Session, by: User | None, page: int = 1, per_page: int = 50) -> Page[Initiative]:
    """A coordinator's initiatives (those involving their municipalities) or, for staff, the
    ones they created; rejected and drafts first. Raises NotAllowed if not signed in."""
    by = permissions.require_signed_in(by)
    if by.role == Role.COORDINATOR:
        link = initiative_municipalities
        codes = [m.code for m in by.municipalities]
        # ids from the link table's municipality index, not a probe per initiative
        condition: ColumnElement[bool] = Initiative.id.in_(
            select(link.c.initiative_id).where(link.c.municipality_code.in_(codes))
        )
    else:
        condition = Initiative.author_id == by.id
    total = session.scalar(select(func.count(Initiative.id)).where(condition)) or 0
    stmt = (
        select(Initiative)
        .where(condition)
        .options(selectinload(Initiative.municipalities))
        .order_by(ATTENTION, Initiative.updated_at.desc(), Initiative.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return Page(list(session.scalars(stmt)), total, page, per_page)
