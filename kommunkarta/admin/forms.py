"""Forms for account administration."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from kommunkarta import rules
from kommunkarta.forms import CheckboxListField, clean_filter, email_address, new_password_field
from kommunkarta.models import Role
from kommunkarta.services.taxonomy_admin import TermText

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
    password = new_password_field(
        _l("First password"),
        _l(
            "At least %(num)s characters. Give it to the person in a safe way.",
            num=rules.PASSWORD_MIN,
        ),
    )


def _description(label):
    return TextAreaField(
        label,
        validators=[
            Optional(),
            Length(
                max=rules.LENGTHS["term_description"],
                message=_l(
                    "Use at most %(limit)s characters.", limit=rules.LENGTHS["term_description"]
                ),
            ),
        ],
        filters=[clean_filter],
        description=_l("What the term covers, for the filter help and the API. Optional."),
        render_kw={"rows": 3},
    )


class TermTextForm(FlaskForm):
    """A term's names and descriptions in Swedish and English."""

    name_sv = StringField(
        _l("Swedish name"),
        validators=[InputRequired(_l("Give a name.")), Length(max=rules.LENGTHS["term_name"])],
        filters=[clean_filter],
    )
    name_en = StringField(
        _l("English name"),
        validators=[InputRequired(_l("Give a name.")), Length(max=rules.LENGTHS["term_name"])],
        filters=[clean_filter],
    )
    description_sv = _description(_l("Swedish description"))
    description_en = _description(_l("English description"))

    def text(self) -> TermText:
        return TermText(
            self.name_sv.data or "",
            self.name_en.data or "",
            self.description_sv.data or "",
            self.description_en.data or "",
        )


class TermForm(TermTextForm):
    slug = StringField(
        _l("Slug"),
        validators=[InputRequired(_l("Give a slug.")), Length(max=rules.LENGTHS["term_slug"])],
        filters=[clean_filter],
        description=_l(
            "Used in links, filters and exports, and cannot change later: lower-case letters "
            "a–z, digits and hyphens."
        ),
    )


class MergeForm(FlaskForm):
    into = SelectField(
        _l("Merge into"),
        validators=[InputRequired(_l("Choose a term."))],
        description=_l(
            "Every initiative with this term gets the chosen one instead. This term is then "
            "retired, and old links with it show the chosen term's initiatives."
        ),
    )
