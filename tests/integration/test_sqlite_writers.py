"""Several processes writing one SQLite file at once: a gunicorn with four worker processes
taking suggestions from many clients while three `import` commands write at the same time.
Nobody may see "database is locked": writers wait for each other (busy timeout, write
transactions that take the lock when they begin) and every write is stored once."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kommunkarta import db
from kommunkarta.models import Initiative
from kommunkarta.services import setup
from tests.conftest import make_app
from tests.processes import ROOT, gunicorn

pytestmark = pytest.mark.processes

SUGGESTIONS = 120
IMPORTS = 3
ROWS = 400
TIMEOUT = 60


def _import_file(path: Path, batch: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["title", "status", "municipalities", "benefit_areas"])
        for number in range(ROWS):
            writer.writerow([f"Batch {batch} row {number}", "pilot", "1480", "efficiency"])


def _suggest(base: str, number: int) -> int:
    with requests.Session() as client:
        client.headers["X-Forwarded-For"] = f"192.0.2.{number}"  # one person each
        page = client.get(f"{base}/suggest", timeout=TIMEOUT)
        token = page.text.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        form = {
            "csrf_token": token,
            "title": f"Suggestion {number:03d} to a busy SQLite file",
            "municipality": "0180",
            "summary": "Sent while other processes write the same file.",
        }
        response = client.post(f"{base}/suggest", data=form, timeout=TIMEOUT, allow_redirects=False)
        return response.status_code


def test_web_workers_and_import_commands_write_one_sqlite_file_at_once(geo, tmp_path):
    path = tmp_path / "shared.sqlite"
    url = f"sqlite:///{path}"
    app = make_app(url, tmp_path)
    with app.app_context():
        setup.init_db(db.engine(), geo)
    files = []
    for batch in range(IMPORTS):
        files.append(tmp_path / f"batch{batch}.csv")
        _import_file(files[-1], batch)
    env = {
        "DATABASE_URL": url,
        "SECRET_KEY": "sqlite-writers",
        "KOMMUNKARTA_TRUSTED_PROXIES": "1",
        "REDIS_URL": "",  # rate limits in each worker's memory: nothing kept from earlier runs
    }
    with gunicorn(env, workers=4, threads=2) as server:
        imports = [
            subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "kommunkarta", "import", str(file)],
                cwd=ROOT,
                env={**os.environ, **env},
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for file in files
        ]
        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = list(pool.map(lambda n: _suggest(server.url, n), range(SUGGESTIONS)))
        outputs = [process.communicate(timeout=300)[0] for process in imports]
    for process, output in zip(imports, outputs, strict=True):
        assert process.returncode == 0, output
        assert "locked" not in output
        assert f"{ROWS} rows: {ROWS} new" in output
    assert Counter(statuses) == {302: SUGGESTIONS}
    with Session(app.extensions["db_engine"]) as session:
        titles = Counter(session.scalars(select(Initiative.title)))
        assert session.scalar(select(func.count(Initiative.id))) == SUGGESTIONS + IMPORTS * ROWS
    assert all(count == 1 for count in titles.values())  # nothing written twice
