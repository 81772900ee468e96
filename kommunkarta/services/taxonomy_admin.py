"""Admins change the taxonomy: add a term, change its names and description, move it up or
down in its list, retire it and bring it back (merging one term into another is in
services.taxonomy_merge).

Every change marks the term (and, for a move, every term of its kind) as edited, so that
`init-db` leaves it as the admin made it (services.taxonomy.load_starter), and writes an entry
in the audit log in the same transaction. The caches of counts, filters and the API follow at
once: writes to the taxonomy tables change the data version (kommunkarta.cache).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kommunkarta import rules
from kommunkarta.models import User, utcnow
from kommunkarta.services import audit
from kommunkarta.services.errors import InvalidField, NotFound
from kommunkarta.services.register import permissions
from kommunkarta.services.taxonomy import KINDS
from kommunkarta.services.text import clean

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_SLUG = rules.LENGTHS["term_slug"]
MAX_NAME = rules.LENGTHS["term_name"]
MAX_DESCRIPTION = rules.LENGTHS["term_description"]


@dataclass(frozen=True)
class TermText:
    """What a term says in both languages: a name and an optional description."""

    name_sv: str
    name_en: str
    description_sv: str = ""
    description_en: str = ""

    def checked(self) -> TermText:
        """The text cleaned; raises InvalidField for a blank or too long name or a too long
        description."""
        text = TermText(**{field: clean(value) for field, value in asdict(self).items()})
        for field in ("name_sv", "name_en"):
            name = getattr(text, field)
            if not name:
                raise InvalidField(field, _l("Give a name."))
            if len(name) > MAX_NAME or "\n" in name:
                raise InvalidField(
                    field, _l("Use one line of at most %(limit)s characters.", limit=MAX_NAME)
                )
        for field in ("description_sv", "description_en"):
            if len(getattr(text, field)) > MAX_DESCRIPTION:
                raise InvalidField(
                    field, _l("Use at most %(limit)s characters.", limit=MAX_DESCRIPTION)
                )
        return text


def model(kind: str) -> Any:
    """The table of a kind of term (one of the four Term models); raises NotFound."""
    if kind not in KINDS:
        raise NotFound()
    return KINDS[kind]


def term(session: Session, kind: str, slug: str, by: User | None) -> Any:
    """One term; raises NotAllowed or NotFound."""
    permissions.require_admin(by)
    found = session.scalar(select(model(kind)).where(model(kind).slug == slug))
    if found is None:
        raise NotFound()
    return found


def lock(session: Session, table: Any, slugs: tuple[str, ...] | None = None) -> None:
    """Lock the terms of a kind (or those with `slugs`) for the rest of the transaction, in
    slug order, and read them again: changes that check other terms (the last one in use,
    merging the other way round) are taken one after the other and see each other's result
    (PostgreSQL; SQLite runs one writing transaction at a time anyway)."""
    query = select(table).order_by(table.slug).with_for_update()
    if slugs is not None:
        query = query.where(table.slug.in_(slugs))
    session.scalars(query.execution_options(populate_existing=True)).all()


def log(
    session: Session, action: str, by: User | None, kind: str, slug: str, **detail: Any
) -> None:
    """The audit entry of a change to the term `kind`/`slug`; the caller commits."""
    audit.record(session, action, by, subject=f"{kind}/{slug}", detail=detail)


def add(session: Session, kind: str, slug: str, text: TermText, by: User | None) -> Any:
    """A new term at the end of its list. Raises NotAllowed, NotFound (no such kind) or
    InvalidField (a malformed or taken slug, a missing or too long name or description)."""
    permissions.require_admin(by)
    table = model(kind)
    slug = clean(slug)
    if not SLUG.fullmatch(slug) or len(slug) > MAX_SLUG:
        raise InvalidField(
            "slug", _l("Use lower-case letters a–z, digits and single hyphens, such as chat-bots.")
        )
    taken = InvalidField("slug", _l("Another term of this kind has that slug."))
    if session.scalar(select(func.count()).where(table.slug == slug)):
        raise taken
    text = text.checked()
    last = session.scalar(select(func.max(table.position))) or 0
    created = table(slug=slug, position=last + 1, edited_at=utcnow(), **asdict(text))
    session.add(created)
    try:
        session.flush()
    except IntegrityError:  # another admin added the slug since the check: theirs stays
        session.rollback()
        raise taken from None
    log(session, audit.TERM_ADDED, by, kind, slug, **asdict(text))
    session.commit()
    return created


def change(session: Session, kind: str, slug: str, text: TermText, by: User | None) -> Any:
    """New names and description for a term (its slug, used in links and exports, stays).
    Raises NotAllowed, NotFound or InvalidField."""
    found = term(session, kind, slug, by)
    changes = {
        field: [getattr(found, field) or "", value]
        for field, value in asdict(text.checked()).items()
        if (getattr(found, field) or "") != value
    }
    if changes:
        for field, (_old, new) in changes.items():
            setattr(found, field, new)
        found.edited_at = utcnow()
        log(session, audit.TERM_CHANGED, by, kind, slug, **changes)
    session.commit()
    return found


def move(session: Session, kind: str, slug: str, up: bool, by: User | None) -> None:
    """Move a term one place up or down in its list (nothing at either end); the order of
    the whole kind is then the admin's. Raises NotAllowed or NotFound."""
    found = term(session, kind, slug, by)
    table = model(kind)
    ordered: list[Any] = list(session.scalars(select(table).order_by(table.position, table.id)))
    index = ordered.index(found)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    now = utcnow()
    for position, each in enumerate(ordered):
        each.position = position
        each.edited_at = each.edited_at or now
    log(session, audit.TERM_MOVED, by, kind, slug, direction="up" if up else "down")
    session.commit()


def retire(session: Session, kind: str, slug: str, by: User | None) -> Any:
    """Offer the term nowhere new (forms, filter choices); initiatives keep it, and links,
    the API and exports still know it. Raises NotAllowed, NotFound or InvalidField (already
    retired, or the last term of its kind in use)."""
    found = term(session, kind, slug, by)
    table = model(kind)
    lock(session, table)  # two admins retiring the last two terms in use at once
    if found.retired_at is not None:
        raise InvalidField("slug", _l("The term is retired already."))
    in_use = select(func.count()).where(table.retired_at.is_(None), table.id != found.id)
    if not session.scalar(in_use):
        raise InvalidField("slug", _l("Keep at least one term of this kind in use."))
    found.retired_at = found.edited_at = utcnow()
    log(session, audit.TERM_RETIRED, by, kind, slug)
    session.commit()
    return found


def restore(session: Session, kind: str, slug: str, by: User | None) -> Any:
    """Offer a retired term again. Raises NotAllowed, NotFound or InvalidField (not retired,
    or merged into another term: its initiatives carry that one now)."""
    found = term(session, kind, slug, by)
    lock(session, model(kind), (slug,))  # a merge of it at the same time comes after
    if found.retired_at is None:
        raise InvalidField("slug", _l("The term is in use already."))
    if found.merged_into is not None:
        message = _l("It was merged into %(other)s and cannot return.", other=found.merged_into)
        raise InvalidField("slug", message)
    found.retired_at = None
    found.edited_at = utcnow()
    log(session, audit.TERM_RESTORED, by, kind, slug)
    session.commit()
    return found
