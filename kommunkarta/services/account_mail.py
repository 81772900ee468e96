"""The mails that carry a one-time link (services.account_links): an invitation and a
password reset, in plain text, sent through `SMTP_URL` (services.register.reminders.send)
or, without it, written to the log for the operator to pass on.

Links are absolute from the configured public address (kommunkarta.links), never from the
request's Host, which anyone can set.

`reset_after` hands the whole of a reset (looking the address up, making the link, sending)
to one worker thread per process (OUTBOX) once the answer has gone, so that /password/forgot,
which must answer alike whether or not the address has an account, does the same work either
way and never waits for the mail server.
"""

from __future__ import annotations

import atexit
import queue
import threading
import time
from collections.abc import Callable
from email.message import EmailMessage

from flask import Flask, Response, current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from kommunkarta import db, links
from kommunkarta.i18n import select_locale
from kommunkarta.models import User
from kommunkarta.services import account_links, accounts
from kommunkarta.services.account_links import Purpose
from kommunkarta.services.register import reminders

DEFAULT_SENDER = "kommunkartan@localhost"


def link(token: str) -> str:
    """The absolute address of the page a token opens, under KOMMUNKARTA_PUBLIC_URL."""
    return links.absolute_url("auth.set_password", token=token)


def compose(user: User, url: str, purpose: Purpose) -> EmailMessage:
    """The message in the current language."""
    if purpose is Purpose.INVITATION:
        subject = _("You are invited to Kommunkartan")
        lines = [
            _("Hello,"),
            "",
            _(
                "An administrator has made an account for %(email)s in Kommunkartan, the map "
                "of AI initiatives in Swedish municipalities. Choose your password here (the "
                "link works once, for seven days):",
                email=user.email,
            ),
        ]
    else:
        subject = _("Kommunkartan: choose a new password")
        lines = [
            _("Hello,"),
            "",
            _(
                "Someone asked for a new password for %(email)s in Kommunkartan. If it was "
                "you, choose one here (the link works once, for an hour):",
                email=user.email,
            ),
        ]
    lines += [url, "", _("If you did not expect this message, you can ignore it.")]
    message = EmailMessage()
    message["From"] = current_app.config.get("MAIL_FROM") or DEFAULT_SENDER
    message["To"] = user.email
    message["Subject"] = subject
    message.set_content("\n".join(lines) + "\n")
    return message


def deliver(message: EmailMessage) -> bool:
    """Send the message through SMTP_URL (True), or without it write it to the log (False).
    Raises reminders.MailError when the server does not take it."""
    smtp_url = current_app.config.get("SMTP_URL")
    if smtp_url:
        reminders.send(smtp_url, [message])
        return True
    current_app.logger.warning(
        "SMTP_URL is not set; this mail was not sent:\nTo: %s\nSubject: %s\n\n%s",
        message["To"],
        message["Subject"],
        message.get_content(),
    )
    return False


def link_mail(user: User, purpose: Purpose) -> tuple[EmailMessage, str]:
    """A new one-time link for the account and the mail that carries it."""
    url = link(account_links.make(user, purpose, current_app.config["SECRET_KEY"]))
    return compose(user, url, purpose), url


def send_link(user: User, purpose: Purpose) -> tuple[bool, str]:
    """Make a one-time link for the account and mail it; returns whether it was sent (else
    logged) and the link. Raises reminders.MailError when the server does not take it."""
    message, url = link_mail(user, purpose)
    return deliver(message), url


class Outbox:
    """Jobs that send mail, run one after another by a worker thread (started on first use
    in each process) in an app context of their own; nobody waits for them."""

    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[Flask, Callable[[], None]]] = queue.Queue()
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None

    def put(self, app: Flask, job: Callable[[], None]) -> None:
        with self._lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="mail", daemon=True)
                self._worker.start()
        self._queue.put((app, job))

    def join(self) -> None:
        """Wait until every job handed over so far has run."""
        self._queue.join()

    def drain(self, seconds: float = 10.0) -> None:
        """Give the jobs still waiting a few seconds to run: called as the process exits (a
        worker restarted by a deploy), so that a reset asked for just before is not lost."""
        deadline = time.monotonic() + seconds
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.05)

    def _run(self) -> None:
        while True:
            app, job = self._queue.get()
            try:
                with app.app_context():
                    job()
            except Exception:  # the worker outlives any one bad job
                app.logger.exception("a mail job failed")
            finally:
                self._queue.task_done()


OUTBOX = Outbox()
atexit.register(OUTBOX.drain)


def reset_after(response: Response, address: str) -> None:
    """Once the response has gone out, mail a reset link in the page's language to the
    account with this address if it may have one (services.accounts.find_for_reset), all of
    it in the background: looking the address up too, so that the request does the same
    work whether or not it exists, and nothing competes with it while it answers."""
    locale = select_locale()
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def job() -> None:
        user = accounts.find_for_reset(db.session(), address)
        if user is not None:
            with force_locale(locale):
                message, _url = link_mail(user, Purpose.RESET)
            try:
                deliver(message)
            except reminders.MailError as error:  # the visitor learns nothing, the operator does
                current_app.logger.error(
                    "password reset mail to %s not sent: %s", user.email, error
                )

    response.call_on_close(lambda: OUTBOX.put(app, job))
