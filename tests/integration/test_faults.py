"""Faults on PostgreSQL: the database goes away and comes back, and an import is killed
with SIGKILL half-way through its writing.

The outage is made by a small TCP proxy between the app and PostgreSQL that the test can
cut (every connection closed, new ones refused or left unanswered) and restore.
"""

from __future__ import annotations

import csv
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from kommunkarta import db
from kommunkarta.models import Initiative, Revision
from kommunkarta.services import setup
from kommunkarta.services.data_io import demo
from tests.conftest import Databases, add_user, csrf_from, make_app

ROOT = Path(__file__).resolve().parent.parent.parent
UNAVAILABLE_EN = "The database is unavailable right now. Please try again soon."


class CuttableProxy:
    """A TCP proxy on a free local port in front of `target`.

    `cut("refuse")` closes every open connection and closes new ones at once (a database that
    restarts); `cut("silent")` closes every open connection and leaves new ones unanswered
    (a host that stopped answering). `restore()` lets connections through again.
    """

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.mode = "open"
        self.sockets: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while self.running:
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self.mode == "refuse":
                client.close()
                continue
            if self.mode == "silent":
                self._keep(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            self._keep(client, upstream)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _keep(self, *sockets: socket.socket) -> None:
        with self.lock:
            self.sockets.update(sockets)

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            self._close(source, sink)

    def _close(self, *sockets: socket.socket) -> None:
        for sock in sockets:
            with self.lock:
                self.sockets.discard(sock)
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def cut(self, mode: str = "refuse") -> None:
        self.mode = mode
        with self.lock:
            open_sockets = list(self.sockets)
        self._close(*open_sockets)

    def restore(self) -> None:
        self.cut("open")  # connections left unanswered while silent go too

    def stop(self) -> None:
        self.running = False
        self.cut("refuse")
        self.listener.close()
        self.thread.join(timeout=5)


@pytest.fixture(scope="module")
def postgres(tmp_path_factory, postgres_reason):
    made = Databases("postgresql", tmp_path_factory.mktemp("faults"), postgres_reason)
    yield made
    made.drop_all()


@pytest.fixture
def proxied_app(postgres, geo, tmp_path):
    """An app whose PostgreSQL is reached through a CuttableProxy, with 30 initiatives."""
    url = make_url(postgres.new_url())
    proxy = CuttableProxy(url.host or "127.0.0.1", url.port or 5432)
    app = make_app(url.set(port=proxy.port).render_as_string(hide_password=False), tmp_path)
    with app.app_context():
        setup.init_db(db.engine(), geo)
        with Session(db.engine()) as session, session.begin():
            demo.seed(session, geo, count=30, seed_value=4)
    yield app, proxy
    proxy.stop()


def _in_time(call, seconds: float = 60):
    """call() in a thread; fails the test instead of hanging if it does not return, and
    raises what it raised."""
    outcome: list = []

    def run() -> None:
        try:
            outcome.append(("value", call()))
        except BaseException as error:  # handed to the test's thread below
            outcome.append(("error", error))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, f"no answer within {seconds} s"
    kind, value = outcome[0]
    if kind == "error":
        raise value
    return value


PAGES = ["/?lang=en", "/initiatives?lang=en", "/municipalities/0180?lang=en", "/stats?lang=en"]


def _assert_unavailable(client, pages: list[str]) -> None:
    health = _in_time(lambda: client.get("/healthz"))
    assert health.status_code == 503
    assert health.get_json() == {"status": "unavailable", "database": "unreachable"}
    for path in pages:
        page = _in_time(lambda path=path: client.get(path))
        body = page.get_data(as_text=True)
        assert page.status_code == 503, path
        assert UNAVAILABLE_EN in body and "<h1>503" in body, path
        assert "Traceback" not in body and "psycopg" not in body, path
    api = _in_time(lambda: client.get("/api/v1/initiatives"))
    assert api.status_code == 503
    assert (
        api.get_json()["error"] == "The database is unavailable right now. Please try again soon."
    )


def _assert_serving(client) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
    for path in PAGES:
        assert client.get(path).status_code == 200, path
    assert client.get("/api/v1/initiatives").get_json()["total"] == 30


@pytest.mark.slow  # an unanswering host costs the connect timeout per request
@pytest.mark.parametrize("mode", ["refuse", "silent"])
def test_the_database_goes_away_and_comes_back_without_a_restart(proxied_app, mode):
    app, proxy = proxied_app
    client = app.test_client()
    _assert_serving(client)  # the pool now holds connections that the cut will break
    proxy.cut(mode)
    # an unanswering host costs db.CONNECT_TIMEOUT per request: fewer pages then
    _assert_unavailable(client, PAGES if mode == "refuse" else PAGES[:1])
    proxy.restore()
    _assert_serving(client)  # the same app: pre-ping replaced the broken connections


def test_a_signed_in_user_gets_the_friendly_page_too(proxied_app):
    """The error page shows the account menu; loading the user must not turn the 503 into
    an error of its own."""
    app, proxy = proxied_app
    client = app.test_client()
    user = add_user(app, f"mod-{uuid.uuid4().hex[:8]}@example.se", "moderator")
    token = csrf_from(client.get("/login"))
    client.post(
        "/login",
        data={"email": user.email, "password": "correct horse battery", "csrf_token": token},
    )
    assert client.get("/moderation").status_code == 200
    proxy.cut("refuse")
    page = _in_time(lambda: client.get("/moderation?lang=en"))
    assert page.status_code == 503
    assert UNAVAILABLE_EN in page.get_data(as_text=True)
    proxy.restore()
    assert client.get("/moderation").status_code == 200  # still signed in


ROWS = 6000


def _big_import_file(path: Path) -> None:
    codes = ["0180", "1480", "1280", "0380", "2480"]
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["title", "summary", "status", "benefit_areas", "municipalities"])
        for number in range(ROWS):
            writer.writerow(
                [
                    f"Imported initiative {number}",
                    "Generated for the SIGKILL test.",
                    "pilot",
                    "efficiency|safety",
                    codes[number % len(codes)],
                ]
            )


