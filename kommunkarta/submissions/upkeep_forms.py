"""Forms for keeping the register alive: a reader's report, its resolution, adopting an
initiative and the one-click confirmations (CSRF token only)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from kommunkarta.forms import YearField, clean_filter
from kommunkarta.services.register import adoption, reports


class ConfirmForm(FlaskForm):
    """A one-click action: only the CSRF token travels."""


class ReportForm(FlaskForm):
    text = TextAreaField(
        _l("What is wrong, or what should change?"),
        validators=[
            InputRequired(_l("Describe the mistake or the change.")),
            Length(max=reports.TEXT_MAX),
        ],
        filters=[clean_filter],
        description=_l("The coordinators and moderators read it; it is not published."),
    )
    contact = StringField(
        _l("Your email or phone"),
        validators=[Optional(), Length(max=reports.CONTACT_MAX)],
        filters=[clean_filter],
        description=_l("Optional, in case they have a question. Never published."),
        render_kw={"autocomplete": "email"},
    )
    # A honeypot, as on the suggestion form: anything typed here is dropped.
    website = StringField(_l("Leave this field empty"))
    send = SubmitField(_l("Send report"))


class ResolveForm(FlaskForm):
    reply = TextAreaField(
        _l("Reply"),
        validators=[
            InputRequired(_l("Write a reply; it is shown on the initiative's page.")),
            Length(max=reports.REPLY_MAX),
        ],
        filters=[clean_filter],
        description=_l("Shown on the initiative's page; the report itself is not."),
    )
    send = SubmitField(_l("Mark resolved"))


class AdoptForm(FlaskForm):
    municipality = SelectField(
        _l("Your municipality"), validators=[InputRequired(_l("Choose the municipality."))]
    )
    status = SelectField(
        _l("Status of your own use"), validators=[InputRequired(_l("Choose a status."))]
    )
    start_year = YearField(
        _l("Started in year"), validators=[Optional()], render_kw={"inputmode": "numeric"}
    )
    note = TextAreaField(
        _l("Short note"),
        validators=[Optional(), Length(max=adoption.NOTE_MAX)],
        filters=[clean_filter],
        description=_l("Optional: how you use it, whom to ask."),
    )
    send = SubmitField(_l("We do this too"))

    def request(self) -> adoption.Request:
        return adoption.Request(
            municipality=self.municipality.data or "",
            status=self.status.data or "",
            start_year=self.start_year.data,
            note=self.note.data or "",
        )
