"""Sign-in throttling that slows an attacker without locking the owner out.

Failures are counted per account *and* client address: someone guessing passwords for an
account from their own address waits longer after each failure, while the owner, signing
in from another address, is not held up at all (a lock per account alone would let anyone
who knows an address lock its owner out). After FREE_FAILURES failures the next attempt
from that address must wait 2, 4, 8 … seconds, at most MAX_DELAY; a success clears the
count, and failures are forgotten WINDOW seconds after the first. Beside this, every
address is limited to `views.PER_CLIENT` failed sign-ins whatever the accounts.

The counts live in the rate limiter's storage, so they are shared by every worker and, with
REDIS_URL, by every instance (README, "Security").
"""

from __future__ import annotations

import hashlib
import math
import time

from flask import request

from kommunkarta.extensions import limiter

FREE_FAILURES = 3
MAX_DELAY = 15 * 60
WINDOW = 60 * 60


def _keys(email: str) -> tuple[str, str]:
    who = f"{email}\n{request.remote_addr or ''}".encode()
    digest = hashlib.sha256(who).hexdigest()[:32]  # no addresses in plain text in Redis
    return f"kk-signin-failures/{digest}", f"kk-signin-wait/{digest}"


def delay(failures: int) -> int:
    """Seconds to wait after this many failures in a row."""
    if failures <= FREE_FAILURES:
        return 0
    return min(MAX_DELAY, 2 ** (failures - FREE_FAILURES))


def wait_seconds(email: str) -> int:
    """How long this address must still wait before trying this account again (0: now)."""
    _count, wait = _keys(email)
    if not limiter.storage.get(wait):
        return 0
    return max(1, math.ceil(limiter.storage.get_expiry(wait) - time.time()))


def failed(email: str) -> None:
    count, wait = _keys(email)
    failures = limiter.storage.incr(count, WINDOW)
    if seconds := delay(failures):
        limiter.storage.clear(wait)
        limiter.storage.incr(wait, seconds)


def succeeded(email: str) -> None:
    for key in _keys(email):
        limiter.storage.clear(key)
