"""Writing initiatives: drafts, edits, submissions for review, deletions and public suggestions.

What coordinators edit is an initiative's *working copy*. Until the initiative is first
published the working copy is the row itself. Once it is published the row is what the public
sees, and an edit waits in `Initiative.pending` (a `Content` as JSON) with its own
`pending_state` until a moderator publishes it (services.moderation), so the published version
stays visible meanwhile.

Every change writes a Revision. Callers pass the version their form showed: if the initiative
changed since, the service raises Conflict instead of overwriting someone else's work.
"""

from __future__ import annotations

import enum
import json
import logging
from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session, object_session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from kommunkarta import rules
from kommunkarta.models import (
    BenefitArea,
    Effect,
    Initiative,
    Municipality,
    OperationalArea,
    Region,
    Role,
    State,
    Status,
    Technology,
    TermModel,
    User,
    initiative_municipalities,
    utcnow,
)
from kommunkarta.services.errors import Conflict, InvalidField, InvalidFields
from kommunkarta.services.places.geodata import Geodata
from kommunkarta.services.register import effects, initiatives, permissions, workflow
from kommunkarta.services.register.effects import FACT_FIELDS, EffectData
from kommunkarta.services.register.initiatives import Page
from kommunkarta.services.register.revisions import Event, record
from kommunkarta.services.register.workflow import Action
from kommunkarta.services.text import clean

log = logging.getLogger(__name__)

# the lengths of the fields a submission has (kommunkarta.rules holds every limit)
LIMITS = {
    name: rules.LENGTHS[name] for name in ("title", "summary", "description", "url", "contact")
}
SUGGESTER_CONTACT_MAX = rules.LENGTHS["suggester_contact"]
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
CHANGED_MEANWHILE = _l(
    "Someone else changed this initiative after you opened it. Nothing was overwritten."
)


class Intent(enum.StrEnum):
    """What the person saving wants: keep a draft, ask for review, or (staff) publish."""

    DRAFT = "draft"
    SUBMIT = "submit"
    PUBLISH = "publish"


STATE_FOR_INTENT = {
    Intent.DRAFT: State.DRAFT,
    Intent.SUBMIT: State.SUBMITTED,
    Intent.PUBLISH: State.PUBLISHED,
}


@dataclass(frozen=True)
class Content:
    """Everything the submission form edits, in slugs and municipality codes."""

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
    # what it brings (in the order given) and what it takes (services.register.effects)
    effects: tuple[EffectData, ...] = ()
    investment_sek: int | None = None
    running_sek_per_year: int | None = None
    procurement: str = ""
    others_may_call_off: bool | None = None
    supplier: str = ""
    open_source_url: str = ""
    personal_data: str = ""
    dpia: bool | None = None
    ai_act: str = ""
    fria: bool | None = None

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
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


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


def working_copy(initiative: Initiative) -> Content:
    """The version coordinators edit: a pending edit if there is one, else the row."""
    if workflow.is_public(initiative) and initiative.pending:
        return Content.from_json(initiative.pending)
    return Content.of(initiative)


def published_copy(initiative: Initiative) -> Content | None:
    return Content.of(initiative) if workflow.is_public(initiative) else None


def load(session: Session, initiative_id: int) -> Initiative | None:
    return session.scalars(
        select(Initiative)
        .where(Initiative.id == initiative_id)
        .options(*initiatives.WITH_TERMS, selectinload(Initiative.author))
    ).first()


def get(
    session: Session,
    initiative_id: int,
    by: User | None,
    action: Action,
    version: int | None = None,
) -> Initiative:
    """The initiative if `by` may do `action` with it now, still at `version` if given (then
    locked, see `require_version`); raises NotFound, NotAllowed or Conflict."""
    initiative = workflow.require_actor(by, action, load(session, initiative_id))
    if version is not None:
        require_version(initiative, version)
    workflow.require_state(by, action, initiative)
    return initiative


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


def _apply(session: Session, initiative: Initiative, content: Content) -> None:
    """Write `content` into the row."""
    for name in ("title", "summary", "description", "start_year", "url", "contact", "lat", "lon"):
        setattr(initiative, name, getattr(content, name))
    initiative.status = session.scalars(select(Status).where(Status.slug == content.status)).one()
    initiative.municipalities = list(
        session.scalars(
            select(Municipality)
            .where(Municipality.code.in_(content.municipalities))
            .order_by(Municipality.code)
        )
    )
    for field, model in TERM_MODELS.items():
        chosen = getattr(content, field)
        terms = session.scalars(
            select(model).where(model.slug.in_(chosen)).order_by(model.position)
        )
        setattr(initiative, field, list(terms))
    _apply_effects(session, initiative, content)
    initiative.refresh_search_text()


