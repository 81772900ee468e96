"""Admins change the taxonomy: add a term, rename one, move one up or down in its list.

Every change marks the term (and, for a move, every term of its kind) as edited, so that
`init-db` leaves it as the admin made it (services.taxonomy.load_starter). The caches of
counts, filters and the API follow at once: writes to the taxonomy tables change the data
version (kommunkarta.cache).
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kommunkarta.models import User, utcnow
from kommunkarta.services.errors import InvalidField, NotFound
from kommunkarta.services.register import permissions
from kommunkarta.services.taxonomy import KINDS
from kommunkarta.services.text import clean

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_SLUG = 60
MAX_NAME = 120


def _model(kind: str) -> Any:
    """The table of a kind of term (one of the four _Term models)."""
    if kind not in KINDS:
        raise NotFound()
    return KINDS[kind]


def _names(name_sv: str, name_en: str) -> tuple[str, str]:
    """Both names, cleaned; raises InvalidField for a blank or too long one."""
    names = {"name_sv": clean(name_sv), "name_en": clean(name_en)}
    for field, name in names.items():
        if not name:
            raise InvalidField(field, _l("Give a name."))
        if len(name) > MAX_NAME or "\n" in name:
            raise InvalidField(field, _l("Use one line of at most 120 characters."))
    return names["name_sv"], names["name_en"]


def term(session: Session, kind: str, slug: str, by: User | None) -> Any:
    """One term; raises NotAllowed or NotFound."""
    permissions.require_admin(by)
    found = session.scalar(select(_model(kind)).where(_model(kind).slug == slug))
    if found is None:
        raise NotFound()
    return found


def add(session: Session, kind: str, slug: str, name_sv: str, name_en: str, by: User | None) -> Any:
    """A new term at the end of its list. Raises NotAllowed, NotFound (no such kind) or
    InvalidField (a malformed or taken slug, a missing or too long name)."""
    permissions.require_admin(by)
    model = _model(kind)
    slug = clean(slug)
    if not SLUG.fullmatch(slug) or len(slug) > MAX_SLUG:
        raise InvalidField(
            "slug", _l("Use lower-case letters a–z, digits and single hyphens, such as chat-bots.")
        )
    if session.scalar(select(func.count()).where(model.slug == slug)):
        raise InvalidField("slug", _l("Another term of this kind has that slug."))
    name_sv, name_en = _names(name_sv, name_en)
    last = session.scalar(select(func.max(model.position))) or 0
    created = model(
        slug=slug, name_sv=name_sv, name_en=name_en, position=last + 1, edited_at=utcnow()
    )
    session.add(created)
    session.commit()
    return created


def rename(
    session: Session, kind: str, slug: str, name_sv: str, name_en: str, by: User | None
) -> Any:
    """New names for a term (its slug, used in links and exports, stays). Raises NotAllowed,
    NotFound or InvalidField."""
    found = term(session, kind, slug, by)
    found.name_sv, found.name_en = _names(name_sv, name_en)
    found.edited_at = utcnow()
    session.commit()
    return found


def move(session: Session, kind: str, slug: str, up: bool, by: User | None) -> None:
    """Move a term one place up or down in its list (nothing at either end); the order of
    the whole kind is then the admin's. Raises NotAllowed or NotFound."""
    found = term(session, kind, slug, by)
    model = _model(kind)
    ordered: list[Any] = list(session.scalars(select(model).order_by(model.position, model.id)))
    index = ordered.index(found)
    other = index - 1 if up else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    now = utcnow()
    for position, each in enumerate(ordered):
        each.position = position
        each.edited_at = each.edited_at or now
    session.commit()
