"""Reminders to coordinators about what has gone stale (services.register.freshness), as plain-text
e-mail messages, and sending them through the SMTP server named by `SMTP_URL`.

`SMTP_URL` is `smtp://host:port` (plain, or with `?starttls=true`), `smtps://host:port` (TLS
from the start), optionally with `user:password@` before the host. Titles and names are
written into the messages as single lines of text, so that nothing a user typed can add
lines or headers to a message.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from flask_babel import gettext as _
from flask_babel import ngettext

from kommunkarta.services.register.freshness import Reminder

TIMEOUT = 30  # seconds to wait for the mail server


class MailError(ValueError):
    """SMTP_URL is malformed, or the mail server did not take the messages."""


def one_line(text: str) -> str:
    """User-written text as one line: line breaks and other control characters become spaces."""
    return " ".join("".join(" " if ord(c) < 32 or ord(c) == 127 else c for c in text).split())


def compose(
    reminder: Reminder, link: Callable[[str, int], str], months: int, sender: str
) -> EmailMessage:
    """The message to one coordinator in the current language. `link(kind, id)` gives the
    absolute URL of an initiative ("initiative") or of the review list ("review", 0)."""
    places = ", ".join(one_line(m.name) for m in reminder.user.municipalities)
    lines = [
        _("Hello,"),
        "",
        ngettext(
            "Nobody has confirmed or updated these initiatives of %(places)s for more than "
            "%(num)s month. Please check that they are still correct: edit what has changed, "
            "or confirm them with one click on your review list:",
            "Nobody has confirmed or updated these initiatives of %(places)s for more than "
            "%(num)s months. Please check that they are still correct: edit what has changed, "
            "or confirm them with one click on your review list:",
            months,
            places=places,
        ),
        link("review", 0),
        "",
    ]
    for due in reminder.initiatives:
        lines.append(
            "- "
            + _(
                "%(title)s (last confirmed or updated %(date)s)",
                title=one_line(due.initiative.title),
                date=due.since.date().isoformat(),
            )
        )
        lines.append("  " + link("initiative", due.initiative.id))
    for adopted in reminder.adoptions:
        lines.append(
            "- "
            + _(
                "%(title)s, which %(place)s does too (last confirmed %(date)s)",
                title=one_line(adopted.initiative.title),
                place=one_line(adopted.municipality.name),
                date=adopted.confirmed_at.date().isoformat(),
            )
        )
        lines.append("  " + link("initiative", adopted.initiative_id))
    lines += ["", _("Thank you for keeping Kommunkartan up to date.")]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = reminder.user.email
    message["Subject"] = ngettext(
        "Kommunkartan: %(num)s item needs review",
        "Kommunkartan: %(num)s items need review",
        reminder.size,
    )
    message.set_content("\n".join(lines) + "\n")
    return message


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    tls: bool  # TLS from the start (smtps)
    starttls: bool
    user: str
    password: str


def server(url: str) -> Server:
    """The mail server named by SMTP_URL; raises MailError if it is malformed."""
    shape = "SMTP_URL must look like smtp://host:port or smtps://user:password@host:port"
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise MailError(shape)
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
    except ValueError:
        raise MailError(shape) from None
    starttls = parse_qs(parts.query).get("starttls", ["false"])[0].lower() in ("1", "true", "yes")
    return Server(
        host=parts.hostname,
        port=port,
        tls=parts.scheme == "smtps",
        starttls=starttls,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
    )


def send(url: str, messages: Iterable[EmailMessage]) -> int:
    """Send every message through one connection; returns how many. Raises MailError."""
    target = server(url)
    connect = smtplib.SMTP_SSL if target.tls else smtplib.SMTP
    sent = 0
    try:
        with connect(target.host, target.port, timeout=TIMEOUT) as smtp:
            if target.starttls:
                smtp.starttls()
            if target.user:
                smtp.login(target.user, target.password)
            for message in messages:
                smtp.send_message(message)
                sent += 1
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(
            f"could not send through {target.host}:{target.port} after {sent} messages: {error}"
        ) from None
    return sent
