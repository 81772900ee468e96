"""Submitting, editing, moderating and suggesting initiatives over HTTP on both databases."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from kommunkarta.models import (
    Initiative,
    Revision,
    State,
)
from kommunkarta.services.errors import Conflict
from kommunkarta.services.register import submissions
from tests.conftest import csrf_from
from tests.integration.helpers import add

pytestmark = pytest.mark.usefixtures("fresh_limits")

STOCKHOLM = ("59.3293", "18.0686")  # Stockholm's city centre
GOTHENBURG = ("57.7089", "11.9746")


@pytest.fixture(scope="module")
def app(module_app):
    """One database per backend for the module; every test makes its own accounts and items."""
    return module_app


def _count(app, **where) -> int:
    with Session(app.extensions["db_engine"]) as s:
        stmt = select(func.count(Initiative.id))
        for name, value in where.items():
            stmt = stmt.where(getattr(Initiative, name) == value)
        return s.execute(stmt).scalar_one()


def _form(**overrides) -> dict:
    data = {
        "title": "Chatbot för bygglov",
        "summary": "Svarar på frågor om bygglov dygnet runt.",
        "description": "Första stycket.\n\nAndra stycket.",
        "municipalities": ["0180"],
        "benefit_areas": ["efficiency", "resident-service"],
        "areas": ["urban-planning"],
        "technologies": ["chatbot"],
        "status": "pilot",
        "start_year": "2024",
        "url": "https://www.stockholm.se/ai",
        "contact": "ai@stockholm.se",
        "lat": "",
        "lon": "",
        "save_draft": "Save as draft",
        # the module's initiatives share one database and much text: the warning about
        # possible duplicates (test_duplicate_warning.py) counts as seen here
        "duplicates_seen": "1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _post(client, path: str, data: dict, token_from: str = "/suggest"):
    return client.post(path, data={**data, "csrf_token": csrf_from(client.get(token_from))})


def _create(client, **overrides) -> int:
    response = _post(client, "/initiatives/new", _form(**overrides))
    assert response.status_code == 302, response.get_data(as_text=True)
    found = re.search(r"/initiatives/(\d+)/review", response.headers["Location"])
    assert found, response.headers["Location"]
    return int(found.group(1))


def _version(app, initiative_id: int) -> int:
    with Session(app.extensions["db_engine"]) as s:
        return s.get_one(Initiative, initiative_id).version


def _revisions(app, initiative_id: int) -> list[tuple[str, dict]]:
    with Session(app.extensions["db_engine"]) as s:
        rows = s.execute(
            select(Revision.action, Revision.changes)
            .where(Revision.initiative_id == initiative_id)
            .order_by(Revision.id)
        ).all()
    return [(action, json.loads(changes)) for action, changes in rows]


def _published(app, title: str = "Publicerad chatbot") -> int:
    with Session(app.extensions["db_engine"]) as session:
        return add(
            session,
            title,
            status="production",
            summary="Svarar på frågor.",
            contact="ai@stockholm.se",
        ).id


def _error_beside(body: str, field: str) -> str:
    """The messages shown right under the field's label, or '' if none."""
    match = re.search(rf'<ul class="field-errors" id="{field}-error">(.*?)</ul>', body, re.S)
    return re.sub(r"<[^>]+>", " ", match.group(1)).strip() if match else ""


def test_new_form_preselects_the_coordinators_own_municipalities(client, login_as):
    login_as("coordinator", municipalities=("0180", "0114"))
    body = client.get("/initiatives/new?lang=en").get_data(as_text=True)
    checked = set(re.findall(r'name="municipalities" value="(\d{4})"\s+checked', body))
    assert checked == {"0180", "0114"}
    assert 'value="1480"' in body  # others can be added for a collaboration
    assert "Save as draft" in body and "Submit for review" in body
    assert "Save and publish" not in body  # coordinators cannot publish


