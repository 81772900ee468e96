"""The counts of published initiatives under a filter, answered from memory.

Each process keeps, per database engine, what the filters and the counts read of every
published initiative — the municipalities taking part and adopting, its counties, its
taxonomy terms, status, start year, reuse, AI Act category, yearly hours and kronor — in numpy
arrays, one slot per initiative. A count under any filter without free text is then a few
vectorised passes over them instead of a GROUP BY over every link.

It stays current without reading the world again. Every write to public data numbers itself
(`data_version.serial`) and names the initiatives it touched (`data_changes`, see
kommunkarta.cache). A reader whose transaction sees a newer serial than the index reads the
rows in between and reloads only the initiatives they name: their old slots die, the
published ones get new slots. A change no write could name (taxonomy, places, bulk
statements), a gap in the serials (rows pruned) or too many dead slots makes it read
everything again. What it reads after seeing the serial is at least as new as that serial,
never older, so no count is older than the data version the reader's transaction sees;
several processes and instances on one database each catch up on their own. It is built for
requests only (the first one a worker serves after start pays the reading, 1–3 s at 100,000
initiatives); the command line and scripts count with SQL.

`current()` gives None when the index cannot answer — free text (`q`), a transaction with
writes of its own, a schema without serials — and the caller counts with SQL instead
(services.register.initiatives keeps those queries as the reference).

The module stays whole although it is over 400 lines: loading, catching up and counting all
work on the same slots of the same arrays under one lock, and apart they would share that
private layout across modules.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
from flask import has_request_context
from sqlalchemy import ColumnElement, FromClause, Pool, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from kommunkarta import cache
from kommunkarta.filters import TAXONOMY_PARAMS, InitiativeFilter
from kommunkarta.models import (
    Adoption,
    Initiative,
    Municipality,
    Region,
    Status,
    data_changes,
    initiative_municipalities,
)
from kommunkarta.services.register.initiatives import PUBLIC

CATCH_UP_MAX = 2_000  # an index further behind than this many writes reads everything again
CHOSEN_MAX = 32  # selections kept between loads (100 KB each at 100,000 initiatives)
RELOAD_CHUNK = 500  # initiative ids per IN (...) when reloading named initiatives
FETCH_CHUNK = 10_000  # rows read at a time when loading
NO_YEAR = np.iinfo(np.int32).min
NO_RISK = -1
T = TypeVar("T")

_lock = threading.RLock()
_indexes: weakref.WeakKeyDictionary[Pool, CountIndex] = weakref.WeakKeyDictionary()


# Per place (or in total): initiatives, summed yearly hours and kronor, and how many state them
# (the fields of services.register.initiatives.Figures)
Row = tuple[int, float, float, int, int]


def _locked(method: Callable[..., T]) -> Callable[..., T]:
    """Answers read the arrays while no other thread reloads them."""

    @functools.wraps(method)
    def answer(*args: Any, **kwargs: Any) -> T:
        with _lock:
            return method(*args, **kwargs)

    return answer


class _Column:
    """A numpy array that grows at its end (amortised doubling)."""

    def __init__(self, dtype: Any) -> None:
        self.data = np.empty(1024, dtype=dtype)
        self.size = 0

    def extend(self, values: np.ndarray) -> None:
        end = self.size + len(values)
        if end > len(self.data):
            grown = np.empty(max(end, 2 * len(self.data)), dtype=self.data.dtype)
            grown[: self.size] = self.data[: self.size]
            self.data = grown
        self.data[self.size : end] = values
        self.size = end

    @property
    def values(self) -> np.ndarray:
        return self.data[: self.size]


class _Links:
    """(slot, target index) pairs: an initiative's municipalities, counties or terms."""

    def __init__(self) -> None:
        self.slots = _Column(np.int32)
        self.targets = _Column(np.int32)

    def extend(self, slots: np.ndarray, targets: np.ndarray) -> None:
        self.slots.extend(slots)
        self.targets.extend(targets)

    def mark(self, size: int, targets: np.ndarray) -> np.ndarray:
        """Which slots have a link to any of `targets`."""
        marked = np.zeros(size, dtype=bool)
        slots = self.slots.values
        marked[slots[np.isin(self.targets.values, targets)]] = True
        return marked


