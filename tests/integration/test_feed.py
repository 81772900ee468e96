"""The Atom feed: a valid Atom 1.0 document of the latest published initiatives under the
filters, with absolute links from the public URL, cheap to poll, announced on the pages."""

import re
import xml.etree.ElementTree as ET
from datetime import datetime

import feedparser
import pytest
from sqlalchemy import select

from kommunkarta.models import BenefitArea, Initiative, Municipality, State, Status

ATOM = "{http://www.w3.org/2005/Atom}"
PUBLIC = "http://127.0.0.1:5000/"


@pytest.fixture(scope="module")
def client(seeded_app):
    return seeded_app.test_client()


def one(parent: ET.Element, name: str) -> ET.Element:
    found = parent.findall(ATOM + name)
    assert len(found) == 1, f"{parent.tag} must have exactly one {name}, has {len(found)}"
    return found[0]


def text(element: ET.Element) -> str:
    assert element.text is not None, f"{element.tag} is empty"
    return element.text


def rfc3339(text: str) -> datetime:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", text), text
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def valid_atom(response) -> ET.Element:
    """The feed, checked against what RFC 4287 requires of a feed and its entries."""
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/atom+xml"
    body = response.get_data()
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    root = ET.fromstring(body)
    assert root.tag == ATOM + "feed"
    for name in ("id", "title", "updated"):
        one(root, name)
    rfc3339(text(one(root, "updated")))
    assert one(one(root, "author"), "name").text
    links = {link.get("rel"): link.get("href") for link in root.findall(ATOM + "link")}
    assert (links["self"] or "").startswith(PUBLIC + "feed.atom")
    entries = root.findall(ATOM + "entry")
    assert len(entries) <= 50
    for entry in entries:
        for name in ("id", "title", "updated", "summary"):
            one(entry, name)
        rfc3339(text(one(entry, "updated")))
        alternates = [
            link for link in entry.findall(ATOM + "link") if link.get("rel") in (None, "alternate")
        ]
        assert len(alternates) == 1 and (alternates[0].get("href") or "").startswith(PUBLIC)
    ids = [one(e, "id").text for e in entries]
    assert len(set(ids)) == len(ids)
    return root


def entry_ids(root: ET.Element) -> list[int]:
    return [int(text(one(e, "id")).rsplit("/", 1)[1]) for e in root.findall(ATOM + "entry")]


def test_the_whole_feed_is_the_50_latest_published(client):
    root = valid_atom(client.get("/feed.atom"))
    ids = entry_ids(root)
    assert len(ids) == 50
    published = [rfc3339(one(e, "published").text) for e in root.findall(ATOM + "entry")]
    assert published == sorted(published, reverse=True)


@pytest.mark.parametrize(
    "args",
    [
        {"benefit": "efficiency", "region": "14"},
        {"tech": "chatbot"},
        {"municipality": "0180"},
        {"status": ["pilot", "production"], "year_from": "2020"},
    ],
)
def test_a_filtered_feed_holds_only_matching_initiatives(client, args):
    root = valid_atom(client.get("/feed.atom", query_string=args))
    ids = set(entry_ids(root))
    matching = client.get("/api/v1/initiatives", query_string={**args, "per_page": 200}).get_json()
    assert ids <= {item["id"] for item in matching["items"]} or matching["total"] > 200
    assert len(ids) == min(50, matching["total"])
    assert ids, "the filter matches something, so the check means something"
    for initiative_id in ids:
        item = client.get(f"/api/v1/initiatives/{initiative_id}").get_json()
        for name, key in (("benefit", "benefit_areas"), ("tech", "technologies")):
            if name in args:
                assert args[name] in item[key]


def test_entries_carry_title_summary_places_benefits_and_link(client):
    root = valid_atom(client.get("/feed.atom?lang=en"))
    entry = root.find(ATOM + "entry")
    initiative_id = entry_ids(root)[0]
    item = client.get(f"/api/v1/initiatives/{initiative_id}").get_json()
    assert one(entry, "title").text == item["title"]
    summary = one(entry, "summary").text
    assert item["summary"] in summary
    assert "Municipalities: " + ", ".join(m["name"] for m in item["municipalities"]) in summary
    terms = {c.get("term") for c in entry.findall(ATOM + "category")}
    assert {m["code"] for m in item["municipalities"]} | set(item["benefit_areas"]) == terms
    link = entry.find(ATOM + "link").get("href")
    assert link == f"{PUBLIC}initiatives/{initiative_id}?lang=en"


