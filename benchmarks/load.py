"""A bounded load run on localhost: gunicorn with two workers, driven by wrk.

wrk (Debian's package) generates the load because a Python generator would take a good part
of the two cores away from the server it measures. Every run is bounded in time and only
ever targets 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks.measure import ROOT

WRK_MISSING = "wrk is not installed (Debian: apt-get install -y wrk)"
WRK_SCRIPT = Path(__file__).with_name("wrk_report.lua")
WRK_MIXED_SCRIPT = Path(__file__).with_name("wrk_mixed.lua")
WORKERS = 2
CONNECTIONS = 8
GATHERING = b'id="similar-gathering"'  # an initiative page while its worker builds the index
# What a worker has served when its memory is read: every kind of page, list, API answer,
# image, feed and download a visitor asks for (the initiative page with its similar ones).
# The workbook is a county's: the whole register's takes minutes at 100,000 initiatives (it is
# written row by row, so its size does not change what a worker holds; the export benchmark
# times the whole one up to 10,000)
MEMORY_MIX = (
    "/",
    "/?benefit=efficiency",
    "/initiatives",
    "/initiatives/1",
    "/municipalities/0180",
    "/regions/01",
    "/stats",
    "/api/v1/municipalities",
    "/api/v1/initiatives",
    "/export.csv",
    "/export.xlsx?region=01",
    "/map.svg",
    "/feed.atom",
    "/map/boundaries/municipalities",
    "/api/v1/boundaries/municipalities",
)


@dataclass(frozen=True)
class LoadResult:
    label: str
    requests: int
    seconds: float
    errors: int  # connect, read, write and timeout errors plus answers other than 2xx/3xx
    p50: float
    p95: float
    p99: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class WorkerMemory:
    """One gunicorn worker's resident memory in bytes, read from /proc after MEMORY_MIX."""

    steady: int  # VmRSS of the worker holding most once the mix is served
    peak: int  # VmHWM: the most a worker held at any moment (a build, a download)


@dataclass(frozen=True)
class Server:
    url: str
    pid: int

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        return [int(pid) for pid in children.read_text().split()]


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(database_url: str) -> Iterator[Server]:
    """gunicorn with two sync workers on a free local port, serving `benchmarks.serve:app`."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "benchmark"}
    command = [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS)]
    command += ["--bind", f"127.0.0.1:{port}"]
    command += ["--log-level", "warning", "benchmarks.serve:app"]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_ready(url, process, log)
            yield Server(url, process.pid)
        finally:
            process.terminate()
            process.wait(timeout=60)


def _wait_until_ready(url: str, process: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            tail = log.read().decode(errors="replace").strip().splitlines()[-1:]
            raise RuntimeError(f"gunicorn stopped: {' '.join(tail) or 'no output'}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 60 s")


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as response:
        return response.read()


def run_wrk(label: str, url: str, seconds: float, paths: Sequence[str] = ()) -> LoadResult:
    """One wrk run of `seconds` against `url` with gzip accepted, as a browser asks; with
    `paths`, the requests go to each of them in turn on the server of `url`."""
    script = WRK_MIXED_SCRIPT if paths else WRK_SCRIPT
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s"]
    command += ["--timeout", "10s", "-H", "Accept-Encoding: gzip", "-s", str(script), url]
    if paths:
        command += ["--", *paths]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    line = next(
        (x for x in done.stdout.splitlines() if x.startswith("BENCH ")),
        None,
    )
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed: {(done.stderr or done.stdout).strip()[:200]}")
    data = json.loads(line.removeprefix("BENCH "))
    errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    return LoadResult(
        label=label,
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        errors=errors,
        p50=data["p50_us"] / 1e6,
        p95=data["p95_us"] / 1e6,
        p99=data["p99_us"] / 1e6,
    )


def _status(pid: int, field: str) -> int:
    """A memory figure of /proc/PID/status (VmRSS, VmHWM), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} for process {pid}")


def _threads(pid: int) -> int:
    """How many threads the process runs now."""
    return len(os.listdir(f"/proc/{pid}/task"))


def peak_rss(pid: int) -> int:
    """The most resident memory the process has had (VmHWM), in bytes."""
    return _status(pid, "VmHWM")


def worker_memory(server: Server, paths: Sequence[str] = MEMORY_MIX) -> WorkerMemory:
    """Ask for every path of the mix 2 × WORKERS times in turn (sync workers take requests
    as they come free, so each worker serves most of them), then read the workers' own
    figures: never the master's (a few tens of MB, it serves nothing), and no baseline's or
    floor's, whose pages are not in the mix. A large register's similarity index is built in
    a thread of each worker: its initiative page is asked for until no worker is building
    (at most 10 minutes), so that the figures hold the index. The figures are read once
    each worker runs no more threads than when it started (at most 2 more minutes): the
    other reads of the whole register (the counts, the export's kept lines;
    services.whole_reads) run in threads that free what they read when done, and a worker
    caught in the middle of one reads 20-50 MB above where it settles (its peak keeps it).
    Raises OSError when a path fails."""
    pids = server.worker_pids()
    started = {pid: _threads(pid) for pid in pids}  # the runtime's own (OpenBLAS's pool)
    for _ in range(2 * WORKERS):
        for path in paths:
            fetch(server.url + path)
    initiative = next((server.url + p for p in paths if p.startswith("/initiatives/")), None)
    deadline = time.monotonic() + 600
    while initiative and time.monotonic() < deadline:
        if not any(GATHERING in fetch(initiative) for _ in range(2 * WORKERS)):
            break
        time.sleep(1)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and any(_threads(p) > n for p, n in started.items()):
        time.sleep(0.5)
    return WorkerMemory(
        steady=max(_status(pid, "VmRSS") for pid in pids),
        peak=max(_status(pid, "VmHWM") for pid in pids),
    )
