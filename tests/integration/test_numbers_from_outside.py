"""Numbers from outside over HTTP on both databases: ids, pages, per_page and versions that
`int()` would take or choke on ("²", "٣", 2**63) are a 4xx everywhere, never a 500."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import Session

from kommunkarta.models import Initiative
from tests.conftest import csrf_from
from tests.integration.upkeep_data import published

pytestmark = pytest.mark.usefixtures("fresh_limits")

HUGE = str(2**63)  # does not fit SQLite's or PostgreSQL's integers
BAD_NUMBERS = ("²", "٣", "-1", "1.0", HUGE, "9" * 400)


@pytest.fixture(scope="module")
def app(module_app):
    return module_app


def _id_rules(app):
    """Every route with a number in its path, with its methods."""
    for rule in app.url_map.iter_rules():
        names = {type(c).__name__ for c in rule._converters.values()}
        if names & {"IdConverter", "IntegerConverter"}:
            yield rule


def _path(rule, value: str) -> str:
    return re.sub(r"<(id|int):[a-z_]+>", value, rule.rule)


def test_every_id_route_uses_the_rules_converter(app):
    plain_ints = [
        r.rule
        for r in app.url_map.iter_rules()
        if any(type(c).__name__ == "IntegerConverter" for c in r._converters.values())
    ]
    assert plain_ints == []
    assert len(list(_id_rules(app))) >= 15


@pytest.mark.parametrize("value", [HUGE, str(2**31), "٣", "0"])
def test_ids_out_of_range_are_not_found_on_every_page_and_action(app, client, login_as, value):
    login_as("admin")
    token = csrf_from(client.get("/admin/users/new"))
    for rule in _id_rules(app):
        path = _path(rule, value)
        if "GET" in rule.methods:
            assert client.get(path).status_code == 404, path
        if "POST" in rule.methods:
            form = {"csrf_token": token, "version": "1", "reason": "x", "active": "0"}
            assert client.post(path, data=form).status_code == 404, path


def test_the_api_item_and_its_pages(client):
    assert client.get(f"/api/v1/initiatives/{HUGE}").status_code == 404
    assert client.get("/api/v1/initiatives/٣").status_code == 400
    for name in ("page", "per_page"):
        for value in BAD_NUMBERS:
            response = client.get(f"/api/v1/initiatives?{name}={value}")
            assert response.status_code == 400, (name, value)
            assert response.get_json()["field"] == name


@pytest.mark.parametrize("name", ["page", "per_page"])
@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_the_table_refuses_odd_paging(client, name, value):
    response = client.get(f"/initiatives?{name}={value}&lang=en")
    assert response.status_code == 400
    assert name in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("moderator", "/moderation"),
        ("moderator", "/reports"),
        ("coordinator", "/needs-review"),
        ("coordinator", "/initiatives/mine"),
    ],
)
def test_signed_in_lists_refuse_odd_pages(client, login_as, role, path):
    login_as(role)
    assert client.get(path).status_code == 200
    for value in BAD_NUMBERS:
        assert client.get(f"{path}?page={value}").status_code == 400, value


def test_odd_versions_in_the_edit_form_and_actions(app, client, login_as):
    login_as("coordinator")
    initiative_id = published(app, state="draft")
    edit = f"/initiatives/{initiative_id}/edit"
    page = client.get(edit)
    assert page.status_code == 200
    token = csrf_from(page)
    form = {
        "csrf_token": token,
        "title": "Chatbot",
        "summary": "Svarar.",
        "municipalities": ["0180"],
        "benefit_areas": ["efficiency"],
        "status": "pilot",
        "save_draft": "Save as draft",
        "duplicates_seen": "1",
    }
    for value in ("²", "٣", HUGE, "-1", ""):
        response = client.post(edit, data={**form, "version": value})
        assert response.status_code == 400, value
        for action in ("submit", "delete"):
            action_path = f"/initiatives/{initiative_id}/{action}"
            response = client.post(action_path, data={"csrf_token": token, "version": value})
            assert response.status_code == 400, (action, value)
    with Session(app.extensions["db_engine"]) as s:
        assert s.get(Initiative, initiative_id).title == "Chatbot för bygglov"  # nothing saved


@pytest.mark.parametrize("value", ["٢٠٢٠", "²⁰²⁰", "1949", "3000"])
def test_years_in_filters_are_ascii_and_in_range(client, value):
    for path in ("/initiatives", "/api/v1/initiatives", "/api/v1/municipalities", "/"):
        assert client.get(f"{path}?year_from={value}").status_code == 400, path
