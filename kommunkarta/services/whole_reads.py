"""Reading the whole register in a thread of its own, as the in-memory counts
(services.register.count_serving) and the export's kept lines (services.data_io.export_rows)
do when a worker starts or a write names nothing: seconds at 100,000 initiatives, which no
request should wait for.

One build at a time per database. It reads on a connection of its own in a plain reading
transaction (never SQLite's write lock, whatever the request's engine takes), detached so
that it is closed when done rather than returned to a pool the app may have disposed of
meanwhile. The serial is read first: the rows read after it are as new or newer. A failed
build is logged (a thread's error would vanish) and the next request may start another.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import Engine, Pool
from sqlalchemy.orm import Session

from kommunkarta import cache
from kommunkarta.services import heap

log = logging.getLogger(__name__)


class WholeReads:
    """Builds of one kind: `build(pool, session, serial)` reads the register as the session
    sees it at `serial` and keeps the result for `pool` (under its own lock)."""

    def __init__(
        self,
        name: str,
        lock: AbstractContextManager[Any],
        build: Callable[[Pool, Session, int], None],
        failure: str,
    ) -> None:
        self.name, self.lock, self.build, self.failure = name, lock, build, failure
        self._building: weakref.WeakSet[Pool] = weakref.WeakSet()

    def running(self) -> int:
        """How many builds are under way (one at most per database)."""
        return len(self._building)

    def start(self, engine: Engine) -> None:
        """Start a build for the engine's database unless one runs; call under `lock`."""
        if engine.pool in self._building:
            return
        self._building.add(engine.pool)
        reading = engine.execution_options(sqlite_immediate=False)
        threading.Thread(target=self._run, args=(reading,), name=self.name, daemon=True).start()

    def _run(self, engine: Engine) -> None:
        try:
            with engine.connect() as connection, Session(connection) as session:
                connection.detach()
                serial = cache.serial(session)
                if serial is not None:
                    self.build(engine.pool, session, serial)
        except Exception:  # noqa: BLE001 - a thread's error would vanish
            log.exception(self.failure)
        finally:
            with self.lock:
                self._building.discard(engine.pool)
            heap.give_back()  # what reading everything freed
