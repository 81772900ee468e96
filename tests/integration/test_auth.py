"""Signing in and out over HTTP with real sessions and CSRF tokens, on both databases."""

import re
import uuid

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kommunkarta.auth import throttle
from kommunkarta.extensions import limiter
from kommunkarta.models import User
from kommunkarta.services import accounts
from tests.conftest import PASSWORD, add_user, csrf_from

pytestmark = pytest.mark.usefixtures("fresh_limits")


@pytest.fixture(scope="module")
def app(module_app):
    """One database per backend for the module; every test makes its own accounts."""
    return module_app


def _user(app, role="coordinator") -> str:
    """A new account's email."""
    email = f"{role}-{uuid.uuid4().hex[:10]}@example.se"
    add_user(app, email, role)
    return email


def _login(client, email, password, next_url=None):
    token = csrf_from(client.get("/login"))
    path = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(path, data={"email": email, "password": password, "csrf_token": token})


def _message(response) -> str:
    body = response.get_data(as_text=True)
    found = re.search(r'<div class="form-problems" role="alert">(.*?)</div>', body, re.S)
    assert found, body
    return found.group(1)


def test_good_login_signs_in_and_lands_on_my_initiatives(app, client):
    email = _user(app)
    response = _login(client, email.upper() + " ", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/initiatives/mine"
    page = client.get("/initiatives/mine?lang=en")
    assert page.status_code == 200
    assert "Sign out" in page.get_data(as_text=True)


def test_staff_land_on_the_moderation_queue(app, client):
    email = _user(app, "moderator")
    assert _login(client, email, PASSWORD).headers["Location"] == "/moderation"


def test_wrong_password_and_unknown_email_give_the_same_message(app, client):
    email = _user(app)
    wrong = _login(client, email, "not the password")
    unknown = _login(client, "nobody@example.se", "not the password")
    assert wrong.status_code == unknown.status_code == 400
    assert _message(wrong) == _message(unknown)
    assert "Fel e-postadress eller lösenord" in _message(wrong)
    assert client.get("/initiatives/mine").status_code == 302  # still not signed in


def test_disabled_account_cannot_sign_in(app, client):
    email = _user(app)
    with app.extensions["db_engine"].begin() as connection:
        connection.execute(update(User).where(User.email == email).values(active=False))
    response = _login(client, email, PASSWORD)
    assert response.status_code == 400
    assert client.get("/initiatives/mine").status_code == 302


def test_disabling_an_account_signs_it_out(app, client, login_as):
    user = login_as("coordinator")
    assert client.get("/initiatives/mine").status_code == 200
    with app.extensions["db_engine"].begin() as connection:
        connection.execute(update(User).where(User.id == user.id).values(active=False))
    assert client.get("/initiatives/mine").status_code == 302


def _wait_passes(app, email, address="127.0.0.1"):
    """As if the wait after the last failure had run out."""
    with app.test_request_context(environ_base={"REMOTE_ADDR": address}):
        limiter.storage.clear(throttle._keys(email)[1])


def test_failed_logins_slow_down_the_address_with_growing_delays(app, client):
    email = _user(app)
    for _ in range(throttle.FREE_FAILURES):
        assert _login(client, email, "guess").status_code == 400
    waits = []
    for _ in range(3):
        assert _login(client, email, "guess").status_code == 400
        limited = _login(client, email, PASSWORD)  # even the right password must wait
        assert limited.status_code == 429
        assert "Traceback" not in limited.get_data(as_text=True)
        waits.append(int(limited.headers["Retry-After"]))
        _wait_passes(app, email)
    assert waits == [2, 4, 8]
    assert _login(client, email, PASSWORD).status_code == 302  # the count starts again


def test_the_owner_is_not_locked_out_by_someone_elses_failures(app):
    email = _user(app)
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    for _ in range(throttle.FREE_FAILURES + 2):
        _login(attacker, email, "guess")
    assert _login(attacker, email, PASSWORD).status_code == 429
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert _login(owner, email, PASSWORD).status_code == 302


def test_failed_logins_are_limited_per_client(app, client):
    for n in range(20):
        assert _login(client, f"user{n}@example.se", "guess").status_code == 400
    assert _login(client, "another@example.se", "guess").status_code == 429


def test_successful_logins_are_not_counted(app, client):
    email = _user(app)
    for _ in range(6):
        assert _login(client, email, PASSWORD).status_code == 302
        token = csrf_from(client.get("/suggest"))
        assert client.post("/logout", data={"csrf_token": token}).status_code == 302


def test_logout_is_post_only_and_needs_the_token(app, client, login_as):
    login_as("coordinator")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no CSRF token
    assert client.get("/initiatives/mine").status_code == 200
    token = csrf_from(client.get("/initiatives/mine"))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/initiatives/mine").status_code == 302


def test_login_without_csrf_token_is_400(app, client):
    email = _user(app)
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/initiatives/mine").status_code == 302


def test_a_token_from_another_session_is_refused(app, client):
    email = _user(app)
    stolen = csrf_from(app.test_client().get("/login"))
    client.get("/login")
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": stolen}
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/initiatives/new", "/initiatives/new"),
        ("https://evil.example/", "/initiatives/mine"),
        ("//evil.example/", "/initiatives/mine"),
        ("/\\evil.example", "/initiatives/mine"),
        ("javascript:alert(1)", "/initiatives/mine"),
    ],
)
def test_next_redirects_only_within_the_site(app, client, next_url, expected):
    response = _login(client, _user(app), PASSWORD, next_url=next_url)
    assert response.headers["Location"] == expected


