"""Accounts from the command line: `create-user` with a password, and `invite`, which makes an
account without a password and a one-time link (seven days) to choose one, mailed through
SMTP_URL or printed."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from sqlalchemy import select

from kommunkarta.cli.common import ready_database, session_for, user_errors
from kommunkarta.models import Role, User
from kommunkarta.services import account_links, account_mail, accounts, audit
from kommunkarta.services.account_links import Purpose
from kommunkarta.services.errors import InvalidField


def _role_and_places(command):
    """--role and the repeatable --municipality of a new account."""
    command = click.option(
        "--municipality",
        "municipalities",
        multiple=True,
        help="Municipality code (repeatable); required for coordinators.",
    )(command)
    return click.option("--role", required=True, type=click.Choice([r.value for r in Role]))(
        command
    )


@click.command("create-user")
@click.argument("email")
@_role_and_places
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
@user_errors
def create_user_command(
    email: str, role: str, municipalities: tuple[str, ...], password_stdin: bool
) -> None:
    """Create an account."""
    ready_database()
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with session_for() as session, session.begin():
        user = accounts.create_user(session, email, password, role, list(municipalities))
        detail = {"role": user.role, "municipalities": [m.code for m in user.municipalities]}
        audit.record(session, audit.ACCOUNT_CREATED, subject=user.email, detail=detail)
        click.echo(f"Created {user.role} {user.email}.")


@click.command("invite")
@click.argument("email")
@_role_and_places
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True)
@with_appcontext
@user_errors
def invite_command(email: str, role: str, municipalities: tuple[str, ...], lang: str) -> None:
    """Invite someone: an account without a password and a link to choose one. Asked again
    for an account that has no password yet, sends a new link."""
    ready_database()
    with session_for() as session:
        address = email.strip().lower()
        user = session.scalar(select(User).where(User.email == address))
        if user is None:
            user = accounts.invite(session, email, role, list(municipalities), by=None)
        elif user.password_hash is not None or not user.active:
            raise InvalidField("email", f"an account for {address} already exists")
        with force_locale(lang):
            token = account_links.make(user, Purpose.INVITATION, current_app.config["SECRET_KEY"])
            message = account_mail.compose(user, account_mail.link(token), Purpose.INVITATION)
            if current_app.config.get("SMTP_URL"):
                account_mail.deliver(message)  # MailError is a ValueError: one line
                click.echo(f"Invited {user.email}; the link was sent by e-mail.")
                return
        click.echo(f"To: {message['To']}\nSubject: {message['Subject']}\n")
        click.echo(message.get_content())
        click.echo(f"Invited {user.email} (SMTP_URL is not set: pass the link above on).")
