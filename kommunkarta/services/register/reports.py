"""Readers' reports of mistakes in published initiatives, and their resolution.

Anyone may report; the report lands with the coordinators of the initiative's municipalities
and with the moderators, who resolve it with a reply. The report's text and the reporter's
contact stay private to them; the reply is public and shown on the initiative's page, so the
reader who reported can see the answer without an account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from kommunkarta import rules
from kommunkarta.db import AnySelect
from kommunkarta.models import Initiative, Report, User, initiative_municipalities
from kommunkarta.services.errors import Conflict, InvalidField, InvalidFields, NotFound
from kommunkarta.services.register import initiatives, permissions, workflow
from kommunkarta.services.register.initiatives import Page
from kommunkarta.services.register.workflow import Action
from kommunkarta.services.text import clean

TEXT_MAX = rules.LENGTHS["report"]
CONTACT_MAX = rules.LENGTHS["contact"]
REPLY_MAX = rules.LENGTHS["reply"]


def submit(session: Session, initiative_id: int, text: str, contact: str, now: datetime) -> Report:
    """Store a reader's report on a published initiative. Raises NotFound (not published) or
    InvalidFields (no text, too long)."""
    if initiatives.get_visible(session, initiative_id) is None:
        raise NotFound()
    text, contact = clean(text), clean(contact)
    errors = []
    if not text:
        errors.append(InvalidField("text", _l("Describe the mistake or the change.")))
    elif len(text) > TEXT_MAX:
        errors.append(InvalidField("text", _l("Use at most %(limit)s characters.", limit=TEXT_MAX)))
    if len(contact) > CONTACT_MAX:
        errors.append(
            InvalidField("contact", _l("Use at most %(limit)s characters.", limit=CONTACT_MAX))
        )
    if errors:
        raise InvalidFields(errors)
    report = Report(initiative_id=initiative_id, text=text, contact=contact, created_at=now)
    session.add(report)
    session.commit()
    return report


def _open_for(by: User) -> AnySelect:
    """Open reports `by` looks after: on initiatives of their municipalities, or all."""
    stmt = select(Report).where(Report.resolved_at.is_(None))
    if not permissions.is_staff(by):
        link = initiative_municipalities
        codes = sorted(permissions.own_codes(by))
        stmt = stmt.where(
            Report.initiative_id.in_(
                select(link.c.initiative_id).where(link.c.municipality_code.in_(codes))
            )
        )
    return stmt


def open_reports(
    session: Session, by: User | None, page: int = 1, per_page: int = 50
) -> Page[Report]:
    """Open reports for `by`, the oldest first. Raises NotAllowed unless signed in."""
    by = permissions.require_signed_in(by)
    stmt = _open_for(by)
    total = session.scalar(stmt.with_only_columns(func.count(Report.id))) or 0
    items = session.scalars(
        stmt.options(selectinload(Report.initiative).selectinload(Initiative.municipalities))
        .order_by(Report.created_at, Report.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return Page(list(items), total, page, per_page)


def open_count(session: Session, by: User | None) -> int:
    by = permissions.require_signed_in(by)
    return session.scalar(_open_for(by).with_only_columns(func.count(Report.id))) or 0


def resolve(session: Session, report_id: int, reply: str, by: User | None, now: datetime) -> Report:
    """Mark a report resolved with a public reply. Raises NotAllowed (not signed in),
    NotFound (no such report, or not one `by` looks after: a report is never public),
    Conflict (resolved already) or InvalidField("reply")."""
    by = permissions.require_signed_in(by)
    report = session.get(Report, report_id)
    if report is None or not workflow.can(by, Action.HANDLE_REPORTS, report.initiative):
        raise NotFound()
    if report.resolved_at is not None:
        raise Conflict(_l("This report has been resolved already."))
    reply = clean(reply)
    if not reply:
        raise InvalidField("reply", _l("Write a reply; it is shown on the initiative's page."))
    if len(reply) > REPLY_MAX:
        raise InvalidField("reply", _l("Use at most %(limit)s characters.", limit=REPLY_MAX))
    report.reply = reply
    report.resolved_at = now
    report.resolved_by_id = by.id
    session.commit()
    return report


@dataclass(frozen=True)
class Answer:
    """A resolved report as the public sees it: only the reply and its date."""

    resolved_at: datetime
    reply: str


def answers(session: Session, initiative_id: int) -> list[Answer]:
    """The replies to resolved reports on an initiative, newest first."""
    rows = session.execute(
        select(Report.resolved_at, Report.reply)
        .where(Report.initiative_id == initiative_id, Report.resolved_at.is_not(None))
        .order_by(Report.resolved_at.desc(), Report.id.desc())
    )
    return [Answer(resolved_at, reply) for resolved_at, reply in rows if resolved_at is not None]
