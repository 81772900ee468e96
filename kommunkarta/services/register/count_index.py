"""The counts of published initiatives under a filter, answered from memory.

Each process keeps, per database engine, what the filters and the counts read of every
published initiative — the municipalities taking part and adopting, its counties, its
taxonomy terms, status, start year, reuse, AI Act category, yearly hours and kronor, and
whether it is demo data (the site's notice) — in numpy arrays, one slot per initiative
(services.register.count_arrays). A count under any filter without free text is then a few
vectorised passes over them instead of a GROUP BY over every link, and each filter asked for
keeps its result as a tally (services.register.count_tallies).

It stays current without reading the world again (services.register.count_serving decides
which index answers a request). Every write to public data numbers itself
(`data_version.serial`) and names the initiatives it touched (`data_changes`, see
kommunkarta.cache). A reader whose transaction sees a newer serial than the index reads the
initiatives the rows in between name (services.register.count_reading): their old slots
die, the published ones get new slots, and every tally takes out the old slots' part and
puts in the new ones' — no filter is counted again. A change no write could name (taxonomy,
places, bulk statements), a gap in the serials (rows pruned) or too many dead slots makes it
read everything again. It reads in the reader's transaction, or a build's, each of one
snapshot (kommunkarta.db.one_snapshot), so the index at a serial holds that data version,
no older and no newer; several processes and instances on one database each catch up on
their own.
"""

from __future__ import annotations

import functools
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from kommunkarta.filters import TAXONOMY_PARAMS, InitiativeFilter
from kommunkarta.models import (
    Municipality,
    Region,
    Status,
)
from kommunkarta.services.register.count_arrays import Column, Links
from kommunkarta.services.register.count_reading import (
    ADOPTING,
    FIRST_TERM,
    NO_YEAR,
    TAKING_PART,
    Batch,
    read_all,
    read_changes,
)
from kommunkarta.services.register.count_tallies import Facets, Tally, figures, totals

CHOSEN_MAX = 32  # filters whose tallies are kept (100 KB each at 100,000 initiatives)
NO_RISK = -1
T = TypeVar("T")

lock = threading.RLock()  # answers read the arrays while no other thread changes them


# Per place (or in total): initiatives, summed yearly hours and kronor, and how many state them
# (the fields of services.register.initiatives.Figures)
Row = tuple[int, float, float, int, int]


def _locked(method: Callable[..., T]) -> Callable[..., T]:
    """Answers read the arrays while no other thread reloads them."""

    @functools.wraps(method)
    def answer(*args: Any, **kwargs: Any) -> T:
        with lock:
            return method(*args, **kwargs)

    return answer


