"""Form pieces shared by the blueprints: checkbox lists, coordinates typed the Swedish way,
web addresses, and clean text."""

from __future__ import annotations

import math

from flask_babel import lazy_gettext as _l
from wtforms import FloatField, SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from kommunkarta.services.text import clean, is_web_url


class CheckboxListField(SelectMultipleField):
    """Several choices as checkboxes: works without script and on a phone."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CoordinateField(FloatField):
    """A decimal degree in a text box (a number box would refuse "59,33", the Swedish way of
    writing it); refuses NaN and infinity."""

    widget = TextInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        raw = (valuelist[0] if valuelist else "").strip().replace(",", ".").replace("−", "-")
        self.data = None
        if not raw:
            return
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(_l("Give a number in decimal degrees, such as 59.33.")) from None
        if not math.isfinite(value):
            raise ValueError(_l("Give a number in decimal degrees, such as 59.33."))
        self.data = value


def web_url(_form, field) -> None:
    if field.data and not is_web_url(field.data):
        raise ValidationError(_l("Give a web address that starts with http:// or https://."))


def clean_filter(value: str | None) -> str:
    return clean(value)
