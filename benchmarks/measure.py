"""Timing requests and commands: median and 95th percentile after a warm-up.

Requests go through Flask's test client, so a time is the server's own work (routing, queries,
templates, compression) without a network. A path the app has no route for, or one that
does not answer 200, is reported as `NotAvailable` instead of stopping the run: other parts of
the app are built while the benchmark is.
"""

from __future__ import annotations

import math
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.exceptions import HTTPException

ROOT = Path(__file__).resolve().parent.parent
GZIP = {"Accept-Encoding": "gzip"}  # as every browser sends it


@dataclass(frozen=True)
class Timing:
    """Seconds taken by repeated requests or runs, and the size of one answer."""

    times: tuple[float, ...]
    size: int | None = None  # body bytes without compression
    gzip_size: int | None = None  # body bytes as sent to a client that accepts gzip

    @property
    def n(self) -> int:
        return len(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


@dataclass(frozen=True)
class NotAvailable:
    reason: str


Result = Timing | NotAvailable


@dataclass(frozen=True)
class Budget:
    """How long to time one endpoint: until `seconds` have passed and at least `min_requests`
    were timed, but never more than `max_requests`; `warmup` untimed requests first."""

    seconds: float = 3.0
    min_requests: int = 30
    max_requests: int = 500
    warmup: int = 5


def has_route(app: Flask, path: str) -> bool:
    try:
        app.url_map.bind("localhost").match(urlsplit(path).path, method="GET")
    except HTTPException:
        return False
    return True


def time_requests(
    app: Flask, path: str, budget: Budget, before_each: Callable[[], None] | None = None
) -> Result:
    """Time GET `path` with gzip accepted, calling `before_each` (untimed) before every timed
    request; NotAvailable if there is no such page (yet)."""
    if not has_route(app, path):
        return NotAvailable("not available (no route)")
    client = app.test_client()
    plain = client.get(path)
    size = len(plain.get_data())
    plain.close()
    if plain.status_code != 200:
        return NotAvailable(f"not available (HTTP {plain.status_code})")
    for _ in range(budget.warmup):
        client.get(path, headers=GZIP).close()
    times: list[float] = []
    gzip_size = size
    started = time.perf_counter()
    while len(times) < budget.max_requests and (
        len(times) < budget.min_requests or time.perf_counter() - started < budget.seconds
    ):
        if before_each is not None:
            before_each()
        begin = time.perf_counter()
        response = client.get(path, headers=GZIP)
        gzip_size = len(response.get_data())
        times.append(time.perf_counter() - begin)
        response.close()
    return Timing(tuple(times), size, gzip_size)


def time_command(
    args: Sequence[str], database_url: str, available: bool = True, runs: int = 1
) -> Result:
    """Run one CLI command against the database `runs` times, as a user would, and time
    each run whole (interpreter start and app creation included)."""
    if not available:
        return NotAvailable("not available (no such command)")
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "benchmark"}
    times = []
    for _ in range(runs):
        begin = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "kommunkarta", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        times.append(time.perf_counter() - begin)
        if done.returncode != 0:
            lines = (done.stderr or done.stdout).strip().splitlines() or ["no output"]
            return NotAvailable(f"failed (exit {done.returncode}): {lines[-1]}")
    return Timing(tuple(times))
