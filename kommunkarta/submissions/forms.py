"""The submission form, the public suggestion form and the small moderation forms.

Forms check shape (required, lengths, URL schemes); rules of meaning (location inside the
municipalities, your own municipality, known terms) are checked again by the services.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from kommunkarta import rules
from kommunkarta.forms import (
    CheckboxListField,
    CoordinateField,
    YearField,
    clean_filter,
    email_address,
    web_url,
    whole_number,
)
from kommunkarta.services.register.content import LIMITS, Content
from kommunkarta.services.register.effects import FACT_FIELDS
from kommunkarta.services.register.moderation import REASON_MAX
from kommunkarta.services.register.submissions import Intent
from kommunkarta.services.register.suggestions import SUGGESTER_CONTACT_MAX, Suggestion
from kommunkarta.submissions.effect_forms import EffectFieldsMixin


class InitiativeForm(EffectFieldsMixin, FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[InputRequired(_l("Give the initiative a title.")), Length(max=LIMITS["title"])],
        filters=[clean_filter],
    )
    summary = TextAreaField(
        _l("Summary"),
        validators=[InputRequired(_l("Write a short summary.")), Length(max=LIMITS["summary"])],
        filters=[clean_filter],
        description=_l("One or two sentences: what it does and for whom."),
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=LIMITS["description"])],
        filters=[clean_filter],
        description=_l("Plain text. Leave an empty line between paragraphs."),
    )
    municipalities = CheckboxListField(
        _l("Participating municipalities"),
        validators=[InputRequired(_l("Choose at least one municipality."))],
        description=_l("Your own are chosen already; add the others in a collaboration."),
    )
    benefit_areas = CheckboxListField(
        _l("Benefit areas"),
        validators=[InputRequired(_l("Choose at least one benefit area."))],
    )
    areas = CheckboxListField(_l("Operational areas"), validators=[Optional()])
    technologies = CheckboxListField(_l("Technologies"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[InputRequired(_l("Choose a status."))])
    start_year = YearField(
        _l("Start year"),
        validators=[Optional()],
        render_kw={"inputmode": "numeric"},
    )
    url = URLField(
        _l("Public web page"),
        validators=[Optional(), Length(max=LIMITS["url"]), web_url],
        filters=[clean_filter],
        description=_l("Optional. An address that starts with https:// or http://."),
    )
    contact = EmailField(
        _l("Contact"),
        validators=[
            InputRequired(_l("Give an email address for questions from other municipalities.")),
            Length(max=LIMITS["contact"]),
            email_address,
        ],
        filters=[clean_filter],
        description=_l("An email address, preferably a role address such as ai@kommun.se."),
    )
    lat = CoordinateField(
        _l("Latitude"),
        validators=[Optional(), NumberRange(-90, 90)],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    lon = CoordinateField(
        _l("Longitude"),
        validators=[Optional(), NumberRange(-180, 180)],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    version = HiddenField()
    save_draft = SubmitField(_l("Save as draft"))
    submit_review = SubmitField(_l("Submit for review"))
    publish = SubmitField(_l("Save and publish"))

    # messages about the location as a whole (both fields, or its place on the map)
    location_errors: list[str]

    def intent(self) -> Intent:
        if self.publish.data:
            return Intent.PUBLISH
        if self.submit_review.data:
            return Intent.SUBMIT
        return Intent.DRAFT

    def content(self) -> Content:
        return Content(
            title=self.title.data or "",
            summary=self.summary.data or "",
            description=self.description.data or "",
            status=self.status.data or "",
            start_year=self.start_year.data,
            url=self.url.data or "",
            contact=self.contact.data or "",
            lat=self.lat.data,
            lon=self.lon.data,
            municipalities=tuple(self.municipalities.data or ()),
            benefit_areas=tuple(self.benefit_areas.data or ()),
            areas=tuple(self.areas.data or ()),
            technologies=tuple(self.technologies.data or ()),
            **self.effect_content(),
        )

    def fill(self, content: Content) -> None:
        """Show stored content (on GET)."""
        values = content.values()
        for name, value in values.items():
            if name != "effects" and name not in FACT_FIELDS:
                getattr(self, name).data = value
        self.fill_effects(values)


class SuggestionForm(FlaskForm):
    title = StringField(
        _l("Name of the initiative"),
        validators=[InputRequired(_l("Give the initiative a name.")), Length(max=LIMITS["title"])],
        filters=[clean_filter],
    )
    municipality = SelectField(
        _l("Municipality"), validators=[InputRequired(_l("Choose the municipality."))]
    )
    summary = TextAreaField(
        _l("What does it do?"),
        validators=[InputRequired(_l("Write a short summary.")), Length(max=LIMITS["summary"])],
        filters=[clean_filter],
        description=_l("A few sentences are enough."),
    )
    benefit_areas = CheckboxListField(_l("What good does it do?"), validators=[Optional()])
    url = URLField(
        _l("Web page about it"),
        validators=[Optional(), Length(max=LIMITS["url"]), web_url],
        filters=[clean_filter],
        description=_l("Optional. An address that starts with https:// or http://."),
    )
    suggester_contact = StringField(
        _l("Your email or phone"),
        validators=[Optional(), Length(max=SUGGESTER_CONTACT_MAX)],
        filters=[clean_filter],
        description=_l("Optional, in case the moderators have a question. Never published."),
        render_kw={"autocomplete": "email"},
    )
    # A honeypot: hidden from people, tempting to robots. Anything typed here is dropped.
    website = StringField(_l("Leave this field empty"))
    send = SubmitField(_l("Send suggestion"))

    def suggestion(self) -> Suggestion:
        return Suggestion(
            title=self.title.data or "",
            summary=self.summary.data or "",
            municipality=self.municipality.data or "",
            url=self.url.data or "",
            benefit_areas=tuple(self.benefit_areas.data or ()),
            suggester_contact=self.suggester_contact.data or "",
        )


class ActionForm(FlaskForm):
    """Submit, publish or delete: the version the person looked at travels with the action."""

    version = HiddenField(validators=[InputRequired(), whole_number(rules.version)])


class RejectForm(ActionForm):
    reason = TextAreaField(
        _l("Reason for the coordinator"),
        validators=[
            InputRequired(_l("Tell the coordinator why, so they can fix it.")),
            Length(max=REASON_MAX),
        ],
        filters=[clean_filter],
    )
