"""The four taxonomies: loading the starter data file and reading them back."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from kommunkarta import cache
from kommunkarta.models import BenefitArea, OperationalArea, Status, Technology, TermModel

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "taxonomy.json"

# The key used in the data file, the API and the filter object -> the table holding it.
KINDS: dict[str, TermModel] = {
    "benefit_areas": BenefitArea,
    "areas": OperationalArea,
    "statuses": Status,
    "technologies": Technology,
}


def load_starter(session: Session) -> None:
    """Insert or update the starter terms by slug; running it twice changes nothing. Terms
    an admin has added, renamed or moved (`edited_at`) are left as they are; once an admin
    has ordered a kind, a new starter term goes last."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    for kind, model in KINDS.items():
        existing = {term.slug: term for term in session.scalars(select(model))}
        ordered_by_admin = any(term.edited_at is not None for term in existing.values())
        last = max((term.position for term in existing.values()), default=-1)
        for position, entry in enumerate(data[kind]):
            term = existing.get(entry["slug"])
            if term is None:
                term = model(slug=entry["slug"])
                if ordered_by_admin:
                    last += 1
                    position = last
            elif term.edited_at is not None:
                continue
            term.name_sv = entry["name_sv"]
            term.name_en = entry["name_en"]
            if not ordered_by_admin or term.id is None:
                term.position = position
            session.add(term)


def standing_for(rows: Iterable[Any]) -> dict[str, Any]:
    """Slug -> the term row that a value naming that slug stands for now: the term itself, or,
    for one merged into another, that other (merges are kept one step deep by
    services.taxonomy_merge), so that a file or mapping naming a merged term writes what its
    initiatives carry now. Retired terms stand for themselves."""
    by_slug = {row.slug: row for row in rows}
    return {slug: by_slug.get(row.merged_into or slug, row) for slug, row in by_slug.items()}


@dataclass(frozen=True)
class Term:
    id: int
    slug: str
    name_sv: str
    name_en: str
    description_sv: str = ""
    description_en: str = ""
    retired: bool = False
    merged_into: str | None = None  # the slug of the term this one was merged into

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_sv

    def description(self, locale: str) -> str:
        return self.description_en if locale == "en" else self.description_sv

    def choice(self, locale: str) -> str:
        """The name as a form or filter offers it: a retired term (offered only where it is
        chosen already) says so."""
        if self.retired:
            return str(gettext("%(name)s (retired)", name=self.name(locale)))
        return self.name(locale)


def terms(session: Session, kind: str) -> list[Term]:
    """Every term of one kind in its order, retired ones too (they still name what old
    initiatives and links carry); cached until the next write."""
    model = KINDS[kind]

    def load() -> tuple[Term, ...]:
        rows = session.scalars(select(model).order_by(model.position, model.id))
        return tuple(
            Term(
                t.id,
                t.slug,
                t.name_sv,
                t.name_en,
                t.description_sv or "",
                t.description_en or "",
                t.retired_at is not None,
                t.merged_into,
            )
            for t in rows
        )

    return list(cache.cached(session, ("terms", kind), load, reference=True))


def offered(session: Session, kind: str, keep: Iterable[str] = ()) -> list[Term]:
    """The terms to offer as choices (forms, filters): those not retired, plus retired ones
    in `keep` (what an initiative or a link already carries, so that it is not lost)."""
    kept = set(keep)
    return [t for t in terms(session, kind) if not t.retired or t.slug in kept]


def all_terms(session: Session) -> dict[str, list[Term]]:
    return {kind: terms(session, kind) for kind in KINDS}
