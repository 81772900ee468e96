"""We do this too: a coordinator adds one of their municipalities to another municipality's
published initiative as an adopter, with the status and start year of their own use.

An adoption counts as an initiative of the adopting municipality in every count and place
filter (services.register.initiatives, filters), marked as adopted where it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kommunkarta import rules
from kommunkarta.models import Adoption, Municipality, Status, User
from kommunkarta.services.errors import InvalidField, InvalidFields, NotAllowed, NotFound
from kommunkarta.services.register import initiatives, permissions, workflow
from kommunkarta.services.register.revisions import Event, record
from kommunkarta.services.text import clean

NOTE_MAX = rules.LENGTHS["note"]


@dataclass(frozen=True)
class Request:
    """What the adopting coordinator tells about their own use."""

    municipality: str
    status: str
    start_year: int | None = None
    note: str = ""


def adopt(
    session: Session, initiative_id: int, request: Request, by: User | None, now: datetime
) -> Adoption:
    """Add `request.municipality` as an adopter of a published initiative, with a revision.
    Raises NotFound (not published), NotAllowed (not a coordinator of that municipality) or
    InvalidFields (it takes part already, it adopted it already, a bad status, year or note)."""
    by = permissions.require_signed_in(by)
    initiative = initiatives.get_visible(session, initiative_id)
    if initiative is None:
        raise NotFound()
    if request.municipality not in permissions.own_codes(by) or not workflow.adopting_codes(
        by, initiative
    ):
        raise NotAllowed()
    municipality = session.get(Municipality, request.municipality)
    if municipality is None:  # own_codes() holds only codes of existing municipalities
        raise NotFound()
    name = municipality.name
    errors = []
    if request.municipality in {m.code for m in initiative.municipalities}:
        errors.append(
            InvalidField("municipality", _l("%(name)s takes part in it already.", name=name))
        )
    elif request.municipality in {a.municipality_code for a in initiative.adoptions}:
        errors.append(InvalidField("municipality", already_adopted(name)))
    status = session.scalar(select(Status).where(Status.slug == request.status))
    if status is None:
        errors.append(InvalidField("status", _l("Choose a status.")))
    if not rules.year_in_range(request.start_year):
        errors.append(InvalidField("start_year", rules.year_message()))
    note = clean(request.note)
    if len(note) > NOTE_MAX:
        errors.append(InvalidField("note", _l("Use at most %(limit)s characters.", limit=NOTE_MAX)))
    if errors:
        raise InvalidFields(errors)
    adoption = Adoption(
        initiative_id=initiative.id,
        municipality_code=request.municipality,
        status=status,
        start_year=request.start_year,
        note=note,
        created_at=now,
        confirmed_at=now,
        created_by_id=by.id,
    )
    session.add(adoption)
    record(session, initiative, by, Event.ADOPTED, {"adopted_by": [None, request.municipality]})
    try:
        session.commit()
    except IntegrityError:  # the same adoption sent twice at once: the other one won
        session.rollback()
        raise InvalidFields([InvalidField("municipality", already_adopted(name))]) from None
    return adoption


def already_adopted(name: str) -> LazyString:
    return _l("%(name)s has adopted this initiative already.", name=name)
