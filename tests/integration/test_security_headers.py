"""Security headers on every kind of response, and the CSP nonce on the map's script."""

import re

import pytest

from tests.conftest import make_app


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/?benefit=nope",
        "/api/v1/taxonomy",
        "/api/v1/initiatives/999999",
        "/static/js/map.js",
        "/no-such-page",
        "/healthz",
    ],
)
def test_every_response_carries_the_headers(client, path):
    with client.get(path) as response:
        headers = response.headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "script-src 'self' 'nonce-" in headers["Content-Security-Policy"]
        assert (
            "unsafe-inline"
            not in headers["Content-Security-Policy"].split("script-src")[1].split(";")[0]
        )
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Strict-Transport-Security" not in headers  # plain HTTP here


def test_inline_scripts_carry_the_response_nonce(client):
    response = client.get("/")
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    html = response.get_data(as_text=True)
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline, "the map page has its Folium set-up script inline"
    for attributes in inline:
        assert f'nonce="{nonce}"' in attributes
    again = client.get("/").headers["Content-Security-Policy"]
    assert nonce not in again  # a fresh nonce per response


def test_https_requests_get_strict_transport_security(client):
    response = client.get("/healthz", base_url="https://kommunkartan.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_a_configured_tile_server_is_the_only_outside_origin(app, tmp_path):
    assert "https://" not in app.test_client().get("/").headers["Content-Security-Policy"]
    osm = make_app(app.config["DATABASE_URL"], tmp_path, TILES="osm")
    policy = osm.test_client().get("/").headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://tile.openstreetmap.org" in policy
    custom = make_app(
        app.config["DATABASE_URL"], tmp_path, TILES="https://{s}.tiles.example/{z}/{x}/{y}.png"
    )
    policy = custom.test_client().get("/").headers["Content-Security-Policy"]
    assert "https://*.tiles.example" in policy
