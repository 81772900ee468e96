"""Hardening beyond the headers (see test_security_headers): request size limits with a
friendly 413, the opt-in trust of a reverse proxy's X-Forwarded-* headers, and the secret key
kept out of the repository."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest

from kommunkarta import config
from tests.conftest import csrf_from, make_app

ROOT = Path(__file__).resolve().parent.parent.parent
TOO_LARGE_EN = "What you sent is too large. Shorten the text, or split the file into smaller ones."
TOO_LARGE_SV = "Det du skickade är för stort"


def _suggestion(client, **fields) -> dict:
    form = {
        "csrf_token": csrf_from(client.get("/suggest")),
        "title": "A title",
        "municipality": "0180",
        "summary": "Short.",
    }
    form.update(fields)
    return form


@pytest.mark.parametrize("lang, message", [("en", TOO_LARGE_EN), ("sv", TOO_LARGE_SV)])
def test_an_oversized_form_is_a_friendly_413(client, lang, message):
    form = _suggestion(client, summary="x" * (app_limit(client) + 1))
    response = client.post(f"/suggest?lang={lang}", data=form)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert message in page and "<h1>413" in page
    assert "Traceback" not in page
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def app_limit(client) -> int:
    return client.application.config["MAX_CONTENT_LENGTH"]


def test_an_oversized_upload_is_a_413_before_anything_is_read(client, login_as):
    login_as("admin")
    token = csrf_from(client.get("/admin/import"))
    # the multipart body by hand: the test client's own spools to a file it never closes
    # when the app refuses to read it
    boundary = "kommunkarta-test"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f"{token}\r\n--{boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="big.csv"\r\n'
            "Content-Type: text/csv\r\n\r\ntitle,status,municipalities\n"
        ).encode()
        + b"x" * app_limit(client)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = client.post(
        "/admin/import?lang=en",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 413
    assert TOO_LARGE_EN in response.get_data(as_text=True)


def _signed_in_cookie(app, headers: dict) -> str:
    """The Set-Cookie of the session after a form is shown (the CSRF token goes in it)."""
    response = app.test_client().get("/login", headers=headers)
    return next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("session="))


FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


def test_forwarded_headers_are_ignored_unless_proxies_are_trusted(app, tmp_path):
    assert app.config["TRUSTED_PROXIES"] == 0
    response = app.test_client().get("/healthz", headers=FORWARDED)
    assert "Strict-Transport-Security" not in response.headers
    assert "Secure" not in _signed_in_cookie(app, FORWARDED)


def test_behind_a_trusted_proxy_https_means_secure_cookies_and_hsts(app, tmp_path):
    proxied = make_app(app.config["DATABASE_URL"], tmp_path, TRUSTED_PROXIES=1)
    response = proxied.test_client().get("/healthz", headers=FORWARDED)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "; Secure" in _signed_in_cookie(proxied, FORWARDED)
    plain = {"X-Forwarded-Proto": "http", "X-Forwarded-For": "203.0.113.7"}
    assert "Secure" not in _signed_in_cookie(proxied, plain)


def test_behind_a_trusted_proxy_rate_limits_count_per_client(app, tmp_path):
    """Five suggestions an hour per client: a sixth from the same address is refused, while
    another address behind the same proxy still has its budget."""
    proxied = make_app(app.config["DATABASE_URL"], tmp_path, TRUSTED_PROXIES=1)
    client = proxied.test_client()

    def post(address: str) -> int:
        headers = {"X-Forwarded-For": address}
        token = csrf_from(client.get("/suggest", headers=headers))
        form = {"csrf_token": token, "title": "", "municipality": "0180", "summary": ""}
        return client.post("/suggest", data=form, headers=headers).status_code

    statuses = [post("198.51.100.1") for _ in range(6)]
    assert statuses == [400] * 5 + [429]  # invalid forms still spend the budget
    assert post("198.51.100.2") == 400


@pytest.mark.parametrize("raw", ["yes", "-1", "99", "1.5"])
def test_a_malformed_proxy_count_is_refused_at_start(monkeypatch, tmp_path, raw):
    monkeypatch.setenv("KOMMUNKARTA_TRUSTED_PROXIES", raw)
    with pytest.raises(ValueError, match="KOMMUNKARTA_TRUSTED_PROXIES"):
        config.from_environment(tmp_path)


def test_the_generated_secret_key_stays_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    settings = config.from_environment(tmp_path / "instance")
    key_file = tmp_path / "instance" / "secret_key"
    assert settings["SECRET_KEY"] == key_file.read_text().strip()
    assert len(settings["SECRET_KEY"]) >= 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert config.from_environment(tmp_path / "instance")["SECRET_KEY"] == settings["SECRET_KEY"]
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert config.from_environment(tmp_path / "instance")["SECRET_KEY"] == "from-the-environment"


def test_no_secret_key_file_can_be_committed():
    assert "instance/" in (ROOT / ".gitignore").read_text().splitlines()
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert not [path for path in tracked if Path(path).name == "secret_key"]
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "instance/secret_key"], cwd=ROOT, check=False
    )
    assert ignored.returncode == 0
