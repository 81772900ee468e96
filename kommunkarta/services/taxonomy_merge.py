"""Merging one taxonomy term into another, in one transaction.

Every initiative that carries term A carries term B instead (once, if it had both), with a
Revision saying so; waiting edits and effects follow; A is retired and remembers B, so that an
old link or filter with A selects what carries B now (kommunkarta.filters.Vocabulary.merged).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, replace
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.orm import Session, load_only, selectinload

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
from kommunkarta.services.register.content import Content
from kommunkarta.services.register.effects import EffectData
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
# initiative id -> {field: [before, after]}, as a revision stores a change
Changes = dict[int, dict[str, list[Any]]]


def _pair(session: Session, kind: str, slug: str, into: str, by: User | None) -> tuple[Any, Any]:
    """The term to merge and the one to merge it into; raises NotAllowed, NotFound (no such
    kind or term) or InvalidField (into itself, into an unknown or retired term, a term
    merged already)."""
    source = taxonomy_admin.term(session, kind, slug, by)
    table = taxonomy_admin.model(kind)
    target = session.scalar(select(table).where(table.slug == clean(into)))
    if source.merged_into is not None:
        raise InvalidField(
            "into", _l("The term was merged into %(other)s already.", other=source.merged_into)
        )
    if target is None or target.id == source.id:
        raise InvalidField("into", _l("Choose another term of this kind to merge it into."))
    if target.retired_at is not None:
        message = _l("%(other)s is retired: choose a term in use.", other=target.slug)
        raise InvalidField("into", message)
    return source, target


@dataclass(frozen=True)
class Preview:
    """What a merge would do, for the admin to confirm: the two terms and how many
    initiatives carry the one to merge."""

    source: Any
    target: Any
    carrying: int


def preview(session: Session, kind: str, slug: str, into: str, by: User | None) -> Preview:
    """What merging `slug` into `into` would change, changing nothing; raises as merge."""
    source, target = _pair(session, kind, slug, into, by)
    if kind in LINKS:
        link, name = LINKS[kind]
        carrying = select(func.count()).select_from(link).where(link.c[name] == source.id)
    else:
        carrying = select(func.count()).where(Initiative.status_id == source.id)
    return Preview(source, target, session.scalar(carrying) or 0)


def merge(session: Session, kind: str, slug: str, into: str, by: User | None) -> int:
    """Merge the term `slug` into the term `into` of the same kind and commit; returns how
    many initiatives changed. Raises NotAllowed, NotFound (no such kind or term) or
    InvalidField (into itself, into an unknown or retired term, a term merged already)."""
    table = taxonomy_admin.model(kind)
    # a merge the other way round at the same time waits, then finds its target merged
    taxonomy_admin.lock(session, table, (slug, clean(into)))
    source, target = _pair(session, kind, slug, into, by)
    into = target.slug
    changes: Changes = defaultdict(dict)
    if kind in LINKS:
        _move_links(session, kind, source, target, changes)
    else:
        _move_status(session, source, target, changes)
    if kind == "benefit_areas":
        _move_effects(session, source, target, changes)
    _revise(session, changes, by)
    _move_waiting_edits(session, kind, slug, into)
    # terms merged into this one before now lead to the target too
    session.execute(update(table).where(table.merged_into == slug).values(merged_into=into))
    now = utcnow()
    source.retired_at = source.retired_at or now
    source.merged_into, source.edited_at = into, now
    taxonomy_admin.log(
        session, audit.TERM_MERGED, by, kind, slug, into=into, initiatives=len(changes)
    )
    session.commit()
    return len(changes)


def _move_links(session: Session, kind: str, source: Any, target: Any, changes: Changes) -> None:
    """Point every link to the source term at the target (dropping it where the initiative
    has the target already), noting each changed initiative's slugs before and after."""
    link, name = LINKS[kind]
    column, table = link.c[name], taxonomy_admin.model(kind)
    carrying = select(link.c.initiative_id).where(column == source.id)
    rows = session.execute(
        select(link.c.initiative_id, table.id, table.slug)
        .join(table, table.id == column)
        .where(link.c.initiative_id.in_(carrying))
    )
    before: dict[int, dict[int, str]] = defaultdict(dict)
    for initiative_id, term_id, term_slug in rows:
        before[initiative_id][term_id] = term_slug
    for initiative_id, terms in before.items():
        after = {slug for term_id, slug in terms.items() if term_id != source.id} | {target.slug}
        changes[initiative_id][FIELDS[kind]] = [sorted(terms.values()), sorted(after)]
    has_target = select(link.c.initiative_id).where(column == target.id)
    session.execute(delete(link).where(column == source.id, link.c.initiative_id.in_(has_target)))
    session.execute(update(link).where(column == source.id).values({name: target.id}))


def _move_status(session: Session, source: Any, target: Any, changes: Changes) -> None:
    """Give every initiative with the source status the target, noting the change."""
    ids = session.scalars(select(Initiative.id).where(Initiative.status_id == source.id)).all()
    for initiative_id in ids:
        changes[initiative_id]["status"] = [source.slug, target.slug]
    session.execute(
        update(Initiative)
        .where(Initiative.status_id == source.id)
        .values(status_id=target.id)
        .execution_options(synchronize_session=False)
    )


def _move_effects(session: Session, source: Any, target: Any, changes: Changes) -> None:
    """Give every effect stated for the source benefit area the target, noting each changed
    initiative's effects before and after (as its revisions keep them)."""
    changed = select(Effect.initiative_id).where(Effect.benefit_area_id == source.id)
    rows = session.scalars(
        select(Effect)
        .options(selectinload(Effect.benefit_area))
        .where(Effect.initiative_id.in_(changed))
        .order_by(Effect.initiative_id, Effect.position)
    )
    before: dict[int, list[EffectData]] = defaultdict(list)
    for effect in rows:
        before[effect.initiative_id].append(EffectData.of(effect))
    for initiative_id, effects in before.items():
        after = [
            replace(e, benefit_area=target.slug) if e.benefit_area == source.slug else e
            for e in effects
        ]
        changes[initiative_id]["effects"] = [
            [asdict(e) for e in effects],
            [asdict(e) for e in after],
        ]
    session.execute(
        update(Effect)
        .where(Effect.benefit_area_id == source.id)
        .values(benefit_area_id=target.id)
        .execution_options(synchronize_session=False)
    )


def _revise(session: Session, changes: Changes, by: User | None) -> None:
    """One revision per changed initiative: what changed, before and after."""
    ids = sorted(changes)
    for start in range(0, len(ids), CHUNK):
        changed = session.scalars(
            select(Initiative)
            .options(load_only(Initiative.id))
            .where(Initiative.id.in_(ids[start : start + CHUNK]))
        )
        for initiative in changed:
            revisions.record(
                session, initiative, by, revisions.Event.EDITED, changes[initiative.id]
            )


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
