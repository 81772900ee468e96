"""The audit trail: an append-only log of what accounts did, who, when and from where.

Written for sign-ins (successful and failed), signing out, account changes (created,
invited, approved or refused, role, municipalities, enabled or disabled, password), imports,
publications and rejections, taxonomy changes and moderators' decisions about organisation
names; read by admins at /admin/audit. Entries are only ever added; `record` deletes
those older than KEEP as it goes, so the log holds twelve months.

`record` adds to the caller's session and does not commit: the entry is written in the same
transaction as what it describes, or not at all.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kommunkarta.models import AuditEntry, User, utcnow
from kommunkarta.services.register import permissions
from kommunkarta.services.register.initiatives import Page

KEEP = timedelta(days=366)  # twelve months, whatever the months are

SIGN_IN = "sign-in"
SIGN_IN_FAILED = "sign-in-failed"
SIGN_OUT = "sign-out"
ACCOUNT_CREATED = "account-created"
ACCOUNT_CHANGED = "account-changed"
PASSWORD_CHANGED = "password-changed"
IMPORT = "import"
PUBLISH = "publish"
REJECT = "reject"
ACCOUNT_APPROVED = "account-approved"
ACCOUNT_REFUSED = "account-refused"
TERM_ADDED = "term-added"
TERM_CHANGED = "term-changed"
TERM_MOVED = "term-moved"
TERM_RETIRED = "term-retired"
TERM_RESTORED = "term-restored"
TERM_MERGED = "term-merged"
ALIAS_DECIDED = "alias-decided"

LABELS = {
    SIGN_IN: _l("Signed in"),
    SIGN_IN_FAILED: _l("Failed sign-in"),
    SIGN_OUT: _l("Signed out"),
    ACCOUNT_CREATED: _l("Account created"),
    ACCOUNT_CHANGED: _l("Account changed"),
    PASSWORD_CHANGED: _l("Password changed"),
    IMPORT: _l("Import"),
    PUBLISH: _l("Published"),
    REJECT: _l("Rejected"),
    ACCOUNT_APPROVED: _l("Account approved"),
    ACCOUNT_REFUSED: _l("Waiting account refused"),
    TERM_ADDED: _l("Taxonomy term added"),
    TERM_CHANGED: _l("Taxonomy term changed"),
    TERM_MOVED: _l("Taxonomy term moved"),
    TERM_RETIRED: _l("Taxonomy term retired"),
    TERM_RESTORED: _l("Taxonomy term back in use"),
    TERM_MERGED: _l("Taxonomy terms merged"),
    ALIAS_DECIDED: _l("Organisation name placed"),
}
COMMAND_LINE = "command line"
PER_PAGE = 50


def client_address() -> str:
    """The client's address as the app sees it (behind trusted proxies, the forwarded one),
    or "command line" outside a request."""
    if not has_request_context():
        return COMMAND_LINE
    return (request.remote_addr or "")[:64]


def record(
    session: Session,
    action: str,
    by: User | None = None,
    *,
    email: str = "",
    subject: str = "",
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Add an entry for `action` (one of LABELS) by `by` (or, for someone not signed in,
    the address they gave as `email`); the caller commits. Raises ValueError for an action
    that is not in LABELS."""
    if action not in LABELS:
        raise ValueError(f"unknown audit action {action!r}")
    now = now or utcnow()
    session.execute(delete(AuditEntry).where(AuditEntry.at < now - KEEP))
    entry = AuditEntry(
        at=now,
        action=action,
        user_id=by.id if by is not None else None,
        email=(by.email if by is not None else email)[:254],
        address=client_address(),
        subject=subject[:300],
        detail=json.dumps(detail or {}, ensure_ascii=False, default=str),
    )
    session.add(entry)
    return entry


def imported(
    session: Session, by: User | None, filename: str, kind: str, created: int, updated: int
) -> None:
    """Record an import that wrote something, and commit (the import has committed its own
    transaction already)."""
    detail = {"kind": kind, "new": created, "changed": updated}
    record(session, IMPORT, by, subject=filename, detail=detail)
    session.commit()


def entries(
    session: Session,
    by: User | None,
    *,
    account: str = "",
    action: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page[AuditEntry]:
    """The newest entries first, of accounts whose address contains `account` (any case)
    and of `action` (empty: all); raises NotAllowed unless `by` is an admin."""
    permissions.require_admin(by)
    query = select(AuditEntry)
    if account:
        escaped = account.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(func.lower(AuditEntry.email).like(f"%{escaped}%", escape="\\"))
    if action:
        query = query.where(AuditEntry.action == action)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = session.scalars(
        query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(list(items), total, page, per_page)


def details(entry: AuditEntry) -> dict[str, Any]:
    try:
        value = json.loads(entry.detail or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def detail_lines(entry: AuditEntry) -> dict[str, str]:
    """The entry's details as text for the page: a string as it is, anything else (a
    changed name's old and new value, a list of codes) as JSON in its own letters. The page
    escapes the text; JSON made for HTML would show 'Idé' as 'Id\\u00e9'."""
    return {
        name: value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        for name, value in details(entry).items()
    }
