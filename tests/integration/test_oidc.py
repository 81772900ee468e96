"""Signing in with an organisation account against a real OpenID Connect provider process
(oidc-provider-mock), on both databases: the happy path through approval, and every way the
exchange can go wrong ending with a message, no session and password sign-in still working."""

from __future__ import annotations

import re
import threading
import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kommunkarta import db, i18n
from kommunkarta.models import AuditEntry, User, utcnow
from kommunkarta.services import audit, org_accounts, setup
from tests.conftest import PASSWORD, add_user, csrf_from, make_app
from tests.oidc_provider import approve, provider, set_person
from tests.processes import free_port

# the identity provider runs in a process of its own
pytestmark = [pytest.mark.usefixtures("fresh_limits"), pytest.mark.processes]

MINE = "/initiatives/mine"


def _oidc_app(databases, geo, tmp_path_factory, issuer):
    app = make_app(
        databases.new_url(),
        tmp_path_factory.mktemp("oidc"),
        OIDC_ISSUER=issuer,
        OIDC_CLIENT_ID="kommunkartan",
        OIDC_CLIENT_SECRET="a client secret",
    )
    with app.app_context():
        setup.init_db(db.engine(), geo)
    return app


@pytest.fixture(scope="module")
def issuer():
    with provider() as url:
        yield url


@pytest.fixture(scope="module")
def app(databases, geo, tmp_path_factory, issuer):
    app = _oidc_app(databases, geo, tmp_path_factory, issuer)
    yield app
    app.extensions["db_engine"].dispose()


def _person(issuer, email=None, verified=True) -> tuple[str, str]:
    sub = uuid.uuid4().hex
    email = email or f"anna-{sub[:8]}@kungsbacka.se"
    set_person(issuer, sub, {"email": email, "email_verified": verified, "name": "Anna"})
    return sub, email


