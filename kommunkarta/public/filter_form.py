"""The filter form shown above the map and the table: its choices, and the problems of a
request's filter values, each told beside its field by the field's label.

A page that shows the form reads the request with `from_request()`: a bad value does not
replace the page with an error page; the page comes back (status 400) with the selection
the other values make, the form as it was sent, and a message beside the bad field, so it
works without script."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from kommunkarta import rules
from kommunkarta.filters import SLUG_PARAMS, InitiativeFilter
from kommunkarta.services import taxonomy
from kommunkarta.services.errors import InvalidField
from kommunkarta.services.register import effects, initiatives
from kommunkarta.vocabulary import vocabulary

# parameter -> the label its field carries in the form (templates/_macros/filters.html and
# the map's switches); a message about a value names the field by this, not by the parameter
LABELS = {
    "benefit": _l("Benefit area"),
    "q": _l("Search text"),
    "region": _l("County"),
    "municipality": _l("Municipality"),
    "year_from": _l("From year"),
    "year_to": _l("To year"),
    "status": _l("Status"),
    "tech": _l("Technology"),
    "area": _l("Operational area"),
    "reuse": _l("Reuse"),
    "risk": _l("AI Act category (own assessment)"),
    "view": _l("What the map shows"),
    "level": _l("Show by"),
    "measure": _l("Colour by"),
}


@dataclass
class Problems:
    """The bad values of one request: parameter -> the message shown beside its field."""

    messages: dict[str, str] = field(default_factory=dict)
    sent: dict[str, str] = field(default_factory=dict)  # parameter -> the text as sent

    def add(self, error: InvalidField, sent: str = "") -> None:
        """Note `error`; a second one about the same field (two unknown values) joins it."""
        reason = str(error.message)
        if error.field in self.messages:
            self.messages[error.field] += "; " + reason
        else:
            self.messages[error.field] = _(
                "%(label)s: %(reason)s", label=LABELS[error.field], reason=reason
            )
            self.sent[error.field] = sent

    def __bool__(self) -> bool:
        return bool(self.messages)

    def get(self, name: str) -> str | None:
        return self.messages.get(name)

    @property
    def status(self) -> int:
        """The page's status: 400 when something was wrong, else 200."""
        return 400 if self.messages else 200

    def choice(self, name: str, pick: Callable[[str], str], default: str) -> str:
        """`pick(name)` (one of the map's switches), or `default` with the problem noted."""
        try:
            return pick(name)
        except InvalidField as error:
            # the radio buttons beside the message are the choices (pick's reason lists the
            # values of the address, which the API's answer needs and a reader does not)
            self.add(InvalidField(error.field, _("choose one of the options")), error.value)
            return default


def from_request(problems: Problems) -> InitiativeFilter:
    """The request's filter without its bad values, each of which goes into `problems`.
    A value that is bad only beside another (a first year after the last) is left out too."""
    args = MultiDict(request.args)
    while True:
        try:
            return InitiativeFilter.from_args(args, vocabulary())
        except InvalidField as error:
            if error.field not in LABELS or error.field not in args:
                raise  # not a filter of the form: the generic 400
            problems.add(error, args.get(error.field, ""))
            sent = args.poplist(error.field)
            if error.field in SLUG_PARAMS:  # the other values of a repeatable filter stay
                kept = [value for value in sent if value.strip() != error.value]
                if len(kept) < len(sent):
                    args.setlist(error.field, kept)


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    selected: bool


@dataclass(frozen=True)
class FilterForm:
    selection: InitiativeFilter
    benefit: list[Option]
    area: list[Option]
    status: list[Option]
    tech: list[Option]
    regions: list[Option]
    municipalities: list[Option]
    reuse: list[Option]
    risk: list[Option]

    problems: Problems = field(default_factory=Problems)
    # the longest search text and the years the filter takes, as the fields' limits
    q_max: ClassVar[int] = rules.LENGTHS["q"]
    year_min: ClassVar[int] = rules.FILTER_YEAR_MIN
    year_max: ClassVar[int] = rules.FILTER_YEAR_MAX

    def shown(self, name: str) -> str:
        """What a text field shows: the text as sent when it could not be used (so that it
        can be corrected), else the selection's value."""
        if name in self.problems.sent:
            return self.problems.sent[name]
        value = getattr(self.selection, name)
        return "" if value is None else str(value)

    @property
    def more_is_open(self) -> bool:
        """Open the secondary filters when one of them is in use or has a problem."""
        return not self.selection.without("benefit").is_empty or any(
            name not in ("benefit", "view", "level", "measure") for name in self.problems.messages
        )


def build(
    session: Session,
    selection: InitiativeFilter,
    locale: str,
    problems: Problems | None = None,
) -> FilterForm:
    """The form's choices for `selection`, with the `problems` to show beside the fields."""

    def options(kind: str, chosen: tuple[str, ...]) -> list[Option]:
        """Terms in use, and a retired one while an old link chooses it."""
        terms = taxonomy.offered(session, kind, keep=chosen)
        return [Option(t.slug, t.choice(locale), t.slug in chosen) for t in terms]

    return FilterForm(
        selection=selection,
        benefit=options("benefit_areas", selection.benefit),
        area=options("areas", selection.area),
        status=options("statuses", selection.status),
        tech=options("technologies", selection.tech),
        regions=[
            Option(r.code, r.name, r.code == selection.region) for r in initiatives.regions(session)
        ],
        municipalities=[
            Option(m.code, m.name, m.code == selection.municipality)
            for m in initiatives.municipalities_by_name(session)
        ],
        reuse=[
            Option(value, str(label), value in selection.reuse)
            for value, label in effects.REUSE.items()
        ],
        risk=[
            Option(value, str(label), value in selection.risk)
            for value, label in effects.AI_ACT.items()
        ],
        problems=problems or Problems(),
    )
