"""`backup FILE` / `restore FILE [--replace]`: the SQLite database copied while the app runs."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from kommunkarta import db
from kommunkarta.cli.common import user_errors
from kommunkarta.services import schema
from kommunkarta.services.data_io import backup


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
