"""The map page kept for visitors who are not signed in (public.page_cache): the same bytes
as a fresh render apart from the nonce, new after every write, never for someone signed in
or with a message waiting, never for a bad filter; on both databases."""

import re
import sys

import pytest
from flask import g
from sqlalchemy import select

from kommunkarta import cache, geo
from kommunkarta.models import BenefitArea, State
from kommunkarta.public import map_views, page_cache
from tests.integration.helpers import add, map_config

QUERIES = [
    "",
    "lang=en",
    "lang=sv",
    "benefit=efficiency&benefit=safety&lang=en",
    "benefit=safety&benefit=efficiency&lang=sv",
    "level=region&lang=en",
    "measure=hours&status=pilot",
    "q=chatt%C3%A4&year_from=2020&lang=en",
    "region=01&tech=chatbot&unknown=kept",
]
NONCE = re.compile(r"'nonce-([^']+)'")


def _nonce(response) -> str:
    found = NONCE.search(response.headers["Content-Security-Policy"])
    assert found, "no nonce in the policy"
    return found.group(1)


def _without_nonce(response) -> str:
    html = response.get_data(as_text=True)
    nonce = _nonce(response)
    assert html.count(f'nonce="{nonce}"') == 3  # the page's three inline scripts carry it
    return html.replace(nonce, "NONCE")


def _headers(response) -> dict:
    """The headers apart from the ones that change on every response."""
    headers = dict(response.headers)
    headers["Content-Security-Policy"] = NONCE.sub("NONCE", headers["Content-Security-Policy"])
    headers["Vary"] = ", ".join(sorted(response.vary))  # the same set in any order
    for name in ("Date", "Set-Cookie", "Content-Length"):
        headers.pop(name, None)
    return headers


def _kept(app) -> int:
    pages = app.extensions.get(page_cache.EXTENSION)
    return len(pages.pages) if pages else 0


def _forget(app) -> None:
    app.extensions.pop(page_cache.EXTENSION, None)
    app.extensions.pop(page_cache.SHELLS, None)


@pytest.mark.parametrize("query", QUERIES)
def test_a_kept_page_is_a_fresh_render_but_for_the_nonce(seeded_app, query):
    _forget(seeded_app)
    client = seeded_app.test_client()
    fresh = client.get(f"/?{query}")
    assert fresh.status_code == 200
    assert _kept(seeded_app) == 1
    kept = client.get(f"/?{query}")
    assert _kept(seeded_app) == 1
    assert _nonce(kept) != _nonce(fresh)
    assert _without_nonce(kept) == _without_nonce(fresh)
    assert _headers(kept) == _headers(fresh)
    assert "Cookie" in kept.headers["Vary"]  # no shared cache gives one language to another
    assert "ETag" not in kept.headers  # a 304 would keep an old nonce under a new policy
    # a request that is not anonymous (any cookie but the language's) is rendered as usual
    client.set_cookie("other", "1")
    rendered = client.get(f"/?{query}")
    assert _without_nonce(rendered) == _without_nonce(fresh)


def test_the_language_cookie_chooses_the_kept_page(seeded_app):
    _forget(seeded_app)
    english, swedish = seeded_app.test_client(), seeded_app.test_client()
    english.get("/?lang=en")
    assert english.get_cookie("lang").value == "en"
    assert swedish.get("/").get_data(as_text=True).startswith('<!doctype html>\n<html lang="sv">')
    html = english.get("/").get_data(as_text=True)
    assert html.startswith('<!doctype html>\n<html lang="en">')
    assert "Initiatives" in html


def test_a_bad_filter_is_the_inline_400_every_time(seeded_app):
    _forget(seeded_app)
    client = seeded_app.test_client()
    for _ in range(2):
        response = client.get("/?year_from=x&lang=en")
        assert response.status_code == 400
        assert "From year: a year has four digits" in response.get_data(as_text=True)
    assert _kept(seeded_app) == 0


def test_the_coverage_view_is_rendered_each_time(seeded_app):
    _forget(seeded_app)
    client = seeded_app.test_client()
    assert client.get("/?view=coverage").status_code == 200
    assert _kept(seeded_app) == 0


def test_a_write_shows_at_once(app, session):
    client = app.test_client()
    pages = {q: client.get(f"/?{q}") for q in ("lang=en", "benefit=safety&lang=sv")}
    assert "0 initiatives" in pages["lang=en"].get_data(as_text=True)
    add(session, "Chattbot för bygglov", places=("0180",), benefits=("safety",))
    after = client.get("/?lang=en")
    assert _counts(app, after) == {"0180": 1}
    assert "1 initiative in 1 municipality" in after.get_data(as_text=True)
    swedish = client.get("/?benefit=safety&lang=sv")
    assert "1 initiativ i 1 kommun" in swedish.get_data(as_text=True)
    _forget(app)
    assert _without_nonce(client.get("/?lang=en")) == _without_nonce(after)
    add(session, "Prognos för hemtjänst", places=("1480",), benefits=("efficiency",))
    assert _counts(app, client.get("/?lang=en")) == {"0180": 1, "1480": 1}
    assert "1 initiativ i 1 kommun" in client.get("/?benefit=safety&lang=sv").get_data(as_text=True)