def test_draft_then_submit_writes_revisions(app, client, login_as):
    user = login_as("coordinator")
    initiative_id = _create(client)
    with Session(app.extensions["db_engine"]) as s:
        item = s.get(Initiative, initiative_id)
        assert (item.state, item.author_id, item.is_demo) == ("draft", user.id, False)
        assert [m.code for m in item.municipalities] == ["0180"]
        assert item.description == "Första stycket.\n\nAndra stycket."
    version = _version(app, initiative_id)
    response = _post(client, f"/initiatives/{initiative_id}/submit", {"version": version})
    assert response.status_code == 302
    history = _revisions(app, initiative_id)
    assert [action for action, _ in history] == ["created", "submitted"]
    assert history[0][1]["title"] == [None, "Chatbot för bygglov"]
    assert history[0][1]["benefit_areas"] == [None, ["efficiency", "resident-service"]]
    assert history[1][1] == {"state": ["draft", "submitted"]}
    page = client.get(f"/initiatives/{initiative_id}/history?lang=en").get_data(as_text=True)
    assert "Created" in page and "Submitted for review" in page and user.email in page


THIS_YEAR = date.today().year


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"url": "javascript:alert(1)"}, "url", "http:// or https://"),
        ({"url": "ftp://example.se/file"}, "url", "http:// or https://"),
        ({"benefit_areas": None}, "benefit_areas", "at least one benefit area"),
        ({"lat": GOTHENBURG[0], "lon": GOTHENBURG[1]}, "location", "inside one of the"),
        ({"lat": STOCKHOLM[0]}, "location", "both latitude and longitude"),
        ({"lat": "north", "lon": "18"}, "location", "decimal degrees"),
        ({"start_year": "1980"}, "start_year", f"from 1990 to {THIS_YEAR}"),
        ({"start_year": str(THIS_YEAR + 1)}, "start_year", f"from 1990 to {THIS_YEAR}"),
        ({"title": ""}, "title", "Give the initiative a title"),
        ({"title": "x" * 201}, "title", "200"),
        ({"contact": "not an address"}, "contact", "email address"),
        ({"municipalities": ["0180", "9999"]}, "municipalities", "not a valid choice"),
        ({"municipalities": ["1480"]}, "municipalities", "one of your own"),
    ],
)
def test_bad_input_comes_back_beside_the_field_with_the_text_kept(
    app, client, login_as, overrides, field, message
):
    login_as("coordinator")
    client.get("/?lang=en")  # English from now on (a cookie)
    typed = "Vår egen <b>text</b> & mer"
    before = _count(app)
    response = _post(client, "/initiatives/new", _form(summary=typed, **overrides))
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message.lower() in _error_beside(body, field).lower()
    assert "Vår egen &lt;b&gt;text&lt;/b&gt; &amp; mer</textarea>" in body  # kept, escaped
    assert _count(app) == before


def test_messages_are_in_swedish_by_default(client, login_as):
    login_as("coordinator")
    response = _post(client, "/initiatives/new", _form(url="javascript:alert(1)"))
    assert "http:// eller https://" in _error_beside(response.get_data(as_text=True), "url")


def test_a_location_inside_a_participant_is_stored_with_a_decimal_comma(app, client, login_as):
    login_as("coordinator")
    initiative_id = _create(
        client, municipalities=["0180", "1480"], lat="57,7089", lon=GOTHENBURG[1]
    )
    with Session(app.extensions["db_engine"]) as s:
        item = s.get(Initiative, initiative_id)
        assert (item.lat, item.lon) == (57.7089, 11.9746)


def test_editing_a_published_initiative_keeps_it_public_until_approved(app, client, login_as):
    initiative_id = _published(app, title="Gammal titel")
    login_as("coordinator")
    edit = client.get(f"/initiatives/{initiative_id}/edit")
    assert "Gammal titel" in edit.get_data(as_text=True)
    response = _post(
        client,
        f"/initiatives/{initiative_id}/edit",
        _form(
            title="Ny titel",
            benefit_areas=["efficiency"],
            version=_version(app, initiative_id),
            submit_review="Submit for review",
            save_draft=None,
        ),
    )
    assert response.status_code == 302
    public = app.test_client()
    assert public.get(f"/api/v1/initiatives/{initiative_id}").get_json()["title"] == "Gammal titel"

    moderator = app.test_client()
    login_as("moderator", on=moderator)
    queue = moderator.get("/moderation?lang=en").get_data(as_text=True)
    assert "Changes to a published initiative" in queue and "Gammal titel" in queue
    review = moderator.get(f"/initiatives/{initiative_id}/review").get_data(as_text=True)
    assert "<del>Gammal</del>" in review and "<ins>Ny</ins>" in review
    version = _version(app, initiative_id)
    response = _post(moderator, f"/initiatives/{initiative_id}/publish", {"version": version})
    assert response.status_code == 302
    assert public.get(f"/api/v1/initiatives/{initiative_id}").get_json()["title"] == "Ny titel"
    actions = _revisions(app, initiative_id)
    assert [a for a, _ in actions] == ["submitted", "published"]
    assert actions[1][1]["title"] == ["Gammal titel", "Ny titel"]
    assert actions[1][1]["state"] == ["submitted", "published"]


