"""The in-memory counts are built in a thread of their own (services.register.count_serving):
while they are, every answer is SQL's and right — after writes made during the build too,
and after a write no one could name, whose stale index is never served again.
"""

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kommunkarta import db
from kommunkarta.filters import InitiativeFilter
from kommunkarta.models import Initiative, State
from kommunkarta.services.data_io import demo
from kommunkarta.services.register import count_serving
from kommunkarta.services.register.count_index import CountIndex
from tests.integration.test_count_index import (
    _assert_api_same_as_sql,
    _assert_same_as_sql,
    built_index,
)


@pytest.fixture
def held(hold):
    """Builds wait until the test lets them go: `started` is set when one begins reading."""
    return hold(CountIndex, "load_all")


def _building(app, engine):
    with app.test_request_context(), Session(db.one_snapshot(engine)) as session:
        return count_serving.current(session, InitiativeFilter()) is None


def _published(engine):
    with Session(engine) as session:
        return list(session.scalars(select(Initiative).where(Initiative.state == State.PUBLISHED)))


def test_answers_during_the_first_build_are_sql_and_right(app, geo, held):
    started, release = held
    engine = app.extensions["db_engine"]
    client = app.test_client()
    with Session(engine) as session, session.begin():
        demo.seed(session, geo, count=80, seed_value=3)
    _assert_api_same_as_sql(client, engine)  # the first request starts the build
    assert started.wait(30)
    assert _building(app, engine)
    first, second = _published(engine)[:2]
    with Session(engine) as session, session.begin():  # a write while it builds
        session.get_one(Initiative, first.id).state = State.REJECTED
    _assert_api_same_as_sql(client, engine)
    assert _building(app, engine)  # still: answered with SQL all along
    release.set()
    with app.test_request_context():
        index = built_index(engine)
        _assert_same_as_sql(engine)
    with Session(engine) as session, session.begin():
        session.get_one(Initiative, second.id).state = State.DRAFT
    _assert_api_same_as_sql(client, engine)
    with app.test_request_context():
        assert built_index(engine) is index  # caught up, not built again


def test_a_stale_index_is_never_served_while_its_successor_is_built(app, geo, held):
    started, release = held
    engine = app.extensions["db_engine"]
    client = app.test_client()
    with Session(engine) as session, session.begin():
        demo.seed(session, geo, count=80, seed_value=8)
    release.set()
    with app.test_request_context():
        before = built_index(engine)
    _assert_api_same_as_sql(client, engine)  # tallies for the API's filters
    started.clear()
    release.clear()
    withdrawn = [item.id for item in _published(engine)[:5]]
    with Session(engine) as session, session.begin():  # a bulk statement: not named
        session.execute(
            update(Initiative).where(Initiative.id.in_(withdrawn)).values(state=State.REJECTED)
        )
    _assert_api_same_as_sql(client, engine)  # SQL's answers, not the stale index's
    assert started.wait(30)
    assert _building(app, engine)
    release.set()
    with app.test_request_context():
        after = built_index(engine)
        _assert_same_as_sql(engine)
    assert after is not before
    _assert_api_same_as_sql(client, engine)
