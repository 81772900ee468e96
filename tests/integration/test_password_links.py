"""Password reset and invitations over HTTP and the command line, on both databases: the
one-time links work once, expire, and refuse forged, used and other accounts' tokens with
a clear message and nothing changed."""

from __future__ import annotations

import email
import logging
import re
import threading
import uuid
from email import policy

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kommunkarta.models import User
from kommunkarta.services import account_links, account_mail
from kommunkarta.services.account_links import Purpose
from tests.conftest import PASSWORD, add_user, csrf_from
from tests.integration.test_remind import smtp_stub  # noqa: F401  (a fixture)

RESET = Purpose.RESET

pytestmark = pytest.mark.usefixtures("fresh_limits")

LINK = re.compile(r"https?://[^\s/]+(/password/reset/[A-Za-z0-9_.\-]+)")
NEW = "a fresh long passphrase"
MINE = "/initiatives/mine"


@pytest.fixture(scope="module")
def app(module_app):
    return module_app


def _email() -> str:
    return f"p-{uuid.uuid4().hex[:10]}@example.se"


def _sign_in(app, address, password=PASSWORD):
    client = app.test_client()
    token = csrf_from(client.get("/login"))
    return client, client.post(
        "/login", data={"email": address, "password": password, "csrf_token": token}
    )


def _forgot(client, address, lang="en"):
    """Ask for a reset link, read the whole answer (as a server sends it), and wait until
    the mail it may send has gone (or been logged)."""
    token = csrf_from(client.get("/password/forgot"))
    response = client.post(
        f"/password/forgot?lang={lang}", data={"email": address, "csrf_token": token}
    )
    response.close()
    account_mail.OUTBOX.join()
    return response


def _set(client, path, password=NEW, confirm=None):
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)
    data = {"password": password, "confirm": confirm or password, "csrf_token": csrf_from(page)}
    return client.post(path, data=data)


def _logged_link(caplog) -> str:
    links = [m[1] for r in caplog.records if (m := LINK.search(r.getMessage()))]
    assert links, "no link in the log"
    return links[-1]


def _reset_link(app, caplog, address) -> str:
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger=app.logger.name):
        assert _forgot(app.test_client(), address).status_code == 200
    return _logged_link(caplog)


def test_forgot_answers_the_same_whether_or_not_the_address_has_an_account(app, caplog):
    user = add_user(app, _email(), "coordinator")
    with caplog.at_level(logging.WARNING, logger=app.logger.name):
        known = _forgot(app.test_client(), user.email.upper())
        mailed = [r.getMessage() for r in caplog.records]
        caplog.clear()
        unknown = _forgot(app.test_client(), "nobody-" + user.email)
        assert not [r for r in caplog.records if LINK.search(r.getMessage())]
    assert known.status_code == unknown.status_code == 200
    strip = lambda r: re.sub(r'value="[^"]*"', "", r.get_data(as_text=True))  # noqa: E731
    assert strip(known) == strip(unknown)
    assert "If an account has this address" in known.get_data(as_text=True)
    assert any(f"To: {user.email}" in m and LINK.search(m) for m in mailed)


def test_a_reset_link_sets_the_password_once_and_ends_every_other_session(app, caplog):
    user = add_user(app, _email(), "coordinator")
    laptop, _ = _sign_in(app, user.email)
    path = _reset_link(app, caplog, user.email)
    browser = app.test_client()
    response = _set(browser, path)
    assert response.status_code == 302 and response.headers["Location"] == MINE
    assert browser.get(MINE).status_code == 200  # signed in by the link
    assert laptop.get(MINE).status_code == 302  # every other session ended
    assert _sign_in(app, user.email)[1].status_code == 400  # the old password is gone
    assert _sign_in(app, user.email, NEW)[1].status_code == 302
    again = app.test_client().get(path + "?lang=en")
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)


def test_a_newer_password_makes_an_older_link_worthless(app, caplog):
    user = add_user(app, _email(), "coordinator")
    first = _reset_link(app, caplog, user.email)
    second = _reset_link(app, caplog, user.email)
    assert _set(app.test_client(), second).status_code == 302
    assert app.test_client().get(first).status_code == 400