def test_rejection_reason_reaches_the_coordinator_who_fixes_and_resubmits(app, client, login_as):
    login_as("coordinator")
    initiative_id = _create(client, submit_review="Submit", save_draft=None)
    moderator = app.test_client()
    login_as("moderator", on=moderator)
    path = f"/initiatives/{initiative_id}"
    empty = _post(moderator, f"{path}/reject", {"version": _version(app, initiative_id)})
    assert empty.status_code == 400
    assert _error_beside(empty.get_data(as_text=True), "reason")
    reason = "Beskriv <vilka> invånare som använder tjänsten."
    response = _post(
        moderator, f"{path}/reject", {"version": _version(app, initiative_id), "reason": reason}
    )
    assert response.status_code == 302
    mine = client.get("/initiatives/mine").get_data(as_text=True)
    assert "Beskriv &lt;vilka&gt; invånare som använder tjänsten." in mine
    response = _post(
        client,
        f"{path}/edit",
        _form(
            summary="Används av invånare som söker bygglov.",
            version=_version(app, initiative_id),
            submit_review="Submit",
            save_draft=None,
        ),
    )
    assert response.status_code == 302
    with Session(app.extensions["db_engine"]) as s:
        assert s.get(Initiative, initiative_id).state == State.SUBMITTED
    assert [a for a, _ in _revisions(app, initiative_id)] == ["submitted", "rejected", "submitted"]


def test_concurrent_edits_do_not_overwrite_each_other(app, client, login_as):
    login_as("coordinator")
    initiative_id = _create(client)
    colleague = app.test_client()
    login_as("coordinator", on=colleague)
    path = f"/initiatives/{initiative_id}/edit"
    opened = _version(app, initiative_id)  # both open the form at this version
    first = _post(client, path, _form(title="Första versionen", version=opened))
    assert first.status_code == 302
    second = _post(
        colleague,
        path,
        _form(title="Andra versionen", description="Mitt långa arbete.", version=opened),
        token_from="/initiatives/mine?lang=en",
    )
    body = second.get_data(as_text=True)
    assert second.status_code == 409
    assert "changed this initiative after you opened it" in body
    assert 'value="Andra versionen"' in body and "Mitt långa arbete." in body  # kept
    assert "Title" in re.search(r'id="conflict">(.*?)</div>', body, re.S).group(1)
    with Session(app.extensions["db_engine"]) as s:
        assert s.get(Initiative, initiative_id).title == "Första versionen"
    # saving again from the returned form is a deliberate choice and works
    newer = re.search(r'name="version" type="hidden" value="(\d+)"', body).group(1)
    again = _post(colleague, path, _form(title="Andra versionen", version=newer))
    assert again.status_code == 302
    with Session(app.extensions["db_engine"]) as s:
        assert s.get(Initiative, initiative_id).title == "Andra versionen"


def test_a_moderator_cannot_publish_a_version_they_have_not_seen(app, client, login_as):
    login_as("coordinator")
    initiative_id = _create(client, submit_review="Submit", save_draft=None)
    moderator = app.test_client()
    login_as("moderator", on=moderator)
    seen = _version(app, initiative_id)
    edited = _post(
        client,
        f"/initiatives/{initiative_id}/edit",
        _form(title="Ändrad i sista stund", version=seen, submit_review="Submit", save_draft=None),
    )
    assert edited.status_code == 302
    response = _post(moderator, f"/initiatives/{initiative_id}/publish", {"version": seen})
    assert response.status_code == 409
    with Session(app.extensions["db_engine"]) as s:
        assert s.get(Initiative, initiative_id).state == State.SUBMITTED