def _start(client, next_url=None) -> str:
    """Our redirect to the provider's authorisation endpoint (the browser reads English)."""
    client.set_cookie(i18n.COOKIE, "en")
    response = client.get("/login/oidc" + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def _callback_path(url: str) -> str:
    parts = urlsplit(url)
    assert parts.path == "/login/oidc/callback", url
    return f"{parts.path}?{parts.query}"


def _sign_in(client, sub, next_url=None):
    return client.get(_callback_path(approve(_start(client, next_url), sub)))


def _flashed(client) -> str:
    return client.get("/login").get_data(as_text=True)


def _account(app, email) -> User | None:
    with Session(app.extensions["db_engine"]) as s:
        return s.scalar(select(User).where(User.email == email))


def _admin(app):
    admin = add_user(app, f"admin-{uuid.uuid4().hex[:8]}@example.se", "admin")
    client = app.test_client()
    token = csrf_from(client.get("/login"))
    client.post("/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token})
    return client


def test_the_authorisation_request_uses_pkce_state_and_nonce(app, client):
    query = parse_qs(urlsplit(_start(client)).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == ["http://127.0.0.1:5000/login/oidc/callback"]
    assert "email" in query["scope"][0].split()


def test_a_new_person_waits_is_approved_and_then_signs_in(app, client, issuer):
    sub, email = _person(issuer)
    waiting = _sign_in(client, sub)
    assert waiting.status_code == 200
    assert email in waiting.get_data(as_text=True)
    assert client.get(MINE).status_code == 302  # not signed in yet
    account = _account(app, email)
    assert account.awaiting_approval and not account.active

    admin = _admin(app)
    listing = admin.get("/admin/users?lang=en").get_data(as_text=True)
    assert "Waiting for approval" in listing and email in listing
    page = admin.get(f"/admin/users/{account.id}/approve").get_data(as_text=True)
    assert re.search(r'value="1384"\s+checked', page)  # suggested from kungsbacka.se
    token = csrf_from(admin.get(f"/admin/users/{account.id}/approve"))
    # enabling it directly would skip the role: refused
    admin.post(f"/admin/users/{account.id}/active", data={"active": "1", "csrf_token": token})
    assert not _account(app, email).active
    approved = admin.post(
        f"/admin/users/{account.id}/approve",
        data={"role": "coordinator", "municipalities": ["1384"], "csrf_token": token},
    )
    assert approved.status_code == 302

    again = _sign_in(client, sub, next_url="/initiatives/new")
    assert again.status_code == 302 and again.headers["Location"] == "/initiatives/new"
    assert client.get(MINE).status_code == 200
    with Session(app.extensions["db_engine"]) as s:
        approved_user = s.scalar(select(User).where(User.email == email))
        assert [m.code for m in approved_user.municipalities] == ["1384"]


def test_a_known_address_signs_straight_in_and_sign_out_ends_the_session(app, issuer):
    user = add_user(app, f"Kim-{uuid.uuid4().hex[:8]}@example.se".lower(), "moderator")
    sub, _ = _person(issuer, email=user.email.upper())
    client = app.test_client()
    response = _sign_in(client, sub)
    assert response.status_code == 302 and response.headers["Location"] == "/moderation"
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    token = csrf_from(client.get(MINE))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get(MINE).status_code == 302
    assert copy.get(MINE).status_code == 302


def _audit_entry(app, email: str, now=None) -> None:
    """An entry in the log written by someone else, as a sign-in beside this one writes it."""
    with app.test_request_context(), Session(db.writing_engine(app.extensions["db_engine"])) as s:
        audit.record(s, audit.SIGN_IN_FAILED, email=email, now=now)
        s.commit()


def test_a_sign_in_beside_the_callback_does_not_fail_it(app, issuer, monkeypatch):
    """The callback writes (the account, the audit log), so it must not run in a reading
    transaction: in one, a write committed by another request after it began makes its own
    fail (PostgreSQL's REPEATABLE READ: "could not serialize access due to concurrent delete"
    of the expired audit entries both delete; SQLite: a read that turns into a write)."""
    _audit_entry(app, "old@example.se", now=utcnow() - audit.KEEP - timedelta(days=1))
    user = add_user(app, f"c-{uuid.uuid4().hex[:8]}@example.se", "coordinator")
    sub, _ = _person(issuer, email=user.email)
    original = org_accounts.account_for_identity

    def beside(session, claims):
        found = original(session, claims)  # the callback's transaction has read
        # another sign-in logs its attempt meanwhile; it waits while the callback holds
        # SQLite's write lock, so it is not waited for to the end here
        other = threading.Thread(target=_audit_entry, args=(app, "other@example.se"))
        other.start()
        other.join(2)
        beside.other = other
        return found

    monkeypatch.setattr(org_accounts, "account_for_identity", beside)
    client = app.test_client()
    response = _sign_in(client, sub)
    beside.other.join(30)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert client.get(MINE).status_code == 200
    with Session(app.extensions["db_engine"]) as s:
        emails = s.scalars(select(AuditEntry.email)).all()
    assert "old@example.se" not in emails and {"other@example.se", user.email} <= set(emails)


def test_an_unverified_address_is_refused_and_makes_no_account(app, client, issuer):
    sub, email = _person(issuer, verified=False)
    response = _sign_in(client, sub)
    assert response.status_code == 302
    assert "did not confirm your e-mail address" in _flashed(client)
    assert _account(app, email) is None
    assert client.get(MINE).status_code == 302


def test_an_unverified_address_of_an_existing_account_does_not_sign_in(app, client, issuer):
    user = add_user(app, f"u-{uuid.uuid4().hex[:8]}@example.se", "admin")
    sub, _ = _person(issuer, email=user.email, verified=False)
    _sign_in(client, sub)
    assert client.get(MINE).status_code == 302


def test_a_wrong_state_is_refused(app, client, issuer):
    sub, email = _person(issuer)
    back = approve(_start(client), sub)
    forged = back.replace("state=", "state=x")
    response = client.get(_callback_path(forged))
    assert response.status_code == 302
    assert "did not succeed" in _flashed(client)
    assert _account(app, email) is None
    assert client.get(MINE).status_code == 302


def test_a_replayed_code_is_refused(app, issuer, caplog):
    user = add_user(app, f"r-{uuid.uuid4().hex[:8]}@example.se", "coordinator")
    sub, _ = _person(issuer, email=user.email)
    first = app.test_client()
    back = approve(_start(first), sub)
    assert first.get(_callback_path(back)).status_code == 302
    assert first.get(MINE).status_code == 200
    code = parse_qs(urlsplit(back).query)["code"][0]
    # the same code again, with a fresh, valid state of another browser's own flow
    replay = app.test_client()
    state = parse_qs(urlsplit(_start(replay)).query)["state"][0]
    response = replay.get(f"/login/oidc/callback?code={code}&state={state}")
    assert response.status_code == 302
    assert "invalid_grant" in caplog.text  # the provider refused the code
    assert "did not succeed" in _flashed(replay)
    assert replay.get(MINE).status_code == 302
    # and the very same callback again in the first browser
    assert first.get(_callback_path(back)).status_code == 302


def test_a_code_from_another_browsers_flow_fails_the_nonce(app, issuer, caplog):
    user = add_user(app, f"n-{uuid.uuid4().hex[:8]}@example.se", "coordinator")
    sub, _ = _person(issuer, email=user.email)
    victim, attacker = app.test_client(), app.test_client()
    victim_state = parse_qs(urlsplit(_start(victim)).query)["state"][0]
    attacker_back = approve(_start(attacker), sub)  # code bound to the attacker's nonce
    code = parse_qs(urlsplit(attacker_back).query)["code"][0]
    response = victim.get(f"/login/oidc/callback?code={code}&state={victim_state}")
    assert response.status_code == 302
    assert "Invalid claim: 'nonce'" in caplog.text
    assert victim.get(MINE).status_code == 302


def test_the_provider_refusing_is_a_message(app, client):
    state = parse_qs(urlsplit(_start(client)).query)["state"][0]
    response = client.get(f"/login/oidc/callback?error=access_denied&state={state}")
    assert response.status_code == 302
    assert "did not succeed" in _flashed(client)


def test_a_callback_without_a_flow_is_a_message(app, client):
    client.set_cookie(i18n.COOKIE, "en")
    response = client.get("/login/oidc/callback?code=abc&state=def")
    assert response.status_code == 302
    assert "did not succeed" in _flashed(client)
    assert client.get(MINE).status_code == 302


def test_the_login_page_offers_the_organisation_account(app, client):
    body = client.get("/login?lang=en").get_data(as_text=True)
    assert "Sign in with your organisation account" in body
    assert 'href="/login/oidc"' in body


def test_an_expired_id_token_is_refused(databases, geo, tmp_path_factory, caplog):
    with provider(token_max_age=-600) as expired_issuer:
        app = _oidc_app(databases, geo, tmp_path_factory, expired_issuer)
        user = add_user(app, f"e-{uuid.uuid4().hex[:8]}@example.se", "coordinator")
        sub, _ = _person(expired_issuer, email=user.email)
        client = app.test_client()
        response = _sign_in(client, sub)
        assert response.status_code == 302
        assert "The token is expired" in caplog.text
        assert "did not succeed" in _flashed(client)
        assert client.get(MINE).status_code == 302
        app.extensions["db_engine"].dispose()


def test_an_issuer_that_is_down_is_a_message_and_passwords_still_work(
    databases, geo, tmp_path_factory
):
    app = _oidc_app(databases, geo, tmp_path_factory, f"http://127.0.0.1:{free_port()}")
    client = app.test_client()
    client.set_cookie(i18n.COOKIE, "en")
    response = client.get("/login/oidc")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "not possible right now" in _flashed(client)
    callback = client.get("/login/oidc/callback?code=abc&state=def")
    assert callback.status_code == 302
    user = add_user(app, f"d-{uuid.uuid4().hex[:8]}@example.se", "coordinator")
    token = csrf_from(client.get("/login"))
    signed_in = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert signed_in.status_code == 302
    assert client.get(MINE).status_code == 200
    app.extensions["db_engine"].dispose()


def test_without_the_settings_there_is_no_organisation_sign_in(databases, geo, tmp_path):
    app = make_app(databases.new_url(), tmp_path)
    client = app.test_client()
    assert client.get("/login/oidc").status_code == 404
    assert client.get("/login/oidc/callback?code=a&state=b").status_code == 404
    app.extensions["db_engine"].dispose()
