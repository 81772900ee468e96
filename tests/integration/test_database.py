"""Schema, reference data and demo data on both databases, through the services and the CLI."""

import json

from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session

from kommunkarta import db
from kommunkarta.models import (
    BenefitArea,
    Initiative,
    Municipality,
    Region,
    Status,
    Technology,
    initiative_municipalities,
)
from kommunkarta.services import schema, setup, taxonomy
from kommunkarta.services.data_io import demo
from tests.conftest import make_app


def _snapshot(session: Session) -> dict:
    return {
        "regions": session.execute(select(Region.code, Region.name).order_by(Region.code)).all(),
        "municipalities": session.execute(
            select(Municipality.code, Municipality.name, Municipality.region_code).order_by(
                Municipality.code
            )
        ).all(),
        "terms": [
            session.execute(select(m.id, m.slug, m.name_sv, m.name_en).order_by(m.id)).all()
            for m in taxonomy.KINDS.values()
        ],
    }


def test_upgrade_from_empty_creates_every_table(empty_url, geo, tmp_path):
    app = make_app(empty_url, tmp_path)
    with app.app_context():
        engine = db.engine()
        assert schema.current_revision(engine) is None
        schema.upgrade(engine)
        assert schema.current_revision(engine) == schema.head_revision()
        tables = set(inspect(engine).get_table_names())
    assert {
        "regions",
        "municipalities",
        "initiatives",
        "benefit_areas",
        "operational_areas",
        "statuses",
        "technologies",
        "users",
        "revisions",
        "initiative_municipalities",
        "initiative_benefit_areas",
        "initiative_areas",
        "initiative_technologies",
        "user_municipalities",
    } <= tables


def test_init_db_loads_reference_data_and_is_idempotent(app, geo):
    engine = app.extensions["db_engine"]
    with Session(engine) as session:
        before = _snapshot(session)
        assert len(before["regions"]) == 21
        assert len(before["municipalities"]) == 290
        assert [len(t) for t in before["terms"]] == [8, 12, 5, 13]
    with app.app_context():
        setup.init_db(engine, geo)
    with Session(engine) as session:
        assert _snapshot(session) == before


def test_init_db_updates_renamed_terms_without_duplicates(app, geo):
    engine = app.extensions["db_engine"]
    with Session(engine) as session, session.begin():
        term = session.scalar(select(BenefitArea).where(BenefitArea.slug == "efficiency"))
        term.name_en = "Old name"
    setup.init_db(engine, geo)
    with Session(engine) as session:
        names = session.scalars(select(BenefitArea.name_en).where(BenefitArea.slug == "efficiency"))
        assert list(names) == ["Efficiency"]
        assert session.scalar(select(func.count(BenefitArea.id))) == 8


def test_init_db_refuses_a_newer_schema(runner, app):
    with app.extensions["db_engine"].begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    result = runner.invoke(args=["init-db"])
    assert result.exit_code != 0
    assert "newer than this version" in result.output
    assert "Traceback" not in result.output


def _dump(session: Session) -> list:
    rows = session.execute(
        select(
            Initiative.id,
            Initiative.title,
            Initiative.summary,
            Initiative.status_id,
            Initiative.start_year,
            Initiative.lat,
            Initiative.lon,
            Initiative.contact,
            Initiative.updated_at,
        ).order_by(Initiative.id)
    ).all()
    links = session.execute(
        select(initiative_municipalities).order_by(
            initiative_municipalities.c.initiative_id, initiative_municipalities.c.municipality_code
        )
    ).all()
    return [tuple(r) for r in rows] + [tuple(r) for r in links]


def test_seed_demo_is_deterministic_per_seed(databases, geo, tmp_path):
    dumps = []
    for run in range(2):
        app = make_app(databases.new_url(), tmp_path / str(run))
        with app.app_context():
            setup.init_db(db.engine(), geo)
        result = app.test_cli_runner().invoke(args=["seed-demo", "--count", "300", "--seed", "7"])
        assert result.exit_code == 0, result.output
        with Session(app.extensions["db_engine"]) as session:
            dumps.append(_dump(session))
        app.extensions["db_engine"].dispose()
    assert dumps[0] == dumps[1]
    assert len(dumps[0]) > 300


