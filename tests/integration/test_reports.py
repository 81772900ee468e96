"""Readers' reports over HTTP on both databases: anyone reports a mistake on an initiative's
page (CSRF, honeypot, rate limit), nothing is stored without text, the coordinators and the
moderators resolve reports with a reply that the public then sees — and never the report."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kommunkarta.models import Report
from tests.conftest import csrf_from
from tests.integration.upkeep_data import counts, published, reported

pytestmark = pytest.mark.usefixtures("fresh_limits")


@pytest.fixture(scope="module")
def app(module_app):
    return module_app


def _report(client, initiative_id: int, **fields):
    token = csrf_from(client.get("/suggest"))  # any form of the session gives its token
    data = {"csrf_token": token, "text": "", "contact": "", "website": "", **fields}
    return client.post(f"/initiatives/{initiative_id}/report?lang=en", data=data)


def _reports(app, initiative_id: int) -> list[Report]:
    with Session(app.extensions["db_engine"]) as s:
        return list(s.scalars(select(Report).where(Report.initiative_id == initiative_id)))


def test_anyone_reports_a_mistake_from_the_initiative_page(app):
    client = app.test_client()
    initiative_id = published(app, ["0180"])
    page = client.get(f"/initiatives/{initiative_id}?lang=en").get_data(as_text=True)
    assert "Report an error or suggest a change" in page
    response = _report(
        client,
        initiative_id,
        text="Webbadressen går till fel sida <script>alert(1)</script>",
        contact="lasare@example.se",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/initiatives/{initiative_id}")
    stored = _reports(app, initiative_id)
    assert [(r.text, r.contact, r.resolved_at) for r in stored] == [
        ("Webbadressen går till fel sida <script>alert(1)</script>", "lasare@example.se", None)
    ]
    public = client.get(f"/initiatives/{initiative_id}").get_data(as_text=True)
    assert "Webbadressen" not in public and "lasare@example.se" not in public


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"text": ""}, 400, "Describe the mistake or the change."),
        ({"text": "   \n  "}, 400, "Describe the mistake or the change."),
        ({"text": "x" * 2001}, 400, "2000"),
        ({"text": "Fel", "contact": "y" * 201}, 400, "200"),
        ({"text": "Köp billiga klockor", "website": "https://spam.example"}, 302, ""),
    ],
)
def test_bad_reports_and_robots_store_nothing(app, fields, status, message):
    client = app.test_client()
    initiative_id = published(app, ["0180"])
    before = counts(app)
    response = _report(client, initiative_id, **fields)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert counts(app) == before


def test_a_report_needs_its_token_and_a_published_initiative(app):
    client = app.test_client()
    initiative_id = published(app, ["0180"])
    draft = published(app, ["0180"], state="draft")
    assert (
        client.post(f"/initiatives/{initiative_id}/report", data={"text": "Fel"}).status_code == 400
    )
    assert _report(client, draft, text="Fel").status_code == 404
    assert client.get(f"/initiatives/{draft}/report").status_code == 404
    assert _reports(app, initiative_id) == [] and _reports(app, draft) == []


def test_reports_are_rate_limited_like_suggestions(app):
    client = app.test_client()
    initiative_id = published(app, ["0180"])
    statuses = [
        _report(client, initiative_id, text=f"Fel nummer {n}").status_code for n in range(6)
    ]
    assert statuses == [302] * 5 + [429]
    assert len(_reports(app, initiative_id)) == 5


def test_resolving_with_a_reply_shows_the_reply_and_nothing_else(app, client, login_as):
    initiative_id = published(app, ["0180"])
    report_id = reported(app, initiative_id, text="Privat: ring Anna på 070-123")
    login_as("coordinator", ("0180",))
    queue = client.get("/reports?lang=en")
    assert "Privat: ring Anna" in queue.get_data(as_text=True)
    moderation_like = client.get("/initiatives/mine?lang=en").get_data(as_text=True)
    assert "open report" in moderation_like
    token = csrf_from(queue)
    empty = client.post(
        f"/reports/{report_id}/resolve?lang=en", data={"csrf_token": token, "reply": " "}
    )
    assert empty.status_code == 400
    assert "Write a reply" in empty.get_data(as_text=True)
    reply = "Tack! Vi har rättat <em>adressen</em>."
    done = client.post(f"/reports/{report_id}/resolve", data={"csrf_token": token, "reply": reply})
    assert done.status_code == 302
    public = app.test_client().get(f"/initiatives/{initiative_id}?lang=en").get_data(as_text=True)
    assert "Corrections and answers to readers" in public
    assert "Tack! Vi har rättat &lt;em&gt;adressen&lt;/em&gt;." in public
    assert "Privat" not in public
    again = client.post(
        f"/reports/{report_id}/resolve", data={"csrf_token": token, "reply": "Igen"}
    )
    assert again.status_code == 409
    assert "Privat: ring Anna" not in client.get("/reports").get_data(as_text=True)


def test_the_moderation_page_counts_open_reports(app, client, login_as):
    login_as("moderator")
    before = client.get("/moderation?lang=en").get_data(as_text=True)
    initiative_id = published(app, ["1480"])
    reported(app, initiative_id)
    reported(app, initiative_id)
    after = client.get("/moderation?lang=en").get_data(as_text=True)
    number = int(_open_reports(before))
    assert int(_open_reports(after)) == number + 2


def _open_reports(html: str) -> str:
    import re

    match = re.search(r"(\d+) open reports? from readers", html)
    assert match, "no count of open reports"
    return match.group(1)