@pytest.mark.processes
def test_an_import_killed_while_writing_leaves_nothing_behind(postgres, geo, tmp_path):
    url = postgres.new_url()
    app = make_app(url, tmp_path)
    with app.app_context():
        setup.init_db(db.engine(), geo)
    source = tmp_path / "large.csv"
    _big_import_file(source)
    marker = f"kommunkarta-import-{uuid.uuid4().hex[:12]}"  # finds its PostgreSQL backend
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "test", "PGAPPNAME": marker}
    command = [sys.executable, "-m", "flask", "--app", "kommunkarta", "import", str(source)]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    observer = create_engine(url)
    try:
        writing = _wait_until_writing(observer, marker, process)
        assert writing, "the import finished or failed before it was seen writing"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL
        _wait_until_gone(observer, marker)
        with Session(observer) as session:
            assert session.scalar(select(func.count(Initiative.id))) == 0
            assert session.scalar(select(func.count(Revision.id))) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        process.stdout.close()
        observer.dispose()
    # the database is usable at once: the same file imports whole
    result = app.test_cli_runner().invoke(args=["import", str(source)])
    assert result.exit_code == 0, result.output
    with Session(app.extensions["db_engine"]) as session:
        assert session.scalar(select(func.count(Initiative.id))) == ROWS


def _wait_until_writing(engine, marker: str, process: subprocess.Popen) -> bool:
    """True once the import's transaction has written rows (it has a transaction id)."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE application_name = :marker AND backend_xid IS NOT NULL"
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and process.poll() is None:
        with engine.connect() as connection:
            if connection.scalar(query, {"marker": marker}):
                return True
        time.sleep(0.05)
    return False


def _wait_until_gone(engine, marker: str) -> None:
    """PostgreSQL notices the dead client and rolls its transaction back."""
    query = text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :marker")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            if not connection.scalar(query, {"marker": marker}):
                return
        time.sleep(0.1)
    pytest.fail("the killed import's database session was still there after 60 s")


def test_a_database_failure_is_logged_with_its_reason(app, caplog):
    """A 503 for a database error says in the log which request and why: a serialization
    failure or a deadlock is a fault to find, and the visitor's page says nothing of it."""

    @app.get("/_fails")
    def fails():
        raise OperationalError("SELECT 1", {}, Exception("could not serialize access\nDETAIL"))

    with caplog.at_level(logging.WARNING, logger=app.logger.name):
        page = app.test_client().get("/_fails?lang=en")
    assert page.status_code == 503
    assert "serialize" not in page.get_data(as_text=True)
    assert "GET /_fails: Exception: could not serialize access" in caplog.text
    assert "DETAIL" not in caplog.text
