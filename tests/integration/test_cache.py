"""Cached counts and vocabulary: every write shows at once, on both databases.

Results are cached per process under the data version, which each write to public data
changes before it commits (kommunkarta.cache); nothing here times anything.
"""

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kommunkarta import cache
from kommunkarta.filters import InitiativeFilter
from kommunkarta.models import BenefitArea, Initiative, Municipality, State, Status, data_version
from kommunkarta.services.data_io import demo
from kommunkarta.services.register import initiatives
from tests.integration.helpers import add


def _version(engine) -> str:
    with engine.connect() as connection:
        return connection.scalar(select(data_version.c.token))


def _count(client, code: str, query: str = "") -> int:
    rows = client.get(f"/api/v1/municipalities{query}").get_json()
    return next(row["count"] for row in rows if row["code"] == code)


def test_a_published_initiative_counts_at_once(client, session):
    assert _count(client, "0180") == 0 and _count(client, "0180", "?benefit=safety") == 0
    add(session, "Chattbot för bygglov", benefits=("safety",))
    assert _count(client, "0180") == 1 and _count(client, "0180", "?benefit=safety") == 1
    assert "1 initiativ i 1 kommun" in client.get("/?benefit=safety").get_data(as_text=True)


def test_a_bulk_update_counts_at_once(client, session):
    item_id = add(session, "Prognos för hemtjänst", benefits=("safety",)).id
    assert _count(client, "0180") == 1
    session.execute(update(Initiative).where(Initiative.id == item_id).values(state=State.REJECTED))
    session.commit()
    assert _count(client, "0180") == 0


def test_bulk_inserts_change_the_version(app, session, geo):
    engine = app.extensions["db_engine"]
    before = _version(engine)
    with Session(engine) as bulk, bulk.begin():
        demo.seed(bulk, geo, count=3)
    assert _version(engine) != before


def test_reads_change_nothing(app, client):
    engine = app.extensions["db_engine"]
    before = _version(engine)
    client.get("/")
    client.get("/api/v1/municipalities?benefit=safety")
    assert _version(engine) == before


def test_own_uncommitted_writes_are_never_cached_for_others(app, session):
    engine = app.extensions["db_engine"]
    everything = InitiativeFilter()
    assert initiatives.counts_by_municipality(session, everything) == {}
    session.commit()
    with Session(engine) as writer:
        item = Initiative(
            title="Utkast som ångras",
            state=State.PUBLISHED,
            status=writer.scalar(select(Status)),
            municipalities=[writer.get(Municipality, "0114")],
        )
        writer.add(item)
        writer.flush()
        assert initiatives.counts_by_municipality(writer, everything) == {"0114": 1}
        writer.rollback()
    with Session(engine) as reader:
        assert initiatives.counts_by_municipality(reader, everything) == {}


def test_a_taxonomy_rename_shows_at_once(client, session):
    assert "Effektivisering" in client.get("/").get_data(as_text=True)
    term = session.scalar(select(BenefitArea).where(BenefitArea.slug == "efficiency"))
    term.name_sv = "Effektivare arbete"
    session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "Effektivare arbete" in html and "Effektivisering" not in html


def test_the_filter_key_ignores_the_order_of_repeated_values():
    one = InitiativeFilter(benefit=("safety", "efficiency"), region="01")
    other = InitiativeFilter(benefit=("efficiency", "safety"), region="01")
    assert cache.filter_key(one) == cache.filter_key(other)
    assert cache.filter_key(one) != cache.filter_key(InitiativeFilter(benefit=("safety",)))


def test_counts_carry_an_etag_that_changes_with_the_counts(client, session):
    path = "/api/v1/municipalities?benefit=safety"
    first = client.get(path)
    assert first.status_code == 200 and first.headers["ETag"]
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    add(session, "Trygghetskamera vid skolan", benefits=("safety",))
    changed = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
    regions = client.get("/api/v1/regions")
    assert regions.headers["ETag"] and regions.get_json()[0]["code"] == "01"