def test_an_expired_link_is_refused_and_nothing_changes(app, caplog, monkeypatch):
    user = add_user(app, _email(), "coordinator")
    path = _reset_link(app, caplog, user.email)
    now = account_links.clock()
    monkeypatch.setattr(account_links, "clock", lambda: now + 59 * 60)
    client = app.test_client()
    page = client.get(path)
    assert page.status_code == 200  # still good after 59 minutes
    monkeypatch.setattr(account_links, "clock", lambda: now + 61 * 60)
    data = {"password": NEW, "confirm": NEW, "csrf_token": csrf_from(page)}
    refused = client.post(path + "?lang=en", data=data)  # it expired while the form was open
    assert refused.status_code == 400
    assert "expired" in refused.get_data(as_text=True)
    assert client.get(MINE).status_code == 302
    assert _sign_in(app, user.email)[1].status_code == 302  # the password did not change


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token, _app, _user: token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),
        lambda token, _app, user: account_links.make(
            user, account_links.Purpose.RESET, "another key"
        ),
        lambda token, app, _user: account_links._serializer(app.config["SECRET_KEY"]).dumps(
            {"u": 2**70, "p": "reset", "f": "x"}
        ),
        lambda token, app, _user: account_links._serializer(app.config["SECRET_KEY"]).dumps(
            ["not", "a", "dict"]
        ),
        lambda token, _app, _user: "not-a-token",
        lambda token, _app, _user: "x" * 5000,
    ],
)
def test_a_forged_link_is_refused(app, caplog, mangle):
    user = add_user(app, _email(), "coordinator")
    path = _reset_link(app, caplog, user.email)
    token = path.rsplit("/", 1)[1]
    forged = "/password/reset/" + mangle(token, app, user)
    client = app.test_client()
    response = client.get(forged + "?lang=en")
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)
    posted = client.post(forged, data={"password": NEW, "confirm": NEW})
    assert posted.status_code == 400
    assert _sign_in(app, user.email)[1].status_code == 302


def test_another_accounts_link_is_refused_to_someone_signed_in(app, caplog):
    victim = add_user(app, _email(), "coordinator")
    path = _reset_link(app, caplog, victim.email)
    intruder = add_user(app, _email(), "coordinator")
    client, _ = _sign_in(app, intruder.email)
    response = client.get(path + "?lang=en")
    assert response.status_code == 400
    assert "another account" in response.get_data(as_text=True)
    assert _sign_in(app, victim.email)[1].status_code == 302
    assert app.test_client().get(path).status_code == 200  # still good for its owner


def test_a_password_that_breaks_the_rules_keeps_the_link(app, caplog):
    user = add_user(app, _email(), "coordinator")
    path = _reset_link(app, caplog, user.email)
    client = app.test_client()
    short = _set(client, path + "?lang=en", password="short")
    assert short.status_code == 400 and "at least 10" in short.get_data(as_text=True)
    differ = _set(client, path + "?lang=en", password=NEW, confirm=NEW + "!")
    assert differ.status_code == 400 and "differ" in differ.get_data(as_text=True)
    assert _set(client, path).status_code == 302


def test_forgot_is_limited_per_address_alike_for_known_and_unknown(app):
    user = add_user(app, _email(), "coordinator")
    for address in (user.email, "nobody-" + user.email):
        client = app.test_client()
        for _ in range(3):
            assert _forgot(client, address).status_code == 200
        limited = _forgot(client, address)
        assert limited.status_code == 429
        assert "Traceback" not in limited.get_data(as_text=True)


def test_a_disabled_account_gets_no_link(app, caplog):
    user = add_user(app, _email(), "coordinator")
    path = _reset_link(app, caplog, user.email)
    with Session(app.extensions["db_engine"]) as s, s.begin():
        s.get(User, user.id).active = False
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger=app.logger.name):
        assert _forgot(app.test_client(), user.email).status_code == 200
    assert not [r for r in caplog.records if LINK.search(r.getMessage())]
    assert app.test_client().get(path).status_code == 400


def test_the_reset_mail_goes_through_smtp_url_with_the_public_address(
    app,
    smtp_stub,  # noqa: F811
    monkeypatch,
):
    user = add_user(app, _email(), "coordinator")
    monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{smtp_stub.server_address[1]}")
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://kommunkartan.example.se")
    _forgot(app.test_client(), user.email)
    [(recipients, data)] = smtp_stub.received
    assert recipients == [user.email]
    body = email.message_from_bytes(data, policy=policy.default).get_content()
    assert "https://kommunkartan.example.se/password/reset/" in body
    assert "localhost" not in body  # the request's host is never used
    path = LINK.search(body)[1]
    assert _set(app.test_client(), path).status_code == 302


