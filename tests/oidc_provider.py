"""A real OpenID Connect provider for tests: `oidc-provider-mock` in a process of its own on
a free localhost port, stopped when its `with` block ends.

People are set with `set_person(url, sub, claims)`; `approve(authorize_url, sub)` answers
the provider's sign-in form as that person would, returning where the provider sends the
browser back (our callback with `code` and `state`).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import requests

from tests.processes import free_port

START_SECONDS = 60


@contextmanager
def provider(token_max_age: int = 3600) -> Iterator[str]:
    """The provider's issuer URL; ID tokens expire `token_max_age` seconds after issue
    (negative: already expired)."""
    port = free_port()
    command = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1"]
    command += ["--port", str(port), f"--token-max-age={token_max_age}", "--require-nonce"]
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + START_SECONDS
            while True:
                if process.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"the OIDC provider stopped: {log.read()[-2000:]!r}")
                try:
                    if requests.get(f"{url}/.well-known/openid-configuration", timeout=5).ok:
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("the OIDC provider did not start")
                time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=20)


def set_person(url: str, sub: str, claims: dict) -> None:
    requests.put(f"{url}/users/{sub}", json=claims, timeout=10).raise_for_status()


def approve(authorize_url: str, sub: str) -> str:
    """Sign in at the provider as `sub`; returns the URL it redirects the browser to."""
    answer = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert answer.status_code in (302, 303), answer.text[:500]
    return answer.headers["Location"]
