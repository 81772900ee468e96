"""Counts answered from memory (services.register.count_index) against counting with SQL.

After a random mix of writes — publishing, rejecting, editing places, terms, years and
figures, adopting and dropping adoptions, deleting — every count the map, the API and the
timeline read must equal a full recount by the SQL queries, on both databases; two apps on one
database (two engines, two indexes, as two instances) each see the other's writes at once.
"""

import random
import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kommunkarta import cache, db
from kommunkarta.filters import InitiativeFilter
from kommunkarta.models import BenefitArea, Initiative, State
from kommunkarta.services.data_io import demo
from kommunkarta.services.places import timeline
from kommunkarta.services.register import count_serving, initiatives
from tests.conftest import make_app
from tests.integration.helpers import add, random_write, term

SELECTIONS = [
    InitiativeFilter(),
    InitiativeFilter(benefit=("efficiency", "safety")),
    InitiativeFilter(status=("pilot",), region="14"),
    InitiativeFilter(municipality="0180"),
    InitiativeFilter(region="01", tech=("chatbot",)),
    InitiativeFilter(year_from=2020, year_to=2023, area=("education", "it")),
    InitiativeFilter(reuse=("call-off",)),
    InitiativeFilter(reuse=("open-source",), risk=("unassessed", "high")),
]
COUNTS = [
    initiatives.figures_by_municipality,
    initiatives.figures,
    initiatives.figures_by_region,
    initiatives.adopted_by_municipality,
    initiatives.counts_by_region,
    initiatives.count,
    timeline._counts,
    lambda session, _selection: demo.shown(session),  # the notice: any demo data published
]


@pytest.fixture
def serving(app):
    """The index serves requests only: these tests count as a request would."""
    with app.test_request_context():
        yield


def _rounded(value):
    """Sums of floats may differ in their last bits with the order of adding."""
    if isinstance(value, dict):
        return {key: _rounded(v) for key, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_rounded(v) for v in value)
    return round(value, 6) if isinstance(value, float) else value


def _in_memory(engine, count, selection):
    built_index(engine)
    with Session(db.one_snapshot(engine)) as session:  # as a request reads
        assert count_serving.current(session, selection) is not None
        return _rounded(count(session, selection))


def _by_sql(engine, count, selection):
    with Session(engine) as session:
        session.info[cache.CHANGED] = True  # a transaction with writes of its own: SQL
        assert count_serving.current(session, selection) is None
        return _rounded(count(session, selection))


def _assert_same_as_sql(engine):
    for selection in SELECTIONS:
        for count in COUNTS:
            expected = _by_sql(engine, count, selection)
            assert _in_memory(engine, count, selection) == expected, (count, selection)


def built_index(engine):
    """The index, once built (in a thread of its own: requests meanwhile count with SQL)."""
    deadline = time.monotonic() + 60
    while True:
        with Session(db.one_snapshot(engine)) as session:  # as a request reads
            if (index := count_serving.current(session, InitiativeFilter())) is not None:
                return index
        assert time.monotonic() < deadline, "the in-memory counts were not built"
        time.sleep(0.01)


def test_counts_after_random_writes_equal_a_full_recount(app, geo, serving):
    engine = app.extensions["db_engine"]
    with Session(engine) as session, session.begin():
        demo.seed(session, geo, count=150, seed_value=5)
    _assert_same_as_sql(engine)
    first = built_index(engine)
    rng = random.Random(19)
    with Session(engine) as session:
        for step in range(60):
            random_write(session, rng)
            if step % 6 == 5:
                _assert_same_as_sql(engine)
    _assert_same_as_sql(engine)
    assert built_index(engine) is first  # caught up write by write, never read again whole


def test_the_demo_notice_follows_named_writes(app, geo, serving):
    """Whether any demo initiative is published, from memory, as SQL says, write by write."""
    engine = app.extensions["db_engine"]
    with Session(engine) as session, session.begin():
        demo.seed(session, geo, count=20, seed_value=7)
    first = built_index(engine)
    shown = COUNTS[-1]
    with Session(engine) as session:
        items = list(session.scalars(select(Initiative).order_by(Initiative.id)))
        steps = [
            [(item, "is_demo", False) for item in items],  # no demo data left
            [(items[3], "is_demo", True)],
            [(items[3], "state", State.REJECTED)],
            [(items[3], "state", State.PUBLISHED)],
        ]
        for step, expected in zip(steps, [False, True, False, True], strict=True):
            for item, name, value in step:
                setattr(item, name, value)
            session.commit()
            assert _by_sql(engine, shown, InitiativeFilter()) is expected
            assert _in_memory(engine, shown, InitiativeFilter()) is expected
    assert built_index(engine) is first


