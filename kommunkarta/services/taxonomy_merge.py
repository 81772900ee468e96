"""Merging one taxonomy term into another, in one transaction.

Every initiative that carries term A carries term B instead (once, if it had both), with a
Revision saying so; waiting edits and effects follow; A is retired and remembers B, so that an
old link or filter with A selects what carries B now (kommunkarta.filters.Vocabulary.merged).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Table, delete, select, update
from sqlalchemy.orm import Session, load_only

from kommunkarta.models import (
    Effect,
    Initiative,
    User,
    initiative_areas,
    initiative_benefit_areas,
    initiative_technologies,
    utcnow,
)
from kommunkarta.services import audit, taxonomy_admin
from kommunkarta.services.errors import InvalidField
from kommunkarta.services.register import revisions
from kommunkarta.services.register.submissions import Content
from kommunkarta.services.text import clean

# kind -> (link table, its column naming the term); statuses are a column of the initiative
LINKS: dict[str, tuple[Table, str]] = {
    "benefit_areas": (initiative_benefit_areas, "benefit_area_id"),
    "areas": (initiative_areas, "area_id"),
    "technologies": (initiative_technologies, "technology_id"),
}
# kind -> the field of an initiative's content (and of its revisions) holding its slugs
FIELDS = {kind: field for field, kind in revisions.TERM_FIELDS.items()}
CHUNK = 1000  # ids per IN list, well under every database's limit of bound values


def merge(session: Session, kind: str, slug: str, into: str, by: User | None) -> int:
    """Merge the term `slug` into the term `into` of the same kind and commit; returns how
    many initiatives changed. Raises NotAllowed, NotFound (no such kind or term) or
    InvalidField (into itself, into an unknown or retired term, a term merged already)."""
    source = taxonomy_admin.term(session, kind, slug, by)
    table = taxonomy_admin.model(kind)
    into = clean(into)
    target = session.scalar(select(table).where(table.slug == into))
    if source.merged_into is not None:
        raise InvalidField(
            "into", _l("The term was merged into %(other)s already.", other=source.merged_into)
        )
    if target is None or target.id == source.id:
        raise InvalidField("into", _l("Choose another term of this kind to merge it into."))
    if target.retired_at is not None:
        raise InvalidField("into", _l("%(other)s is retired: choose a term in use.", other=into))
    if kind in LINKS:
        before = _move_links(session, kind, source.id, target.id)
    else:
        before = _move_status(session, source.id, target.id, slug)
    _revise(session, kind, before, slug, into, by)
    _move_waiting_edits(session, kind, slug, into)
    if kind == "benefit_areas":
        session.execute(
            update(Effect)
            .where(Effect.benefit_area_id == source.id)
            .values(benefit_area_id=target.id)
        )
    # terms merged into this one before now lead to the target too
    session.execute(update(table).where(table.merged_into == slug).values(merged_into=into))
    now = utcnow()
    source.retired_at = source.retired_at or now
    source.merged_into, source.edited_at = into, now
    taxonomy_admin.log(
        session, audit.TERM_MERGED, by, kind, slug, into=into, initiatives=len(before)
    )
    session.commit()
    return len(before)


def _move_links(session: Session, kind: str, source_id: int, target_id: int) -> dict[int, Any]:
    """Point every link to the source term at the target (dropping it where the initiative
    has the target already); returns each changed initiative's slugs before."""
    link, name = LINKS[kind]
    column, table = link.c[name], taxonomy_admin.model(kind)
    carrying = select(link.c.initiative_id).where(column == source_id)
    before: dict[int, Any] = defaultdict(list)
    rows = session.execute(
        select(link.c.initiative_id, table.slug)
        .join(table, table.id == column)
        .where(link.c.initiative_id.in_(carrying))
    )
    for initiative_id, term_slug in rows:
        before[initiative_id].append(term_slug)
    has_target = select(link.c.initiative_id).where(column == target_id)
    session.execute(delete(link).where(column == source_id, link.c.initiative_id.in_(has_target)))
    session.execute(update(link).where(column == source_id).values({name: target_id}))
    return {key: sorted(slugs) for key, slugs in before.items()}


def _move_status(session: Session, source_id: int, target_id: int, slug: str) -> dict[int, Any]:
    """Give every initiative with the source status the target; returns their ids with the
    old status."""
    ids = session.scalars(select(Initiative.id).where(Initiative.status_id == source_id)).all()
    session.execute(
        update(Initiative)
        .where(Initiative.status_id == source_id)
        .values(status_id=target_id)
        .execution_options(synchronize_session=False)
    )
    return dict.fromkeys(ids, slug)


def _revise(
    session: Session, kind: str, before: dict[int, Any], slug: str, into: str, by: User | None
) -> None:
    """One revision per changed initiative, in the terms of its content: slugs before and
    after."""
    if not before:
        return
    field, ids = FIELDS[kind], sorted(before)
    for start in range(0, len(ids), CHUNK):
        changed = session.scalars(
            select(Initiative)
            .options(load_only(Initiative.id))
            .where(Initiative.id.in_(ids[start : start + CHUNK]))
        )
        for initiative in changed:
            old = before[initiative.id]
            new = into if kind not in LINKS else sorted(set(old) - {slug} | {into})
            revisions.record(session, initiative, by, revisions.Event.EDITED, {field: [old, new]})


def _move_waiting_edits(session: Session, kind: str, slug: str, into: str) -> None:
    """Waiting edits of published initiatives (kept as content with slugs) name the target
    instead of the source."""
    field = FIELDS[kind]
    waiting = session.scalars(
        select(Initiative).where(
            Initiative.pending.is_not(None), Initiative.pending.contains(f'"{slug}"')
        )
    )
    for initiative in waiting:
        content = Content.from_json(initiative.pending or "{}")
        values: dict[str, Any] = {}
        if kind in LINKS:
            slugs = getattr(content, field)
            if slug in slugs:
                values[field] = tuple(set(slugs) - {slug} | {into})
        elif content.status == slug:
            values[field] = into
        if kind == "benefit_areas" and any(e.benefit_area == slug for e in content.effects):
            values["effects"] = tuple(
                replace(e, benefit_area=into) if e.benefit_area == slug else e
                for e in content.effects
            )
        if values:
            initiative.pending = replace(content, **values).to_json()
