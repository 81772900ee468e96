"""Cases that wait for a moderator, and the aliases moderators decide.

import-pstw keeps a case whose organisation cell names someone it cannot place (unknown,
or close to two municipalities) as a WaitingCase, with its row. On the moderation page a
moderator decides each such name: the municipality it means, or "not a municipality". The
decision is an OrganisationAlias that every later import uses (services.data_io.
organisations reads it before anything else), and the waiting cases are imported again at
once: those now placed become initiatives, the rest keep waiting. Each decision is in the
audit log, with the moderator who made it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kommunkarta import rules
from kommunkarta.models import Municipality, OrganisationAlias, User, WaitingCase, utcnow
from kommunkarta.services import audit
from kommunkarta.services.data_io.importing.read import Table
from kommunkarta.services.data_io.organisations import Candidate, plain
from kommunkarta.services.errors import InvalidField
from kommunkarta.services.text import swedish_key

NOT_A_MUNICIPALITY = "none"


def aliases(session: Session) -> dict[str, str | None]:
    """Every decided name (organisations.plain form) -> its municipality code, or None."""
    rows = session.execute(select(OrganisationAlias.name, OrganisationAlias.municipality_code))
    return dict(rows.all())


def keep(session: Session, cases: Iterable[Any], checked_refs: Iterable[str]) -> None:
    """Store or refresh the waiting cases of an import (pstw_report.Waiting) and forget the other
    cases it checked (imported, or placed nowhere); the import's transaction commits it."""
    checked = list(checked_refs)
    for start in range(0, len(checked), 500):
        chunk = checked[start : start + 500]
        session.execute(delete(WaitingCase).where(WaitingCase.external_ref.in_(chunk)))
    for case in cases:
        names = [
            {
                "text": name.text,
                "ambiguous": name.ambiguous,
                "candidates": [[c.code, c.name, c.score] for c in name.candidates],
            }
            for name in case.names
        ]
        row = json.dumps(case.row, default=str, ensure_ascii=False)
        session.merge(
            WaitingCase(
                external_ref=case.external_ref,
                title=case.title,
                organisation=case.organisation,
                names=json.dumps(names, ensure_ascii=False),
                row=row,
                seen_at=utcnow(),
            )
        )


@dataclass(frozen=True)
class WaitingName:
    """One name to decide, with the cases that name it and the closest municipalities."""

    text: str
    ambiguous: bool
    candidates: tuple[Candidate, ...]
    cases: tuple[str, ...]  # titles


def names(session: Session) -> list[WaitingName]:
    """The names to decide, most cases first, then alphabetically."""
    found: dict[str, dict[str, Any]] = {}
    for case in session.scalars(select(WaitingCase).order_by(WaitingCase.title)):
        for name in json.loads(case.names):
            entry = found.setdefault(
                plain(name["text"]),
                {"text": name["text"], "ambiguous": name["ambiguous"], "cases": []},
            )
            entry["candidates"] = tuple(Candidate(*c) for c in name["candidates"])
            entry["cases"].append(case.title)
    listed = [
        WaitingName(e["text"], e["ambiguous"], e["candidates"], tuple(e["cases"]))
        for e in found.values()
    ]
    return sorted(listed, key=lambda n: (-len(n.cases), swedish_key(n.text)))


def decide(session: Session, name: str, choice: str, by: User | None) -> int:
    """Keep a moderator's decision about `name` (a municipality code or NOT_A_MUNICIPALITY)
    and import the waiting cases again; returns how many were imported now. Commits.
    Raises InvalidField for an empty name or a code that names no municipality."""
    from kommunkarta.services.data_io import pstw  # pstw keeps its waiting cases here

    key = plain(name)
    if not key or len(key) > 300:
        raise InvalidField("name", _l("Choose a name from the list."))
    code = None if choice == NOT_A_MUNICIPALITY else choice
    if code is not None and (
        not rules.is_municipality_code(code) or session.get(Municipality, code) is None
    ):
        raise InvalidField("choice", _l("Choose a municipality from the list."))
    by_id = by and by.id

    def keep() -> None:
        session.merge(
            OrganisationAlias(
                name=key, municipality_code=code, created_at=utcnow(), created_by_id=by_id
            )
        )
        audit.record(
            session, audit.ALIAS_DECIDED, by, subject=name, detail={"municipality": code or choice}
        )
        session.flush()

    try:
        keep()
    except IntegrityError:  # another moderator decided the name just now: this later one wins
        session.rollback()
        keep()
    cases = session.scalars(select(WaitingCase).order_by(WaitingCase.external_ref)).all()
    rows = [json.loads(case.row) for case in cases]
    header = list(dict.fromkeys(column for row in rows for column in row))
    table = Table(header, [(n, [row.get(c) for c in header]) for n, row in enumerate(rows, 2)])
    if not rows:
        session.commit()
        return 0
    report = pstw.import_table(session, table, by=by)  # commits
    return report.created + report.updated + report.unchanged
