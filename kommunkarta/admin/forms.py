"""Forms for account administration."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from kommunkarta import rules
from kommunkarta.forms import CheckboxListField, clean_filter, email_address
from kommunkarta.models import Role

ROLE_LABELS = {
    Role.COORDINATOR: _l("Coordinator"),
    Role.MODERATOR: _l("Moderator"),
    Role.ADMIN: _l("Administrator"),
}


class MunicipalitiesForm(FlaskForm):
    municipalities = CheckboxListField(
        _l("Municipalities"),
        description=_l("A coordinator edits the initiatives of these municipalities."),
    )


def role_choices() -> list[SelectChoice]:
    return [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]


class AccountForm(MunicipalitiesForm):
    """An account's role and municipalities; without a role in the post the role stays."""

    role = SelectField(
        _l("Role"),
        choices=role_choices(),
        validators=[Optional()],
        description=_l("A new role signs the person out; they sign in again with it."),
    )


class InviteForm(MunicipalitiesForm):
    """An account without a password; the person chooses one through the mailed link."""

    email = EmailField(
        _l("Email"),
        validators=[
            InputRequired(_l("Give an email address.")),
            Length(max=rules.LENGTHS["email"]),
            email_address,
        ],
        filters=[clean_filter],
    )
    role = SelectField(_l("Role"), choices=role_choices(), validators=[InputRequired()])


class NewUserForm(InviteForm):
    password = PasswordField(
        _l("First password"),
        validators=[
            InputRequired(_l("Give a password.")),
            Length(min=10, max=1000, message=_l("Use at least 10 characters.")),
        ],
        description=_l("At least 10 characters. Give it to the person in a safe way."),
        render_kw={"autocomplete": "new-password"},
    )


class TermNamesForm(FlaskForm):
    name_sv = StringField(
        _l("Swedish name"),
        validators=[InputRequired(_l("Give a name.")), Length(max=120)],
        filters=[clean_filter],
    )
    name_en = StringField(
        _l("English name"),
        validators=[InputRequired(_l("Give a name.")), Length(max=120)],
        filters=[clean_filter],
    )


class TermForm(TermNamesForm):
    slug = StringField(
        _l("Slug"),
        validators=[InputRequired(_l("Give a slug.")), Length(max=60)],
        filters=[clean_filter],
        description=_l(
            "Used in links, filters and exports, and cannot change later: lower-case letters "
            "a–z, digits and hyphens."
        ),
    )
