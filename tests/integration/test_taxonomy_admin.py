"""Admins add, rename and move taxonomy terms at /admin/taxonomy, on both databases: the
filters, the API and the forms follow at once, init-db keeps what the admin made, and bad
input is a message with nothing changed."""

from __future__ import annotations

import uuid

import pytest

from kommunkarta import db
from kommunkarta.services import setup
from tests.conftest import csrf_from

pytestmark = pytest.mark.usefixtures("fresh_limits")


@pytest.fixture(scope="module")
def app(module_app):
    return module_app


def _slugs(client, kind):
    return [t["slug"] for t in client.get("/api/v1/taxonomy").get_json()[kind]]


def _names(client, kind):
    return {
        t["slug"]: (t["name_sv"], t["name_en"])
        for t in client.get("/api/v1/taxonomy").get_json()[kind]
    }


def _post(client, path, data):
    token = csrf_from(client.get("/admin/users"))
    return client.post(path, data={**data, "csrf_token": token})


def _add(client, kind, slug, sv="Ny term", en="New term"):
    token = csrf_from(client.get("/admin/users"))
    data = {f"{kind}-slug": slug, f"{kind}-name_sv": sv, f"{kind}-name_en": en}
    data[f"{kind}-csrf_token"] = token
    return client.post(f"/admin/taxonomy/{kind}?lang=en", data=data)


def test_an_added_term_is_at_once_in_the_api_the_filters_and_the_form(app, client, login_as):
    login_as("admin")
    slug = f"digital-twins-{uuid.uuid4().hex[:6]}"
    assert client.get(f"/api/v1/initiatives?tech={slug}").status_code == 400
    response = _add(client, "technologies", slug, "Digitala tvillingar", "Digital twins")
    assert response.status_code == 302
    assert _slugs(client, "technologies")[-1] == slug
    assert client.get(f"/api/v1/initiatives?tech={slug}").status_code == 200
    assert client.get(f"/initiatives?tech={slug}").status_code == 200
    assert f'value="{slug}"' in client.get("/initiatives/new").get_data(as_text=True)
    page = client.get("/admin/taxonomy?lang=en").get_data(as_text=True)
    assert "Digital twins" in page


@pytest.mark.parametrize(
    ("slug", "sv", "message"),
    [
        ("Stora Bokstäver", "Namn", "lower-case letters"),
        ("two--hyphens", "Namn", "lower-case letters"),
        ("-edge", "Namn", "lower-case letters"),
        ("x" * 61, "Namn", "60"),
        ("efficiency", "Namn", "has that slug"),
        ("fresh-slug", "", "Give a name"),
        ("fresh-slug", "<script>alert(1)</script>\nrad två", "one line"),
    ],
)
def test_a_bad_term_is_a_message_and_adds_nothing(app, client, login_as, slug, sv, message):
    login_as("admin")
    before = _slugs(client, "benefit_areas")
    response = _add(client, "benefit_areas", slug, sv=sv)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert message in body
    assert "<script>alert(1)</script>" not in body
    assert _slugs(client, "benefit_areas") == before


def test_a_renamed_term_keeps_its_slug_and_init_db_keeps_the_name(app, client, login_as, geo):
    login_as("admin")
    path = "/admin/taxonomy/statuses/pilot"
    assert client.get(path).status_code == 200
    token = csrf_from(client.get(path))
    response = client.post(
        path, data={"name_sv": "Försök", "name_en": "Trial", "csrf_token": token}
    )
    assert response.status_code == 302
    assert _names(client, "statuses")["pilot"] == ("Försök", "Trial")
    with app.app_context():
        setup.init_db(db.engine(), geo)
    assert _names(client, "statuses")["pilot"] == ("Försök", "Trial")
    assert _names(client, "statuses")["idea"] != ("Försök", "Trial")
    token = csrf_from(client.get(path))
    blank = client.post(
        path + "?lang=en", data={"name_sv": " ", "name_en": "x", "csrf_token": token}
    )
    assert blank.status_code == 400
    assert _names(client, "statuses")["pilot"] == ("Försök", "Trial")


def test_moving_a_term_reorders_its_kind_and_init_db_keeps_the_order(app, client, login_as, geo):
    login_as("admin")
    before = _slugs(client, "areas")
    second = before[1]
    assert (
        _post(client, f"/admin/taxonomy/areas/{second}/move", {"direction": "up"}).status_code
        == 302
    )
    after = _slugs(client, "areas")
    assert after[:2] == [second, before[0]] and sorted(after) == sorted(before)
    last = after[-1]
    _post(client, f"/admin/taxonomy/areas/{last}/move", {"direction": "down"})  # at the end
    assert _slugs(client, "areas") == after
    with app.app_context():
        setup.init_db(db.engine(), geo)
    assert _slugs(client, "areas") == after
    assert (
        _post(client, f"/admin/taxonomy/areas/{second}/move", {"direction": "left"}).status_code
        == 400
    )


@pytest.mark.parametrize(
    "path",
    [
        "/admin/taxonomy/colours/red",
        "/admin/taxonomy/statuses/no-such-status",
    ],
)
def test_unknown_kinds_and_terms_are_404(app, client, login_as, path):
    login_as("admin")
    assert client.get(path).status_code == 404
    assert _post(client, path + "/move", {"direction": "up"}).status_code == 404
    assert _add(client, "colours", "red").status_code == 404


@pytest.mark.parametrize("role", ["coordinator", "moderator"])
def test_only_admins_change_the_taxonomy(app, client, login_as, role):
    login_as(role)
    assert client.get("/admin/taxonomy").status_code == 403
    assert client.get("/admin/taxonomy/statuses/pilot").status_code == 403
    token = csrf_from(client.get("/initiatives/mine"))
    data = {"benefit_areas-slug": "x", "benefit_areas-name_sv": "x", "benefit_areas-name_en": "x"}
    response = client.post(
        "/admin/taxonomy/benefit_areas", data={**data, "benefit_areas-csrf_token": token}
    )
    assert response.status_code == 403
    moved = client.post(
        "/admin/taxonomy/statuses/pilot/move", data={"direction": "up", "csrf_token": token}
    )
    assert moved.status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(app, client):
    assert client.get("/admin/taxonomy").status_code == 302
