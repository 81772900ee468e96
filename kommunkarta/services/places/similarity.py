"""Similar initiatives: the published initiatives in other municipalities that resemble one,
and the existing ones that a new submission may duplicate.

Text is compared with TF-IDF over the title (counted twice), the summary and the description,
tokenised for Swedish (`text_model`). Taxonomy terms count too: the shared benefit areas,
operational areas and technologies, as a cosine over the initiatives' term sets. An initiative
whose text shares too little (under MIN_TEXT) is never a match, whatever its terms.

The index is built once per database and data version (`kommunkarta.cache.version`), never
per request. Up to SYNC_LIMIT published initiatives it is built, and after a write rebuilt, at
once by the request that needs it (a fraction of a second). Above that a thread builds it: the
first one in a process (6-75 s at 100,000 initiatives on a busy machine, past a worker's
time limit) while the pages say that the similar initiatives are being gathered, and after a
write at most every REBUILD_AFTER seconds while requests keep using the previous one.
Either way every match is read back through `initiatives.visible()` and its municipalities
are checked again, so an older index can miss a newer initiative but never shows an
unpublished one or one from the same municipality.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Connection, Engine, Integer, Table, select
from sqlalchemy.orm import Session, selectinload

from kommunkarta import cache
from kommunkarta.filters import InitiativeFilter
from kommunkarta.models import (
    Initiative,
    Term,
    initiative_areas,
    initiative_benefit_areas,
    initiative_municipalities,
    initiative_technologies,
)
from kommunkarta.services import heap
from kommunkarta.services.keys import keys_table
from kommunkarta.services.places.geodata import Place
from kommunkarta.services.places.sparse_rows import SparseRows
from kommunkarta.services.places.text_model import Postings, TextModel, document, learn
from kommunkarta.services.register import initiatives

log = logging.getLogger(__name__)

LIMIT = 10  # similar initiatives on an initiative page
TEXT_WEIGHT, TERMS_WEIGHT = 0.75, 0.25
MIN_TEXT = 0.1  # below this text similarity, shared terms alone make no match
DUPLICATE_MIN = 0.6  # text similarity from which a submission looks like an existing one
DUPLICATE_LIMIT = 5
CANDIDATES = 50  # best-scored rows read back from the database, so that stale rows can drop out
SYNC_LIMIT = 5_000  # published initiatives up to which a changed index is rebuilt at once
REBUILD_AFTER = 60.0  # seconds: above SYNC_LIMIT, at most one rebuild this often per process
STREAM_ROWS = 2_000  # initiatives read from the database at a time while the index is built
MAX_DATABASES = 4  # indexes kept per process (tests use many databases, an app one)

_lock = threading.Lock()
_sync_build = threading.Lock()
_indexes: OrderedDict[str, Index] = OrderedDict()  # database -> its newest index
_building: set[str] = set()  # databases whose index a thread is rebuilding


@dataclass(frozen=True)
class Index:
    """Published initiatives as vectors. Rows follow `ids` (ascending)."""

    version: str | None
    built_at: float  # time.monotonic()
    ids: np.ndarray
    model: TextModel | None  # None when there is no text to learn from
    postings: Postings  # text pieces x initiatives: a query reads only its own pieces
    terms: SparseRows  # taxonomy terms x initiatives, 1 where one has the term
    term_scale: NDArray[np.float32]  # 1 / sqrt(an initiative's terms): its row of unit length
    places: SparseRows  # municipalities x initiatives, 1 where one takes part
    term_columns: dict[tuple[str, int], int]
    place_columns: dict[str, int]

    def __len__(self) -> int:
        return len(self.ids)

    def text_scores(self, text: str) -> NDArray[np.float32]:
        """Cosine similarity of `text` with every row."""
        if self.model is None:
            return np.zeros(len(self), dtype=np.float32)
        return self.postings.scores(self.model.vector(text))

    def term_scores(self, keys: Iterable[tuple[str, int]]) -> NDArray[np.float32]:
        columns = [self.term_columns[k] for k in set(keys) if k in self.term_columns]
        if not columns:
            return np.zeros(len(self), dtype=np.float32)
        shared = self.terms.weighted_sum(np.array(columns), np.ones(len(columns)))
        return shared * self.term_scale / np.float32(np.sqrt(len(columns)))

    def in_places(self, codes: Iterable[str]) -> np.ndarray:
        """True for rows taking part in any of the municipalities."""
        columns = [self.place_columns[c] for c in set(codes) if c in self.place_columns]
        if not columns:
            return np.zeros(len(self), dtype=bool)
        return self.places.any_of(np.array(columns))


LINKS = (
    ("benefit", initiative_benefit_areas, "benefit_area_id"),
    ("area", initiative_areas, "area_id"),
    ("tech", initiative_technologies, "technology_id"),
)


def _term_keys(initiative: Initiative) -> list[tuple[str, int]]:
    return [
        *(("benefit", t.id) for t in initiative.benefit_areas),
        *(("area", t.id) for t in initiative.areas),
        *(("tech", t.id) for t in initiative.technologies),
    ]


def build(session: Session, version: str | None) -> Index:
    """Read every published initiative and vectorise it (seconds at 100,000)."""
    connection = session.connection()  # Core rows: a third of the time of ORM rows here
    # streamed: the texts are counted as they arrive, never all held at once (at 100,000
    # initiatives the rows and their documents were some 200 MB more at the peak)
    rows = connection.execution_options(yield_per=STREAM_ROWS).execute(
        initiatives.visible(
            select(Initiative.id, Initiative.title, Initiative.summary, Initiative.description)
        ).order_by(Initiative.id)
    )
    read: list[int] = []

    def documents() -> Iterator[str]:
        for row in rows:
            read.append(row.id)
            yield document(row.title, row.summary, row.description)

    model: TextModel | None
    try:
        model, postings = learn(documents())
    except ValueError:  # no initiatives, or not one word that is not a stop word
        model, postings = None, Postings.empty()
    ids = np.array(read, dtype=np.int64)

    def linked(link: Table, column: str) -> tuple[NDArray[np.intp], list[Any]]:
        pairs = connection.execute(
            initiatives.visible(
                select(link.c.initiative_id, link.c[column]).join(
                    Initiative, Initiative.id == link.c.initiative_id
                )
            )
        ).all()
        found = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=len(pairs))
        rows_of = np.searchsorted(ids, found)
        keep = rows_of < len(ids)
        keep[keep] = ids[rows_of[keep]] == found[keep]  # published after `rows` were read
        return rows_of[keep], [p[1] for p, k in zip(pairs, keep, strict=True) if k]

    term_columns: dict[tuple[str, int], int] = {}
    term_rows, term_cols = [], []
    for kind, link, column in LINKS:
        at, values = linked(link, column)
        term_rows.append(at)
        term_cols += [term_columns.setdefault((kind, v), len(term_columns)) for v in values]
    with_term = np.concatenate(term_rows)
    terms = SparseRows.from_entries(
        np.array(term_cols, dtype=np.int64), with_term.astype(np.int32), len(term_columns), len(ids)
    )
    held = np.bincount(with_term, minlength=len(ids)).astype(np.float32)
    term_scale = np.divide(1, np.sqrt(held), out=np.zeros_like(held), where=held > 0)

    at, codes = linked(initiative_municipalities, "municipality_code")
    place_columns: dict[str, int] = {}
    place_cols = [place_columns.setdefault(code, len(place_columns)) for code in codes]
    places = SparseRows.from_entries(
        np.array(place_cols, dtype=np.int64), at.astype(np.int32), len(place_columns), len(ids)
    )
    return Index(
        version=version,
        built_at=time.monotonic(),
        ids=ids,
        model=model,
        postings=postings,
        terms=terms,
        term_scale=term_scale,
        places=places,
        term_columns=term_columns,
        place_columns=place_columns,
    )


def _database(session: Session) -> str:
    return session.get_bind().engine.url.render_as_string(hide_password=False)


def _keep(key: str, index: Index) -> None:
    with _lock:
        _indexes[key] = index
        _indexes.move_to_end(key)
        while len(_indexes) > MAX_DATABASES:
            _indexes.popitem(last=False)


def current(session: Session) -> Index | None:
    """The index for this session's database at its data version or, while a large one is
    rebuilt after a write, the previous one; None while a large one is built for the first
    time."""
    version = cache.version(session)
    if version is None:
        return build(session, None)  # no version to key a kept index on
    key = _database(session)
    with _lock:
        index = _indexes.get(key)
    if index is not None and index.version == version:
        return index
    # built in a reading transaction of its own: never under SQLite's write lock, even for a
    # request that writes
    engine = session.get_bind().execution_options(sqlite_immediate=False)
    if initiatives.count(session, InitiativeFilter()) <= SYNC_LIMIT:
        with _sync_build:  # one build at a time, not one per waiting request
            with _lock:
                index = _indexes.get(key)
            if index is None or index.version != version:
                index = _build_apart(engine)
                _keep(key, index)
        return index
    with _lock:
        if key in _building:
            return index
        if index is not None and time.monotonic() - index.built_at < REBUILD_AFTER:
            return index
        _building.add(key)
    threading.Thread(target=_rebuild, args=(engine, key), daemon=True).start()
    return index


def _build_apart(engine: Engine | Connection) -> Index:
    with Session(engine) as session:
        # the version first: data read after it is at least as new, never older
        return build(session, cache.version(session))


def _rebuild(engine: Engine | Connection, key: str) -> None:
    try:
        _keep(key, _build_apart(engine))
    except Exception:  # a failed rebuild must not kill the thread silently nor the process
        log.exception("rebuilding the similarity index failed")
    finally:
        with _lock:
            _building.discard(key)
        heap.give_back()  # what learning the texts freed


@dataclass(frozen=True)
class Match:
    initiative: Initiative
    score: float
    regions: list[Place]
    shared: list[Term]  # the taxonomy terms it shares with the initiative compared


def _best(index: Index, scores: np.ndarray, eligible: np.ndarray) -> list[tuple[int, float]]:
    """(id, score) of the CANDIDATES best eligible rows, best first, ties by id."""
    rows = np.flatnonzero(eligible)
    if len(rows) > CANDIDATES:
        rows = rows[np.argpartition(-scores[rows], CANDIDATES - 1)[:CANDIDATES]]
    rows = rows[np.lexsort((index.ids[rows], -scores[rows]))]
    return [(int(index.ids[r]), float(scores[r])) for r in rows]


def _load(session: Session, ids: Sequence[int]) -> dict[int, Initiative]:
    """The published ones among `ids`, with what a page shows of them."""
    wanted = keys_table(ids, Integer, "id")
    stmt = initiatives.visible(select(Initiative).join(wanted, wanted.c.id == Initiative.id))
    return {
        item.id: item
        for item in session.scalars(
            stmt.options(
                selectinload(Initiative.municipalities),
                selectinload(Initiative.status),
                selectinload(Initiative.benefit_areas),
                selectinload(Initiative.areas),
                selectinload(Initiative.technologies),
            )
        )
    }


def _read_back(
    session: Session,
    ranked: Sequence[tuple[int, float]],
    places: set[str],
    same_place: bool,
    limit: int,
    reference: Initiative | None = None,
) -> list[Match]:
    """The first `limit` ranked ids that are still published and do (`same_place`) or do not
    take part in any of `places`. Read `limit` at a time: with an index of this data version
    the first read is the only one."""
    regions = {p.code: p for p in initiatives.regions(session)}
    mine = set(_term_keys(reference)) if reference is not None else set()
    matches: list[Match] = []
    for start in range(0, len(ranked), limit):
        batch = ranked[start : start + limit]
        found = _load(session, [i for i, _ in batch])
        for initiative_id, score in batch:
            item = found.get(initiative_id)
            if item is None or bool(places & {m.code for m in item.municipalities}) != same_place:
                continue
            shared: list[Term] = [
                term
                for kind, terms in (
                    ("benefit", item.benefit_areas),
                    ("area", item.areas),
                    ("tech", item.technologies),
                )
                for term in terms
                if (kind, term.id) in mine
            ]
            codes = sorted({m.region_code for m in item.municipalities})
            matches.append(Match(item, score, [regions[c] for c in codes], shared))
            if len(matches) == limit:
                return matches
    return matches


def similar(session: Session, initiative: Initiative, limit: int = LIMIT) -> list[Match] | None:
    """The published initiatives most like `initiative` in municipalities other than its own,
    best first; None while the index is first built (`current`)."""
    index = current(session)
    if index is None or not len(index):
        return None if index is None else []
    text = TEXT_WEIGHT * index.text_scores(
        document(initiative.title, initiative.summary, initiative.description)
    )
    scores = text + TERMS_WEIGHT * index.term_scores(_term_keys(initiative))
    own = {m.code for m in initiative.municipalities}
    eligible = (text >= TEXT_WEIGHT * MIN_TEXT) & ~index.in_places(own)
    eligible &= index.ids != initiative.id
    return _read_back(session, _best(index, scores, eligible), own, False, limit, initiative)


def possible_duplicates(
    session: Session,
    title: str,
    summary: str,
    description: str,
    municipality_codes: Iterable[str],
    exclude: int | None = None,
    limit: int = DUPLICATE_LIMIT,
) -> list[Match]:
    """Published initiatives in any of the municipalities whose text is very like this one
    (text similarity at least DUPLICATE_MIN), most alike first; `exclude` is the initiative
    being edited. None found while the index is first built: the check only advises."""
    index = current(session)
    if index is None or not len(index):
        return []
    codes = set(municipality_codes)
    text = index.text_scores(document(title, summary, description))
    eligible = (text >= DUPLICATE_MIN) & index.in_places(codes)
    if exclude is not None:
        eligible &= index.ids != exclude
    return _read_back(session, _best(index, text, eligible), codes, True, limit)
