"""The moderators' side: the review queue, the diff against the published version, publishing
and rejecting. Publishing and rejecting check the version the moderator looked at, so a change
made after they opened the review is never published unseen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from kommunkarta import rules
from kommunkarta.models import Initiative, Revision, State, User
from kommunkarta.services import audit
from kommunkarta.services.errors import InvalidField
from kommunkarta.services.places.geodata import Geodata
from kommunkarta.services.register import copies, submissions, workflow
from kommunkarta.services.register.content import Content, changes, check
from kommunkarta.services.register.initiatives import Page
from kommunkarta.services.register.revisions import Change, Event, Labels, describe, record
from kommunkarta.services.register.submissions import commit
from kommunkarta.services.register.workflow import Action
from kommunkarta.services.text import clean

REASON_MAX = rules.LENGTHS["reason"]

# pending_state is only ever set on published initiatives; each side of the OR has its index
WAITING = or_(Initiative.state == State.SUBMITTED, Initiative.pending_state == State.SUBMITTED)


@dataclass(frozen=True)
class QueueItem:
    initiative: Initiative
    waiting_since: datetime | None  # when it last changed: the latest revision


def queue(session: Session, by: User | None, page: int = 1, per_page: int = 50) -> Page[QueueItem]:
    """Initiatives waiting for review, the longest waiting first; raises NotAllowed."""
    by = workflow.require_user(by, Action.MODERATE)
    since = (
        select(func.max(Revision.created_at))
        .where(Revision.initiative_id == Initiative.id)
        .correlate(Initiative)
        .scalar_subquery()
    )
    total = session.scalar(select(func.count(Initiative.id)).where(WAITING)) or 0
    rows = session.execute(
        select(Initiative, since)
        .where(WAITING)
        .options(selectinload(Initiative.municipalities), selectinload(Initiative.author))
        .order_by(since.asc(), Initiative.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page([QueueItem(i, when) for i, when in rows], total, page, per_page)


@dataclass(frozen=True)
class Review:
    """An initiative's working copy beside what the public sees now."""

    initiative: Initiative
    content: Content
    published: Content | None
    changes: list[Change]  # published -> working copy; empty if never published or unchanged
    labels: Labels


def review(session: Session, initiative_id: int, by: User | None, locale: str) -> Review:
    """Raises NotFound or NotAllowed unless `by` may view the working copy."""
    initiative = submissions.get(session, initiative_id, by, Action.VIEW)
    content = copies.working_copy(initiative)
    published = copies.published_copy(initiative)
    labels = Labels.load(session, locale)
    diff = describe(changes(published, content), labels) if published is not None else []
    return Review(initiative, content, published, diff, labels)


def publish(
    session: Session, initiative_id: int, version: int, by: User | None, places: Geodata
) -> Initiative:
    """Make the working copy public; raises NotFound, NotAllowed, Conflict or InvalidFields
    (when it lacks what a published initiative needs, e.g. a benefit area)."""
    initiative = submissions.get(session, initiative_id, by, Action.PUBLISH, version)
    before_state = initiative.review_state
    check(session, copies.working_copy(initiative), by, places)
    diff = copies.make_public(session, initiative)
    diff["state"] = [before_state, workflow.target(Action.PUBLISH).value]
    record(session, initiative, by, Event.PUBLISHED, diff)
    audit.record(session, audit.PUBLISH, by, subject=f"initiative {initiative.id}")
    commit(session)
    return initiative


def reject(
    session: Session, initiative_id: int, version: int, reason: str, by: User | None
) -> Initiative:
    """Send the working copy back with a reason; a published version stays published.
    Raises NotFound, NotAllowed, Conflict or InvalidField("reason")."""
    initiative = submissions.get(session, initiative_id, by, Action.REJECT, version)
    before_state, after = initiative.review_state, workflow.target(Action.REJECT)
    reason = clean(reason)
    if not reason:
        raise InvalidField("reason", _l("Tell the coordinator why, so they can fix it."))
    if len(reason) > REASON_MAX:
        raise InvalidField("reason", _l("Use at most %(limit)s characters.", limit=REASON_MAX))
    if workflow.is_public(initiative):
        initiative.pending_state = after.value
    else:
        initiative.state = after
    before_note = initiative.moderation_note
    initiative.moderation_note = reason
    record(
        session,
        initiative,
        by,
        Event.REJECTED,
        {"state": [before_state, after.value], "moderation_note": [before_note, reason]},
    )
    audit.record(
        session, audit.REJECT, by, subject=f"initiative {initiative.id}", detail={"reason": reason}
    )
    commit(session)
    return initiative
