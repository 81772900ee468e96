"""The rate limits hold as the README documents them for the default `make run`: without
Redis it serves from one worker process (with threads), so every request counts against
the same limits; with several workers each would count on its own."""

import re
import subprocess

import pytest
import requests

from kommunkarta import db, geo
from kommunkarta.auth.views import PER_CLIENT
from kommunkarta.services import setup
from tests.conftest import make_app
from tests.processes import ROOT, gunicorn


def _make_run_workers(redis_url: str) -> tuple[int, int]:
    """The worker processes and threads `make run` starts gunicorn with."""
    command = subprocess.run(
        ["make", "-n", "run", f"REDIS_URL={redis_url}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in command.splitlines() if "gunicorn" in line)
    workers = re.search(r"--workers (\d+)", line)
    threads = re.search(r"--threads (\d+)", line)
    assert workers and threads, line
    return int(workers.group(1)), int(threads.group(1))


def _failed_sign_in(url: str, number: int) -> int:
    browser = requests.Session()
    page = browser.get(f"{url}/login", timeout=30).text
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found, page
    token = found.group(1)
    form = {"email": f"guess{number}@example.se", "password": "guess", "csrf_token": token}
    return browser.post(f"{url}/login", data=form, timeout=30, allow_redirects=False).status_code


@pytest.mark.processes
def test_without_redis_make_run_keeps_one_count_of_failed_sign_ins(tmp_path):
    workers, threads = _make_run_workers("")
    assert workers == 1 and threads > 1
    assert _make_run_workers("redis://127.0.0.1:6379/0")[0] > 1  # Redis: shared storage
    url = f"sqlite:///{tmp_path / 'run.sqlite'}"
    app = make_app(url, tmp_path)
    with app.app_context():
        setup.init_db(db.engine(), geo.of(app))
    app.extensions["db_engine"].dispose()
    env = {"DATABASE_URL": url, "SECRET_KEY": "make-run-test", "REDIS_URL": ""}
    allowed = int(PER_CLIENT.split()[0])
    with gunicorn(env, workers=workers, threads=threads) as server:
        statuses = [_failed_sign_in(server.url, n) for n in range(allowed + 2)]
    assert statuses == [400] * allowed + [429, 429]
