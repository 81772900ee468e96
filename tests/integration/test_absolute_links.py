"""Absolute links come from KOMMUNKARTA_PUBLIC_URL alone: a request's Host header (or a
forwarded host from an untrusted client) never ends up in a page, a snippet or a link."""

import re
from html import unescape

import pytest

from kommunkarta import config, links
from tests.conftest import make_app

EVIL = "evil.example"
PAGES = [
    "/",
    "/initiatives",
    "/municipalities/0180",
    "/regions/01",
    "/stats",
    "/figures",
    "/embed?municipality=0180",
    "/compare?municipality=0180&municipality=1480",
    "/login",
    "/suggest",
    "/api/v1/openapi.json",
    "/api/v1/initiatives",
]


def _snippet(html: str) -> str:
    textarea = re.search(r'<textarea id="embed-code"[^>]*>(.*?)</textarea>', html, re.S)
    assert textarea, html
    return unescape(textarea.group(1))


@pytest.fixture
def public_app(databases, geo, tmp_path):
    from kommunkarta import db
    from kommunkarta.services import setup

    app = make_app(
        databases.new_url(), tmp_path, PUBLIC_URL="https://kommunkartan.example.se/karta"
    )
    with app.app_context():
        setup.init_db(db.engine(), geo)
    return app


def test_the_embed_snippet_uses_the_public_url_whatever_the_host(public_app):
    client = public_app.test_client()
    for host in (EVIL, "127.0.0.1:5000"):
        html = client.get("/municipalities/0180", headers={"Host": host}).get_data(as_text=True)
        assert _snippet(html).startswith(
            '<iframe src="https://kommunkartan.example.se/karta/embed?municipality=0180&amp;'
        )


@pytest.mark.parametrize("path", PAGES)
def test_no_page_reflects_the_host_header(public_app, path):
    client = public_app.test_client()
    headers = {"Host": EVIL, "X-Forwarded-Host": EVIL, "X-Forwarded-Proto": "https"}
    response = client.get(path, headers=headers)
    assert response.status_code < 500
    assert EVIL not in response.get_data(as_text=True)
    assert all(EVIL not in value for _name, value in response.headers.items())


def test_redirects_never_point_at_the_host_header(public_app):
    client = public_app.test_client()
    for path in ("/find?q=Stockholm", "/initiatives/new", "/moderation"):
        response = client.get(path, headers={"Host": EVIL})
        assert EVIL not in response.headers.get("Location", ""), path


def test_absolute_url_works_outside_a_request(public_app):
    with public_app.app_context():
        assert links.absolute_url("public.initiative_page", initiative_id=7) == (
            "https://kommunkartan.example.se/karta/initiatives/7"
        )
        assert links.absolute_url("public.home", lang="en", _anchor="map").endswith(
            "/karta/?lang=en#map"
        )


@pytest.mark.parametrize(
    "raw", ["ftp://example.se", "example.se", "https://", "https://a.se/?x=1", "https://a.se/#x"]
)
def test_a_malformed_public_url_stops_the_app(monkeypatch, tmp_path, raw):
    monkeypatch.setenv("KOMMUNKARTA_PUBLIC_URL", raw)
    with pytest.raises(config.InvalidSetting, match="KOMMUNKARTA_PUBLIC_URL"):
        config.from_environment(tmp_path)


def test_the_default_public_url_is_where_make_run_serves(monkeypatch, tmp_path):
    monkeypatch.delenv("KOMMUNKARTA_PUBLIC_URL", raising=False)
    assert config.from_environment(tmp_path)["PUBLIC_URL"] == "http://127.0.0.1:5000"
    monkeypatch.setenv("KOMMUNKARTA_PUBLIC_URL", "https://karta.example.se/")
    assert config.from_environment(tmp_path)["PUBLIC_URL"] == "https://karta.example.se"