API_FILTERS = {
    "": InitiativeFilter(),
    "?benefit=efficiency": InitiativeFilter(benefit=("efficiency",)),
    "?region=01&tech=chatbot": InitiativeFilter(region="01", tech=("chatbot",)),
    "?status=pilot&reuse=call-off": InitiativeFilter(status=("pilot",), reuse=("call-off",)),
}


def _api_by_sql(engine, path, selection):
    """The counts API's rows for the filter, as counted with SQL."""
    with Session(engine) as session:
        session.info[cache.CHANGED] = True  # a transaction with writes of its own: SQL
        if path == "municipalities":
            figures = initiatives.figures_by_municipality(session, selection)
            none = initiatives.Figures()
            return [
                {
                    "code": m.code,
                    "name": m.name,
                    "region_code": m.region_code,
                    "count": figures.get(m.code, none).count,
                    "hours_per_year": figures.get(m.code, none).hours_per_year,
                    "sek_per_year": figures.get(m.code, none).sek_per_year,
                }
                for m in initiatives.municipalities(session)
            ]
        counts = initiatives.counts_by_region(session, selection)
        return [
            {
                "code": r.code,
                "name": r.name,
                "count": counts.get(r.code, (0, 0))[0],
                "municipalities_with_initiatives": counts.get(r.code, (0, 0))[1],
            }
            for r in initiatives.regions(session)
        ]


def _assert_api_same_as_sql(client, engine):
    for path in ("municipalities", "regions"):
        for query, selection in API_FILTERS.items():
            served = client.get(f"/api/v1/{path}{query}").get_json()
            expected = _api_by_sql(engine, path, selection)
            assert len(served) == len(expected)
            for row, want in zip(served, expected, strict=True):
                for key in ("hours_per_year", "sek_per_year"):  # rounded to whole numbers
                    if key in want:
                        assert abs(row.pop(key) - want.pop(key)) <= 0.5 + 1e-6, (path, query)
                assert row == want, (path, query)


def test_the_counts_api_kept_current_write_by_write_equals_a_recount(app, geo):
    """The counts API's results for several filters are kept from one write to the next
    (each filter's tally and encoded rows): after every random write they equal a recount."""
    engine = app.extensions["db_engine"]
    client = app.test_client()
    with Session(engine) as session, session.begin():
        demo.seed(session, geo, count=120, seed_value=7)
    with app.test_request_context():
        first = built_index(engine)
    _assert_api_same_as_sql(client, engine)
    tallies = dict(first._tallies)
    assert len(tallies) >= len(API_FILTERS)
    rng = random.Random(23)
    with Session(engine) as session:
        for _ in range(30):
            random_write(session, rng)
            _assert_api_same_as_sql(client, engine)
    with app.test_request_context():
        assert built_index(engine) is first
    # the same tallies, kept current by adding and taking out, never counted again
    assert all(first._tallies.get(selection) is tally for selection, tally in tallies.items())


def test_a_change_it_cannot_name_reads_everything_again(app, geo, serving):
    engine = app.extensions["db_engine"]
    with Session(engine) as session, session.begin():
        demo.seed(session, geo, count=40, seed_value=2)
    before = built_index(engine)
    with Session(engine) as session, session.begin():
        term(session, BenefitArea, "safety").name_en = "Safety and security"
    after = built_index(engine)
    assert after is not before
    _assert_same_as_sql(engine)


def test_two_apps_on_one_database_see_each_others_writes(app, tmp_path):
    first = app.test_client()
    other = make_app(app.config["DATABASE_URL"], tmp_path / "other")
    second = other.test_client()
    engine = app.extensions["db_engine"]

    def stockholm(client, query=""):
        rows = client.get(f"/api/v1/municipalities{query}").get_json()
        return next(row["count"] for row in rows if row["code"] == "0180")

    assert stockholm(first) == stockholm(second) == 0  # both start building an index
    with Session(engine) as session:
        item = add(session, "Chattbot för bygglov", benefits=("safety",))
        assert [stockholm(c, "?benefit=safety") for c in (first, second)] == [1, 1]
        item.state = State.REJECTED  # unpublished
        session.commit()
        assert [stockholm(c) for c in (first, second)] == [0, 0]
        item.state = State.PUBLISHED
        session.commit()
        assert [stockholm(c) for c in (first, second)] == [1, 1]
        session.delete(item)
        session.commit()
    assert [stockholm(c) for c in (first, second)] == [0, 0]
    with app.test_request_context():  # not around the requests: they would share its session
        assert built_index(engine) is not built_index(other.extensions["db_engine"])


def test_outside_a_request_it_counts_with_sql(app, geo):
    engine = app.extensions["db_engine"]
    with Session(engine) as session, session.begin():
        demo.seed(session, geo, count=20, seed_value=4)
    with app.app_context(), Session(engine) as session:
        assert count_serving.current(session, InitiativeFilter()) is None  # a command's count
        assert initiatives.count(session, InitiativeFilter()) == _by_sql(
            engine, initiatives.count, InitiativeFilter()
        )