def test_default_demo_spread(app, geo):
    engine = app.extensions["db_engine"]
    with Session(engine) as session, session.begin():
        written = demo.seed(session, geo, seed_value=11)
    assert written == 1200
    with Session(engine) as session:
        assert session.scalar(select(func.count(Initiative.id))) == 1200
        assert session.scalar(select(func.count()).where(Initiative.is_demo.is_(False))) == 0
        covered = session.scalar(
            select(func.count(func.distinct(initiative_municipalities.c.municipality_code)))
        )
        assert covered >= 250
        partners = session.execute(
            select(initiative_municipalities.c.initiative_id, func.count()).group_by(
                initiative_municipalities.c.initiative_id
            )
        ).all()
        collaborations = sum(1 for _, n in partners if n > 1)
        assert 60 <= collaborations <= 180  # about one in ten
        statuses = set(session.scalars(select(Status.slug).join(Initiative)))
        assert statuses == {"idea", "pre-study", "pilot", "production", "ended"}
        assert session.scalar(select(func.count(func.distinct(Technology.id)))) == 13
        located = session.execute(
            select(Initiative.id, Initiative.lat, Initiative.lon).where(Initiative.lat.is_not(None))
        ).all()
        assert len(located) > 200
        codes = {}
        for initiative_id, code in session.execute(select(initiative_municipalities)):
            codes.setdefault(initiative_id, []).append(code)
        for initiative_id, lat, lon in located:
            assert any(geo.contains(code, lat, lon) for code in codes[initiative_id])
        titles = list(session.scalars(select(Initiative.title).limit(50)))
        assert all("lorem" not in t.lower() for t in titles)


def test_seed_then_ordinary_insert_gets_a_new_id(app, geo):
    engine = app.extensions["db_engine"]
    with Session(engine) as session, session.begin():
        demo.seed(session, geo, count=5)
    with Session(engine) as session, session.begin():
        status = session.scalar(select(Status))
        item = Initiative(title="Ny", status=status, state="draft")
        item.refresh_search_text()
        session.add(item)
        session.flush()
        assert item.id == 6


def test_seed_demo_if_empty_adds_nothing_to_a_filled_database(runner, app):
    assert runner.invoke(args=["seed-demo", "--count", "10", "--if-empty"]).exit_code == 0
    result = runner.invoke(args=["seed-demo", "--count", "10", "--if-empty"])
    assert result.exit_code == 0
    assert "no demo data added" in result.output
    with Session(app.extensions["db_engine"]) as session:
        assert session.scalar(select(func.count(Initiative.id))) == 10


def test_bad_command_input_is_one_line_and_nonzero(runner, app):
    cases = [
        ["seed-demo", "--count", "-5"],
        [
            "create-user",
            "c@example.se",
            "--role",
            "coordinator",
            "--municipality",
            "9999",
            "--password-stdin",
        ],
        ["create-user", "not-an-email", "--role", "admin", "--password-stdin"],
        ["create-user", "c@example.se", "--role", "coordinator", "--password-stdin"],
    ]
    for args in cases:
        result = runner.invoke(args=args, input="a-long-password\n")
        assert result.exit_code != 0, args
        assert "Traceback" not in result.output
        assert result.output.strip().startswith("Error:"), result.output
        assert len(result.output.strip().splitlines()) == 1, result.output
    with Session(app.extensions["db_engine"]) as session:
        assert session.scalar(select(func.count(Initiative.id))) == 0
        assert session.scalar(text("SELECT count(*) FROM users")) == 0


def test_create_user_binds_municipalities(runner, app):
    result = runner.invoke(
        args=[
            "create-user",
            "Samordnare@Example.se",
            "--role",
            "coordinator",
            "--municipality",
            "0180",
            "--municipality",
            "1480",
            "--password-stdin",
        ],
        input="a-long-password\n",
    )
    assert result.exit_code == 0, result.output
    from kommunkarta.models import User

    with Session(app.extensions["db_engine"]) as session:
        user = session.scalar(select(User))
        assert user.email == "samordnare@example.se"
        assert [m.code for m in user.municipalities] == ["0180", "1480"]
        assert user.password_hash != "a-long-password"


