"""Before a coordinator's initiative is submitted, published initiatives in the same
municipality that look like it are shown; a second submit saves it. On both databases."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kommunkarta.models import BenefitArea, Initiative, Municipality, State, Status
from tests.conftest import csrf_from

TEXT = {
    "title": "Chattbot för bygglovsfrågor",
    "summary": "En chattbot svarar invånare om bygglov och detaljplaner dygnet runt.",
    "description": "Boten bygger på en språkmodell och kommunens egna bygglovsrutiner.",
}


def published(app, places=("0180",), state=State.PUBLISHED, **text) -> int:
    fields = {**TEXT, **text}
    with Session(app.extensions["db_engine"], expire_on_commit=False) as s, s.begin():
        item = Initiative(
            **fields,
            status=s.scalar(select(Status).where(Status.slug == "production")),
            state=state,
            municipalities=[s.get(Municipality, code) for code in places],
            benefit_areas=[s.scalar(select(BenefitArea).where(BenefitArea.slug == "efficiency"))],
        )
        item.refresh_search_text()
        s.add(item)
    return item.id


def count(app) -> int:
    with Session(app.extensions["db_engine"]) as s:
        return s.execute(select(func.count(Initiative.id))).scalar_one()


def form(intent="submit_review", **overrides) -> dict:
    data = {
        **TEXT,
        "municipalities": ["0180"],
        "benefit_areas": ["efficiency"],
        "status": "pilot",
        "start_year": "2024",
        "contact": "ai@stockholm.se",
        intent: "x",
    }
    data.update(overrides)
    return data


def post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_from(client.get("/suggest"))})


def test_a_look_alike_is_shown_before_saving_and_a_second_submit_saves(app, client, login_as):
    login_as("coordinator")
    existing = published(app, title=TEXT["title"] + " <i>")
    before = count(app)
    warned = post(client, "/initiatives/new?lang=en", form())
    assert warned.status_code == 200 and count(app) == before
    html = warned.get_data(as_text=True)
    assert "Is it one of these?" in html
    assert f'href="/initiatives/{existing}" target="_blank"' in html
    assert "&lt;i&gt;" in html and "<i>" not in html.split('id="duplicates"')[1][:2000]
    assert 'name="duplicates_seen" value="1"' in html
    assert TEXT["summary"] in unescape(html)  # what was typed is kept
    saved = post(client, "/initiatives/new", form(duplicates_seen="1"))
    assert saved.status_code == 302 and count(app) == before + 1


@pytest.mark.parametrize(
    "case",
    ["draft", "other municipality", "other text", "unpublished look-alike"],
)
def test_no_warning_when_nothing_published_here_looks_alike(app, client, login_as, case):
    login_as("coordinator")
    if case == "other municipality":
        published(app, places=("1480",))
    elif case == "unpublished look-alike":
        published(app, state=State.SUBMITTED)
    else:
        published(app)
    data = {
        "draft": form(intent="save_draft"),
        "other municipality": form(),
        "other text": form(
            title="Prognoser för snöröjning",
            summary="Maskininlärning förutser snöfall så att plogbilarna planeras i tid.",
            description="Väderdata kombineras med historik över halka.",
        ),
        "unpublished look-alike": form(),
    }[case]
    response = post(client, "/initiatives/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)


def test_editing_an_initiative_is_not_warned_about_itself(app, client, login_as):
    login_as("coordinator")
    existing = published(app)
    page = client.get(f"/initiatives/{existing}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    response = post(client, f"/initiatives/{existing}/edit", form(version=version))
    assert response.status_code == 302, response.get_data(as_text=True)