def _apply_effects(session: Session, initiative: Initiative, content: Content) -> None:
    """Write the effects, their yearly totals and the facts into the row."""
    for name in FACT_FIELDS:
        value = getattr(content, name)
        nullable = name in ("procurement", "personal_data", "ai_act")
        setattr(initiative, name, (value or None) if nullable else value)
    areas = {
        a.slug: a
        for a in session.scalars(
            select(BenefitArea).where(
                BenefitArea.slug.in_({e.benefit_area for e in content.effects})
            )
        )
    }
    initiative.effects = [
        Effect(
            position=position,
            benefit_area=areas.get(e.benefit_area),
            kind=e.kind,
            amount=e.amount,
            unit=e.unit,
            period=e.period or None,
            people=e.people,
            basis=e.basis,
            source_url=e.source_url,
            as_of=date.fromisoformat(e.as_of) if e.as_of else None,
        )
        for position, e in enumerate(content.effects)
    ]
    initiative.hours_per_year, initiative.sek_per_year = effects.totals(content.effects)


def make_public(session: Session, initiative: Initiative) -> dict[str, list[Any]]:
    """Publish the working copy into the row; returns how the published content changed."""
    now = utcnow()
    if workflow.is_public(initiative):
        published = Content.of(initiative)
        content = working_copy(initiative)
        diff = changes(published, content)
        _apply(session, initiative, content)
    else:
        diff = {}
        initiative.state = State.PUBLISHED
        initiative.published_at = initiative.published_at or now
    initiative.pending = None
    initiative.pending_state = None
    initiative.moderation_note = ""
    initiative.updated_at = now
    initiative.last_confirmed_at = now  # a moderator has just checked it
    return diff


def commit(session: Session) -> None:
    """Commit; a concurrent save of the same initiative becomes Conflict."""
    try:
        session.commit()
    except StaleDataError:
        session.rollback()
        raise Conflict(CHANGED_MEANWHILE) from None


def require_version(initiative: Initiative, version: int) -> None:
    """Raise Conflict unless the stored initiative is still at `version`.

    The row is read again and locked for the rest of the transaction (PostgreSQL: FOR
    UPDATE; SQLite's writing transactions hold the whole database already): two saves of
    the same version at the same moment are taken one after the other, and the second
    finds the new version here instead of failing half-way through its writes."""
    session = object_session(initiative)
    assert session is not None, "a stored initiative belongs to a session"
    session.refresh(initiative, with_for_update=True)
    if initiative.version != version:
        raise Conflict(CHANGED_MEANWHILE, current=working_copy(initiative))


def create(
    session: Session, content: Content, by: User | None, intent: Intent, places: Geodata
) -> Initiative:
    """A new initiative by `by`; raises NotAllowed or InvalidFields."""
    by = workflow.require_user(
        by, Action.PUBLISH_DIRECTLY if intent == Intent.PUBLISH else Action.CREATE
    )
    check(session, content, by, places)
    state = STATE_FOR_INTENT[intent]
    initiative = Initiative(author_id=by.id, state=state, is_demo=False, moderation_note="")
    _apply(session, initiative, content)
    if state == State.PUBLISHED:
        initiative.published_at = initiative.last_confirmed_at = utcnow()
    session.add(initiative)
    session.flush()
    event = {
        State.DRAFT: Event.CREATED,
        State.SUBMITTED: Event.SUBMITTED,
        State.PUBLISHED: Event.PUBLISHED,
    }[state]
    record(session, initiative, by, event, {**changes(None, content), "state": [None, state.value]})
    commit(session)
    return initiative