def test_a_page_read_before_a_write_does_not_evict_the_pages_after_it(app, session):
    """A request whose transaction read the data version before a write may finish after a
    request that read the new one and kept its page: its page is stale already, and the
    pages kept under the newer version stay (they were all dropped, and dropped again by
    the next newer page, for as long as requests kept arriving out of order)."""
    client = app.test_client()
    stale = app.extensions["db_sessionmaker"]()
    try:
        assert cache.version(stale) is not None  # the earlier request's transaction reads it
        add(session, "Chattbot för bygglov", places=("0180",))
        newer = client.get("/?lang=en")
        assert "1 initiative in 1 municipality" in newer.get_data(as_text=True)
        pages = app.extensions[page_cache.EXTENSION]
        kept = (pages.token, dict(pages.pages))
        assert len(kept[1]) == 1
        with app.test_request_context("/?lang=sv"):
            g.db_session = stale  # what db.session() gives the earlier request
            page, status = page_cache.serve(lambda: ("<p>0 initiativ</p>", 200))
            assert (page, status) == ("<p>0 initiativ</p>", 200)  # its own page, not kept
        assert (pages.token, dict(pages.pages)) == kept
        assert _without_nonce(client.get("/?lang=en")) == _without_nonce(newer)
    finally:
        stale.close()


def _counts(app, response) -> dict[str, int]:
    """The map's counts by code (the page has one for every municipality, in code order)."""
    config = map_config(response.get_data(as_text=True))
    with app.app_context():
        codes = sorted(geo.current().municipalities)
    return {code: n for code, n in zip(codes, config["valuesInCodeOrder"], strict=True) if n}


# pages whose filter form the map keeps rendered (public.map_views._filters): both languages,
# a chosen term, a bad value beside its field, both switches, the coverage view
FORM_QUERIES = [
    "lang=en",
    "lang=sv",
    "benefit=safety&lang=sv",
    "benefit=nope&q=%3Cb%3E&lang=en",
    "level=region&measure=sek&lang=en",
    "view=coverage&benefit=safety&lang=sv",
]


def _form(html: str) -> str:
    """The map's filter form."""
    start = html.index('<form class="filters"')
    return html[start : html.index("</form>", start)]


def _fresh(app, client, query: str, monkeypatch) -> str:
    """The page rendered from nothing kept: no page, no shell, no form, no cached query, and
    rendered whole (a request with a cookie of its own is neither kept nor filled in)."""
    _forget(app)
    with monkeypatch.context() as fresh:
        fresh.setattr(cache, "cached", lambda session, key, compute, **_: compute())
        client.set_cookie("other", "1")
        try:
            return _without_nonce(client.get(f"/?{query}"))
        finally:
            client.delete_cookie("other")


def _pages_are_fresh(app, client, monkeypatch) -> dict[str, str]:
    pages = {}
    for query in FORM_QUERIES:
        pages[query] = _without_nonce(client.get(f"/?{query}"))
        assert pages[query] == _fresh(app, client, query, monkeypatch), query
    return pages


def test_the_kept_filter_form_follows_named_writes_and_the_taxonomy(app, session, monkeypatch):
    client = app.test_client()
    add(session, "Chattbot för bygglov", places=("0180",), benefits=("safety",))
    _pages_are_fresh(app, client, monkeypatch)  # every form rendered and kept
    # a named write
    add(session, "Prognos för hemtjänst", places=("1480",), benefits=("efficiency",))
    pages = _pages_are_fresh(app, client, monkeypatch)
    assert "2 initiatives in 2 municipalities" in pages["lang=en"]
    safety = session.scalar(select(BenefitArea).where(BenefitArea.slug == "safety"))
    safety.name_en, safety.name_sv = "Safety renamed", "Säkerhet omdöpt"
    session.commit()  # a write to the taxonomy: every kept form is rendered again
    pages = _pages_are_fresh(app, client, monkeypatch)
    assert "Safety renamed" in _form(pages["lang=en"])
    assert "Säkerhet omdöpt" in _form(pages["benefit=safety&lang=sv"])


# pages filled from their kept shell after a write: measures with and without a note, both
# levels, a county with its municipalities, a filter no initiative matches, free text
SHELL_QUERIES = [
    "lang=en",
    "measure=hours&lang=en",
    "level=region&benefit=safety&lang=sv",
    "measure=sek&status=pilot",
    "region=01&lang=en",
    "tech=chatbot&year_from=2030",
    "q=%3Cb%3Eprognos&lang=en",
]


