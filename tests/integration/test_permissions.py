"""The whole permission matrix over HTTP: who may view a draft, edit, submit, publish, reject and
delete, with the status code each gets and proof that a refused request changed nothing.

Anonymous visitors are sent to sign in before anything is looked up, so the redirect tells
nothing about whether an item exists. A coordinator of another municipality gets 404 for an
unpublished initiative (it must not be known to exist) and 403 for a published one.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kommunkarta.models import BenefitArea, Initiative, Municipality, Revision, State, Status
from tests.conftest import PASSWORD, add_user, csrf_from

ROLES = ("anonymous", "coordinator_own", "coordinator_other", "moderator", "admin")


@pytest.fixture(scope="module")
def matrix_app(module_app):
    """One database per backend for the whole matrix; every case makes its own initiative."""
    return module_app


@pytest.fixture(scope="module")
def clients(matrix_app):
    """A test client per role, signed in once through the login form."""
    accounts = {
        "coordinator_own": ("coordinator", ("0180",)),  # Stockholm
        "coordinator_other": ("coordinator", ("1480",)),  # Göteborg
        "moderator": ("moderator", ()),
        "admin": ("admin", ()),
    }
    made = {"anonymous": matrix_app.test_client()}
    made["anonymous"].get("/login")
    for name, (role, codes) in accounts.items():
        email = f"{name}@example.se"
        add_user(matrix_app, email, role, codes)
        client = matrix_app.test_client()
        token = csrf_from(client.get("/login"))
        response = client.post(
            "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302
        made[name] = client
    return made


def _initiative(app, state: str) -> tuple[int, int]:
    """A complete initiative in Stockholm in `state`; returns (id, version)."""
    with Session(app.extensions["db_engine"], expire_on_commit=False) as s, s.begin():
        item = Initiative(
            title="Chatbot för bygglov",
            summary="Svarar på frågor om bygglov.",
            contact="ai@stockholm.se",
            status=s.scalar(select(Status).where(Status.slug == "pilot")),
            state=state,
            municipalities=[s.get(Municipality, "0180")],
            benefit_areas=[s.scalar(select(BenefitArea).where(BenefitArea.slug == "efficiency"))],
        )
        item.refresh_search_text()
        s.add(item)
    return item.id, item.version


def _edit_form(version: int) -> dict:
    return {
        "title": "Chatbot för bygglov, version 2",
        "summary": "Svarar på frågor om bygglov dygnet runt.",
        "municipalities": ["0180"],
        "benefit_areas": ["efficiency"],
        "status": "pilot",
        "contact": "ai@stockholm.se",
        "version": str(version),
        "save_draft": "Save as draft",
    }


# action -> (state of the initiative, method, path, form data, what a permitted request does)
ACTIONS = {
    "view_draft": ("draft", "GET", "review", None, None),
    "edit_form": ("draft", "GET", "edit", None, None),
    "edit": ("draft", "POST", "edit", _edit_form, ("draft", "edited")),
    "submit": ("draft", "POST", "submit", lambda v: {"version": v}, ("submitted", "submitted")),
    "publish": (
        "submitted",
        "POST",
        "publish",
        lambda v: {"version": v},
        ("published", "published"),
    ),
    "reject": (
        "submitted",
        "POST",
        "reject",
        lambda v: {"version": v, "reason": "Saknar kontaktuppgifter."},
        ("rejected", "rejected"),
    ),
    "delete": ("draft", "POST", "delete", lambda v: {"version": v}, ("gone", None)),
    "view_published": ("published", "GET", "review", None, None),
    "edit_published": ("published", "GET", "edit", None, None),
    "delete_published": ("published", "POST", "delete", lambda v: {"version": v}, ("gone", None)),
}

LOGIN = "sign in first"  # a 302 to /login
EXPECTED = {
    #                    view  form  edit  subm  publ  rej   del   view_p form_p del_p
    "anonymous":         (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    "coordinator_own":   (200, 200, 302, 302, 403, 403, 302, 200, 200, 403),
    "coordinator_other": (404, 404, 404, 404, 404, 404, 404, 403, 403, 403),
    "moderator":         (200, 200, 302, 302, 302, 302, 302, 200, 200, 302),
    "admin":             (200, 200, 302, 302, 302, 302, 302, 200, 200, 302),
}  # fmt: skip

CASES = [
    (role, action, expected)
    for role, row in EXPECTED.items()
    for action, expected in zip(ACTIONS, row, strict=True)
]


def _snapshot(app, initiative_id: int) -> tuple[str | None, int]:
    with Session(app.extensions["db_engine"]) as s:
        item = s.get(Initiative, initiative_id)
        revisions = s.execute(
            select(func.count()).where(Revision.initiative_id == initiative_id)
        ).scalar_one()
        return (item.review_state if item else "gone"), revisions


@pytest.mark.parametrize(("role", "action", "expected"), CASES)
def test_permission_matrix(matrix_app, clients, role, action, expected):
    state, method, verb, data, effect = ACTIONS[action]
    initiative_id, version = _initiative(matrix_app, state)
    client = clients[role]
    path = f"/initiatives/{initiative_id}/{verb}"
    if method == "GET":
        response = client.get(path)
    else:
        form = {**data(version), "csrf_token": csrf_from(client.get("/suggest"))}
        response = client.post(path, data=form)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    else:
        assert response.status_code == expected, response.get_data(as_text=True)[:500]
    after_state, revisions = _snapshot(matrix_app, initiative_id)
    if effect and response.status_code == 302 and role != "anonymous":
        assert after_state == effect[0]
        if effect[1]:  # the change is in the history
            assert revisions == 1
    else:
        assert (after_state, revisions) == (state, 0)


def _status(response) -> int | str:
    if response.status_code == 302 and response.headers["Location"].startswith("/login"):
        return LOGIN
    return response.status_code


def test_drafts_are_404_on_the_public_page_and_api(matrix_app, clients):
    initiative_id, _ = _initiative(matrix_app, State.DRAFT)
    anonymous = clients["anonymous"]
    assert anonymous.get(f"/initiatives/{initiative_id}").status_code == 404
    assert anonymous.get(f"/api/v1/initiatives/{initiative_id}").status_code == 404
    published_id, _ = _initiative(matrix_app, State.PUBLISHED)
    assert anonymous.get(f"/initiatives/{published_id}").status_code == 200


def test_history_follows_the_view_permission(matrix_app, clients):
    initiative_id, _ = _initiative(matrix_app, State.DRAFT)
    statuses = {
        role: _status(clients[role].get(f"/initiatives/{initiative_id}/history")) for role in ROLES
    }
    assert statuses == {
        "anonymous": LOGIN,
        "coordinator_own": 200,
        "coordinator_other": 404,
        "moderator": 200,
        "admin": 200,
    }


def test_moderation_queue_and_admin_pages_by_role(matrix_app, clients):
    queue = {role: _status(clients[role].get("/moderation")) for role in ROLES}
    assert queue == {
        "anonymous": LOGIN,
        "coordinator_own": 403,
        "coordinator_other": 403,
        "moderator": 200,
        "admin": 200,
    }
    accounts = {role: _status(clients[role].get("/admin/users")) for role in ROLES}
    assert accounts == {
        "anonymous": LOGIN,
        "coordinator_own": 403,
        "coordinator_other": 403,
        "moderator": 403,
        "admin": 200,
    }


def test_the_menu_offers_each_role_the_staff_pages_it_may_open(matrix_app, clients):
    for role in ROLES:
        menu = clients[role].get("/accessibility").get_data(as_text=True)
        for path in ("/moderation", "/admin/users", "/admin/taxonomy"):
            may_open = _status(clients[role].get(path)) == 200
            assert (f'href="{path}"' in menu) == may_open, (role, path)


def test_unknown_initiative_is_404_for_everyone_signed_in(matrix_app, clients):
    for role in ROLES[1:]:
        assert clients[role].get("/initiatives/999999/review").status_code == 404
        assert clients[role].get("/initiatives/999999/edit").status_code == 404