def test_a_page_that_needs_an_account_sends_to_login_and_back(app, client):
    email = _user(app)
    response = client.get("/initiatives/new")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/initiatives/new"
    signed_in = _login(client, email, PASSWORD, "/initiatives/new")
    assert signed_in.headers["Location"] == "/initiatives/new"


def _session_cookie(response) -> str:
    return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))


def test_session_cookie_is_httponly_lax_and_secure_over_https(app):
    email = _user(app)
    plain = app.test_client()
    cookie = _session_cookie(_login(plain, email, PASSWORD))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = app.test_client()
    token = csrf_from(secure.get("/login", base_url="https://localhost"))
    response = secure.post(
        "/login",
        base_url="https://localhost",
        headers={"Referer": "https://localhost/login"},  # checked for HTTPS, as browsers send it
        data={"email": email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert "Secure" in _session_cookie(response)


def _admin_post(client, path: str, data: dict):
    token = csrf_from(client.get("/admin/users"))
    return client.post(path, data={**data, "csrf_token": token})


def test_admin_creates_an_account_that_can_sign_in(app, client, login_as):
    login_as("admin")
    email = f"new-{uuid.uuid4().hex[:8]}@example.se"
    form = {"email": email, "role": "coordinator", "password": PASSWORD}
    missing = _admin_post(client, "/admin/users/new?lang=en", form)
    assert missing.status_code == 400
    assert "at least one municipality" in missing.get_data(as_text=True)
    created = _admin_post(client, "/admin/users/new", {**form, "municipalities": ["1480"]})
    assert created.status_code == 302
    again = _admin_post(client, "/admin/users/new?lang=en", {**form, "municipalities": ["1480"]})
    assert again.status_code == 400
    assert "already exists" in again.get_data(as_text=True)
    assert email in client.get("/admin/users").get_data(as_text=True)
    assert _login(app.test_client(), email, PASSWORD).status_code == 302


def test_admin_disables_enables_and_moves_a_coordinator(app, client, login_as):
    admin = login_as("admin")
    coordinator = add_user(app, f"c-{uuid.uuid4().hex[:8]}@example.se", "coordinator")
    path = f"/admin/users/{coordinator.id}"
    assert _admin_post(client, f"{path}/active", {"active": "0"}).status_code == 302
    assert _login(app.test_client(), coordinator.email, PASSWORD).status_code == 400
    assert _admin_post(client, f"{path}/active", {"active": "1"}).status_code == 302
    assert _login(app.test_client(), coordinator.email, PASSWORD).status_code == 302
    assert _admin_post(client, f"{path}/active", {"active": "maybe"}).status_code == 400

    assert re.search(r'value="0180"\s+checked', client.get(path).get_data(as_text=True))
    moved = _admin_post(client, path, {"municipalities": ["1480", "1490"]})
    assert moved.status_code == 302
    body = client.get(path).get_data(as_text=True)
    assert re.search(r'value="1480"\s+checked', body) and not re.search(
        r'value="0180"\s+checked', body
    )
    assert _admin_post(client, path, {}).status_code == 400  # a coordinator needs one

    # an admin cannot lock themselves out
    _admin_post(client, f"/admin/users/{admin.id}/active", {"active": "0"})
    assert client.get("/admin/users").status_code == 200


def test_an_account_another_admin_creates_at_the_same_moment_is_a_message(
    app, client, login_as, databases, monkeypatch
):
    """The other admin's account for the same address is saved between this one's check and
    its insert: the form says the account exists, not a server error."""
    if databases.backend == "sqlite":
        pytest.skip("SQLite runs one writing transaction at a time (BEGIN IMMEDIATE)")
    login_as("admin")
    email = f"twice-{uuid.uuid4().hex[:8]}@example.se"
    hashed, others = accounts.generate_password_hash, [email]

    def hashed_while_another_creates(password):
        if others:  # the other admin's account is made with the same function
            add_user(app, others.pop(), "moderator")
        return hashed(password)

    monkeypatch.setattr(accounts, "generate_password_hash", hashed_while_another_creates)
    form = {"email": email, "role": "admin", "password": PASSWORD}
    response = _admin_post(client, "/admin/users/new?lang=en", form)
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)
    with Session(app.extensions["db_engine"]) as s:
        assert s.scalars(select(User.role).where(User.email == email)).all() == ["moderator"]
