"""The append-only history of an initiative: writing revisions and describing changes.

A revision stores who acted, when, the action and what changed as JSON
`{field: [old, new]}` in the terms of services.register.content.Content (slugs and codes) plus
`state` and `moderation_note`. Describing turns slugs and codes into names in a language.
"""

from __future__ import annotations

import difflib
import enum
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kommunkarta.models import Initiative, Municipality, Revision, User
from kommunkarta.services import taxonomy
from kommunkarta.services.register import effects
from kommunkarta.services.register.effects import EffectData
from kommunkarta.services.register.workflow import STATE_LABELS


class Event(enum.StrEnum):
    CREATED = "created"
    EDITED = "edited"
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    REJECTED = "rejected"
    SUGGESTED = "suggested"
    CONFIRMED = "confirmed"
    ADOPTED = "adopted"


EVENT_LABELS: dict[str, LazyString] = {
    Event.CREATED: _l("Created"),
    Event.EDITED: _l("Edited"),
    Event.SUBMITTED: _l("Submitted for review"),
    Event.PUBLISHED: _l("Published"),
    Event.REJECTED: _l("Rejected"),
    Event.SUGGESTED: _l("Suggested by the public"),
    Event.CONFIRMED: _l("Confirmed as still correct"),
    Event.ADOPTED: _l("Adopted by another municipality"),
}

FIELD_LABELS = {
    "title": _l("Title"),
    "summary": _l("Summary"),
    "description": _l("Description"),
    "status": _l("Status"),
    "start_year": _l("Start year"),
    "url": _l("Web page"),
    "contact": _l("Contact"),
    "lat": _l("Latitude"),
    "lon": _l("Longitude"),
    "municipalities": _l("Participating municipalities"),
    "benefit_areas": _l("Benefit areas"),
    "areas": _l("Operational areas"),
    "technologies": _l("Technologies"),
    "effects": _l("Effects"),
    "investment_sek": _l("Investment (SEK)"),
    "running_sek_per_year": _l("Running cost per year (SEK)"),
    "procurement": _l("Procurement"),
    "others_may_call_off": _l("May other municipalities call off the agreement?"),
    "supplier": _l("Supplier"),
    "open_source_url": _l("Open-source code"),
    "personal_data": _l("Does it process personal data?"),
    "dpia": _l("Data protection impact assessment (DPIA) done?"),
    "ai_act": _l("AI Act category, as you assess it"),
    "fria": _l("Fundamental-rights impact assessment done?"),
    "state": _l("State"),
    "moderation_note": _l("Moderator's reason"),
    "last_confirmed_at": _l("Last confirmed"),
    "adopted_by": _l("Adopted by"),
}

TEXT_FIELDS = frozenset({"title", "summary", "description", "moderation_note"})
# field -> taxonomy kind whose slugs it holds
TERM_FIELDS = {
    "status": "statuses",
    "benefit_areas": "benefit_areas",
    "areas": "areas",
    "technologies": "technologies",
}


def record(
    session: Session,
    initiative: Initiative,
    by: User | None,
    event: Event,
    changes: dict[str, list[Any]],
) -> Revision:
    revision = Revision(
        initiative_id=initiative.id,
        user_id=by.id if by is not None else None,
        action=event.value,
        changes=json.dumps(changes, ensure_ascii=False),
    )
    session.add(revision)
    return revision


def history(session: Session, initiative_id: int) -> list[Revision]:
    """Newest first."""
    return list(
        session.scalars(
            select(Revision)
            .where(Revision.initiative_id == initiative_id)
            .options(selectinload(Revision.user))
            .order_by(Revision.created_at.desc(), Revision.id.desc())
        )
    )


@dataclass(frozen=True)
class Labels:
    """Names of slugs and municipality codes in one language."""

    terms: dict[str, dict[str, str]]  # taxonomy kind -> slug -> name
    places: dict[str, str]  # municipality code -> name

    @classmethod
    def load(cls, session: Session, locale: str) -> Labels:
        terms = {
            kind: {t.slug: t.name(locale) for t in items}
            for kind, items in taxonomy.all_terms(session).items()
        }
        places = dict(session.execute(select(Municipality.code, Municipality.name)).all())
        return cls(terms, places)

    def show(self, field: str, value: Any) -> str:
        """A stored value as people read it; empty for nothing."""
        if value is None or value == "" or value == []:
            return ""
        if field == "state":
            return str(STATE_LABELS.get(value, value))
        if field == "effects":
            rows = [effects.arithmetic(EffectData.from_dict(e)) for e in value]
            return "; ".join(rows)
        if isinstance(value, bool):
            return str(_l("Yes") if value else _l("No"))
        if field == "last_confirmed_at":
            return str(value)[:10]  # the day of an ISO 8601 time
        if field in ("municipalities", "adopted_by"):
            codes = value if isinstance(value, list | tuple) else [value]
            return ", ".join(str(self.places.get(code, code)) for code in codes)
        if field in TERM_FIELDS:
            names = self.terms[TERM_FIELDS[field]]
            values = value if isinstance(value, list | tuple) else [value]
            return ", ".join(str(names.get(slug, slug)) for slug in values)
        return str(value)


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    old: str
    new: str
    # for text: (op, text) pieces of a word diff, op in "same", "del", "ins"
    pieces: Sequence[tuple[str, str]] = ()


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The words removed and added between two texts, for <del>/<ins> markup."""
    a, b = re.split(r"(\s+)", old), re.split(r"(\s+)", new)
    pieces: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("del", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(("ins", "".join(b[j1:j2])))
    return pieces


def describe(changes: dict[str, list[Any]], labels: Labels) -> list[Change]:
    """Changes in the fields' order, with readable values and word diffs for text."""
    order = list(FIELD_LABELS)
    out = []
    for field in sorted(changes, key=lambda f: order.index(f) if f in order else len(order)):
        old, new = changes[field]
        old_text, new_text = labels.show(field, old), labels.show(field, new)
        pieces = word_diff(old_text, new_text) if field in TEXT_FIELDS and old_text else ()
        out.append(Change(field, str(FIELD_LABELS.get(field, field)), old_text, new_text, pieces))
    return out


@dataclass(frozen=True)
class Entry:
    revision: Revision
    event: str
    changes: list[Change]


def described_history(session: Session, initiative_id: int, locale: str) -> list[Entry]:
    """The history newest first, each entry with its changes described for people."""
    labels = Labels.load(session, locale)
    return [
        Entry(
            revision,
            str(EVENT_LABELS.get(revision.action, revision.action)),
            describe(json.loads(revision.changes or "{}"), labels),
        )
        for revision in history(session, initiative_id)
    ]