def test_forgot_answers_before_the_mail_server_has_taken_the_mail(
    app,
    smtp_stub,  # noqa: F811
    monkeypatch,
):
    user = add_user(app, _email(), "coordinator")
    monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{smtp_stub.server_address[1]}")
    smtp_stub.hold.clear()  # the server does not even greet until the answer is in
    client = app.test_client()
    token = csrf_from(client.get("/password/forgot"))
    known = client.post("/password/forgot", data={"email": user.email, "csrf_token": token})
    unknown = client.post(
        "/password/forgot", data={"email": "nobody-" + user.email, "csrf_token": token}
    )
    assert known.status_code == unknown.status_code == 200
    assert known.get_data() == unknown.get_data()
    known.close()
    unknown.close()
    assert smtp_stub.received == []
    smtp_stub.hold.set()
    account_mail.OUTBOX.join()
    [(recipients, data)] = smtp_stub.received
    assert recipients == [user.email]
    mail = email.message_from_bytes(data, policy=policy.default)
    assert mail["Subject"] == "Kommunkartan: välj ett nytt lösenord"  # the page's language


def test_a_mail_server_that_refuses_is_logged_and_the_answer_stays_the_same(
    app, caplog, monkeypatch
):
    user = add_user(app, _email(), "coordinator")
    monkeypatch.setitem(app.config, "SMTP_URL", "smtp://127.0.0.1:9")  # nothing listens there
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        known = _forgot(app.test_client(), user.email)
    assert known.status_code == 200
    assert "If an account has this address" in known.get_data(as_text=True)
    assert any(
        f"password reset mail to {user.email} not sent" in r.getMessage() for r in caplog.records
    )


# invitations


def test_invite_on_the_command_line_prints_a_link_that_sets_the_first_password(app):
    address = _email()
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["invite", address, "--role", "coordinator", "--municipality", "1384"]
    )
    assert result.exit_code == 0, result.output
    assert f"To: {address}" in result.output
    path = LINK.search(result.output)[1]
    assert _sign_in(app, address, "")[1].status_code == 400  # no password yet: no way in
    assert _sign_in(app, address, "anything at all")[1].status_code == 400
    browser = app.test_client()
    page = browser.get(path + "?lang=en")
    assert "Welcome" in page.get_data(as_text=True)
    assert _set(browser, path).status_code == 302
    assert browser.get(MINE).status_code == 200
    assert _sign_in(app, address, NEW)[1].status_code == 302
    assert app.test_client().get(path).status_code == 400  # single use
    again = runner.invoke(
        args=["invite", address, "--role", "coordinator", "--municipality", "1384"]
    )
    assert again.exit_code == 1 and "already exists" in again.output


