"""Cache-Control: no-store on every response to someone signed in and on every form page,
so that neither a shared cache nor the browser's history keeps a person's pages."""

import pytest


def _no_store(response) -> bool:
    return response.cache_control.no_store and not response.cache_control.public


SIGNED_IN = [
    "/",
    "/initiatives",
    "/initiatives/mine",
    "/initiatives/new",
    "/moderation",
    "/reports",
    "/needs-review",
    "/admin/users",
    "/admin/users/new",
    "/admin/import",
    "/stats",
    "/municipalities/0180",
    "/api/v1/initiatives",
    "/export.csv",
    "/no-such-page",
]


@pytest.mark.parametrize("role", ["coordinator", "moderator", "admin"])
def test_every_response_to_someone_signed_in_is_no_store(client, login_as, role):
    login_as(role)
    for path in SIGNED_IN:
        with client.get(path) as response:
            assert _no_store(response), (path, response.status_code, response.cache_control)
    # the redirect after signing in, and signing out itself
    with client.post("/logout") as response:
        assert response.status_code == 400  # no CSRF token
        assert _no_store(response)


@pytest.mark.parametrize("path", ["/login", "/suggest"])
def test_form_pages_are_no_store_for_anyone(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert _no_store(response)


def test_public_pages_without_forms_may_be_cached(client):
    for path in ("/", "/initiatives", "/stats", "/api/v1/initiatives"):
        assert not client.get(path).cache_control.no_store, path


def test_what_is_the_same_for_everyone_stays_cacheable_when_signed_in(client, login_as):
    login_as("admin")
    boundaries = client.get("/api/v1/boundaries/municipalities")
    assert boundaries.cache_control.public and not boundaries.cache_control.no_store
    with client.get("/static/css/site.css") as static:
        assert static.status_code == 200
        assert not static.cache_control.no_store