class CountIndex:
    """The facets of the published initiatives of one database at one serial."""

    def __init__(self, session: Session) -> None:
        self.serial = -1
        self.dead = 0
        self.in_id_order = 0  # slots read whole, in id order (see _holding)
        self.ids = Column(np.int64)  # the initiative in each slot
        self.alive = Column(bool)
        self.status = Column(np.int32)
        self.year = Column(np.int32)
        # yearly hours and kronor (0 where not stated), then 1 where each is stated
        self.amounts = [Column(np.float64) for _ in range(4)]
        self._tallies: OrderedDict[InitiativeFilter, Tally] = OrderedDict()
        self.call_off = Column(bool)
        self.open_source = Column(bool)
        self.risk = Column(np.int16)
        self.demo = Column(bool)  # demo data (services.data_io.demo)
        self.risk_codes: dict[str, int] = {}
        places = session.execute(
            select(Municipality.code, Municipality.region_code).order_by(Municipality.code)
        ).all()
        self.municipality_codes = [code for code, _ in places]
        self.municipality_at = {code: i for i, code in enumerate(self.municipality_codes)}
        # the codes (four digits) as numbers, as the links are read: in the same order
        self.municipality_numbers = np.array([int(c) for c in self.municipality_codes])
        self.region_codes = list(session.scalars(select(Region.code).order_by(Region.code)))
        region_at = {code: i for i, code in enumerate(self.region_codes)}
        self.region_of = np.array([region_at[r] for _, r in places], dtype=np.int32)
        self.status_ids = dict(session.execute(select(Status.slug, Status.id)).all())
        self.term_ids = {
            name: dict(session.execute(select(model.slug, model.id)).all())
            for name, (model, _, _) in TAXONOMY_PARAMS.items()
        }
        self.taking_part = Links()  # municipality indexes
        self.adopting = Links()  # municipalities that adopted and do not take part
        self.counties = Links()  # county indexes, taking part or adopting, each once
        self.terms = {name: Links() for name in TAXONOMY_PARAMS}

    @property
    def size(self) -> int:
        return self.alive.size

    # --- loading -----------------------------------------------------------------------

    def load_all(self, session: Session, serial: int) -> None:
        """Read every published initiative (once, into an empty index)."""
        self._apply(read_all(session.connection(), self._risk_code))
        self.in_id_order = self.size  # read by id: the slots up to here hold ids ascending
        self.serial = serial

    def catch_up(self, session: Session, serial: int) -> bool:
        """Reload the initiatives that the writes after this index's serial up to `serial`
        named: kill their old slots and give the published ones new slots, taking the old
        ones' part out of every tally and putting the new ones' in. False, with nothing
        changed, when a write could not name what it changed or the rows naming them were
        pruned: the caller then reads everything into a new index."""
        changes = read_changes(session.connection(), self.serial, serial, self._risk_code)
        if changes is None:
            return False
        ids, batch = changes
        held = self._holding(ids)
        old = held[self.alive.values[held]]
        self._retally(old, -1)
        self.alive.data[old] = False
        for tally in self._tallies.values():
            tally.chosen[old] = False
        self.dead += len(old)
        base = self.size
        self._apply(batch)
        if self.size > base:
            for selection, tally in self._tallies.items():
                tally.chosen = np.concatenate([tally.chosen, self._select(selection, base)])
            self._retally(np.arange(base, self.size), 1)
        self.serial = serial
        return True

    def _holding(self, ids: np.ndarray) -> np.ndarray:
        """The slots that hold any of the ids, alive or not: those read whole hold ids in
        ascending order, found by binary search; those added by catch-ups after them are
        few (compared one by one, as np.isin would set up a lookup table over the whole
        range of ids)."""
        loaded = self.ids.values[: self.in_id_order]
        at = np.minimum(np.searchsorted(loaded, ids), max(len(loaded) - 1, 0))
        found = at[loaded[at] == ids] if len(loaded) else at[:0]
        added = self.ids.values[self.in_id_order :]
        if len(ids) > 16:
            later = np.isin(added, ids)
        else:
            later = np.zeros(len(added), dtype=bool)
            for initiative_id in ids.tolist():
                later |= added == initiative_id
        return np.concatenate([found, self.in_id_order + np.flatnonzero(later)])

    def _retally(self, slots: np.ndarray, sign: int) -> None:
        if len(slots) and self._tallies:
            links = (self.taking_part.of(slots), self.adopting.of(slots), self.counties.of(slots))
            amounts = [column.values for column in self.amounts]
            facets = Facets(amounts, self.year.values, self.status.values)
            for tally in self._tallies.values():
                tally.add(slots, links, facets, sign)

    def _apply(self, batch: Batch) -> None:
        """New slots for the batch's initiatives, with their links."""
        ids = batch.facets[0]
        if not len(ids):
            return  # (and no links are kept: they belong to initiatives not published)
        base = self.size
        self.ids.extend(ids)
        self.alive.extend(np.ones(len(ids), dtype=bool))
        status, year, hours, sek, call_off, open_source, risk, demo = batch.facets[1:]
        self.status.extend(status)
        self.year.extend(year)
        for k, values in enumerate((hours, sek)):
            stated = ~np.isnan(values)
            self.amounts[k].extend(np.where(stated, values, 0.0))
            self.amounts[k + 2].extend(stated.astype(np.float64))
        self.call_off.extend(call_off)
        self.open_source.extend(open_source)
        self.risk.extend(risk)
        self.demo.extend(demo)

        owners, kinds, values = batch.links
        at = np.minimum(np.searchsorted(ids, owners), len(ids) - 1)
        keep = ids[at] == owners
        slots, kinds, values = (base + at[keep]).astype(np.int32), kinds[keep], values[keep]

        def of(kind: int) -> tuple[np.ndarray, np.ndarray]:
            return slots[kinds == kind], values[kinds == kind]

        part_slots, part_codes = of(TAKING_PART)
        part_places = np.searchsorted(self.municipality_numbers, part_codes).astype(np.int32)
        adopt_slots, adopt_codes = of(ADOPTING)
        adopt_places = np.searchsorted(self.municipality_numbers, adopt_codes).astype(np.int32)
        width = len(self.municipality_numbers)
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
        for kind, name in enumerate(TAXONOMY_PARAMS, start=FIRST_TERM):
            term_slots, terms = of(kind)
            self.terms[name].extend(term_slots, terms.astype(np.int32))

    def _risk_code(self, value: str | None) -> int:
        if value is None:
            return NO_RISK
        return self.risk_codes.setdefault(value, len(self.risk_codes))

    # --- answering -----------------------------------------------------------------------

    def _tally(self, selection: InitiativeFilter) -> Tally:
        """The filter's tally, kept from one write to the next (the CHOSEN_MAX used last)."""
        if (tally := self._tallies.get(selection)) is None:
            tally = self._tallies[selection] = Tally(self._select(selection, 0))
            if len(self._tallies) > CHOSEN_MAX:
                self._tallies.popitem(last=False)
        else:
            self._tallies.move_to_end(selection)
        return tally

    def _select(self, selection: InitiativeFilter, start: int) -> np.ndarray:
        """Which of the slots from `start` on hold a published initiative under the filter
        (free text aside)."""
        size = self.size
        chosen = self.alive.values[start:].copy()
        if selection.status:
            wanted = [self.status_ids[s] for s in selection.status if s in self.status_ids]
            chosen &= np.isin(self.status.values[start:], wanted)
        for name in TAXONOMY_PARAMS:
            slugs = getattr(selection, name)
            if slugs:
                ids = [self.term_ids[name][s] for s in slugs if s in self.term_ids[name]]
                chosen &= self.terms[name].mark(start, size, np.array(ids, dtype=np.int32))
        if selection.municipality:
            place = np.array([self.municipality_at.get(selection.municipality, -1)], np.int32)
            chosen &= self.taking_part.mark(start, size, place) | self.adopting.mark(
                start, size, place
            )
        if selection.region:
            county = (
                self.region_codes.index(selection.region)
                if selection.region in self.region_codes
                else -1
            )
            chosen &= self.counties.mark(start, size, np.array([county], dtype=np.int32))
        year = self.year.values[start:]
        if selection.year_from is not None:
            chosen &= (year != NO_YEAR) & (year >= selection.year_from)
        if selection.year_to is not None:
            chosen &= (year != NO_YEAR) & (year <= selection.year_to)
        if selection.reuse:
            reusable = np.zeros(size - start, dtype=bool)
            if "call-off" in selection.reuse:
                reusable |= self.call_off.values[start:]
            if "open-source" in selection.reuse:
                reusable |= self.open_source.values[start:]
            chosen &= reusable
        if selection.risk:
            codes = [self.risk_codes[r] for r in selection.risk if r in self.risk_codes]
            if "unassessed" in selection.risk:
                codes.append(NO_RISK)
            chosen &= np.isin(self.risk.values[start:], codes)
        return chosen

    def _figures(self, chosen: np.ndarray, links: Sequence[Links], width: int) -> np.ndarray:
        amounts = [column.values for column in self.amounts]
        return figures(chosen, [link.every for link in links], amounts, width)

    def _places(self, tally: Tally) -> np.ndarray:
        if tally.places is None:
            width = len(self.municipality_codes)
            tally.places = self._figures(tally.chosen, (self.taking_part, self.adopting), width)
        return tally.places

    def _counties(self, tally: Tally) -> np.ndarray:
        if tally.counties is None:
            tally.counties = self._figures(tally.chosen, (self.counties,), len(self.region_codes))
        return tally.counties

    @staticmethod
    def _by_code(out: np.ndarray, codes: list[str]) -> dict[str, Row]:
        """The rows of `out` (count, hours, kronor, with hours, with kronor per target) for
        the targets with a count, by code."""
        at = np.flatnonzero(out[0])
        counts, with_hours, with_sek = (out[k, at].astype(np.int64).tolist() for k in (0, 3, 4))
        rows = zip(
            counts, out[1, at].tolist(), out[2, at].tolist(), with_hours, with_sek, strict=True
        )
        return dict(zip([codes[i] for i in at.tolist()], rows, strict=True))

    @_locked
    def figures_by_municipality(self, selection: InitiativeFilter) -> dict[str, Row]:
        return self._by_code(self._places(self._tally(selection)), self.municipality_codes)

    @_locked
    def adopted_by_municipality(self, selection: InitiativeFilter) -> dict[str, int]:
        tally = self._tally(selection)
        if tally.adopted is None:
            slots, places = self.adopting.every
            width = len(self.municipality_codes)
            tally.adopted = np.bincount(places[tally.chosen[slots]], minlength=width)
        return {
            self.municipality_codes[i]: int(n) for i, n in enumerate(tally.adopted.tolist()) if n
        }

    @_locked
    def figures_by_region(self, selection: InitiativeFilter) -> dict[str, Row]:
        return self._by_code(self._counties(self._tally(selection)), self.region_codes)

    @_locked
    def counts_by_region(self, selection: InitiativeFilter) -> dict[str, tuple[int, int]]:
        """Per county: (initiatives involving it, its municipalities with at least one)."""
        tally = self._tally(selection)
        involving = self._counties(tally)[0]
        places = self._places(tally)[0]
        with_any = np.bincount(self.region_of[places > 0], minlength=len(self.region_codes))
        return {
            code: (int(n), int(m))
            for code, n, m in zip(
                self.region_codes, involving.tolist(), with_any.tolist(), strict=True
            )
            if n
        }

    @_locked
    def figures(self, selection: InitiativeFilter) -> Row:
        tally = self._tally(selection)
        if tally.total is None:
            every = np.arange(self.size)
            tally.total = totals(tally.chosen, every, [c.values for c in self.amounts])
        count, hours, sek, with_hours, with_sek = tally.total.tolist()
        return (int(count), hours, sek, int(with_hours), int(with_sek))

    @_locked
    def any_demo(self) -> bool:
        """Whether any published initiative is demo data (the site's notice says so)."""
        return bool(np.any(self.demo.values & self.alive.values))

    @_locked
    def by_year_and_status(self, selection: InitiativeFilter) -> dict[tuple[int, int], int]:
        """(start year, status id) -> initiatives under the filter that have a start year."""
        tally = self._tally(selection)
        if tally.years is None:
            tally.years = Counter()
            chosen = tally.chosen & (self.year.values != NO_YEAR)
            years, statuses = self.year.values[chosen], self.status.values[chosen]
            if len(years):
                first, width = int(years.min()), int(statuses.max()) + 1
                counts = np.bincount((years - first).astype(np.int64) * width + statuses)
                for key in np.flatnonzero(counts).tolist():
                    tally.years[first + key // width, key % width] = int(counts[key])
        return dict(tally.years)
