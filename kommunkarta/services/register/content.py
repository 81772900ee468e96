"""What a submission holds (`Content`: the form's fields in slugs and municipality codes, in
one normal form so that equal content compares equal), how two versions differ, and every
rule it must keep before it is stored (`problems`, `check`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kommunkarta import rules
from kommunkarta.models import (
    BenefitArea,
    Initiative,
    Municipality,
    OperationalArea,
    Role,
    Status,
    Technology,
    TermModel,
    User,
)
from kommunkarta.services.errors import InvalidField, InvalidFields
from kommunkarta.services.places.geodata import Geodata
from kommunkarta.services.register import effects
from kommunkarta.services.register.effects import FACT_FIELDS, EffectData, Facts
from kommunkarta.services.text import clean

# the lengths of the fields a submission has (kommunkarta.rules holds every limit)
LIMITS = {
    name: rules.LENGTHS[name] for name in ("title", "summary", "description", "url", "contact")
}
TEXT_FIELDS = (
    "title",
    "summary",
    "description",
    "status",
    "url",
    "contact",
    "procurement",
    "supplier",
    "open_source_url",
    "personal_data",
    "ai_act",
)
LIST_FIELDS = ("municipalities", "benefit_areas", "areas", "technologies")
TERM_MODELS: dict[str, TermModel] = {
    "benefit_areas": BenefitArea,
    "areas": OperationalArea,
    "technologies": Technology,
}


@dataclass(frozen=True, kw_only=True)
class Content(Facts):
    """Everything the submission form edits, in slugs and municipality codes: the
    initiative's own fields, its effects, and the costs, reuse and compliance facts."""

    title: str
    summary: str = ""
    description: str = ""
    status: str = ""
    start_year: int | None = None
    url: str = ""
    contact: str = ""
    lat: float | None = None
    lon: float | None = None
    municipalities: tuple[str, ...] = ()
    benefit_areas: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    technologies: tuple[str, ...] = ()
    # what it brings, in the order given; what it takes are the Facts
    effects: tuple[EffectData, ...] = ()

    def __post_init__(self) -> None:
        # one normal form, so that equal content compares equal whoever typed it
        for name in TEXT_FIELDS:
            object.__setattr__(self, name, clean(getattr(self, name) or ""))
        for name in LIST_FIELDS:
            object.__setattr__(self, name, tuple(sorted(set(getattr(self, name)))))
        object.__setattr__(self, "effects", tuple(self.effects))

    @classmethod
    def of(cls, initiative: Initiative) -> Content:
        """The content stored in the row."""
        return cls(
            title=initiative.title,
            summary=initiative.summary or "",
            description=initiative.description or "",
            status=initiative.status.slug,
            start_year=initiative.start_year,
            url=initiative.url or "",
            contact=initiative.contact or "",
            lat=initiative.lat,
            lon=initiative.lon,
            municipalities=tuple(m.code for m in initiative.municipalities),
            benefit_areas=tuple(t.slug for t in initiative.benefit_areas),
            areas=tuple(t.slug for t in initiative.areas),
            technologies=tuple(t.slug for t in initiative.technologies),
            effects=tuple(EffectData.of(e) for e in initiative.effects),
            **{name: _stored_fact(initiative, name) for name in FACT_FIELDS},
        )

    @classmethod
    def from_json(cls, text: str) -> Content:
        data = json.loads(text)
        names = {f.name for f in fields(cls)}
        values: dict[str, Any] = {
            k: tuple(v) if k in LIST_FIELDS else v for k, v in data.items() if k in names
        }
        values["effects"] = tuple(EffectData.from_dict(e) for e in data.get("effects") or ())
        return cls(**values)

    def to_json(self) -> str:
        return json.dumps(self.values(), ensure_ascii=False)

    def values(self) -> dict[str, Any]:
        """The fields in the form's order (its own, then the facts), tuples as lists."""
        data = asdict(self)
        return {
            k: list(data[k]) if isinstance(data[k], tuple) else data[k]
            for k in sorted(data, key=lambda name: name in FACT_FIELDS)
        }


def _stored_fact(initiative: Initiative, name: str) -> Any:
    value = getattr(initiative, name)
    return "" if value is None and name in TEXT_FIELDS else value


def changes(old: Content | None, new: Content) -> dict[str, list[Any]]:
    """{field: [old, new]} for every field that differs (all filled fields if `old` is None)."""
    before = old.values() if old is not None else {}
    after = new.values()
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value and not (old is None and value in ("", None, []))
    }


def problems(
    session: Session,
    content: Content,
    by: User | None,
    places: Geodata,
    *,
    complete: bool = True,
) -> list[InvalidField]:
    """Every rule `content` breaks. `complete` also asks for what publishing needs."""
    errors: list[InvalidField] = []

    def bad(field: str, reason: Any) -> None:
        errors.append(InvalidField(field, reason))

    if not content.title:
        bad("title", _l("Give the initiative a title."))
    if complete and not content.summary:
        bad("summary", _l("Write a short summary."))
    for field, limit in LIMITS.items():
        if len(getattr(content, field)) > limit:
            bad(field, _l("Use at most %(limit)s characters.", limit=limit))
    if content.url and not rules.is_web_url(content.url):
        bad("url", _l("Give a web address that starts with http:// or https://."))
    if content.contact and not rules.is_email(content.contact):
        bad("contact", _l("Give an email address, such as ai@kommun.se."))
    if not rules.year_in_range(content.start_year):
        bad("start_year", rules.year_message())
    if not session.scalar(select(func.count()).where(Status.slug == content.status)):
        bad("status", _l("Choose a status."))
    for field, model in TERM_MODELS.items():
        chosen = set(getattr(content, field))
        known = set(session.scalars(select(model.slug).where(model.slug.in_(chosen))))
        if chosen - known:
            bad(field, _l("Unknown choice: %(values)s", values=", ".join(sorted(chosen - known))))
    if complete and not content.benefit_areas:
        bad("benefit_areas", _l("Choose at least one benefit area."))
    codes = set(content.municipalities)
    known_codes = set(
        session.scalars(select(Municipality.code).where(Municipality.code.in_(codes)))
    )
    if codes - known_codes:
        bad(
            "municipalities",
            _l("Unknown municipality: %(codes)s", codes=", ".join(sorted(codes - known_codes))),
        )
    elif not codes:
        bad("municipalities", _l("Choose at least one municipality."))
    elif by is not None and by.role == Role.COORDINATOR:
        if not codes & {m.code for m in by.municipalities}:
            bad("municipalities", _l("Include at least one of your own municipalities."))
    if (content.lat is None) != (content.lon is None):
        bad("location", _l("Give both latitude and longitude, or neither."))
    elif (
        content.lat is not None
        and content.lon is not None
        and not any(places.contains(code, content.lat, content.lon) for code in known_codes)
    ):
        bad("location", _l("The location must lie inside one of the participating municipalities."))
    known_benefits = set(session.scalars(select(BenefitArea.slug)))
    errors += effects.problems(content.effects, content, content.technologies, known_benefits)
    return errors


def check(session: Session, content: Content, by: User | None, places: Geodata, **kw: Any) -> None:
    """Raise InvalidFields with every problem, if there is any."""
    if errors := problems(session, content, by, places, **kw):
        raise InvalidFields(errors)
