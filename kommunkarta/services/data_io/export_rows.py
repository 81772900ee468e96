"""The CSV export's lines, kept per process, compressed, and brought up to date write by write.

Writing the CSV of 10,000 initiatives costs about a second of Python (37 cells a row, each
through its rule) and compressing it a fifth of one, and any write used to make the next
download pay all of it again. Each process keeps instead, per database, the encoded CSV line
of every published initiative, in blocks of the ids that share `id // BLOCK_IDS`, each block
compressed on its own as a piece that a gzip stream can take as it is (data_io.deflate). A
download joins the pieces in id order — the export's order — so it needs no work per cell
and no compression of its own:
- without a filter, every block is sent as it is;
- under a filter, the ids it selects are read with SQL (the same `selection.apply` as every
  export, adopters and free text included), a block whose ids are all selected is sent as it
  is, and the selected lines of the others are compressed on the spot.

The blocks stay current as the count index does (services.register.count_index): every write
names the initiatives it touched in `data_changes` (kommunkarta.cache). A reader whose
transaction sees a newer serial than the store reads the changes in between
(`cache.named_since`, the counts' rule too), re-reads just those initiatives, re-encodes their
lines and repacks the blocks they fall in (a deleted or withdrawn one drops out). What it reads
is at least as new as the serial the transaction sees. The store may be newer than a
request's transaction (another request caught it up): an id the request's filter selects
that the store lacks (withdrawn since) is encoded for that response alone, from the
request's own snapshot, and never put into the store, which stays at its serial.

Reading everything — in a new worker, after a change no write could name (taxonomy, places,
bulk statements), a gap in the serials (rows pruned) or with a store more than
cache.CATCH_UP_MAX writes behind — costs 0.6 s of CPU at 10,000 initiatives and 7 s at
100,000, past a worker's time limit under load. Up to SYNC_LIMIT published initiatives the
request does it (a fraction of a second). Above that a thread does, one per database, on a
connection of its own (its serial read first, then the rows), into a new store put in place
only if it is newer than the one there; a stale store is dropped at once rather than served,
and meanwhile downloads are written as the `export` command writes them.

Memory: the blocks are compressed, about a ninth of the CSV for the demo data (1.1 MB per
process at 10,000 initiatives, 11 MB at 100,000, ids and lengths included); a register whose
blocks would pass MAX_BYTES is not kept, and its downloads are written as the `export`
command writes them; it is remembered by the number of its published initiatives and read
again only once there are fewer, not on every write. Built for requests only: a command
reads everything once anyway.
"""

from __future__ import annotations

import threading
import weakref
from array import array
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from flask import has_request_context
from sqlalchemy import Pool, select
from sqlalchemy.orm import Session

from kommunkarta import cache
from kommunkarta.filters import InitiativeFilter
from kommunkarta.models import Initiative
from kommunkarta.services.data_io import deflate, export_records, serialise, tables
from kommunkarta.services.register import initiatives
from kommunkarta.services.register.initiatives import visible
from kommunkarta.services.whole_reads import WholeReads

BLOCK_IDS = 256  # ids per block: a change repacks one block, about 200 KB of CSV
RELOAD_CHUNK = 500  # initiative ids per IN (...) when re-reading named initiatives
MAX_BYTES = 64 * 2**20  # compressed blocks per database, about 600 MB of CSV
SYNC_LIMIT = 5_000  # published initiatives up to which a request builds the store itself

_lock = threading.RLock()
_stores: weakref.WeakKeyDictionary[Pool, RowStore] = weakref.WeakKeyDictionary()
# databases whose register passed MAX_BYTES, with the published initiatives it had then
_too_large: weakref.WeakKeyDictionary[Pool, int] = weakref.WeakKeyDictionary()


@dataclass(frozen=True, slots=True)
class Block:
    """The CSV lines of the published initiatives whose ids share `id // BLOCK_IDS`."""

    ids: array[int]  # ascending
    lengths: array[int]  # bytes of each one's line
    packed: deflate.Packed  # the lines, joined

    @classmethod
    def of(cls, lines: Sequence[tuple[int, bytes]]) -> Block:
        """A block of (id, line) pairs in id order."""
        return cls(
            array("q", [initiative_id for initiative_id, _ in lines]),
            array("i", [len(line) for _, line in lines]),
            deflate.pack(b"".join(line for _, line in lines)),
        )

    def lines(self) -> dict[int, bytes]:
        """{id: its line}"""
        text = self.packed.text()
        found = {}
        start = 0
        for initiative_id, length in zip(self.ids, self.lengths, strict=True):
            found[initiative_id] = text[start : start + length]
            start += length
        return found


def _encoded(session: Session, ids: Sequence[int] | None) -> Iterator[tuple[int, bytes]]:
    """(id, CSV line) of the published initiatives among `ids` (all if None), by id."""
    for batch in export_records.batches(session, InitiativeFilter(), ids=ids):
        lines = tables.csv_lines(serialise.to_cells(record) for record in batch)
        yield from zip((record.id for record in batch), lines, strict=True)