class CountIndex:
    """The facets of the published initiatives of one database at one serial."""

    def __init__(self, session: Session) -> None:
        self.serial = -1
        self.dead = 0
        self.ids = _Column(np.int64)  # the initiative in each slot
        self.alive = _Column(bool)
        self.status = _Column(np.int32)
        self.year = _Column(np.int32)
        # yearly hours and kronor (0 where not stated), then 1 where each is stated
        self.amounts = [_Column(np.float64) for _ in range(4)]
        self._chosen: dict[InitiativeFilter, np.ndarray] = {}  # selections since the last load
        self.call_off = _Column(bool)
        self.open_source = _Column(bool)
        self.risk = _Column(np.int16)
        self.risk_codes: dict[str, int] = {}
        places = session.execute(
            select(Municipality.code, Municipality.region_code).order_by(Municipality.code)
        ).all()
        self.municipality_codes = [code for code, _ in places]
        self.municipality_at = {code: i for i, code in enumerate(self.municipality_codes)}
        self.region_codes = list(session.scalars(select(Region.code).order_by(Region.code)))
        region_at = {code: i for i, code in enumerate(self.region_codes)}
        self.region_of = np.array([region_at[r] for _, r in places], dtype=np.int32)
        self.status_ids = dict(session.execute(select(Status.slug, Status.id)).all())
        self.term_ids = {
            name: dict(session.execute(select(model.slug, model.id)).all())
            for name, (model, _, _) in TAXONOMY_PARAMS.items()
        }
        self.taking_part = _Links()  # municipality indexes
        self.adopting = _Links()  # municipalities that adopted and do not take part
        self.counties = _Links()  # county indexes, taking part or adopting, each once
        self.terms = {name: _Links() for name in TAXONOMY_PARAMS}

    @property
    def size(self) -> int:
        return self.alive.size

    # --- loading -----------------------------------------------------------------------

    def load(self, session: Session, ids: Sequence[int] | None) -> None:
        """Read the named initiatives (all if None) as they are now: kill their old slots and
        give the published ones new slots."""
        self._chosen.clear()
        if ids is None:
            self._append(session, None)
            return
        old = np.flatnonzero(np.isin(self.ids.values, ids) & self.alive.values)
        self.alive.data[old] = False
        self.dead += len(old)
        for start in range(0, len(ids), RELOAD_CHUNK):
            self._append(session, ids[start : start + RELOAD_CHUNK])

    def _append(self, session: Session, ids: Sequence[int] | None) -> None:
        """Slots for the named initiatives (all if None) that are published, with their
        links. Links are read without a join, by initiative id alone, and those of
        initiatives not in this batch (not published, or published since) are dropped."""
        connection = session.connection()

        def columns(
            stmt: Any,
            id_column: ColumnElement[int] | InstrumentedAttribute[int],
            *converters: Callable[[Sequence[Any]], np.ndarray],
        ) -> list[np.ndarray]:
            """The statement's columns as arrays. Read in chunks as the driver's own tuples,
            so that no list of every row, nor result rows, are ever held: a worker's memory
            grows by what the arrays hold, not by a passing peak."""
            if ids is not None:
                stmt = stmt.where(id_column.in_(ids))
            cursor = connection.execute(stmt).cursor
            parts: list[list[np.ndarray]] = [[] for _ in converters]
            while rows := cursor.fetchmany(FETCH_CHUNK):
                for part, convert, values in zip(
                    parts, converters, zip(*rows, strict=True), strict=True
                ):
                    part.append(convert(values))
            return [
                np.concatenate(part) if part else convert(())
                for part, convert in zip(parts, converters, strict=True)
            ]

        def whole(values: Sequence[Any]) -> np.ndarray:
            return np.array(values, dtype=np.int64)

        facets = columns(
            select(
                Initiative.id,
                Initiative.status_id,
                Initiative.start_year,
                Initiative.hours_per_year,
                Initiative.sek_per_year,
                Initiative.others_may_call_off,
                Initiative.open_source_url,
                Initiative.ai_act,
            )
            .where(PUBLIC)  # what the public may see, as services.register.initiatives says
            .order_by(Initiative.id),
            Initiative.id,
            whole,
            whole,
            lambda years: np.array([NO_YEAR if y is None else y for y in years], np.int64),
            lambda hours: np.array(hours, dtype=np.float64),  # None -> nan
            lambda sek: np.array(sek, dtype=np.float64),
            lambda flags: np.array([bool(v) for v in flags], dtype=bool),
            lambda urls: np.array([bool(v) for v in urls], dtype=bool),
            lambda risks: np.array([self._risk_code(v) for v in risks], dtype=np.int16),
        )
        batch = facets[0]
        if not len(batch):
            return
        base = self.size
        self.ids.extend(batch)
        self.alive.extend(np.ones(len(batch), dtype=bool))
        self.status.extend(facets[1])
        self.year.extend(facets[2])
        for k, values in enumerate((facets[3], facets[4])):
            stated = ~np.isnan(values)
            self.amounts[k].extend(np.where(stated, values, 0.0))
            self.amounts[k + 2].extend(stated.astype(np.float64))
        self.call_off.extend(facets[5])
        self.open_source.extend(facets[6])
        self.risk.extend(facets[7])

        def links(table: FromClause, column: str) -> tuple[np.ndarray, np.ndarray]:
            """(slot, value) of the table's links from initiatives in this batch."""
            owner, values = columns(
                select(table.c.initiative_id, table.c[column]),
                table.c.initiative_id,
                whole,
                np.array,
            )
            at = np.minimum(np.searchsorted(batch, owner), len(batch) - 1)
            keep = batch[at] == owner
            return (base + at[keep]).astype(np.int32), values[keep]

        codes = np.array(self.municipality_codes)
        part_slots, part_codes = links(initiative_municipalities, "municipality_code")
        part_places = np.searchsorted(codes, part_codes).astype(np.int32)
        adopt_slots, adopt_codes = links(Adoption.__table__, "municipality_code")
        adopt_places = np.searchsorted(codes, adopt_codes).astype(np.int32)
        width = len(codes)
        also_taking_part = np.isin(
            adopt_slots.astype(np.int64) * width + adopt_places,
            part_slots.astype(np.int64) * width + part_places,
        )
        adopt_slots, adopt_places = adopt_slots[~also_taking_part], adopt_places[~also_taking_part]
        self.taking_part.extend(part_slots, part_places)
        self.adopting.extend(adopt_slots, adopt_places)
        county_keys = np.unique(
            np.concatenate(
                [
                    part_slots.astype(np.int64) * 64 + self.region_of[part_places],
                    adopt_slots.astype(np.int64) * 64 + self.region_of[adopt_places],
                ]
            )
        )
        self.counties.extend(
            (county_keys // 64).astype(np.int32), (county_keys % 64).astype(np.int32)
        )
        for name, (_, table, column) in TAXONOMY_PARAMS.items():
            slots, terms = links(table, column)
            self.terms[name].extend(slots, terms.astype(np.int32))

    def _risk_code(self, value: str | None) -> int:
        if value is None:
            return NO_RISK
        return self.risk_codes.setdefault(value, len(self.risk_codes))

    # --- answering -----------------------------------------------------------------------

    def selected(self, selection: InitiativeFilter) -> np.ndarray:
        """Which slots hold a published initiative under the filter (free text aside); kept
        until the next load, as the counts of one page ask for the same filter often."""
        if (chosen := self._chosen.get(selection)) is None:
            if len(self._chosen) >= CHOSEN_MAX:
                self._chosen.clear()
            chosen = self._chosen[selection] = self._select(selection)
        return chosen

    def _select(self, selection: InitiativeFilter) -> np.ndarray:
        size = self.size
        chosen = self.alive.values.copy()
        if selection.status:
            wanted = [self.status_ids[s] for s in selection.status if s in self.status_ids]
            chosen &= np.isin(self.status.values, wanted)
        for name in TAXONOMY_PARAMS:
            slugs = getattr(selection, name)
            if slugs:
                ids = [self.term_ids[name][s] for s in slugs if s in self.term_ids[name]]
                chosen &= self.terms[name].mark(size, np.array(ids, dtype=np.int32))
        if selection.municipality:
            place = np.array([self.municipality_at.get(selection.municipality, -1)], np.int32)
            chosen &= self.taking_part.mark(size, place) | self.adopting.mark(size, place)
        if selection.region:
            county = (
                self.region_codes.index(selection.region)
                if selection.region in self.region_codes
                else -1
            )
            chosen &= self.counties.mark(size, np.array([county], dtype=np.int32))
        year = self.year.values
        if selection.year_from is not None:
            chosen &= (year != NO_YEAR) & (year >= selection.year_from)
        if selection.year_to is not None:
            chosen &= (year != NO_YEAR) & (year <= selection.year_to)
        if selection.reuse:
            reusable = np.zeros(size, dtype=bool)
            if "call-off" in selection.reuse:
                reusable |= self.call_off.values
            if "open-source" in selection.reuse:
                reusable |= self.open_source.values
            chosen &= reusable
        if selection.risk:
            codes = [self.risk_codes[r] for r in selection.risk if r in self.risk_codes]
            if "unassessed" in selection.risk:
                codes.append(NO_RISK)
            chosen &= np.isin(self.risk.values, codes)
        return chosen

    def _figures(self, chosen: np.ndarray, links: Sequence[_Links], width: int) -> np.ndarray:
        """A (5, width) array: count, hours, kronor, with hours, with kronor per target."""
        out = np.zeros((5, width))
        amounts = [column.values for column in self.amounts]
        for link in links:
            slots, targets = link.slots.values, link.targets.values
            picked = chosen[slots]
            slots, targets = slots[picked], targets[picked]
            out[0] += np.bincount(targets, minlength=width)
            for k, amount in enumerate(amounts, start=1):
                out[k] += np.bincount(targets, weights=amount[slots], minlength=width)
        return out

    @staticmethod
    def _by_code(out: np.ndarray, codes: list[str]) -> dict[str, Row]:
        return {
            codes[i]: (int(c), float(h), float(s), int(wh), int(ws))
            for i, (c, h, s, wh, ws) in enumerate(out.T.tolist())
            if c
        }

    @_locked
    def figures_by_municipality(self, selection: InitiativeFilter) -> dict[str, Row]:
        width = len(self.municipality_codes)
        out = self._figures(self.selected(selection), (self.taking_part, self.adopting), width)
        return self._by_code(out, self.municipality_codes)

    @_locked
    def adopted_by_municipality(self, selection: InitiativeFilter) -> dict[str, int]:
        width = len(self.municipality_codes)
        chosen = self.selected(selection)
        counts = np.bincount(
            self.adopting.targets.values[chosen[self.adopting.slots.values]], minlength=width
        )
        return {self.municipality_codes[i]: int(n) for i, n in enumerate(counts.tolist()) if n}

    @_locked
    def figures_by_region(self, selection: InitiativeFilter) -> dict[str, Row]:
        out = self._figures(self.selected(selection), (self.counties,), len(self.region_codes))
        return self._by_code(out, self.region_codes)

    @_locked
    def counts_by_region(self, selection: InitiativeFilter) -> dict[str, tuple[int, int]]:
        """Per county: (initiatives involving it, its municipalities with at least one)."""
        chosen = self.selected(selection)
        regions = len(self.region_codes)
        involving = self._figures(chosen, (self.counties,), regions)[0]
        places = self._figures(chosen, (self.taking_part, self.adopting), len(self.region_of))[0]
        with_any = np.bincount(self.region_of[places > 0], minlength=regions)
        return {
            code: (int(n), int(m))
            for code, n, m in zip(
                self.region_codes, involving.tolist(), with_any.tolist(), strict=True
            )
            if n
        }

    @_locked
    def figures(self, selection: InitiativeFilter) -> Row:
        chosen = self.selected(selection)
        hours, sek, with_hours, with_sek = (float(c.values[chosen].sum()) for c in self.amounts)
        return (int(chosen.sum()), hours, sek, int(with_hours), int(with_sek))

    @_locked
    def by_year_and_status(self, selection: InitiativeFilter) -> dict[tuple[int, int], int]:
        """(start year, status id) -> initiatives under the filter that have a start year."""
        chosen = self.selected(selection) & (self.year.values != NO_YEAR)
        years, statuses = self.year.values[chosen], self.status.values[chosen]
        if not len(years):
            return {}
        first, width = int(years.min()), int(statuses.max()) + 1
        counts = np.bincount((years - first).astype(np.int64) * width + statuses)
        return {
            (first + int(key) // width, int(key) % width): int(counts[key])
            for key in np.flatnonzero(counts).tolist()
        }


def current(session: Session, selection: InitiativeFilter) -> CountIndex | None:
    """This database's index, caught up with what the session's transaction sees, or None
    when it cannot answer the filter (free text), the transaction has writes of its own, the
    schema has no serials or no request is being served: a command that counts once reads
    with SQL rather than load every initiative."""
    if selection.q or not has_request_context() or cache.writing(session):
        return None
    serial = cache.serial(session)
    if serial is None:
        return None
    # the engine's pool: the app's reading and writing engines share it (db.writing_engine)
    pool = session.get_bind().engine.pool
    with _lock:
        index = _indexes.get(pool)
        if index is not None and index.serial >= serial:
            return index
        _indexes[pool] = index = _caught_up(session, index, serial)
        return index


def _caught_up(session: Session, index: CountIndex | None, serial: int) -> CountIndex:
    if (
        index is not None
        and serial - index.serial <= CATCH_UP_MAX
        and index.dead < max(1000, (index.size - index.dead) // 4)
    ):
        # every row since the index's serial, newer ones included: a writer that pruned rows
        # this reader needs committed its own row, at least KEEP_SERIALS above them, with it
        rows = session.execute(
            select(data_changes.c.serial, data_changes.c.initiative_id).where(
                data_changes.c.serial > index.serial
            )
        ).all()
        ids = {initiative_id for _, initiative_id in rows}
        pruned = any(number >= index.serial + cache.KEEP_SERIALS for number, _ in rows)
        if None not in ids and not pruned:
            index.load(session, sorted(i for i in ids if i is not None))
            index.serial = serial
            return index
    fresh = CountIndex(session)
    fresh.load(session, None)
    fresh.serial = serial
    return fresh
