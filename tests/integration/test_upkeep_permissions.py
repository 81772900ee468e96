"""Who may confirm that a municipality has no initiatives, confirm an initiative as still
correct, adopt one ("we do this too") and resolve a reader's report: the status each role
gets over HTTP, and proof that a refused request stored nothing.

Anonymous visitors are sent to sign in first. A coordinator of another municipality gets 403
for a published initiative (the public sees it anyway) but 404 for a report, which is never
public. Only coordinators adopt: staff speak for no municipality, and a coordinator's own
municipality takes part already.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kommunkarta.models import Adoption, Initiative, NoneConfirmation, Report, Revision
from tests.conftest import PASSWORD, add_user, csrf_from
from tests.integration.upkeep_data import LONG_AGO, published, reported

ROLES = ("anonymous", "coordinator_own", "coordinator_other", "moderator", "admin")
LOGIN = "sign in first"  # a 302 to /login
ACCOUNTS = {
    "coordinator_own": ("coordinator", ("0180",)),  # Stockholm
    "coordinator_other": ("coordinator", ("1480",)),  # Göteborg
    "moderator": ("moderator", ()),
    "admin": ("admin", ()),
}


def _client(app, role: str, name: str):
    client = app.test_client()
    if role == "anonymous":
        client.get("/login")
        return client
    kind, codes = ACCOUNTS[role]
    email = f"{name}-{role}@example.se"
    add_user(app, email, kind, codes)
    token = csrf_from(client.get("/login"))
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    return client


@pytest.fixture(scope="module")
def clients(module_app):
    return {role: _client(module_app, role, "matrix") for role in ROLES}


def _status(response) -> int | str:
    if response.status_code == 302 and response.headers["Location"].startswith("/login"):
        return LOGIN
    return response.status_code


# action -> (path for the thing made, form data for a role, what changed afterwards)
def _confirm(app, client, role):
    initiative_id = published(app, ["0180"], changed=LONG_AGO, confirmed=LONG_AGO)
    response = client.post(f"/initiatives/{initiative_id}/confirm", data={})
    with Session(app.extensions["db_engine"]) as s:
        changed = (
            s.scalar(select(func.count()).where(Revision.initiative_id == initiative_id)) == 1
            and s.get(Initiative, initiative_id).last_confirmed_at.year > LONG_AGO.year
        )
    return response, changed


def _adopt(app, client, role):
    initiative_id = published(app, ["0180"])
    codes = ACCOUNTS.get(role, ("", ()))[1]
    data = {"municipality": codes[0] if codes else "0180", "status": "pilot"}
    response = client.post(f"/initiatives/{initiative_id}/adopt", data=data)
    with Session(app.extensions["db_engine"]) as s:
        changed = bool(
            s.scalar(select(func.count()).where(Adoption.initiative_id == initiative_id))
        )
    return response, changed


def _resolve(app, client, role):
    report_id = reported(app, published(app, ["0180"]))
    response = client.post(f"/reports/{report_id}/resolve", data={"reply": "Rättat, tack!"})
    with Session(app.extensions["db_engine"]) as s:
        changed = s.get(Report, report_id).resolved_at is not None
    return response, changed


ACTIONS = {"confirm": _confirm, "adopt": _adopt, "resolve_report": _resolve}
EXPECTED = {
    #                    confirm adopt  resolve_report
    "anonymous":         (LOGIN, LOGIN, LOGIN),
    "coordinator_own":   (302,   403,   302),
    "coordinator_other": (403,   302,   404),
    "moderator":         (302,   403,   302),
    "admin":             (302,   403,   302),
}  # fmt: skip
CASES = [
    (role, action, expected)
    for role, row in EXPECTED.items()
    for action, expected in zip(ACTIONS, row, strict=True)
]


@pytest.mark.parametrize(("role", "action", "expected"), CASES)
def test_permission_matrix(module_app, clients, role, action, expected):
    client = clients[role]

    class WithToken:
        """The client, sending the CSRF token of its session with every form."""

        def post(self, path, data):
            token = csrf_from(client.get("/suggest"))
            return client.post(path, data={**data, "csrf_token": token})

    response, changed = ACTIONS[action](module_app, WithToken(), role)
    assert _status(response) == expected, response.get_data(as_text=True)[:400]
    assert changed == (expected == 302)


CONFIRM_NONE = {
    "anonymous": LOGIN,
    "coordinator_own": 302,
    "coordinator_other": 403,
    "moderator": 302,
    "admin": 302,
}


@pytest.mark.parametrize(("role", "expected"), CONFIRM_NONE.items())
def test_confirm_none_matrix(app, role, expected):
    """On a database of its own: Stockholm must have no published initiative here."""
    client = _client(app, role, "none")
    token = csrf_from(client.get("/suggest"))
    response = client.post("/municipalities/0180/confirm-none", data={"csrf_token": token})
    assert _status(response) == expected
    with Session(app.extensions["db_engine"]) as s:
        stored = s.scalar(select(func.count()).select_from(NoneConfirmation))
    assert stored == (1 if expected == 302 else 0)


def test_the_lists_follow_the_roles(module_app, clients):
    lists = {
        role: (_status(clients[role].get("/needs-review")), _status(clients[role].get("/reports")))
        for role in ROLES
    }
    assert lists == {
        "anonymous": (LOGIN, LOGIN),
        "coordinator_own": (200, 200),
        "coordinator_other": (200, 200),
        "moderator": (200, 200),
        "admin": (200, 200),
    }
    reported(module_app, published(module_app, ["0180"]), text="Hemligt: fel telefon")
    assert "Hemligt" in clients["coordinator_own"].get("/reports").get_data(as_text=True)
    assert "Hemligt" in clients["moderator"].get("/reports").get_data(as_text=True)
    assert "Hemligt" not in clients["coordinator_other"].get("/reports").get_data(as_text=True)
