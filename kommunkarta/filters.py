"""The one filter object shared by the map, the table, the API and the exports.

`InitiativeFilter.from_args()` validates request arguments (or CLI options) against the
taxonomy and the municipality list (with the field rules of `kommunkarta.rules`) and raises
`InvalidField` naming the parameter for anything it does not understand; nothing is silently
ignored. `apply()` adds the WHERE clauses to a select over `Initiative`, and `to_args()` turns
the filter back into query arguments.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Table, and_, exists, or_, select, union
from sqlalchemy.orm import Session

from kommunkarta import rules
from kommunkarta.db import AnySelect
from kommunkarta.models import (
    Adoption,
    BenefitArea,
    Initiative,
    Municipality,
    OperationalArea,
    Region,
    Status,
    Technology,
    TermModel,
    initiative_areas,
    initiative_benefit_areas,
    initiative_municipalities,
    initiative_technologies,
)
from kommunkarta.services.errors import InvalidField

Q_MAX = rules.LENGTHS["q"]

# the reuse and risk filters' values: fixed by the contract, not by the taxonomy
FIXED_VALUES = {
    "reuse": frozenset({"call-off", "open-source"}),
    "risk": frozenset({"high", "transparency", "minimal", "unassessed"}),
}
# the repeatable filters whose values are checked against Vocabulary.slugs
SLUG_PARAMS = ("benefit", "area", "status", "tech", "reuse", "risk")

# parameter -> (term table, link table, link column) for the repeatable taxonomy filters
TAXONOMY_PARAMS: dict[str, tuple[TermModel, Table, str]] = {
    "benefit": (BenefitArea, initiative_benefit_areas, "benefit_area_id"),
    "area": (OperationalArea, initiative_areas, "area_id"),
    "tech": (Technology, initiative_technologies, "technology_id"),
}


@dataclass(frozen=True)
class Vocabulary:
    """The values the filter accepts, read from the database."""

    slugs: dict[str, frozenset[str]]  # parameter -> known slugs
    municipalities: frozenset[str]
    regions: frozenset[str]
    # parameter -> {slug of a term merged into another: that other's slug}: an old link with
    # the merged slug selects what the term's initiatives carry now
    merged: dict[str, dict[str, str]] = field(default_factory=dict)

    def known(self, name: str) -> frozenset[str]:
        """The values a repeatable filter accepts."""
        return self.slugs[name] if name in self.slugs else FIXED_VALUES[name]

    @classmethod
    def load(cls, session: Session) -> Vocabulary:
        models: dict[str, TermModel] = {
            "benefit": BenefitArea,
            "area": OperationalArea,
            "status": Status,
            "tech": Technology,
        }
        slugs = {p: frozenset(session.scalars(select(m.slug))) for p, m in models.items()}
        merged: dict[str, dict[str, str]] = {}
        for p, m in models.items():
            pairs = select(m.slug, m.merged_into).where(m.merged_into.is_not(None))
            merged[p] = {old: new for old, new in session.execute(pairs) if new}
        return cls(
            slugs=slugs,
            municipalities=frozenset(session.scalars(select(Municipality.code))),
            regions=frozenset(session.scalars(select(Region.code))),
            merged={p: targets for p, targets in merged.items() if targets},
        )


def _year(args: Mapping[str, Any], name: str) -> int | None:
    raw = _single(args, name)
    if raw is None:
        return None
    if not (len(raw) == 4 and raw.isascii() and raw.isdigit()):
        raise InvalidField(name, _l("a year has four digits, such as 2024"), raw)
    year = int(raw)
    if not rules.FILTER_YEAR_MIN <= year <= rules.FILTER_YEAR_MAX:
        raise InvalidField(
            name,
            _l(
                "give a year from %(low)s to %(high)s",
                low=rules.FILTER_YEAR_MIN,
                high=rules.FILTER_YEAR_MAX,
            ),
            raw,
        )
    return year


def _values(args: Mapping[str, Any], name: str) -> list[str]:
    getlist = getattr(args, "getlist", None)
    raw = getlist(name) if getlist else args.get(name) or []
    if isinstance(raw, str):
        raw = [raw]
    return [v.strip() for v in raw if v is not None and v.strip() != ""]


def _single(args: Mapping[str, Any], name: str) -> str | None:
    values = _values(args, name)
    if len(values) > 1:
        raise InvalidField(name, _l("give only one value"), values[1])
    return values[0] if values else None


@dataclass(frozen=True)
class InitiativeFilter:
    benefit: tuple[str, ...] = ()
    area: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    tech: tuple[str, ...] = ()
    region: str | None = None
    municipality: str | None = None
    q: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    reuse: tuple[str, ...] = ()
    risk: tuple[str, ...] = ()

    @classmethod
    def from_args(cls, args: Mapping[str, Any], vocabulary: Vocabulary) -> InitiativeFilter:
        """Parse and check query arguments; raises InvalidField naming the bad parameter."""
        values: dict[str, Any] = {}
        for name in SLUG_PARAMS:
            chosen = []
            for slug in _values(args, name):
                if slug not in vocabulary.known(name):
                    raise InvalidField(name, _l("unknown value “%(value)s”", value=slug), slug)
                slug = vocabulary.merged.get(name, {}).get(slug, slug)
                if slug not in chosen:
                    chosen.append(slug)
            values[name] = tuple(chosen)
        if (region := _single(args, "region")) is not None:
            rules.place_code(region, "region", vocabulary.regions, level="region")
        if (municipality := _single(args, "municipality")) is not None:
            rules.place_code(municipality, "municipality", vocabulary.municipalities)
        q = _single(args, "q")
        if q is not None and len(q) > Q_MAX:
            raise InvalidField(
                "q", _l("the search text may be at most %(max)s characters", max=Q_MAX), q[:20]
            )
        if q is not None and rules.has_control_characters(q):
            raise InvalidField(
                "q", _l("the search text may not contain control characters"), q[:20]
            )
        year_from, year_to = _year(args, "year_from"), _year(args, "year_to")
        if year_from and year_to and year_from > year_to:
            raise InvalidField(
                "year_from", _l("the first year must not be after the last year"), str(year_from)
            )
        return cls(
            **values,
            region=region,
            municipality=municipality,
            q=q,
            year_from=year_from,
            year_to=year_to,
        )

    @classmethod
    def params(cls) -> tuple[str, ...]:
        """The names of the query parameters this filter reads."""
        return tuple(f.name for f in fields(cls))

    def to_args(self, **overrides: Any) -> dict[str, Any]:
        """Query arguments for links: only what is set, lists stay lists."""
        selection = replace(self, **overrides) if overrides else self
        out: dict[str, Any] = {}
        for f in fields(selection):
            value = getattr(selection, f.name)
            if value in (None, ()):
                continue
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    @property
    def is_empty(self) -> bool:
        return not self.to_args()

    def without(self, *names: str) -> InitiativeFilter:
        cleared: dict[str, Any] = {
            n: () if isinstance(getattr(self, n), tuple) else None for n in names
        }
        return replace(self, **cleared)

    def clauses(self) -> list[ColumnElement[bool]]:
        """WHERE clauses over Initiative for this filter."""
        clauses: list[ColumnElement[bool]] = []
        for name, (model, link, column) in TAXONOMY_PARAMS.items():
            slugs: Iterable[str] = getattr(self, name)
            if slugs:
                clauses.append(
                    exists(
                        select(1)
                        .select_from(link.join(model, model.id == link.c[column]))
                        .where(link.c.initiative_id == Initiative.id, model.slug.in_(slugs))
                    )
                )
        if self.status:
            clauses.append(
                Initiative.status_id.in_(
                    select(Status.id).where(Status.slug.in_(self.status)).scalar_subquery()
                )
            )
        places: list[Callable[[ColumnElement[str]], ColumnElement[bool]]] = []
        if self.municipality:
            places.append(lambda code: code == self.municipality)
        if self.region:
            places.append(lambda code: code.like(f"{self.region}__"))
        for match in places:
            # A municipality's adoptions are its initiatives too (services.register.adoption).
            # Aliases, so that counting queries that join these tables stay correct; one
            # uncorrelated IN (ids of the place) rather than two EXISTS probes per row: at
            # 100,000 initiatives it counts a municipality or a county 2-3 times faster (SQLite).
            taking_part = initiative_municipalities.alias()
            adopted = Adoption.__table__.alias()
            clauses.append(
                Initiative.id.in_(
                    union(
                        select(taking_part.c.initiative_id).where(
                            match(taking_part.c.municipality_code)
                        ),
                        select(adopted.c.initiative_id).where(match(adopted.c.municipality_code)),
                    )
                )
            )
        if self.q:
            needle = self.q.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            clauses.append(Initiative.search_text.like(f"%{needle}%", escape="\\"))
        if self.year_from is not None:
            clauses.append(Initiative.start_year >= self.year_from)
        if self.year_to is not None:
            clauses.append(Initiative.start_year <= self.year_to)
        if self.reuse:
            reusable = {
                "call-off": Initiative.others_may_call_off.is_(True),
                "open-source": Initiative.open_source_url != "",
            }
            clauses.append(or_(*(reusable[value] for value in self.reuse)))
        if self.risk:
            # not assessed: said so, or nothing said
            assessed: ColumnElement[bool] = Initiative.ai_act.in_(self.risk)
            if "unassessed" in self.risk:
                assessed = or_(assessed, Initiative.ai_act.is_(None))
            clauses.append(assessed)
        return clauses

    def apply(self, stmt: AnySelect) -> AnySelect:
        clauses = self.clauses()
        return stmt.where(and_(*clauses)) if clauses else stmt
