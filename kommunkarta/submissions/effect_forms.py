"""The coordinator form's "Effects and costs" and "Reuse and compliance" sections.

Effect rows are a WTForms FieldList: the page always shows the stored rows plus one empty row,
an empty row is skipped, and "Add another effect" posts the form back with one more row, so
the rows work without script (with script a row is added in place). The form only checks
shape (a number is a number); every rule of meaning is in services.register.effects and comes
back beside its field.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    Field,
    FieldList,
    Form,
    FormField,
    SelectField,
    StringField,
    SubmitField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import TextInput

from kommunkarta.forms import clean_filter, read_by_rule
from kommunkarta.rules import DECIMAL_MAX, decimal_number
from kommunkarta.services.register import effects as rules
from kommunkarta.services.register.effects import EffectData

YES_NO = {"yes": True, "no": False}


class NumberField(Field):
    """A number in a text box, typed the Swedish way or not: "2,5", "10 000", "1 500,75".
    `whole` refuses fractions (kronor of a cost)."""

    widget = TextInput()
    data: Any  # an int when `whole`, else a float; None when blank or not a number

    def __init__(self, label=None, validators=None, whole: bool = False, **kwargs) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "numeric" if whole else "decimal"})
        super().__init__(label, validators, **kwargs)
        self.whole = whole
        self.raw = ""

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return str(int(self.data)) if float(self.data).is_integer() else str(self.data)

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw = (valuelist[0] if valuelist else "").strip()
        self.data = None
        value = read_by_rule(
            valuelist,
            lambda raw: decimal_number(raw, self.name, -DECIMAL_MAX, DECIMAL_MAX),
            _l("Give a number, such as 2,5 or 10 000."),
        )
        if value is None:
            return
        if self.whole:
            if not value.is_integer():
                raise ValueError(_l("Give a whole number."))
            self.data = int(value)
        else:
            self.data = value


def _choices(options: dict, blank: str | None = None) -> list[SelectChoice]:
    out = [SelectChoice("", blank)] if blank is not None else []
    return out + [SelectChoice(value, label) for value, label in options.items()]


def _tri_state(label, description=None) -> SelectField:
    return SelectField(
        label,
        choices=_choices({"yes": _l("Yes"), "no": _l("No")}, _l("Not stated")),
        validate_choice=False,
        description=description,
    )


class EffectForm(Form):
    """One effect row. Choices are checked by the service, not here."""

    benefit_area = SelectField(_l("Benefit area"), validate_choice=False)
    kind = SelectField(
        _l("Kind"), choices=_choices(rules.KINDS, _l("Choose")), validate_choice=False
    )
    amount = NumberField(_l("Amount"))
    unit = SelectField(
        _l("Unit"), choices=_choices(rules.UNITS, _l("Choose")), validate_choice=False
    )
    period = SelectField(
        _l("Period"), choices=_choices(rules.PERIODS, _l("No period")), validate_choice=False
    )
    people = NumberField(_l("Number of people"), whole=True)
    basis = SelectField(_l("Basis"), choices=_choices(rules.BASES), validate_choice=False)
    source_url = URLField(_l("Source (web page)"), filters=[clean_filter])
    as_of = StringField(_l("As of"), filters=[clean_filter], render_kw={"type": "date"})

    def is_blank(self) -> bool:
        return not (self.amount.raw or self.people.raw or self.source_url.data)

    def effect(self) -> EffectData:
        return EffectData(
            kind=self.kind.data or "",
            amount=self.amount.data,  # None if not a number: the service says so
            unit=self.unit.data or "",
            period=self.period.data or "",
            people=self.people.data,
            basis=self.basis.data or "",
            benefit_area=self.benefit_area.data or "",
            source_url=self.source_url.data or "",
            as_of=self.as_of.data or "",
        )

    def fill(self, effect: EffectData) -> None:
        for name, value in effect.__dict__.items():
            getattr(self, name).data = value


class EffectFieldsMixin:
    """The two sections' fields, mixed into InitiativeForm."""

    effects = FieldList(FormField(EffectForm), min_entries=0, max_entries=rules.MAX_EFFECTS + 1)
    add_effect = SubmitField(_l("Add another effect"))
    investment_sek = NumberField(
        _l("Investment (SEK)"),
        whole=True,
        description=_l("What it cost to start, in kronor: procurement, development, training."),
    )
    running_sek_per_year = NumberField(
        _l("Running cost per year (SEK)"),
        whole=True,
        description=_l("Licences, operation and support per year, in kronor."),
    )
    procurement = SelectField(
        _l("Procurement"),
        choices=_choices(rules.PROCUREMENT, _l("Not stated")),
        validate_choice=False,
    )
    others_may_call_off = _tri_state(
        _l("May other municipalities call off the agreement?"),
        _l("Yes if the agreement lets other municipalities buy the same without procuring."),
    )
    supplier = StringField(_l("Supplier"), filters=[clean_filter])
    open_source_url = URLField(
        _l("Open-source code"),
        filters=[clean_filter],
        description=_l("Where the source code is published, such as https://github.com/..."),
    )
    personal_data = SelectField(
        _l("Does it process personal data?"),
        choices=_choices(rules.PERSONAL_DATA, _l("Not stated")),
        validate_choice=False,
    )
    dpia = _tri_state(_l("Data protection impact assessment (DPIA) done?"))
    ai_act = SelectField(
        _l("AI Act category, as you assess it"),
        choices=_choices(rules.AI_ACT, _l("Not stated")),
        validate_choice=False,
        description=_l("Prohibited practices are not listed: they may not be used at all."),
    )
    fria = _tri_state(
        _l("Fundamental-rights impact assessment done?"), _l("Applies to high-risk AI.")
    )

    def prepare_effect_rows(self, benefit_choices: list, add_blank: bool) -> None:
        """Give every row its benefit-area choices; one empty row for a new effect."""
        if add_blank and len(self.effects) < rules.MAX_EFFECTS:
            self.effects.append_entry()
        for row in self.effects:
            row.form.benefit_area.choices = [SelectChoice("", _l("Choose")), *benefit_choices]

    def effect_rows(self) -> list[int]:
        """The indexes of the rows that are not empty, in order."""
        return [i for i, row in enumerate(self.effects) if not row.form.is_blank()]

    def effect_content(self) -> dict:
        def tri(name: str) -> bool | None:
            return YES_NO.get(getattr(self, name).data or "")

        return {
            "effects": tuple(self.effects[i].form.effect() for i in self.effect_rows()),
            "investment_sek": self.investment_sek.data,
            "running_sek_per_year": self.running_sek_per_year.data,
            "procurement": self.procurement.data or "",
            "others_may_call_off": tri("others_may_call_off"),
            "supplier": self.supplier.data or "",
            "open_source_url": self.open_source_url.data or "",
            "personal_data": self.personal_data.data or "",
            "dpia": tri("dpia"),
            "ai_act": self.ai_act.data or "",
            "fria": tri("fria"),
        }

    def fill_effects(self, values: dict) -> None:
        while len(self.effects):
            self.effects.pop_entry()
        for effect in values["effects"]:
            self.effects.append_entry()
            self.effects[-1].form.fill(EffectData.from_dict(effect))
        for name in ("others_may_call_off", "dpia", "fria"):
            value = values[name]
            getattr(self, name).data = "" if value is None else ("yes" if value else "no")
        for name in (
            "investment_sek",
            "running_sek_per_year",
            "procurement",
            "supplier",
            "open_source_url",
            "personal_data",
            "ai_act",
        ):
            getattr(self, name).data = values[name]

    def effect_field(self, name: str):
        """The form field a service message about `effects-N-sub` belongs to, or None."""
        parts = name.split("-")
        if len(parts) != 3 or parts[0] != "effects" or not parts[1].isdigit():
            return None
        rows = self.effect_rows()
        index = int(parts[1])
        if index >= len(rows):
            return None
        return getattr(self.effects[rows[index]].form, parts[2], None)


def maths_text(row: EffectForm) -> str:
    """A row's unit maths as the page shows it before any script runs; empty until the row
    has an amount, a unit and a period that make sense."""
    effect = row.effect()
    if (
        effect.amount is None
        or effect.amount <= 0
        or effect.unit not in rules.UNITS
        or effect.period not in rules.PERIODS
    ):
        return ""
    return rules.arithmetic(effect)


def maths_strings() -> dict:
    """What the page's script needs to write the same unit maths as `maths_text`."""
    from flask_babel import gettext

    return {
        "people": gettext("%(people)s people × %(amount)s"),
        "yearly": gettext("%(stated)s ≈ %(yearly)s %(unit)s per year"),
        "short": rules.UNIT_SHORT,
        "factors": rules.PERIODS_PER_YEAR,
    }