def update(
    session: Session,
    initiative_id: int,
    content: Content,
    version: int,
    by: User | None,
    intent: Intent,
    places: Geodata,
) -> Initiative:
    """Save an edit; raises NotFound, NotAllowed, Conflict (carrying the stored working copy)
    or InvalidFields."""
    action = Action.PUBLISH_DIRECTLY if intent == Intent.PUBLISH else Action.EDIT
    initiative = get(session, initiative_id, by, action, version)
    check(session, content, by, places)
    before, before_state = working_copy(initiative), initiative.review_state
    diff = changes(before, content)
    if intent == Intent.PUBLISH:
        if workflow.is_public(initiative):
            initiative.pending = content.to_json()
        else:
            _apply(session, initiative, content)
        diff = {**diff, **make_public(session, initiative)}
        diff["state"] = [before_state, State.PUBLISHED.value]
        record(session, initiative, by, Event.PUBLISHED, diff)
        commit(session)
        return initiative
    state = STATE_FOR_INTENT[intent]
    if workflow.is_public(initiative):
        if content == Content.of(initiative):  # back to what is published: nothing to review
            initiative.pending, initiative.pending_state = None, None
        else:
            initiative.pending, initiative.pending_state = content.to_json(), state.value
    else:
        _apply(session, initiative, content)
        initiative.state = state
        initiative.updated_at = utcnow()
    if initiative.review_state != before_state:
        diff["state"] = [before_state, initiative.review_state]
    submitted = initiative.review_state == State.SUBMITTED and before_state != State.SUBMITTED
    if diff:  # saving unchanged content is no change to record
        record(session, initiative, by, Event.SUBMITTED if submitted else Event.EDITED, diff)
    commit(session)
    return initiative


def submit(
    session: Session, initiative_id: int, version: int, by: User | None, places: Geodata
) -> Initiative:
    """Ask a moderator to publish the working copy; raises NotFound, NotAllowed, Conflict or
    InvalidFields."""
    initiative = get(session, initiative_id, by, Action.SUBMIT, version)
    before_state, after = initiative.review_state, workflow.target(Action.SUBMIT)
    check(session, working_copy(initiative), by, places)
    if workflow.is_public(initiative):
        initiative.pending_state = after.value
    else:
        initiative.state = after
        initiative.updated_at = utcnow()
    record(session, initiative, by, Event.SUBMITTED, {"state": [before_state, after.value]})
    commit(session)
    return initiative


def delete(session: Session, initiative_id: int, version: int, by: User | None) -> None:
    """Remove an initiative and its history; raises NotFound, NotAllowed or Conflict."""
    initiative = get(session, initiative_id, by, Action.DELETE, version)
    session.delete(initiative)
    commit(session)
    log.info("initiative %s deleted by user %s", initiative_id, by.id if by else None)


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
    _apply(session, initiative, content)
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


# Sorting for "my initiatives": what needs the coordinator first.
REVIEW_STATE = case(
    (
        and_(Initiative.state == State.PUBLISHED, Initiative.pending_state.is_not(None)),
        Initiative.pending_state,
    ),
    else_=Initiative.state,
)
ATTENTION = case(
    {State.REJECTED: 0, State.DRAFT: 1, State.SUBMITTED: 2}, value=REVIEW_STATE, else_=3
)


def mine(session: Session, by: User | None, page: int = 1, per_page: int = 50) -> Page[Initiative]:
    """A coordinator's initiatives (those involving their municipalities) or, for staff, the
    ones they created; rejected and drafts first. Raises NotAllowed if not signed in."""
    by = permissions.require_signed_in(by)
    if by.role == Role.COORDINATOR:
        link = initiative_municipalities
        codes = [m.code for m in by.municipalities]
        # ids from the link table's municipality index, not a probe per initiative
        condition: ColumnElement[bool] = Initiative.id.in_(
            select(link.c.initiative_id).where(link.c.municipality_code.in_(codes))
        )
    else:
        condition = Initiative.author_id == by.id
    total = session.scalar(select(func.count(Initiative.id)).where(condition)) or 0
    stmt = (
        select(Initiative)
        .where(condition)
        .options(selectinload(Initiative.municipalities))
        .order_by(ATTENTION, Initiative.updated_at.desc(), Initiative.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return Page(list(session.scalars(stmt)), total, page, per_page)


_SWEDISH_ORDER = str.maketrans({"å": "z~1", "ä": "z~2", "ö": "z~3", "é": "e", "ü": "y"})


def swedish_key(name: str) -> str:
    """Sort names as Swedish does: å, ä, ö after z."""
    return name.lower().translate(_SWEDISH_ORDER)


def places_by_region(session: Session) -> list[tuple[Region, list[Municipality]]]:
    """Counties with their municipalities, both in Swedish alphabetical order."""
    regions = session.scalars(select(Region).options(selectinload(Region.municipalities)))
    return [
        (region, sorted(region.municipalities, key=lambda m: swedish_key(m.name)))
        for region in sorted(regions, key=lambda r: swedish_key(r.name))
    ]
