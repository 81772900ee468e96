"""The `remind` command on both databases: what it prints per coordinator, and what it sends
to a stub SMTP server started here (never a real one)."""

from __future__ import annotations

import email
import socketserver
import threading
from email import policy
from typing import Any

import pytest
from sqlalchemy.orm import Session

from kommunkarta.models import User
from tests.conftest import add_user
from tests.integration.upkeep_data import LONG_AGO, RECENTLY, adopted, published


class _StubServer(socketserver.ThreadingTCPServer):
    """Keeps every message it was given: (recipients, data). While `hold` is clear it greets
    no one (a slow server), for at most half a minute."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.received: list[tuple[list[str], bytes]] = []
        self.hold = threading.Event()
        self.hold.set()


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: greet, accept every envelope, keep each message."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        assert isinstance(self.server, _StubServer)
        self.server.hold.wait(timeout=30)
        self.reply("220 stub ESMTP")
        recipients: list[str] = []
        while line := self.rfile.readline():
            command = line.decode().strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 stub")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip(" <>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 go ahead")
                data = b""
                while (chunk := self.rfile.readline()) != b".\r\n":
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                assert isinstance(self.server, _StubServer)
                self.server.received.append((recipients, data))
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 OK")


@pytest.fixture
def smtp_stub():
    server = _StubServer(("127.0.0.1", 0), _SMTPHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def stale_register(app):
    """Stockholm has a stale initiative (with a title that tries to add a header), Göteborg
    a fresh one, Malmö a stale adoption; Kiruna's coordinator is disabled."""
    stale = published(app, ["0180"], changed=LONG_AGO, title="Gammal\r\nBcc: evil@example.com")
    published(app, ["1480"], changed=RECENTLY, confirmed=RECENTLY, title="Färsk")
    adopted(app, published(app, ["1480"], title="Delad"), "1280", confirmed=LONG_AGO)
    published(app, ["2584"], changed=LONG_AGO, title="Kirunas")
    add_user(app, "stockholm@example.se", "coordinator", ["0180"])
    add_user(app, "goteborg@example.se", "coordinator", ["1480"])
    add_user(app, "malmo@example.se", "coordinator", ["1280"])
    kiruna = add_user(app, "kiruna@example.se", "coordinator", ["2584"])
    add_user(app, "moderator@example.se", "moderator", [])
    with Session(app.extensions["db_engine"]) as s, s.begin():
        s.get(User, kiruna.id).active = False
    return stale


def test_remind_prints_each_coordinators_stale_items(app, stale_register):
    result = app.test_cli_runner().invoke(args=["remind", "--lang", "en"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "To: stockholm@example.se" in out and "To: malmo@example.se" in out
    assert "goteborg@example.se" not in out and "kiruna@example.se" not in out
    assert "Subject: Kommunkartan: 1 item needs review" in out
    assert "- Gammal Bcc: evil@example.com (last confirmed or updated 2024-05-02)" in out
    assert f"http://127.0.0.1:5000/initiatives/{stale_register}" in out
    assert "http://127.0.0.1:5000/needs-review" in out
    assert "Delad, which Malmö does too (last confirmed 2024-05-02)" in out
    assert out.strip().endswith("2 coordinators have something to review (SMTP_URL is not set).")
    swedish = app.test_cli_runner().invoke(args=["remind", "--base-url", "https://kk.example.se"])
    assert "Hej," in swedish.output and "https://kk.example.se/needs-review" in swedish.output


def test_remind_sends_through_smtp_url(app, stale_register, smtp_stub):
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{smtp_stub.server_address[1]}"
    result = app.test_cli_runner().invoke(args=["remind", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Sent 2 reminders through 127.0.0.1." in result.output
    assert "Gammal" not in result.output  # sent, not printed
    received = {tuple(to): data for to, data in smtp_stub.received}
    assert set(received) == {("stockholm@example.se",), ("malmo@example.se",)}
    message = email.message_from_bytes(received[("stockholm@example.se",)], policy=policy.default)
    assert message["To"] == "stockholm@example.se"
    assert message["From"] == "kommunkartan@localhost"
    assert message["Bcc"] is None  # the title stayed in the body, on one line
    assert "Gammal Bcc: evil@example.com" in message.get_content()


def test_a_bad_smtp_url_is_one_line(app, stale_register):
    for smtp_url, reason in (
        ("mail.example.se:25", "SMTP_URL must look like smtp://host:port"),
        ("smtp://127.0.0.1:notaport", "SMTP_URL must look like smtp://host:port"),
        ("smtp://127.0.0.1:1", "could not send through 127.0.0.1:1 after 0 messages"),
    ):
        app.config["SMTP_URL"] = smtp_url
        result = app.test_cli_runner().invoke(args=["remind"])
        assert result.exit_code == 1, smtp_url
        assert result.output.startswith("Error: ") and reason in result.output
        assert len(result.output.strip().splitlines()) == 1
        assert "Traceback" not in result.output


def test_remind_with_nothing_stale_and_a_bad_base_url(app):
    result = app.test_cli_runner().invoke(args=["remind", "--lang", "en"])
    assert result.exit_code == 0
    assert "0 coordinators have something to review" in result.output
    bad = app.test_cli_runner().invoke(args=["remind", "--base-url", "javascript:alert(1)"])
    assert bad.exit_code == 1 and "--base-url must start with http" in bad.output
