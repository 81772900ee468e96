"""The latest CSV exports, kept gzip-compressed in each process until the data changes.

Many people download the same open data between two writes (the whole register, a county's
part of it). Even joined from the lines kept per process (data_io.export_rows), a download
costs a pass over its 8 MB (at 10,000 initiatives) and, under a filter, a query and some
compression; sending the body kept from the last one costs nothing. An export is kept under
its filter and the data version it was read at (`cache.version`, read before the rows), so
a write anywhere makes every kept export a miss and nothing stale is sent. It is kept as it
was sent, gzip-compressed (about a tenth of its size), and only while the kept exports
together stay under MAX_BYTES, the least recently used going first; a download that stops
half-way keeps nothing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Iterator

from sqlalchemy.orm import Session

from kommunkarta import cache
from kommunkarta.filters import InitiativeFilter

MAX_BYTES = 16 * 2**20

_kept: OrderedDict[Hashable, bytes] = OrderedDict()
_lock = threading.Lock()


def key(session: Session, selection: InitiativeFilter) -> Hashable:
    """What an export is kept under: its filter and the data version the session reads
    (read before the rows, so a copy is never older than its key says)."""
    return ("export.csv", cache.filter_key(selection), cache.version(session))


def get(key: Hashable) -> bytes | None:
    """The kept gzip body of the export under `key`, or None."""
    with _lock:
        body = _kept.get(key)
        if body is not None:
            _kept.move_to_end(key)
        return body


def keep(key: Hashable, body: bytes) -> None:
    """Keep a gzip body, dropping the least recently used ones to stay under MAX_BYTES (a
    body larger than that is not kept)."""
    if len(body) > MAX_BYTES:
        return
    with _lock:
        _kept[key] = body
        _kept.move_to_end(key)
        while sum(len(b) for b in _kept.values()) > MAX_BYTES:
            _kept.popitem(last=False)


def keeping(key: Hashable, chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The chunks of a gzip body as they come, kept together under `key` once the last one
    has gone out."""
    parts = []
    for chunk in chunks:
        parts.append(chunk)
        yield chunk
    keep(key, b"".join(parts))
