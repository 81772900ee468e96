"""Suggestions from the public: a short description, stored as `submitted` for a moderator."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from kommunkarta import rules
from kommunkarta.models import Initiative, State, Status
from kommunkarta.services.errors import InvalidField, InvalidFields
from kommunkarta.services.places.geodata import Geodata
from kommunkarta.services.register import copies
from kommunkarta.services.register.content import Content, changes, problems
from kommunkarta.services.register.revisions import Event, record
from kommunkarta.services.text import clean

SUGGESTER_CONTACT_MAX = rules.LENGTHS["suggester_contact"]


@dataclass(frozen=True)
class Suggestion:
    """What the public may tell us: a short description and, optionally, how to reach them."""

    title: str
    summary: str
    municipality: str
    url: str = ""
    benefit_areas: tuple[str, ...] = ()
    suggester_contact: str = ""


def suggest(session: Session, suggestion: Suggestion, places: Geodata) -> Initiative:
    """Store a suggestion from the public as `submitted`; raises InvalidFields."""
    first_status = session.scalar(
        select(Status.slug).where(Status.retired_at.is_(None)).order_by(Status.position, Status.id)
    )
    content = Content(
        title=suggestion.title,
        summary=suggestion.summary,
        status=first_status or "",
        url=suggestion.url,
        municipalities=(suggestion.municipality,),
        benefit_areas=suggestion.benefit_areas,
    )
    errors = problems(session, content, None, places, complete=False)
    if not content.summary:
        errors.append(InvalidField("summary", _l("Write a short summary.")))
    contact = clean(suggestion.suggester_contact)
    if len(contact) > SUGGESTER_CONTACT_MAX:
        errors.append(
            InvalidField(
                "suggester_contact",
                _l("Use at most %(limit)s characters.", limit=SUGGESTER_CONTACT_MAX),
            )
        )
    if errors:
        raise InvalidFields(errors)
    initiative = Initiative(
        state=State.SUBMITTED,
        is_demo=False,
        is_suggestion=True,
        suggester_contact=contact,
        moderation_note="",
    )
    copies.write(session, initiative, content)
    session.add(initiative)
    session.flush()
    record(
        session,
        initiative,
        None,
        Event.SUGGESTED,
        {**changes(None, content), "state": [None, State.SUBMITTED.value]},
    )
    session.commit()
    return initiative
