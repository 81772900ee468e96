"""Demo data that reads and ages right, is marked wherever it shows, and goes away cleanly
(on SQLite and PostgreSQL)."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kommunkarta.models import (
    Adoption,
    Initiative,
    Municipality,
    Report,
    Revision,
    initiative_municipalities,
)
from kommunkarta.services.data_io import demo
from kommunkarta.services.register import coverage
from tests.demo_checks import problems, summary_problems
from tests.integration.upkeep_data import adopted, published, reported

DAY = date(2026, 11, 25)
NOON = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_app(module_app, geo):
    """The default demo register (1,200 initiatives, seed 1) as seeded on DAY."""
    with Session(module_app.extensions["db_engine"]) as session, session.begin():
        demo.seed(session, geo, seed_value=1, today=DAY)
    return module_app


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def test_few_municipalities_are_stale(demo_app):
    with Session(demo_app.extensions["db_engine"]) as session:
        states = Counter(row.state for row in coverage.municipalities(session, NOON, 12))
    stale = states[coverage.CoverageState.STALE] / 290
    assert 0.01 <= stale <= 0.08, states  # a few per cent, as in a register looked after
    assert states[coverage.CoverageState.REPORTS] >= 250


def test_dates_are_in_the_past_and_in_order(demo_app):
    midnight = datetime(2026, 11, 25, tzinfo=UTC)
    with Session(demo_app.extensions["db_engine"]) as session:
        items = session.scalars(select(Initiative)).all()
    assert len(items) == 1200
    for item in items:
        created, published_at = _aware(item.created_at), _aware(item.published_at)
        updated, confirmed = _aware(item.updated_at), _aware(item.last_confirmed_at)
        assert created <= published_at <= updated <= confirmed < midnight, item.id
        if item.start_year is not None:
            assert item.start_year <= published_at.year, item.id
    newest = max(_aware(i.last_confirmed_at) for i in items)
    assert newest > midnight - timedelta(days=30)


def test_text_reads_right_and_varies(demo_app):
    with Session(demo_app.extensions["db_engine"]) as session:
        rows = session.execute(select(Initiative.title, Initiative.summary)).all()
    for title, summary in rows:
        assert not problems(title), (title, problems(title))
        assert not summary_problems(summary), (summary, summary_problems(summary))
    summaries = [summary for _, summary in rows]
    assert len(set(summaries)) >= 0.9 * len(summaries)
    assert len({title for title, _ in rows}) >= 300


def test_contacts_and_addresses_use_example_domains_only(demo_app):
    with Session(demo_app.extensions["db_engine"]) as session:
        rows = session.execute(select(Initiative.contact, Initiative.url)).all()
    for contact, url in rows:
        assert contact.endswith(".example"), contact
        assert not url or url.startswith("https://") and url.split("/")[2].endswith(".example")
    assert not any(".se" in contact for contact, _ in rows)


def test_same_seed_and_day_same_rows_and_another_day_shifts_the_dates(app, geo):
    engine = app.extensions["db_engine"]
    with Session(engine) as session, session.begin():
        demo.seed(session, geo, count=40, seed_value=4, today=DAY)
        demo.seed(session, geo, count=40, seed_value=4, today=DAY)
        demo.seed(session, geo, count=40, seed_value=4, today=DAY + timedelta(days=10))
    with Session(engine) as session:
        rows = session.execute(
            select(Initiative.title, Initiative.summary, Initiative.updated_at).order_by(
                Initiative.id
            )
        ).all()
    first, again, later = rows[:40], rows[40:80], rows[80:]
    assert first == again
    assert [r[:2] for r in later] == [r[:2] for r in first]
    assert all(b[2] - a[2] == timedelta(days=10) for a, b in zip(first, later, strict=True))


def test_demo_is_marked_in_lists_and_a_notice_is_shown(app, geo, client):
    assert "Exempeldata" not in client.get("/initiatives").get_data(as_text=True)
    real = published(app, title="Ett riktigt initiativ")
    with Session(app.extensions["db_engine"]) as session, session.begin():
        demo.seed(session, geo, count=3, seed_value=2, today=DAY)
    table = client.get("/initiatives?lang=sv").get_data(as_text=True)
    assert "Exempeldata – inte verkliga initiativ" in table
    assert table.count('class="demo-badge"') == 3
    english = client.get("/municipalities/0180?lang=en").get_data(as_text=True)
    assert "Example data – not real initiatives" in english
    page = client.get(f"/initiatives/{real}").get_data(as_text=True)
    assert 'class="demo-badge"' not in page  # a real one is not marked


def test_remove_demo_takes_what_hangs_on_it_and_nothing_else(app, geo, runner):
    engine = app.extensions["db_engine"]
    real = published(app, codes=("0180",), title="Verkligt")
    with Session(engine) as session, session.begin():
        demo.seed(session, geo, count=30, seed_value=6, today=DAY)
        first_demo = session.scalar(select(func.min(Initiative.id)).where(Initiative.is_demo))
        session.add(Revision(initiative_id=first_demo, action="edit", changes="{}"))
        session.add(Revision(initiative_id=real, action="edit", changes="{}"))
    adopted(app, first_demo, "1480")
    adopted(app, real, "1480")
    reported(app, first_demo)
    kept_report = reported(app, real)

    result = runner.invoke(args=["remove-demo"])
    assert result.exit_code == 0, result.output
    assert "Removed 30 demo initiatives" in result.output
    with Session(engine) as session:
        assert session.scalars(select(Initiative.id)).all() == [real]
        assert session.scalars(select(Revision.initiative_id)).all() == [real]
        assert session.scalars(select(Adoption.initiative_id)).all() == [real]
        assert session.scalars(select(Report.id)).all() == [kept_report]
        links = session.scalars(select(initiative_municipalities.c.initiative_id)).all()
        assert links == [real]
        assert session.scalar(select(func.count(Municipality.code))) == 290

    again = runner.invoke(args=["remove-demo"])
    assert again.exit_code == 0, again.output
    assert "holds no demo data" in again.output


def test_a_share_of_demo_initiatives_carry_plausible_effects(app, geo):
    """Effects, costs and reuse facts on some demo initiatives, with magnitudes a
    municipality would report, and totals that follow from their effect rows."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session, selectinload

    from kommunkarta.models import Effect, Initiative
    from kommunkarta.services.data_io import demo
    from kommunkarta.services.register import effects
    from kommunkarta.services.register.effects import EffectData

    with Session(app.extensions["db_engine"]) as s, s.begin():
        demo.seed(s, geo, count=400, seed_value=3)
    with Session(app.extensions["db_engine"]) as s:
        items = s.scalars(select(Initiative).options(selectinload(Initiative.effects))).all()
        with_effects = [i for i in items if i.effects]
        assert 0.15 < len(with_effects) / len(items) < 0.6
        for item in with_effects:
            rows = [EffectData.of(e) for e in item.effects]
            assert (item.hours_per_year, item.sek_per_year) == effects.totals(rows)
            assert (
                effects.problems(
                    rows, item, [t.slug for t in item.technologies], {e.benefit_area for e in rows}
                )
                == []
            )
            assert item.hours_per_year is None or 50 <= item.hours_per_year <= 200_000
        assert any(i.others_may_call_off for i in items)
        assert any(i.open_source_url for i in items)
        assert any(i.investment_sek for i in items)
        assert s.scalar(select(func.count(Effect.id))) >= len(with_effects)
