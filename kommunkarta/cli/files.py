"""Initiatives in and out as files: `export`, `import`, `import-pstw` and `export-pstw`."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from kommunkarta import geo
from kommunkarta.cli.common import ready_database, session_for, user_errors
from kommunkarta.filters import InitiativeFilter, Vocabulary
from kommunkarta.services import audit
from kommunkarta.services.data_io import exporter, importer, pstw, pstw_export, pstw_report
from kommunkarta.services.data_io.importing.read import ImportFileError
from kommunkarta.services.errors import InvalidField
from kommunkarta.services.register import initiatives


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
    ready_database()
    with session_for(writing=False) as session:
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
        session_for(writing=not dry_run) as session,
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
    ready_database()
    with _import_run(file, dry_run) as (session, source, progress):
        try:
            report = importer.import_file(
                session, source, file.name, geo.current(), dry_run=dry_run, progress=progress
            )
        except ImportFileError as error:
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
    ready_database()
    with _import_run(file, dry_run) as (session, source, progress):
        try:
            report = pstw.import_file(
                session, source, file.name, dry_run=dry_run, progress=progress
            )
        except ImportFileError as error:
            raise click.ClickException(str(error)) from None
        if not report.dry_run and (report.created or report.updated):
            audit.imported(session, None, file.name, "pstw", report.created, report.updated)
    for line in pstw_report.report_lines(report):
        click.echo(line)


@click.command("export-pstw")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
@user_errors
def export_pstw_command(file: Path) -> None:
    """Write the published initiatives to FILE (.csv, .xlsx) in the columns of the EU Public
    Sector Tech Watch."""
    ready_database()
    with session_for(writing=False) as session:
        count = pstw_export.write_file(session, file)
    click.echo(f"Wrote {count} initiatives to {file} in the PSTW columns.")