def test_an_invitation_lasts_seven_days(app, monkeypatch):
    address = _email()
    result = app.test_cli_runner().invoke(args=["invite", address, "--role", "moderator"])
    path = LINK.search(result.output)[1]
    now = account_links.clock()
    monkeypatch.setattr(account_links, "clock", lambda: now + 6.9 * 24 * 3600)
    assert app.test_client().get(path).status_code == 200
    monkeypatch.setattr(account_links, "clock", lambda: now + 7.1 * 24 * 3600)
    expired = app.test_client().get(path + "?lang=en")
    assert expired.status_code == 400 and "expired" in expired.get_data(as_text=True)
    # asked again, the command sends a new link to the account that still has no password
    monkeypatch.setattr(account_links, "clock", lambda: now + 60)
    second = app.test_cli_runner().invoke(args=["invite", address, "--role", "moderator"])
    assert second.exit_code == 0
    assert app.test_client().get(LINK.search(second.output)[1]).status_code == 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["not-an-address", "--role", "moderator"], "not an email address"),
        (["x@example.se", "--role", "coordinator"], "at least one municipality"),
        (["x@example.se", "--role", "coordinator", "--municipality", "9999"], "unknown"),
        (["x@example.se", "--role", "king"], "Invalid value"),
    ],
)
def test_a_bad_invitation_is_one_line_and_creates_nothing(app, args, message):
    result = app.test_cli_runner().invoke(args=["invite", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    with Session(app.extensions["db_engine"]) as s:
        assert s.scalar(select(User).where(User.email == "x@example.se")) is None


def _admin(app):
    admin = add_user(app, _email(), "admin")
    return _sign_in(app, admin.email)[0]


def _admin_post(client, path, data):
    token = csrf_from(client.get("/admin/users"))
    return client.post(path, data={**data, "csrf_token": token})


def test_an_admin_invites_and_without_a_mail_server_sees_the_link(app):
    admin = _admin(app)
    address = _email()
    form = {"email": address, "role": "coordinator"}
    missing = _admin_post(admin, "/admin/users/invite?lang=en", form)
    assert missing.status_code == 400 and "at least one municipality" in missing.get_data(
        as_text=True
    )
    done = _admin_post(admin, "/admin/users/invite", {**form, "municipalities": ["1384"]})
    assert done.status_code == 302
    listing = admin.get("/admin/users?lang=en").get_data(as_text=True)
    path = LINK.search(listing)[1]  # the flashed message carries the link to pass on
    assert "no password yet" in listing
    duplicate = _admin_post(
        admin, "/admin/users/invite?lang=en", {**form, "municipalities": ["1384"]}
    )
    assert duplicate.status_code == 400 and "already exists" in duplicate.get_data(as_text=True)
    with Session(app.extensions["db_engine"]) as s:
        invited = s.scalar(select(User).where(User.email == address))
    resent = _admin_post(admin, f"/admin/users/{invited.id}/invite", {})
    assert resent.status_code == 302
    newer = LINK.search(admin.get("/admin/users").get_data(as_text=True))[1]
    assert _set(app.test_client(), newer).status_code == 302
    assert app.test_client().get(path).status_code == 400  # the older link is used up too
    assert _admin_post(admin, f"/admin/users/{invited.id}/invite", {}).status_code == 302
    assert "already has a password" in admin.get("/admin/users?lang=en").get_data(as_text=True)


def test_an_admin_invitation_is_mailed_through_smtp_url(app, smtp_stub, monkeypatch):  # noqa: F811
    admin = _admin(app)
    monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{smtp_stub.server_address[1]}")
    address = _email()
    form = {"email": address, "role": "moderator"}
    assert _admin_post(admin, "/admin/users/invite", form).status_code == 302
    [(recipients, data)] = smtp_stub.received
    assert recipients == [address]
    listing = admin.get("/admin/users").get_data(as_text=True)
    assert not LINK.search(listing)  # sent, so not shown


def test_only_admins_invite(app, login_as, client):
    login_as("moderator")
    assert client.get("/admin/users/invite").status_code == 403
    token = csrf_from(client.get(MINE))
    response = client.post(
        "/admin/users/invite", data={"email": _email(), "role": "admin", "csrf_token": token}
    )
    assert response.status_code == 403


def test_the_invitation_and_the_new_account_pages_differ_only_in_the_password(app, login_as):
    admin = app.test_client()
    login_as("admin", on=admin)
    invite = admin.get("/admin/users/invite?lang=en").get_data(as_text=True)
    new = admin.get("/admin/users/new?lang=en").get_data(as_text=True)
    assert "<title>Invite someone" in invite and "<h1>Invite someone</h1>" in invite
    assert 'action="/admin/users/invite"' in invite and "Send the invitation" in invite
    assert 'name="password"' not in invite and "works once, for seven days" in invite
    assert "<title>New account" in new and "<h1>New account</h1>" in new
    assert 'action="/admin/users/new"' in new and "Create the account" in new
    assert 'name="password"' in new and "seven days" not in new


def test_mails_still_waiting_get_time_to_go_when_the_process_ends(app):
    """What the process runs at exit (Outbox.drain) waits for the queued jobs, and gives up
    on one that never ends."""
    outbox, release, ran = account_mail.Outbox(), threading.Event(), []
    outbox.put(app, lambda: ran.append(release.wait(timeout=60)))
    outbox.put(app, lambda: ran.append(True))
    outbox.drain(seconds=0.2)  # the first job still waits: drain gives up, nothing has run
    assert ran == []
    release.set()
    outbox.drain(seconds=60)
    assert ran == [True, True]
