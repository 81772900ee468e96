"""Form pieces shared by the blueprints: checkbox lists, coordinates typed the Swedish way,
web addresses, e-mail addresses, whole numbers, and clean text (by `kommunkarta.rules`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import FloatField, IntegerField, PasswordField, SelectMultipleField
from wtforms.validators import InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, NumberInput, TextInput

from kommunkarta import rules
from kommunkarta.services.errors import InvalidField
from kommunkarta.services.text import clean


class CheckboxListField(SelectMultipleField):
    """Several choices as checkboxes: works without script and on a phone."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def read_by_rule(valuelist: list[str], parse: Callable[[str], Any], message: Any = None) -> Any:
    """A text box's value read by one of the rules' parsers (None when blank); raises
    ValueError, which WTForms shows beside the field, with `message` or the rule's own."""
    raw = (valuelist[0] if valuelist else "").strip()
    if not raw:
        return None
    try:
        return parse(raw)
    except InvalidField as error:
        raise ValueError(message or str(error.message)) from None


class CoordinateField(FloatField):
    """A decimal degree in a text box (a number box would refuse "59,33", the Swedish way of
    writing it), read by rules.decimal_number; its range is the field's validators' to say."""

    widget = TextInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        self.data = read_by_rule(
            valuelist,
            lambda raw: rules.decimal_number(raw, self.name, -rules.DECIMAL_MAX, rules.DECIMAL_MAX),
            _l("Give a number in decimal degrees, such as 59.33."),
        )


def web_url(_form, field) -> None:
    if field.data and not rules.is_web_url(field.data):
        raise ValidationError(_l("Give a web address that starts with http:// or https://."))


def email_address(_form, field) -> None:
    if field.data and not rules.is_email(field.data):
        raise ValidationError(_l("Give an email address, such as ai@kommun.se."))


def whole_number(parse):
    """A validator: the field's text must pass `parse` (one of the rules' number readers)."""

    def check(_form, field) -> None:
        try:
            parse(field.data or "", field.name)
        except InvalidField as error:
            raise ValidationError(str(error.message)) from None

    return check


class YearField(IntegerField):
    """A start year typed in a text box, read by the one number parser (ASCII digits only:
    WTForms' IntegerField would take "٢٠٢٠"); out of range is the same message as the
    services give (rules.start_year)."""

    widget = NumberInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        self.data = read_by_rule(valuelist, lambda raw: rules.start_year(raw, self.name))


def clean_filter(value: str | None) -> str:
    return clean(value)


def new_password_field(label: Any, description: Any) -> PasswordField:
    """A password being set: from rules.PASSWORD_MIN to the rules' length for passwords."""
    return PasswordField(
        label,
        validators=[
            InputRequired(_l("Give a password.")),
            Length(
                min=rules.PASSWORD_MIN,
                max=rules.LENGTHS["password"],
                message=_l("Use at least %(num)s characters.", num=rules.PASSWORD_MIN),
            ),
        ],
        description=description,
        render_kw={"autocomplete": "new-password"},
    )