class RowStore:
    """The blocks of one database at one serial."""

    def __init__(self) -> None:
        self.serial = -1
        self.blocks: dict[int, Block] = {}

    def load(self, session: Session, ids: Sequence[int]) -> None:
        """Read the named initiatives again as they are now."""
        for start in range(0, len(ids), RELOAD_CHUNK):
            named = ids[start : start + RELOAD_CHUNK]
            fresh = dict(_encoded(session, named))
            by_block: defaultdict[int, list[int]] = defaultdict(list)
            for initiative_id in named:
                by_block[initiative_id // BLOCK_IDS].append(initiative_id)
            for number, block_ids in by_block.items():
                block = self.blocks.get(number)
                lines = block.lines() if block is not None else {}
                for initiative_id in block_ids:
                    lines.pop(initiative_id, None)
                    if initiative_id in fresh:
                        lines[initiative_id] = fresh[initiative_id]
                if lines:
                    self.blocks[number] = Block.of(sorted(lines.items()))
                else:
                    self.blocks.pop(number, None)

    def snapshot(self) -> list[Block]:
        """The blocks in id order as they are now (blocks are never changed, only replaced,
        so a download may go on reading these while a write is caught up with)."""
        with _lock:
            return [self.blocks[number] for number in sorted(self.blocks)]


def _all_blocks(session: Session) -> dict[int, Block] | None:
    """Every published initiative's line in blocks; None past MAX_BYTES."""
    blocks: dict[int, Block] = {}
    size = 0
    pending: list[tuple[int, bytes]] = []
    for initiative_id, line in _encoded(session, None):
        if pending and initiative_id // BLOCK_IDS != pending[0][0] // BLOCK_IDS:
            block = blocks[pending[0][0] // BLOCK_IDS] = Block.of(pending)
            size += len(block.packed.data)
            if size > MAX_BYTES:
                return None
            pending = []
        pending.append((initiative_id, line))
    if pending:
        blocks[pending[0][0] // BLOCK_IDS] = Block.of(pending)
    return blocks


def current(session: Session) -> RowStore | None:
    """This database's store, caught up with what the session's transaction sees, or None
    when there is none to use: outside a request, in a transaction with writes of its own,
    on a schema without serials, for a register past MAX_BYTES, or while a thread builds
    the store."""
    if not has_request_context() or cache.writing(session):
        return None
    serial = cache.serial(session)
    if serial is None:
        return None
    # the engine's pool: the app's reading and writing engines share it (db.writing_engine)
    engine = session.get_bind().engine
    pool = engine.pool
    with _lock:
        store = _stores.get(pool)
        if store is not None and store.serial >= serial:
            return store
        if store is not None:
            changed = cache.named_since(session, store.serial, serial)
            if changed is not None:
                store.load(session, changed)
                store.serial = serial
                return store
            _stores.pop(pool, None)  # never served again: older than what this request sees
    published = initiatives.count(session, InitiativeFilter())
    with _lock:
        if published >= _too_large.get(pool, published + 1):
            return None  # not retried on every write, only once the register has shrunk
        if published > SYNC_LIMIT:
            _builds.start(engine)
            return None
        store = _stores.get(pool)
        if store is None or store.serial < serial:
            # read in this transaction, whose serial was read before any row
            store = _keep(pool, _whole(session, serial), published)
        return store


def _whole(session: Session, serial: int) -> RowStore | None:
    """A new store of every published initiative as the session's transaction (whose serial
    is `serial`) sees them; None past MAX_BYTES."""
    blocks = _all_blocks(session)
    if blocks is None:
        return None
    fresh = RowStore()
    fresh.blocks, fresh.serial = blocks, serial
    return fresh


def _keep(pool: Pool, fresh: RowStore | None, published: int) -> RowStore | None:
    """Put a new store in place (under _lock) unless the one there is as new, and return the
    one in place; a register of `published` initiatives past MAX_BYTES (`fresh` None) is
    remembered by that number instead."""
    if fresh is None:
        _too_large[pool] = published
        return None
    store = _stores.get(pool)
    if store is None or store.serial < fresh.serial:
        store = _stores[pool] = fresh
        _too_large.pop(pool, None)
    return store


def _keep_built(pool: Pool, session: Session, serial: int) -> None:
    published = initiatives.count(session, InitiativeFilter())
    fresh = _whole(session, serial)
    with _lock:
        _keep(pool, fresh, published)


_builds = WholeReads(
    "export-rows",
    _lock,
    _keep_built,
    "building the export's lines failed; downloads are written meanwhile",
)


def csv_parts(session: Session, selection: InitiativeFilter) -> list[deflate.Packed | bytes] | None:
    """The CSV file under the filter as parts for deflate.gzip: the head, then blocks sent
    as they are and the selected lines of the others; None when there is no store to use
    (the caller writes the file instead)."""
    store = current(session)
    if store is None:
        return None
    head = tables.csv_head(serialise.COLUMNS)
    if selection.is_empty:
        return [head, *(block.packed for block in store.snapshot())]
    chosen = list(
        session.scalars(selection.apply(visible(select(Initiative.id))).order_by(Initiative.id))
    )
    wanted: defaultdict[int, list[int]] = defaultdict(list)
    for initiative_id in chosen:
        wanted[initiative_id // BLOCK_IDS].append(initiative_id)
    blocks = {block.ids[0] // BLOCK_IDS: block for block in store.snapshot()}
    kept = {number: set(blocks[number].ids) if number in blocks else set() for number in wanted}
    absent = [i for number, ids in wanted.items() for i in ids if i not in kept[number]]
    extra = dict(_encoded(session, absent)) if absent else {}  # this response's alone
    parts: list[deflate.Packed | bytes] = [head]
    for number in sorted(wanted):
        block, block_ids = blocks.get(number), wanted[number]
        if block is not None and block_ids == block.ids.tolist():
            parts.append(block.packed)
            continue
        lines = {**(block.lines() if block is not None else {}), **extra}
        parts.append(b"".join(lines[i] for i in block_ids if i in lines))
    return parts
