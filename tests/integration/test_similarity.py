"""Similar initiatives and possible duplicates on crafted data, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy.orm import Session

from kommunkarta.models import Initiative, State
from kommunkarta.services.places import similarity
from tests.integration import helpers
from tests.integration.helpers import wait_until

CHATBOT = (
    "Chattbot för hemtjänsten",
    "En chattbot svarar anhöriga om hemtjänstens besökstider och insatser dygnet runt.",
    "Chattboten bygger på en språkmodell och tränas på hemtjänstens egna rutiner.",
)
NEAR = (
    "Chattbot i hemtjänsten",
    "En chattbot svarar anhöriga om hemtjänstens besökstider och insatser hela dygnet.",
    "Chattboten bygger på en språkmodell som tränats på hemtjänstens rutiner.",
)


def add(
    session: Session,
    text: tuple[str, str, str],
    places: tuple[str, ...],
    *,
    areas: tuple[str, ...] = ("elderly-care",),
    techs: tuple[str, ...] = ("chatbot",),
    **fields,
) -> Initiative:
    """A pilot of `text` (title, summary, description) in `places`, committed."""
    title, summary, description = text
    return helpers.add(
        session,
        title,
        summary=summary,
        description=description,
        places=places,
        areas=areas,
        techs=techs,
        **fields,
    )


@pytest.fixture
def crafted(session):
    """An initiative in Stockholm and others around it, by name."""
    made = {
        "original": add(session, CHATBOT, ("0180",)),
        "near": add(session, NEAR, ("1480",), contact="ai@goteborg.se"),
        "related": add(
            session,
            (
                "Chattbot för invånarfrågor",
                "En chattbot svarar invånare om kommunens tjänster dygnet runt.",
                "Den bygger på en språkmodell.",
            ),
            ("1280",),
            areas=("communication",),
        ),
        "same_terms_other_text": add(
            session,
            (
                "Prognoser för snöröjning",
                "Maskininlärning förutser snöfall så att plogbilarna kan planeras.",
                "Väderdata från SMHI kombineras med historik.",
            ),
            ("0380",),
        ),
        "same_municipality": add(session, NEAR, ("0180",)),
        "shared_with_stockholm": add(session, NEAR, ("0184", "0180")),
        "draft": add(session, NEAR, ("2584",), state=State.DRAFT),
        "submitted": add(session, NEAR, ("2584",), state=State.SUBMITTED),
        "rejected": add(session, NEAR, ("2584",), state=State.REJECTED),
    }
    return {name: item.id for name, item in made.items()}


def similar_ids(session, initiative_id):
    with Session(session.get_bind()) as fresh:
        found = similarity.similar(fresh, fresh.get(Initiative, initiative_id))
        return [m.initiative.id for m in found]


def test_a_near_duplicate_ranks_first_and_unrelated_ones_never_appear(session, crafted):
    ranked = similar_ids(session, crafted["original"])
    assert ranked == [crafted["near"], crafted["related"]]


def test_nothing_unpublished_and_nothing_from_the_same_municipality(session, crafted):
    ranked = similar_ids(session, crafted["near"])  # from Göteborg
    assert crafted["original"] in ranked
    assert crafted["same_municipality"] in ranked and crafted["shared_with_stockholm"] in ranked
    assert not {crafted[k] for k in ("draft", "submitted", "rejected", "near")} & set(ranked)


def test_shared_terms_break_ties_between_equal_texts(session):
    original = add(session, CHATBOT, ("0180",), benefits=("efficiency", "safety"))
    fewer = add(session, NEAR, ("1480",), benefits=("democracy",), areas=("education",))
    more = add(session, NEAR, ("1280",), benefits=("efficiency", "safety"))
    assert similar_ids(session, original.id) == [more.id, fewer.id]


def page_titles(response) -> list[str]:
    html = response.get_data(as_text=True)
    section = html.split('id="similar-heading"', 1)[1]
    return [
        unescape(t)
        for t in re.findall(
            r'class="initiative-title" href="[^"]+">(?:<span lang="\w+">)?([^<]*)<', section
        )
    ]


def test_the_initiative_page_lists_them_with_place_county_status_and_contact(client, crafted):
    response = client.get(f"/initiatives/{crafted['original']}?lang=en")
    assert response.status_code == 200
    assert page_titles(response) == [NEAR[0], "Chattbot för invånarfrågor"]
    html = response.get_data(as_text=True).split('id="similar-heading"', 1)[1]
    assert "Göteborg" in html and "Västra Götalands län" in html and "Pilot" in html
    assert 'href="mailto:ai@goteborg.se"' in html
    assert "In common" in html and "Chatbot and virtual assistant" in html


def test_user_written_text_is_escaped_in_the_list(client, session):
    original = add(session, CHATBOT, ("0180",))
    add(
        session,
        (NEAR[0] + " <script>alert(1)</script>", NEAR[1], NEAR[2]),
        ("1480",),
        contact="<b>x</b>",
    )
    html = client.get(f"/initiatives/{original.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert "<b>x</b>" not in html


def test_a_lone_initiative_says_so(client, session):
    lone = add(session, CHATBOT, ("0180",))
    text = client.get(f"/initiatives/{lone.id}?lang=en").get_data(as_text=True)
    assert "No similar initiative in another municipality yet." in text


def test_an_index_from_before_a_write_never_shows_what_is_no_longer_published(
    session, crafted, monkeypatch
):
    assert similar_ids(session, crafted["original"])[0] == crafted["near"]  # index built
    monkeypatch.setattr(similarity, "SYNC_LIMIT", 0)  # large from now on: no rebuild at once
    monkeypatch.setattr(similarity, "REBUILD_AFTER", 3600)  # and none in the background
    near = session.get(Initiative, crafted["near"])
    near.state = State.DRAFT
    session.commit()
    assert similar_ids(session, crafted["original"]) == [crafted["related"]]


def test_a_large_index_is_rebuilt_in_the_background_after_a_write(
    client, session, crafted, monkeypatch
):
    url = f"/initiatives/{crafted['original']}?lang=en"
    assert page_titles(client.get(url))[0] == NEAR[0]  # the first index: built at once
    monkeypatch.setattr(similarity, "SYNC_LIMIT", 0)
    monkeypatch.setattr(similarity, "REBUILD_AFTER", 0)
    add(session, CHATBOT, ("2584",))  # a copy in Kiruna: the most similar of all
    assert page_titles(client.get(url))[0] == NEAR[0]  # the previous index, meanwhile
    wait_until(lambda: not similarity._building, "the index was not built")
    assert page_titles(client.get(url))[0] == CHATBOT[0]


def test_a_large_first_index_is_built_in_the_background_while_the_page_says_so(
    client, session, crafted, monkeypatch, hold
):
    """Above SYNC_LIMIT the first build takes longer than a worker may spend on a request:
    the page answers at once, says the similar initiatives are being gathered, and shows
    them once the thread is done; the duplicate check finds none meanwhile."""
    monkeypatch.setattr(similarity, "_indexes", similarity.OrderedDict())  # a new process
    monkeypatch.setattr(similarity, "SYNC_LIMIT", 0)
    _started, release = hold(similarity, "_build_apart")  # until the checks below are done
    url = f"/initiatives/{crafted['original']}"
    waiting = client.get(f"{url}?lang=en")
    assert waiting.status_code == 200
    assert "The similar initiatives are being gathered" in waiting.get_data(as_text=True)
    assert page_titles(waiting) == []
    assert similarity.possible_duplicates(session, *CHATBOT, ["0180"]) == []
    assert "De liknande initiativen" in client.get(f"{url}?lang=sv").get_data(as_text=True)
    assert similarity._building  # one thread, not one per request
    release.set()
    wait_until(lambda: not similarity._building, "the index was not built")
    assert page_titles(client.get(f"{url}?lang=en"))[0] == NEAR[0]
    assert "De liknande initiativen" not in client.get(f"{url}?lang=sv").get_data(as_text=True)


def test_possible_duplicates_are_in_the_same_municipality_and_published(session, crafted):
    found = similarity.possible_duplicates(session, *CHATBOT, ["0180"])
    assert [m.initiative.id for m in found] == sorted(
        [crafted["original"], crafted["same_municipality"], crafted["shared_with_stockholm"]],
        key=lambda i: (i != crafted["original"], i),
    )
    assert found[0].score == pytest.approx(1.0, abs=1e-4)
    editing = similarity.possible_duplicates(
        session, *CHATBOT, ["0180"], exclude=crafted["original"]
    )
    assert crafted["original"] not in [m.initiative.id for m in editing]
    assert similarity.possible_duplicates(session, *CHATBOT, ["2584"]) == []  # drafts only
    other = ("Prognoser för snöröjning", "Snöfall förutses.", "")
    assert similarity.possible_duplicates(session, *other, ["0180"]) == []
