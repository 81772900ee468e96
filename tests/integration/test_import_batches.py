"""A batched import writes what a row-by-row import writes (issue 19).

New initiatives go in as batches of inserts (services/data_io/importing/batch_insert.py) and
changed ones get their revisions a batch at a time; whatever the batch size, one row at a time
or a thousand, the database ends up the same: the same initiatives (all but their creation
time), the same links, effects and revisions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import openpyxl
from sqlalchemy import Table, func, select, text
from sqlalchemy.orm import Session

from kommunkarta import cache, db
from kommunkarta.filters import InitiativeFilter
from kommunkarta.models import Effect, Initiative, Revision, Status, data_changes
from kommunkarta.services.data_io import effect_sheet
from kommunkarta.services.data_io.importing import plan
from kommunkarta.services.register import count_serving, initiatives
from tests.conftest import initialised_app
from tests.integration.test_count_index import built_index

HEADER = [
    "id",
    "title",
    "summary",
    "status",
    "benefit_areas",
    "technologies",
    "municipalities",
    "start_year",
    "url",
    "lat",
    "lon",
    "state",
    "is_demo",
    "published_at",
    "source",
]
# rows with and without ids, several municipalities and terms, a point, a draft, demo data,
# a published time given and not, a case from another data set
ROWS = [
    [40, "Chattbot för bygglov", "Svarar dygnet runt", "pilot", "efficiency|resident-service",
     "chatbot", "0180", 2024, "https://example.se/a", 59.3293, 18.0686, "published", "false",
     "2025-01-31T12:00:00+00:00", ""],
    [None, "Taligenkänning i hemtjänsten", "", "idea", "work-environment", "speech-recognition",
     "1280|1281", None, "", None, None, "draft", "true", "", ""],
    [41, "Prognoser för skolval", "Elevprognoser", "production", "efficiency", "", "1480",
     2021, "", None, None, "published", "false", "", ""],
    [None, "Översättning på biblioteket", "", "pilot", "", "language-technology", "0180|1480",
     2023, "", None, None, "", "", "", "EU Public Sector Tech Watch, PSTW ID 77, CC BY 4.0"],
    [None, "Bildanalys av gatubelysning", "Trasiga lampor", "pilot", "safety",
     "computer-vision", "2480", 2022, "", None, None, "submitted", "false", "", ""],
    [42, "Schemaläggning", "", "ended", "", "optimisation", "0114", 2019, "", None, None,
     "rejected", "false", "", ""],
    [None, "Sammanfattning av protokoll", "", "pilot", "democracy", "", "1280", None, "",
     None, None, "published", "false", "", ""],
]  # fmt: skip
EFFECTS = [
    [40, "efficiency", "time", 2, "hours", "week", 30, "measured", "", "2025-03-31"],
    [40, "", "money", 150000, "sek", "year", None, "estimated", "https://example.se/r", None],
    [41, "efficiency", "reach", 1200, "count", "year", None, "evaluated", "", None],
]


def _workbook(path: Path, rows: list[list], effects: list[list]) -> Path:
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    for row in rows:
        book.active.append(row)
    sheet = book.create_sheet(effect_sheet.SHEET)
    sheet.append(list(effect_sheet.COLUMNS))
    for row in effects:
        sheet.append(row)
    book.save(path)
    return path


def _dump(app) -> dict[str, list]:
    """Everything an import writes, in a stable order; the effects' and revisions' own ids
    (drawn in whatever order the rows went in) left out."""
    tables: list[tuple[Table, str]] = [
        (Initiative.__table__, "id"),  # type: ignore[list-item]
        (Effect.__table__, "initiative_id, position"),  # type: ignore[list-item]
        (Revision.__table__, "initiative_id, action, changes"),  # type: ignore[list-item]
    ]
    links = [
        "initiative_municipalities",
        "initiative_benefit_areas",
        "initiative_areas",
        "initiative_technologies",
    ]
    found: dict[str, list] = {}
    with Session(app.extensions["db_engine"]) as session:
        for table, order in tables:
            rows = session.execute(select(table).order_by(text(order))).mappings()
            found[table.name] = [
                {k: v for k, v in row.items() if k != "id" or table.name == "initiatives"}
                for row in rows
            ]
        for name in links:
            found[name] = list(
                map(tuple, session.execute(text(f"SELECT * FROM {name} ORDER BY 1, 2")))
            )
    return found


NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


class _Frozen(datetime):
    """The import's clock, stopped, so that the times it writes compare equal."""

    @classmethod
    def now(cls, tz=None):
        return NOW


def _import(app, path: Path, expected: str) -> None:
    result = app.test_cli_runner().invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    assert expected in result.output, result.output


