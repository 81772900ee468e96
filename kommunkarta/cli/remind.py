"""`remind`: each coordinator's stale initiatives, printed or mailed through SMTP_URL."""

from __future__ import annotations

import click
from flask import current_app, url_for
from flask.cli import with_appcontext
from flask_babel import force_locale

from kommunkarta import rules
from kommunkarta.cli.common import ready_database, session_for, user_errors
from kommunkarta.models import utcnow
from kommunkarta.services.register import freshness, reminders


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
    ready_database()
    months = current_app.config["STALE_MONTHS"]
    with (
        session_for(writing=False) as session,
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
