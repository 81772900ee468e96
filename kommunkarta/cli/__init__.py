"""The command line: `flask --app kommunkarta CMD` or `kommunkarta CMD`.

Commands are thin wrappers over the services, grouped by what they do (setting up, files in
and out, backups, accounts, reminders). A user's mistake ends with one line on stderr and a
non-zero exit status, never a traceback.
"""

from __future__ import annotations

from flask import Flask
from flask.cli import FlaskGroup

from kommunkarta.cli import accounts, backups, database, files, remind

COMMANDS = [
    database.init_db_command,
    database.seed_demo_command,
    database.remove_demo_command,
    accounts.create_user_command,
    accounts.invite_command,
    database.geodata_group,
    files.export_command,
    files.import_command,
    files.import_pstw_command,
    files.export_pstw_command,
    backups.backup_command,
    backups.restore_command,
    remind.remind_command,
]


def register(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


def main() -> None:
    """Entry point of the `kommunkarta` script."""
    from kommunkarta import create_app

    FlaskGroup(create_app=create_app, add_default_commands=True)()
