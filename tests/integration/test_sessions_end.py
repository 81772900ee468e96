"""Sessions end on the server: after sign-out, a new password, disabling or a new role, a
copy of the old session cookie signs nobody in (issue 15), on both databases."""

import uuid

import pytest

from tests.conftest import PASSWORD, add_user, csrf_from

pytestmark = pytest.mark.usefixtures("fresh_limits")

MINE = "/initiatives/mine"


@pytest.fixture(scope="module")
def app(module_app):
    return module_app


def _account(app, role="coordinator"):
    return add_user(app, f"{role}-{uuid.uuid4().hex[:10]}@example.se", role)


def _signed_in(app, email, password=PASSWORD):
    client = app.test_client()
    token = csrf_from(client.get("/login"))
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def _copy(app, client):
    """Another browser with a copy of this one's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _post(client, path, data=None):
    token = csrf_from(client.get(MINE))
    return client.post(path, data={**(data or {}), "csrf_token": token})


def test_a_copied_cookie_works_until_sign_out_and_never_after(app):
    user = _account(app)
    browser = _signed_in(app, user.email)
    thief = _copy(app, browser)
    assert thief.get(MINE).status_code == 200  # the copy is as good as the original...
    assert _post(browser, "/logout").status_code == 302
    assert browser.get(MINE).status_code == 302
    assert thief.get(MINE).status_code == 302  # ...until the session ends
    again = _signed_in(app, user.email)  # signing in again makes a new session
    assert again.get(MINE).status_code == 200
    assert thief.get(MINE).status_code == 302


def test_a_new_password_ends_every_other_session_and_keeps_this_one(app):
    user = _account(app)
    laptop, phone = _signed_in(app, user.email), _signed_in(app, user.email)
    thief = _copy(app, laptop)
    new = "a brand new passphrase"
    form = {"current": PASSWORD, "password": new, "confirm": new}
    response = _post(laptop, "/account/password", form)
    assert response.status_code == 302
    assert laptop.get(MINE).status_code == 200
    assert phone.get(MINE).status_code == 302
    assert thief.get(MINE).status_code == 302
    assert _signed_in(app, user.email, new).get(MINE).status_code == 200


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"current": "not it at all", "password": "x" * 12, "confirm": "x" * 12}, "current"),
        ({"current": PASSWORD, "password": "short", "confirm": "short"}, "10 characters"),
        ({"current": PASSWORD, "password": "x" * 12, "confirm": "y" * 12}, "differ"),
    ],
)
def test_a_refused_password_change_changes_nothing(app, form, message):
    user = _account(app)
    laptop, phone = _signed_in(app, user.email), _signed_in(app, user.email)
    token = csrf_from(laptop.get(MINE))
    response = laptop.post("/account/password?lang=en", data={**form, "csrf_token": token})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert phone.get(MINE).status_code == 200
    assert _signed_in(app, user.email).get(MINE).status_code == 200


def test_disabling_ends_the_sessions_and_enabling_does_not_revive_them(app):
    admin = _signed_in(app, _account(app, "admin").email)
    user = _account(app)
    browser = _signed_in(app, user.email)
    thief = _copy(app, browser)
    assert _post(admin, f"/admin/users/{user.id}/active", {"active": "0"}).status_code == 302
    assert _post(admin, f"/admin/users/{user.id}/active", {"active": "1"}).status_code == 302
    assert browser.get(MINE).status_code == 302
    assert thief.get(MINE).status_code == 302
    assert _signed_in(app, user.email).get(MINE).status_code == 200


def test_a_new_role_ends_the_sessions(app):
    admin = _signed_in(app, _account(app, "admin").email)
    user = _account(app)
    browser = _signed_in(app, user.email)
    thief = _copy(app, browser)
    assert browser.get("/moderation").status_code == 403
    moved = _post(admin, f"/admin/users/{user.id}", {"role": "moderator"})
    assert moved.status_code == 302
    assert thief.get(MINE).status_code == 302
    assert browser.get(MINE).status_code == 302
    assert _signed_in(app, user.email).get("/moderation").status_code == 200


def test_saving_the_same_role_keeps_the_sessions(app):
    admin = _signed_in(app, _account(app, "admin").email)
    user = _account(app)
    browser = _signed_in(app, user.email)
    form = {"role": "coordinator", "municipalities": ["1480"]}
    assert _post(admin, f"/admin/users/{user.id}", form).status_code == 302
    assert browser.get(MINE).status_code == 200


def test_an_admin_cannot_change_their_own_role(app):
    admin_user = _account(app, "admin")
    admin = _signed_in(app, admin_user.email)
    token = csrf_from(admin.get(MINE))
    response = admin.post(
        f"/admin/users/{admin_user.id}?lang=en", data={"role": "coordinator", "csrf_token": token}
    )
    assert response.status_code == 400
    assert "your own role" in response.get_data(as_text=True)
    assert admin.get("/admin/users").status_code == 200


def test_a_coordinator_needs_municipalities_when_given_the_role(app):
    admin = _signed_in(app, _account(app, "admin").email)
    moderator = _account(app, "moderator")
    browser = _signed_in(app, moderator.email)
    response = _post(admin, f"/admin/users/{moderator.id}", {"role": "coordinator"})
    assert response.status_code == 400
    assert browser.get("/moderation").status_code == 200  # nothing changed


@pytest.mark.parametrize("cookie_id", ["{id}", "{id}:", "{id}:" + "A" * 43, "x:{token}"])
def test_a_cookie_without_the_current_token_is_refused(app, cookie_id):
    """Cookies from before session tokens (the bare id), and forged ones signed with the
    right key but the wrong token, sign nobody in."""
    user = _account(app)
    browser = _signed_in(app, user.email)
    session_id = browser.get_cookie("session")
    serializer = app.session_interface.get_signing_serializer(app)
    real = serializer.loads(session_id.value)
    token = real["_user_id"].split(":")[1]
    forged = app.test_client()
    value = cookie_id.format(id=user.id, token=token)
    forged.set_cookie("session", serializer.dumps({**real, "_user_id": value}))
    assert forged.get(MINE).status_code == 302
    assert browser.get(MINE).status_code == 200