def test_unreachable_database_is_reported(tmp_path):
    app = make_app("postgresql+psycopg://postgres@127.0.0.1:1/none", tmp_path)
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code != 0
    assert "cannot reach the database" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_migrating_a_database_with_data_keeps_every_row(empty_url, geo, tmp_path):
    """Upgrade from the first schema with data in it: no row may be lost (SQLite rebuilds
    tables during migrations, which must not cascade into the link tables)."""
    from alembic import command

    app = make_app(empty_url, tmp_path)
    engine = app.extensions["db_engine"]
    config = schema.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    with Session(engine) as session, session.begin():
        setup.load_places(session, geo)
    # rows written with the first schema's columns only (the models may have moved on)
    starter = json.loads(taxonomy.DATA_FILE.read_text(encoding="utf-8"))
    with engine.begin() as connection:
        for kind, model in taxonomy.KINDS.items():
            for position, term in enumerate(starter[kind]):
                connection.execute(
                    text(
                        f"INSERT INTO {model.__tablename__} (slug, name_sv, name_en, position) "
                        "VALUES (:slug, :name_sv, :name_en, :position)"
                    ),
                    {**term, "position": position},
                )
        for n in range(1, 51):
            connection.execute(
                text(
                    "INSERT INTO initiatives (id, title, summary, description, status_id, url, "
                    "contact, state, is_demo, search_text, created_at, updated_at, "
                    "moderation_note) VALUES (:id, :title, '', '', 1, '', '', 'published', "
                    ":demo, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, '')"
                ),
                {"id": n, "title": f"Initiativ {n}", "demo": False},
            )
            connection.execute(
                text("INSERT INTO initiative_municipalities VALUES (:id, '0180')"), {"id": n}
            )
            connection.execute(
                text("INSERT INTO initiative_benefit_areas VALUES (:id, 1)"), {"id": n}
            )
            connection.execute(text("INSERT INTO initiative_areas VALUES (:id, 1)"), {"id": n})
            connection.execute(
                text("INSERT INTO initiative_technologies VALUES (:id, 1)"), {"id": n}
            )
    tables = [
        "initiatives",
        "initiative_municipalities",
        "initiative_benefit_areas",
        "initiative_areas",
        "initiative_technologies",
        "municipalities",
        "regions",
    ]

    def counts():
        with engine.connect() as connection:
            return {
                t: connection.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in tables
            }

    before = counts()
    assert before["initiative_municipalities"] >= 50
    schema.upgrade(engine)
    assert schema.current_revision(engine) == schema.head_revision()
    assert counts() == before


def test_init_db_after_a_database_is_put_back_makes_running_apps_read_it_again(
    app, client, runner, geo
):
    """A database put back from a dump (pg_restore) carries the data version of its day,
    older than what a running app's in-memory counts have caught up with; init-db, the
    README's next step, makes them read everything again."""
    engine = app.extensions["db_engine"]
    with Session(engine) as session, session.begin():
        demo.seed(session, geo, count=20, seed_value=1)

    def counts() -> dict[str, int]:
        return {m["code"]: m["count"] for m in client.get("/api/v1/municipalities").get_json()}

    before = counts()
    with engine.connect() as connection:
        serial = connection.scalar(text("SELECT serial FROM data_version"))
    with Session(engine) as session, session.begin():
        chosen = session.scalars(select(Initiative).where(Initiative.state == "published")).first()
        chosen_id, chosen.state = chosen.id, "draft"
    assert counts() != before
    with engine.begin() as connection:  # the dump put back: the row and the version of its day
        connection.execute(
            text("UPDATE initiatives SET state = 'published' WHERE id = :id"), {"id": chosen_id}
        )
        connection.execute(text("DELETE FROM data_changes WHERE serial > :s"), {"s": serial})
        connection.execute(text("UPDATE data_version SET serial = :s, token = 'x'"), {"s": serial})
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert counts() == before
