"""JSON arrays of rows that re-encode only the rows that changed.

The counts API answers a filter with all 290 municipalities (or 21 counties). After a write
the counts are current at once (services.register.count_tallies), but encoding every row
again would cost more than counting did; a publication changes a handful of rows. So the
last rows of each array and their JSON are kept, and a row equal to the one before reuses its
JSON. The result depends on the rows alone, never on when they were kept: a row that
changed in any value is encoded again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence

from flask import current_app

KEPT = 64  # arrays kept (about 30 KB each for the municipalities)

Row = tuple[object, ...]

_kept: OrderedDict[Hashable, tuple[Sequence[Row | None], list[str]]] = OrderedDict()
_lock = threading.Lock()


def encoded(key: Hashable, fields: Sequence[str], rows: Sequence[Row]) -> bytes:
    """The rows as a compact JSON array of objects with the given fields (as Flask's
    jsonify would write it), reusing the JSON of every row unchanged since the array kept
    under `key` was last encoded."""
    with _lock:
        before, texts = _kept.get(key, ((), []))
    if len(before) != len(rows):
        before, texts = [None] * len(rows), [""] * len(rows)
    dumps = current_app.json.dumps
    texts = [
        text if old == row else dumps(dict(zip(fields, row, strict=True)), separators=(",", ":"))
        for row, old, text in zip(rows, before, texts, strict=True)
    ]
    with _lock:
        _kept[key] = (rows, texts)
        _kept.move_to_end(key)
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return f"[{','.join(texts)}]\n".encode()