def test_after_a_named_write_the_page_is_filled_in_and_is_a_fresh_render(app, session, monkeypatch):
    """After writes that name their initiatives the map page is not rendered again: its
    kept shell is filled with the new counts, summary and note, escaped as the template
    escapes them, and the result is a fresh render byte for byte, nonce aside. A change of
    whether demo data is shown renders the page again."""
    client = app.test_client()
    renders = []
    render_template = map_views.render_template

    def counted(name, **context):
        renders.append(name)
        return render_template(name, **context)

    monkeypatch.setattr(map_views, "render_template", counted)
    safety = session.scalar(select(BenefitArea).where(BenefitArea.slug == "safety"))
    safety.name_sv = "Säkerhet & <trygghet>"  # written into the summary line, escaped
    item = add(session, "Chattbot för bygglov", places=("0180",), benefits=("safety",))

    def hours() -> None:
        item.hours_per_year, item.sek_per_year = 121.0, 40_000.0

    def demo() -> None:
        item.is_demo = not item.is_demo

    def withdraw() -> None:
        item.state = State.REJECTED

    def publish() -> None:
        add(session, "Prognos för hemtjänst", places=("1480",), benefits=("safety",))

    writes = [  # (write, whether it changes what the shells are kept for)
        (publish, False),
        (hours, False),
        (demo, True),  # the notice appears
        (withdraw, True),  # and goes: no demo initiative is published
        (demo, False),  # of an initiative the public does not see
    ]
    for query in SHELL_QUERIES:
        client.get(f"/?{query}")  # each shell rendered and kept
    for write, reshaped in writes:
        write()
        session.commit()
        renders.clear()
        pages = {query: _without_nonce(client.get(f"/?{query}")) for query in SHELL_QUERIES}
        assert ("public/map.html" in renders) == reshaped
        for query, page in pages.items():
            assert page == _fresh(app, client, query, monkeypatch), query
        for query in SHELL_QUERIES:
            client.get(f"/?{query}")  # the shells kept again, after the fresh renders
        if write is hours:
            assert "≈ 121 hours a year in all" in pages["measure=hours&lang=en"]
    assert "Säkerhet &amp; &lt;trygghet&gt;" in pages["level=region&benefit=safety&lang=sv"]
    assert "1 initiative in 1 municipality" in pages["lang=en"]


def test_signed_in_visitors_and_messages_get_their_own_page(app, client, login_as):
    anonymous = app.test_client()
    assert "Logga ut" not in anonymous.get("/").get_data(as_text=True)
    login_as("coordinator")
    html = client.get("/").get_data(as_text=True)
    assert "Logga ut" in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    client.post("/logout", data={"csrf_token": token})
    after = client.get("/")
    assert 'class="flash' in after.get_data(as_text=True)  # the message waiting in the session
    assert "Logga ut" not in after.get_data(as_text=True)
    assert "Logga ut" not in anonymous.get("/").get_data(as_text=True)


def test_the_cache_is_bounded_by_the_memory_its_pages_take():
    size = sys.getsizeof("x" * 30)  # the same for every 30-character ASCII page
    pages = page_cache.PageCache(max_bytes=3 * size + size // 2)
    for n in range(10):
        pages.put("t", n, "x" * 30)
    assert list(pages.pages) == [7, 8, 9] and pages.bytes == 3 * size
    assert pages.get("t", 8) == "x" * 30
    pages.put("t", 10, "y" * 30)  # 7 is the least recently used
    assert list(pages.pages) == [9, 8, 10]
    assert pages.get("u", 10) is None  # another data version: nothing kept serves it
    pages.put("u", 1, "z")
    assert list(pages.pages) == [1] and pages.bytes == sys.getsizeof("z")
    pages.put("u", 2, "w" * 4 * size)  # larger than the whole cache: not kept
    assert list(pages.pages) == [1]
    wide = "–" * 30  # a character past Latin-1 takes two bytes each, and so does the page
    assert sys.getsizeof(wide) > 2 * 30
    pages.put("u", 3, wide)
    pages.put("u", 4, wide)  # the two fit only without 1
    assert list(pages.pages) == [3, 4] and pages.bytes == 2 * sys.getsizeof(wide)


def test_a_page_of_an_older_serial_is_not_kept_and_drops_nothing():
    pages = page_cache.PageCache()
    pages.put("t6", 1, "a", serial=6)
    pages.put("t5", 2, "b", serial=5)  # read before the write that gave t6
    assert (pages.token, list(pages.pages)) == ("t6", [1])
    pages.put("t6", 2, "b", serial=4)  # a shell's reference token, read at an older serial
    assert (pages.token, list(pages.pages), pages.serial) == ("t6", [1, 2], 6)
    pages.put("t9", 3, "c", serial=9)  # a write since
    assert (pages.token, list(pages.pages), pages.serial) == ("t9", [3], 9)
    pages.put("u", 4, "d")  # a schema without serials: the token alone decides
    assert (pages.token, list(pages.pages)) == ("u", [4])