def test_an_incomplete_initiative_cannot_be_published(app, client, login_as):
    response = _post(
        client,
        "/suggest",
        {"title": "Robotdammsugare", "municipality": "0180", "summary": "Städar skolor."},
    )
    assert response.status_code == 302
    login_as("moderator")
    with Session(app.extensions["db_engine"]) as s:
        initiative_id, version = s.execute(
            select(Initiative.id, Initiative.version).where(Initiative.title == "Robotdammsugare")
        ).one()
    response = _post(client, f"/initiatives/{initiative_id}/publish?lang=en", {"version": version})
    assert response.status_code == 400
    assert "Choose at least one benefit area." in response.get_data(as_text=True)


def test_suggestions_wait_unseen_until_published(app, client, login_as):
    response = _post(
        client,
        "/suggest",
        {
            "title": "AI-tolk i skolan",
            "municipality": "1480",
            "summary": "Översätter föräldramöten.",
            "benefit_areas": ["accessibility"],
            "suggester_contact": "anna@example.se",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/suggest/thanks"
    assert client.get("/suggest/thanks").status_code == 200
    with Session(app.extensions["db_engine"]) as s:
        item = s.scalars(select(Initiative).where(Initiative.title == "AI-tolk i skolan")).one()
        assert (item.state, item.is_suggestion, item.author_id) == ("submitted", True, None)
        assert item.suggester_contact == "anna@example.se"
        assert item.status.slug == "idea"
        initiative_id, version = item.id, item.version
    public = app.test_client()
    assert public.get(f"/api/v1/initiatives/{initiative_id}").status_code == 404
    assert public.get(f"/initiatives/{initiative_id}").status_code == 404
    counts = {m["code"]: m["count"] for m in public.get("/api/v1/municipalities").get_json()}

    login_as("moderator")
    queue = client.get("/moderation?lang=en").get_data(as_text=True)
    assert "AI-tolk i skolan" in queue and "Suggested by the public" in queue
    review = client.get(f"/initiatives/{initiative_id}/review").get_data(as_text=True)
    assert "anna@example.se" in review  # the moderator may contact the suggester
    assert (
        _post(client, f"/initiatives/{initiative_id}/publish", {"version": version}).status_code
        == 302
    )
    assert public.get(f"/api/v1/initiatives/{initiative_id}").status_code == 200
    after = {m["code"]: m["count"] for m in public.get("/api/v1/municipalities").get_json()}
    assert after["1480"] == counts["1480"] + 1
    assert "anna@example.se" not in public.get(f"/initiatives/{initiative_id}").get_data(
        as_text=True
    )
    assert [a for a, _ in _revisions(app, initiative_id)] == ["suggested", "published"]


def test_suggestion_honeypot_keeps_nothing(app, client):
    before = _count(app)
    response = _post(
        client,
        "/suggest",
        {"title": "Spam", "municipality": "0180", "summary": "Köp!", "website": "http://spam"},
    )
    assert response.status_code == 302
    assert _count(app) == before


def test_suggestion_form_problems_and_rate_limit(app, client):
    before = _count(app)
    empty = _post(client, "/suggest?lang=en", {"title": "", "municipality": "", "summary": ""})
    assert empty.status_code == 400
    body = empty.get_data(as_text=True)
    assert _error_beside(body, "title") and _error_beside(body, "municipality")
    assert client.post("/suggest", data={"title": "x"}).status_code == 400  # no CSRF token
    for _ in range(4):
        _post(client, "/suggest", {"title": "Spam", "website": "bot"})
    limited = _post(client, "/suggest?lang=en", {"title": "Spam", "website": "bot"})
    assert limited.status_code == 429
    assert "Too many requests" in limited.get_data(as_text=True)
    assert _count(app) == before


def test_coordinator_deletes_a_draft(app, client, login_as):
    login_as("coordinator")
    initiative_id = _create(client)
    response = _post(
        client, f"/initiatives/{initiative_id}/delete", {"version": _version(app, initiative_id)}
    )
    assert response.status_code == 302
    with Session(app.extensions["db_engine"]) as s:
        assert s.get(Initiative, initiative_id) is None
        assert not s.scalar(select(func.count()).where(Revision.initiative_id == initiative_id))


def test_user_written_text_is_escaped_on_every_page(app, client, login_as):
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    login_as("admin")
    initiative_id = _create(
        client,
        title=script,
        summary=script,
        description=script,
        submit_review="Submit",
        save_draft=None,
    )
    for path in (
        f"/initiatives/{initiative_id}/review",
        f"/initiatives/{initiative_id}/edit",
        f"/initiatives/{initiative_id}/history",
        "/initiatives/mine",
        "/moderation",
    ):
        body = client.get(path).get_data(as_text=True)
        assert "&lt;script&gt;" in body, path
        assert "<script>alert" not in body and "<img src=x" not in body, path


def test_malformed_requests_are_400_not_500(app, client, login_as):
    login_as("coordinator")
    initiative_id = _create(client)
    path = f"/initiatives/{initiative_id}"
    assert _post(client, f"{path}/submit", {"version": "abc"}).status_code == 400
    assert _post(client, f"{path}/submit", {}).status_code == 400
    assert _post(client, f"{path}/edit", _form(version="")).status_code == 400
    assert client.get("/initiatives/mine?page=x").status_code == 400
    assert client.get("/moderation?page=0").status_code in (400, 403)
    # control characters (PostgreSQL refuses NUL) are dropped, not a 500
    new = _create(client, title="Nul\x00 tecken\x07")
    with Session(app.extensions["db_engine"]) as s:
        assert s.get(Initiative, new).title == "Nul tecken"


def test_submitting_twice_is_a_conflict(app, client, login_as):
    login_as("coordinator")
    initiative_id = _create(client, submit_review="Submit", save_draft=None)
    response = _post(
        client, f"/initiatives/{initiative_id}/submit", {"version": _version(app, initiative_id)}
    )
    assert response.status_code == 409


def test_saving_a_published_initiative_unchanged_leaves_nothing_to_review(app, client, login_as):
    initiative_id = _published(app)
    login_as("coordinator")
    form = _form(
        title="Publicerad chatbot",
        summary="Svarar på frågor.",
        description="",
        benefit_areas=["efficiency"],
        areas=None,
        technologies=None,
        status="production",
        start_year="",
        url="",
        version=_version(app, initiative_id),
    )
    response = _post(client, f"/initiatives/{initiative_id}/edit", form)
    assert response.status_code == 302
    with Session(app.extensions["db_engine"]) as s:
        item = s.get(Initiative, initiative_id)
        assert (item.pending, item.pending_state) == (None, None)
    assert _revisions(app, initiative_id) == []


def test_a_write_racing_past_the_version_check_is_still_a_conflict(app):
    """Between the service's version check and its UPDATE another writer commits: the UPDATE
    matches no row at the old version, and the service says Conflict instead of overwriting."""
    initiative_id = _published(app, title="Före")
    with Session(app.extensions["db_engine"]) as s:
        item = submissions.load(s, initiative_id)
        submissions.require_version(item, item.version)  # passes: nobody has changed it yet
        s.execute(  # the other writer, behind the ORM's back
            update(Initiative)
            .where(Initiative.id == initiative_id)
            .values(title="Någon annans", version=Initiative.version + 1)
            .execution_options(synchronize_session=False)
        )
        item.title = "Min"
        with pytest.raises(Conflict):
            submissions.commit(s)
    with Session(app.extensions["db_engine"]) as s:
        assert s.get(Initiative, initiative_id).title == "Före"  # rolled back, "Min" not written


def test_deleting_what_another_moderator_deleted_a_moment_ago_is_a_404(
    app, client, login_as, databases, monkeypatch
):
    """Two moderators delete the same initiative at once: the second finds it gone (404)
    instead of a server error."""
    if databases.backend == "sqlite":
        pytest.skip("SQLite runs one writing transaction at a time (BEGIN IMMEDIATE)")
    login_as("moderator")
    initiative_id = _create(client)
    version = _version(app, initiative_id)
    require_version = submissions.require_version

    def require_version_after_another_delete(initiative, expected):
        with Session(app.extensions["db_engine"]) as other, other.begin():
            other.delete(other.get_one(Initiative, initiative_id))
        require_version(initiative, expected)

    monkeypatch.setattr(submissions, "require_version", require_version_after_another_delete)
    response = _post(client, f"/initiatives/{initiative_id}/delete", {"version": version})
    assert response.status_code == 404
