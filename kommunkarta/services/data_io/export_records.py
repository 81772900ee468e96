"""Initiatives as the spreadsheet exports need them, read with plain queries.

An export of the whole register is mostly reading: loading 10,000 initiatives with their
links through the ORM takes several times as long as writing them. A row of the CSV and XLSX
exports needs only the initiative's own columns, its status and the slugs and codes of its
links, so `batches` reads those as tuples on the session's connection: the selection in id
order, `BATCH` at a time, and for each batch one query per kind of link; the taxonomy's slugs
and positions are read once. The lists are in the order the ORM relationships give them
(models.Initiative: terms by position, municipalities by code), which a test compares with
the API item.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, Table, select
from sqlalchemy.orm import Session

from kommunkarta import models
from kommunkarta.filters import InitiativeFilter
from kommunkarta.models import Initiative, Status, TermModel
from kommunkarta.services.register.initiatives import visible

BATCH = 1000


class ExportRecord(NamedTuple):
    """One initiative's columns, its status slug and its links' slugs and codes (a named
    tuple: built 10,000 times an export, it has to be cheap)."""

    id: int
    title: str
    summary: str | None
    description: str | None
    lang: str
    start_year: int | None
    url: str | None
    contact: str | None
    lat: float | None
    lon: float | None
    state: str
    is_demo: bool | None
    published_at: datetime | None
    updated_at: datetime | None
    last_confirmed_at: datetime | None
    source: str
    licence: str
    external_ref: str | None
    hours_per_year: float | None
    sek_per_year: float | None
    investment_sek: int | None
    running_sek_per_year: int | None
    procurement: str | None
    others_may_call_off: bool | None
    supplier: str | None
    open_source_url: str | None
    personal_data: str | None
    dpia: bool | None
    ai_act: str | None
    fria: bool | None
    status: str
    benefit_areas: tuple[str, ...]
    areas: tuple[str, ...]
    technologies: tuple[str, ...]
    municipalities: tuple[str, ...]


# the record's fields that are the initiative's own columns (the rest are looked up)
OWN = ExportRecord._fields[: ExportRecord._fields.index("status")]
TERM_LINKS: dict[str, tuple[Table, TermModel, str]] = {
    "benefit_areas": (models.initiative_benefit_areas, models.BenefitArea, "benefit_area_id"),
    "areas": (models.initiative_areas, models.OperationalArea, "area_id"),
    "technologies": (models.initiative_technologies, models.Technology, "technology_id"),
}


def _linked(connection: Connection, table: Table, key: str, ids: list[int]) -> dict[int, list[Any]]:
    """{initiative id: the `key` column of its rows in the link `table`}, for these ids
    (ascending). Close-set ids, as a whole export's batches are, are read as one range
    rather than compiled into an IN (...) of a thousand parameters."""
    owner = table.c.initiative_id
    stmt = select(owner, table.c[key])
    wanted: set[int] | None = None
    if ids[-1] - ids[0] < 2 * len(ids):
        stmt, wanted = stmt.where(owner.between(ids[0], ids[-1])), set(ids)
    else:
        stmt = stmt.where(owner.in_(ids))
    found: defaultdict[int, list[Any]] = defaultdict(list)
    for initiative_id, value in connection.execute(stmt).all():
        if wanted is None or initiative_id in wanted:
            found[initiative_id].append(value)
    return found


def _slugs(connection: Connection) -> dict[str, dict[int, tuple[int, str]]]:
    """For each term link: {term id: (position, slug)} (the taxonomy is small)."""
    return {
        link: {
            term_id: (position, slug)
            for term_id, position, slug in connection.execute(
                select(model.id, model.position, model.slug)
            )
        }
        for link, (_, model, _) in TERM_LINKS.items()
    }


def batches(
    session: Session,
    selection: InitiativeFilter,
    batch: int = BATCH,
    ids: Sequence[int] | None = None,
) -> Iterator[list[ExportRecord]]:
    """The published initiatives under the filter, by id, `batch` at a time; only those
    of `ids` if given (as many as one IN (...) takes)."""
    connection = session.connection()
    terms = _slugs(connection)
    stmt = selection.apply(
        visible(
            select(*(getattr(Initiative, name) for name in OWN), Status.slug).join(
                Status, Status.id == Initiative.status_id
            )
        )
    )
    if ids is not None:
        stmt = stmt.where(Initiative.id.in_(ids))
    stmt = stmt.order_by(Initiative.id).execution_options(yield_per=batch)
    result = connection.execute(stmt)
    try:
        for rows in result.partitions():
            ids = [row[0] for row in rows]
            linked = {}
            for link, (table, _, key) in TERM_LINKS.items():
                by_id = terms[link]
                linked[link] = {
                    initiative_id: tuple(slug for _, slug in sorted(by_id[t] for t in term_ids))
                    for initiative_id, term_ids in _linked(connection, table, key, ids).items()
                }
            codes = _linked(connection, models.initiative_municipalities, "municipality_code", ids)
            yield [
                ExportRecord._make(
                    (
                        *row,  # OWN and the status
                        linked["benefit_areas"].get(row[0], ()),
                        linked["areas"].get(row[0], ()),
                        linked["technologies"].get(row[0], ()),
                        tuple(sorted(codes.get(row[0], ()))),
                    )
                )
                for row in rows
            ]
    finally:
        result.close()  # a download that stops half-way leaves no cursor open