def test_batches_of_any_size_write_what_a_row_by_row_import_writes(
    databases, geo, tmp_path, sqlite_template, monkeypatch
):
    first = _workbook(tmp_path / "first.xlsx", ROWS, EFFECTS)
    changed_rows = [list(row) for row in ROWS]
    changed_rows[0][1] = "Chattbot för bygglov och miljö"  # a new title
    changed_rows[2][3] = "ended"  # a new status
    changed_rows[3][-1] = ""  # (the case from the other data set is here already)
    changed_effects = [EFFECTS[0][:6] + [10] + EFFECTS[0][7:], EFFECTS[2]]  # 40: one effect less
    changed = _workbook(tmp_path / "changed.xlsx", changed_rows, changed_effects)
    dumps = []
    monkeypatch.setattr(plan, "datetime", _Frozen)
    for size in (1, 3, 1000):
        monkeypatch.setattr(plan, "BATCH", size)
        folder = tmp_path / f"batch-{size}"
        folder.mkdir()
        app = initialised_app(databases, geo, folder, sqlite_template)
        _import(app, first, "7 rows: 7 new, 0 changed, 0 unchanged; written.")
        # unchanged rows are left alone; changed ones are updated (by id) and the rows
        # without an id are new again
        _import(app, changed, "7 rows: 4 new, 2 changed, 1 unchanged; written.")
        dumps.append(_dump(app))
    assert dumps[0] == dumps[1] == dumps[2]

    written = dumps[0]
    ids = [row["id"] for row in written["initiatives"]]
    # the file's ids kept, the others drawn after them, in the file's order
    assert ids == [40, 41, 42, *range(43, 51)]
    by_id = {row["id"]: row for row in written["initiatives"]}
    assert by_id[40]["title"] == "Chattbot för bygglov och miljö"
    assert by_id[40]["hours_per_year"] == 2 * 52 * 10 and by_id[40]["sek_per_year"] is None
    assert by_id[41]["hours_per_year"] is None
    assert by_id[43]["state"] == "draft" and by_id[43]["published_at"] is None
    assert by_id[45]["state"] == "submitted" and by_id[46]["state"] == "published"
    assert by_id[43]["is_demo"] is True and by_id[43]["lang"] == "sv"
    assert by_id[44]["external_ref"] == "pstw:77" and by_id[44]["licence"] == "CC BY 4.0"
    assert by_id[44]["state"] == "published" and by_id[44]["published_at"] is not None
    assert by_id[40]["search_text"] == "chattbot för bygglov och miljö\nsvarar dygnet runt\n"
    assert by_id[40]["version"] == 2 and by_id[43]["version"] == 1
    assert ("1280", "1281") == tuple(c for i, c in written["initiative_municipalities"] if i == 43)
    assert [(e["initiative_id"], e["position"], e["people"]) for e in written["effects"]] == [
        (40, 0, 10),
        (41, 0, None),
    ]
    actions = [(r["initiative_id"], r["action"]) for r in written["revisions"]]
    assert sorted(actions) == sorted(
        [(i, "created") for i in ids] + [(40, "edited"), (41, "edited")]
    )


def test_new_initiatives_after_an_import_without_ids_draw_fresh_ids(app, tmp_path):
    rows = [[None, *row[1:-1], ""] for row in ROWS]
    path = _workbook(tmp_path / "no-ids.xlsx", rows, [])
    _import(app, path, "7 new")
    _import(app, path, "7 new")
    with Session(app.extensions["db_engine"]) as session:
        ids = session.scalars(select(Initiative.id).order_by(Initiative.id)).all()
        assert len(set(ids)) == 14
        added = Initiative(title="Ny", status_id=session.scalar(select(Status.id).limit(1)))
        session.add(added)
        session.commit()
        assert added.id > max(ids)


def test_an_import_names_the_initiatives_it_wrote_and_the_counts_follow(app, tmp_path):
    """The batches' inserts name their initiatives for the in-memory counts (cache.touched),
    as the ORM's writes do, instead of "anything may have changed"."""
    engine = app.extensions["db_engine"]
    path = _workbook(tmp_path / "some.xlsx", ROWS[:3], [])
    # the in-memory counts serve requests only (count_serving.current), once built
    with app.test_request_context():
        built_index(engine)  # loaded, empty
    with app.test_request_context(), Session(engine) as session:
        assert initiatives.count(session, InitiativeFilter()) == 0
    _import(app, path, "3 new")
    with app.test_request_context(), Session(db.one_snapshot(engine)) as session:
        last = session.scalar(select(func.max(data_changes.c.serial)))
        named = session.scalars(
            select(data_changes.c.initiative_id).where(data_changes.c.serial == last)
        ).all()
        assert sorted(named) == [40, 41, 42]  # no null: not "anything may have changed"
        assert count_serving.current(session, InitiativeFilter()) is not None  # caught up
        by_memory = initiatives.figures_by_municipality(session, InitiativeFilter())
    with Session(engine) as session:
        session.info[cache.CHANGED] = True  # a transaction with writes of its own counts by SQL
        assert count_serving.current(session, InitiativeFilter()) is None
        assert initiatives.figures_by_municipality(session, InitiativeFilter()) == by_memory
    assert by_memory["0180"][0] == 1  # the draft (1280, 1281) is not counted
