"""A page counts in several parts (the counts by place, the total, the measure's note, the
years), and every part reads the one data version its transaction began with, on both
databases: another request may bring the in-memory counts past a write between two parts,
and they then answer only requests at their own serial (services.register.count_serving);
the rest count with SQL in their own snapshot (kommunkarta.db.one_snapshot). Without that,
a map page read across a write said "0 initiatives in 1 municipality"."""

import threading

from kommunkarta import cache
from kommunkarta.filters import InitiativeFilter
from kommunkarta.models import Municipality, State
from kommunkarta.services.places import timeline
from kommunkarta.services.register import count_serving, initiatives
from kommunkarta.services.register.count_index import CountIndex
from tests.integration.helpers import add, map_config
from tests.integration.test_count_index import built_index

EVERYTHING = InitiativeFilter()


def _caught_up(app, engine) -> int:
    """Bring the in-memory counts up to the latest write, as the next request would; their
    serial."""
    with app.test_request_context():
        newer = app.extensions["db_sessionmaker"]()
        try:
            initiatives.counts_by_municipality(newer, EVERYTHING)
            index = built_index(engine)
            assert index.serial == cache.serial(newer)
            return index.serial
        finally:
            newer.close()


def test_one_transaction_counts_one_data_version(app, session):
    """The total is read, a write commits and another request brings the counts past it:
    the counts by place read after that in the same transaction are still of its version."""
    engine = app.extensions["db_engine"]
    item = add(session, "Chattbot för bygglov", places=("0180",))
    with app.test_request_context():
        built_index(engine)
        reading = app.extensions["db_sessionmaker"]()  # a request's transaction
        try:
            assert initiatives.count(reading, EVERYTHING) == 1
            serial = cache.serial(reading)
            item.municipalities.append(session.get_one(Municipality, "0114"))
            session.commit()
            assert _caught_up(app, engine) == serial + 1
            assert initiatives.counts_by_municipality(reading, EVERYTHING) == {"0180": 1}
            assert initiatives.figures(reading, EVERYTHING).count == 1
        finally:
            reading.close()


def test_a_map_page_read_across_a_write_tells_one_story(app, session, hold):
    """The page's request has counted the places when a write withdraws the one initiative
    and another request brings the counts past it; the page goes on to read the total."""
    engine = app.extensions["db_engine"]
    item = add(session, "Chattbot för bygglov", places=("0180",))
    with app.test_request_context():
        built_index(engine)
    started, release = hold(initiatives, "count")  # after the counts by place
    pages = {}

    def read_page() -> None:
        pages["across"] = app.test_client().get("/?lang=en")

    reader = threading.Thread(target=read_page)
    reader.start()
    try:
        assert started.wait(30)
        item.state = State.REJECTED
        session.commit()
        _caught_up(app, engine)
    finally:
        release.set()
        reader.join(60)
    page = pages["across"]
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "1 initiative in 1 municipality" in html  # the version it began with, whole
    assert sum(map_config(html)["valuesInCodeOrder"]) == 1
    after = app.test_client().get("/?lang=en").get_data(as_text=True)
    assert "0 initiatives in 0 municipalities" in after
    assert sum(map_config(after)["valuesInCodeOrder"]) == 0


def test_the_counts_are_not_moved_between_checking_their_serial_and_answering(app, session, hold):
    """A request's counts are found at its serial and asked; another request catching them
    up past a write in between would have them answer for the newer version. It waits."""
    engine = app.extensions["db_engine"]
    item = add(session, "Chattbot för bygglov", places=("0180",))
    with app.test_request_context():
        built_index(engine)
    started, release = hold(CountIndex, "figures_by_municipality")  # found, not yet asked
    answers = {}

    def ask() -> None:
        with app.test_request_context():
            reading = app.extensions["db_sessionmaker"]()
            try:
                answers["older"] = initiatives.counts_by_municipality(reading, EVERYTHING)
            finally:
                reading.close()

    def catch_up() -> None:
        with app.test_request_context():
            newer = app.extensions["db_sessionmaker"]()
            try:
                answers["caught up"] = count_serving.current(newer, EVERYTHING) is not None
            finally:
                newer.close()

    asking = threading.Thread(target=ask)
    asking.start()
    catching_up = threading.Thread(target=catch_up)
    try:
        assert started.wait(30)
        item.municipalities.append(session.get_one(Municipality, "0114"))
        session.commit()
        catching_up.start()
        catching_up.join(2)  # done at once if it need not wait for the answer
    finally:
        release.set()
        asking.join(60)
        if catching_up.ident is not None:  # started
            catching_up.join(60)
    assert answers == {"older": {"0180": 1}, "caught up": True}


def test_the_timeline_is_not_moved_between_finding_the_counts_and_asking_them(app, session, hold):
    """The timeline asks the in-memory counts too: found at its serial, they must not be
    caught up past a write by another request before they answer it."""
    engine = app.extensions["db_engine"]
    item = add(session, "Chattbot för bygglov", places=("0180",), start_year=2024)
    with app.test_request_context():
        built_index(engine)
    started, release = hold(CountIndex, "by_year_and_status")
    answers = {}

    def ask() -> None:
        with app.test_request_context():
            reading = app.extensions["db_sessionmaker"]()
            try:
                answers["older"] = timeline.timeline(reading, EVERYTHING).total
            finally:
                reading.close()

    def catch_up() -> None:
        answers["caught up"] = _caught_up(app, engine)

    asking = threading.Thread(target=ask)
    asking.start()
    catching_up = threading.Thread(target=catch_up)
    try:
        assert started.wait(30)
        item.state = State.REJECTED
        session.commit()
        catching_up.start()
        catching_up.join(2)  # done at once if it need not wait for the answer
    finally:
        release.set()
        asking.join(60)
        if catching_up.ident is not None:
            catching_up.join(60)
    assert answers["older"] == 1 and answers["caught up"]
