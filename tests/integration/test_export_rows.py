"""The CSV export joined from the lines kept per process (services.data_io.export_rows)
against writing it afresh, as the `export` command does.

After a random mix of writes — publishing, withdrawing, titles with commas, quotes, line
breaks and formula-like text, places, terms, statuses, adoptions, deletions, new initiatives
— every download under a set of filters must be the freshly written file byte for byte, on
both databases, gzip-compressed and plain; the store must have caught up write by write, and
a change no write can name (the taxonomy's order) must make it read everything again.
"""

import gzip
import random

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kommunkarta.filters import InitiativeFilter
from kommunkarta.models import (
    BenefitArea,
    Initiative,
    State,
)
from kommunkarta.services.data_io import deflate, demo, export_cache, export_rows, exporter
from tests.integration.helpers import random_write, wait_until

SELECTIONS = {
    "": InitiativeFilter(),
    "benefit=efficiency&benefit=safety": InitiativeFilter(benefit=("efficiency", "safety")),
    "region=01": InitiativeFilter(region="01"),
    # adopters count as taking part
    "municipality=0180": InitiativeFilter(municipality="0180"),
    "status=pilot&tech=chatbot": InitiativeFilter(status=("pilot",), tech=("chatbot",)),
    "q=chattbot": InitiativeFilter(q="chattbot"),
    "year_from=2020&reuse=call-off": InitiativeFilter(year_from=2020, reuse=("call-off",)),
}


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks of eight ids, so that a filter selects whole blocks and parts of others."""
    monkeypatch.setattr(export_rows, "BLOCK_IDS", 8)
    monkeypatch.setattr(export_cache, "MAX_BYTES", 0)  # every download joined anew


@pytest.fixture
def full_loads(monkeypatch):
    """How often a store read every initiative."""
    calls = []
    read_all = export_rows._all_blocks

    def counted(session):
        calls.append(1)
        return read_all(session)

    monkeypatch.setattr(export_rows, "_all_blocks", counted)
    return calls


def _fresh(engine, selection: InitiativeFilter) -> bytes:
    """The file as the `export` command writes it: outside a request, no store."""
    with Session(engine) as session:
        return b"".join(exporter.csv_chunks(session, selection))


def _assert_downloads_are_fresh(client, engine, plain: bool = False) -> None:
    for query, selection in SELECTIONS.items():
        expected = _fresh(engine, selection)
        with client.get(f"/export.csv?{query}", headers={"Accept-Encoding": "gzip"}) as sent:
            assert sent.status_code == 200
            assert sent.headers["Content-Encoding"] == "gzip"
            assert gzip.decompress(sent.data) == expected, query
        if plain:
            with client.get(f"/export.csv?{query}") as sent:
                assert "Content-Encoding" not in sent.headers
                assert sent.data == expected, query


def test_downloads_after_random_writes_equal_a_fresh_export(app, geo, small_blocks, full_loads):
    engine = app.extensions["db_engine"]
    with Session(engine) as session, session.begin():
        demo.seed(session, geo, count=120, seed_value=7)
    client = app.test_client()
    _assert_downloads_are_fresh(client, engine, plain=True)
    assert len(full_loads) == 1
    rng = random.Random(19)
    with Session(engine) as session:
        for step in range(48):
            random_write(session, rng)
            if step % 4 == 3:
                _assert_downloads_are_fresh(client, engine, plain=step % 16 == 15)
    assert len(full_loads) == 1  # caught up write by write, never read again whole

    # the taxonomy's order is in every row that lists terms: no write can name those rows
    with Session(engine) as session, session.begin():
        for position, term in enumerate(
            session.scalars(select(BenefitArea).order_by(BenefitArea.position.desc()))
        ):
            term.position = position
    _assert_downloads_are_fresh(client, engine)
    assert len(full_loads) == 2


def test_a_second_app_on_the_same_database_sees_the_writes(app, geo, tmp_path, small_blocks):
    from tests.conftest import make_app

    engine = app.extensions["db_engine"]
    with Session(engine) as session, session.begin():
        demo.seed(session, geo, count=30, seed_value=3)
    other = make_app(app.config["DATABASE_URL"], tmp_path / "other")
    try:
        first, second = app.test_client(), other.test_client()
        _assert_downloads_are_fresh(first, engine)
        _assert_downloads_are_fresh(second, engine)
        with Session(engine) as session, session.begin():
            item = session.scalars(select(Initiative).order_by(Initiative.id)).first()
            item.title = 'Ändrad, "igen"'
            item.state = State.PUBLISHED
        _assert_downloads_are_fresh(second, engine)
        _assert_downloads_are_fresh(first, engine)
    finally:
        other.extensions["db_engine"].dispose()


def test_a_request_behind_the_store_never_puts_an_old_line_back(app, geo, small_blocks):
    """A request whose transaction began before a withdrawal, asking for a filtered download
    after another request caught the store up past it, gets the initiative as its own
    snapshot sees it; the store, and with it every later download, does not."""
    engine = app.extensions["db_engine"]
    with Session(engine) as session, session.begin():
        demo.seed(session, geo, count=30, seed_value=3)
    with Session(engine) as session:
        first = session.scalars(
            select(Initiative).where(Initiative.state == State.PUBLISHED).order_by(Initiative.id)
        ).first()
        withdrawn, code = first.id, first.municipalities[0].code
    selection = InitiativeFilter(municipality=code)
    with app.test_request_context("/export.csv"), Session(engine) as behind:
        before = _fresh(engine, selection)
        export_rows.current(behind)  # its transaction begins
        with Session(engine) as writer, writer.begin():
            writer.get_one(Initiative, withdrawn).state = State.REJECTED
        with Session(engine) as ahead:
            export_rows.current(ahead)  # another request catches the store up
        parts = export_rows.csv_parts(behind, selection)
        assert parts is not None
        # SQLite reads the snapshot its transaction began with; PostgreSQL (read committed)
        # what is committed when each statement runs
        expected = before if engine.dialect.name == "sqlite" else _fresh(engine, selection)
        assert gzip.decompress(b"".join(deflate.gzip(parts))) == expected
    client = app.test_client()
    for query, chosen in (("", InitiativeFilter()), (f"municipality={code}", selection)):
        with client.get(f"/export.csv?{query}", headers={"Accept-Encoding": "gzip"}) as sent:
            assert gzip.decompress(sent.data) == _fresh(engine, chosen), query


def test_a_large_first_build_runs_in_a_thread_while_downloads_are_written(
    app, geo, small_blocks, full_loads, monkeypatch, hold
):
    """Above SYNC_LIMIT no request reads everything: one thread builds the store while every
    download is written afresh, and once it is in place downloads are joined from it."""
    monkeypatch.setattr(export_rows, "SYNC_LIMIT", 0)
    _started, release = hold(export_rows, "_all_blocks")  # until the checks below are done
    engine = app.extensions["db_engine"]
    with Session(engine) as session, session.begin():
        demo.seed(session, geo, count=40, seed_value=5)
    client = app.test_client()
    _assert_downloads_are_fresh(client, engine, plain=True)
    with Session(engine) as session:
        random_write(session, random.Random(3))
    _assert_downloads_are_fresh(client, engine)
    assert export_rows._builds.running() == 1  # one thread, not one per download
    assert not export_rows._stores
    release.set()
    wait_until(lambda: not export_rows._builds.running(), "the store was not built")
    assert len(full_loads) == 1
    with Session(engine) as session:
        random_write(session, random.Random(4))  # caught up write by write
    joined = []
    parts_of = export_rows.csv_parts

    def spied(session, selection):
        parts = parts_of(session, selection)
        joined.append(parts is not None)
        return parts

    monkeypatch.setattr(export_rows, "csv_parts", spied)
    _assert_downloads_are_fresh(client, engine, plain=True)
    assert joined and all(joined)  # every download joined from the store
    assert len(full_loads) == 1
