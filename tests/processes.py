"""Real server processes for tests: gunicorn serving `wsgi:app` on a free localhost port.

Start-up is given generous time (the machine is shared with other test runs); every process
is stopped, and killed if it will not stop, when its `with` block ends.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 120


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Server:
    url: str
    process: subprocess.Popen


@contextmanager
def gunicorn(env: dict[str, str], workers: int = 2, threads: int = 4) -> Iterator[Server]:
    """gunicorn with `workers` processes of `threads` threads each, configured by `env` on
    top of this process's environment."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers)]
    command += ["--threads", str(threads), "--bind", f"127.0.0.1:{port}"]
    command += ["--timeout", "120", "--log-level", "warning", "wsgi:app"]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=log
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_ready(url, process, log)
            yield Server(url, process)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)
            log.seek(0)
            output = log.read().decode(errors="replace")
    first = min((output.find(m) for m in ("Traceback", "[ERROR]") if m in output), default=-1)
    assert first < 0, f"gunicorn logged errors:\n{output[first : first + 4000]}"


def _wait_until_ready(url: str, process: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            tail = log.read().decode(errors="replace").strip().splitlines()[-5:]
            raise RuntimeError(f"gunicorn stopped: {' / '.join(tail) or 'no output'}")
        try:
            if requests.get(url + "/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer within {START_SECONDS} s")