def test_links_come_from_the_public_url_never_the_host(client):
    root = valid_atom(client.get("/feed.atom?tech=chatbot", headers={"Host": "evil.example"}))
    body = ET.tostring(root, encoding="unicode")
    assert "evil.example" not in body
    assert one(root, "id").text == PUBLIC + "feed.atom?tech=chatbot"


def test_readers_poll_for_a_304(client):
    first = client.get("/feed.atom?benefit=safety")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert (
        client.get("/feed.atom?benefit=safety", headers={"If-None-Match": etag}).status_code == 304
    )
    again = client.get("/feed.atom?benefit=safety", headers={"If-Modified-Since": modified})
    assert again.status_code == 304
    other = client.get("/feed.atom?benefit=efficiency", headers={"If-None-Match": etag})
    assert other.status_code == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [("benefit=nope", "benefit"), ("region=1", "region"), ("year_to=20x0", "year_to")],
)
def test_a_bad_filter_is_a_400_naming_it(client, query, field):
    response = client.get(f"/feed.atom?{query}")
    assert response.status_code == 400
    assert field in response.get_data(as_text=True)


def test_typed_text_is_escaped_and_unpublished_work_stays_out(app, session):
    hostile = '<script>alert(1)</script> & "quotes" \x0b'
    for title, state in ((hostile, State.PUBLISHED), ("Utkast", State.DRAFT)):
        item = Initiative(
            title=title,
            summary="<b>fet</b>",
            state=state,
            status=session.scalar(select(Status).where(Status.slug == "pilot")),
            municipalities=[session.get(Municipality, "0180")],
            benefit_areas=[session.scalar(select(BenefitArea).where(BenefitArea.slug == "safety"))],
        )
        item.refresh_search_text()
        session.add(item)
        session.commit()
    root = valid_atom(app.test_client().get("/feed.atom"))
    entries = root.findall(ATOM + "entry")
    assert [one(e, "title").text for e in entries] == [hostile.replace("\x0b", "")]
    assert one(entries[0], "summary").text.startswith("<b>fet</b>")


def test_a_term_name_xml_cannot_hold_leaves_the_feed_well_formed(app, session):
    """The admin's form clears control characters from a term's name but takes U+FFFE and
    U+FFFF, which no XML document may hold."""
    benefit = session.scalar(select(BenefitArea).where(BenefitArea.slug == "safety"))
    benefit.name_sv = benefit.name_en = "Trygghet\ufffe\uffff"
    item = Initiative(
        title="Larm",
        state=State.PUBLISHED,
        status=session.scalar(select(Status).where(Status.slug == "pilot")),
        municipalities=[session.get(Municipality, "0180")],
        benefit_areas=[benefit],
    )
    item.refresh_search_text()
    session.add(item)
    session.commit()
    root = valid_atom(app.test_client().get("/feed.atom"))
    entry = one(root, "entry")
    assert "Trygghet" in text(one(entry, "summary")) and "\ufffe" not in text(one(entry, "summary"))
    labels = [c.get("label") for c in entry.findall(ATOM + "category")]
    assert "Trygghet" in labels


def test_pages_announce_the_feed_and_show_a_follow_link(client):
    for page, args in (
        ("/", "benefit=efficiency"),
        ("/initiatives", "benefit=efficiency"),
        ("/municipalities/0180", "benefit=efficiency"),
        ("/regions/14", "benefit=efficiency"),
    ):
        html = client.get(f"{page}?{args}&lang=sv").get_data(as_text=True)
        alternate = re.search(r'<link rel="alternate" type="application/atom\+xml"[^>]*>', html)
        assert alternate, page
        href = re.search(r'href="([^"]+)"', alternate.group(0)).group(1).replace("&amp;", "&")
        assert href.startswith("/feed.atom?") and "benefit=efficiency" in href
        if page != "/" and page != "/initiatives":
            assert page.rsplit("/", 1)[1] in href  # the place is in the feed's filter
        assert re.search(r'class="follow-link"[^>]*>Följ<', html), page
        assert client.get(href).status_code == 200
