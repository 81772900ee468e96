"""GET /admin/audit: the audit trail for admins, newest first, paged, filtered by account
and action (services.audit)."""

from __future__ import annotations

from flask import render_template, request
from flask_login import login_required

from kommunkarta import db, rules
from kommunkarta.admin import bp
from kommunkarta.services import audit
from kommunkarta.services.text import clean
from kommunkarta.submissions.common import acting_user, page_number


@bp.get("/admin/audit")
@login_required
def audit_log():
    account = clean(request.args.get("account", ""))[: rules.LENGTHS["email"]]
    action = request.args.get("action", "")
    if action not in audit.LABELS:
        action = "" if not action else None
    status = 200
    if action is None:  # an action the log does not know: say so beside the field
        action, status = "", 400
    page = audit.entries(
        db.session(), acting_user(), account=account, action=action, page=page_number()
    )
    return render_template(
        "admin/audit.html",
        page=page,
        account=account,
        account_max=rules.LENGTHS["email"],
        action=action,
        labels=audit.LABELS,
        details=audit.detail_lines,
        bad_action=status == 400,
    ), status
