"""An initiative's two versions: the *working copy* coordinators edit and the row the public
sees once it is published.

Until the initiative is first published the working copy is the row itself. Once it is
published the row is what the public sees, and an edit waits in `Initiative.pending` (a
`Content` as JSON) with its own `pending_state` until a moderator publishes it
(services.register.moderation), so the published version stays visible meanwhile.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kommunkarta.models import BenefitArea, Initiative, Municipality, State, Status, utcnow
from kommunkarta.services.register import effects, workflow
from kommunkarta.services.register.content import TERM_MODELS, Content, changes
from kommunkarta.services.register.effects import FACT_FIELDS


def working_copy(initiative: Initiative) -> Content:
    """The version coordinators edit: a pending edit if there is one, else the row."""
    if workflow.is_public(initiative) and initiative.pending:
        return Content.from_json(initiative.pending)
    return Content.of(initiative)


def published_copy(initiative: Initiative) -> Content | None:
    return Content.of(initiative) if workflow.is_public(initiative) else None


def write(session: Session, initiative: Initiative, content: Content) -> None:
    """Write `content` into the row."""
    for name in ("title", "summary", "description", "start_year", "url", "contact", "lat", "lon"):
        setattr(initiative, name, getattr(content, name))
    initiative.status = session.scalars(select(Status).where(Status.slug == content.status)).one()
    initiative.municipalities = list(
        session.scalars(
            select(Municipality)
            .where(Municipality.code.in_(content.municipalities))
            .order_by(Municipality.code)
        )
    )
    for field, model in TERM_MODELS.items():
        chosen = getattr(content, field)
        terms = session.scalars(
            select(model).where(model.slug.in_(chosen)).order_by(model.position)
        )
        setattr(initiative, field, list(terms))
    _write_effects(session, initiative, content)
    initiative.refresh_search_text()


def _write_effects(session: Session, initiative: Initiative, content: Content) -> None:
    """Write the effects, their yearly totals and the facts into the row."""
    for name in FACT_FIELDS:
        value = getattr(content, name)
        nullable = name in ("procurement", "personal_data", "ai_act")
        setattr(initiative, name, (value or None) if nullable else value)
    areas = {
        a.slug: a
        for a in session.scalars(
            select(BenefitArea).where(
                BenefitArea.slug.in_({e.benefit_area for e in content.effects})
            )
        )
    }
    effects.assign(initiative, [(e, areas.get(e.benefit_area)) for e in content.effects])


def make_public(session: Session, initiative: Initiative) -> dict[str, list[Any]]:
    """Publish the working copy into the row; returns how the published content changed."""
    now = utcnow()
    if workflow.is_public(initiative):
        published = Content.of(initiative)
        content = working_copy(initiative)
        diff = changes(published, content)
        write(session, initiative, content)
    else:
        diff = {}
        initiative.state = State.PUBLISHED
        initiative.published_at = initiative.published_at or now
    initiative.pending = None
    initiative.pending_state = None
    initiative.moderation_note = ""
    initiative.updated_at = now
    initiative.last_confirmed_at = now  # a moderator has just checked it
    return diff
