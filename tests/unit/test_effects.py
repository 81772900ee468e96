"""The unit maths of effects and the rules their rows and an initiative's facts must keep."""

from __future__ import annotations

from dataclasses import replace

import pytest
from flask import Flask
from flask_babel import Babel
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kommunkarta.services.register import effects
from kommunkarta.services.register.effects import EffectData, Facts


@pytest.fixture(autouse=True)
def _babel():
    app = Flask(__name__)
    Babel(app, locale_selector=lambda: "en")
    with app.test_request_context():
        yield


def _hours(amount, period, people=None) -> EffectData:
    return EffectData("time", amount, "hours", period, people, "measured")


@pytest.mark.parametrize(
    ("effect", "per_year"),
    [
        (_hours(2, "week", 30), 3120),  # the case: ≈ 3,100 hours a year
        (_hours(2, "week", 5), 520),
        (_hours(1.5, "day"), 330),  # 220 working days
        (_hours(10, "month"), 120),
        (_hours(400, "year"), 400),
        (_hours(400, "once"), None),  # a one-off is no yearly figure
        (EffectData("money", 25_000, "sek", "month", None, "estimated"), 300_000),
        (EffectData("quality", 15, "percent", "", None, "evaluated"), None),
    ],
)
def test_per_year(effect, per_year):
    assert effect.per_year() == per_year


def test_totals_keep_hours_and_kronor_apart():
    rows = [
        _hours(2, "week", 30),
        _hours(100, "year"),
        _hours(50, "once"),
        EffectData("money", 25_000, "sek", "month", None, "estimated"),
        EffectData("reach", 1200, "count", "year", None, "measured"),
    ]
    assert effects.totals(rows) == (3220, 300_000)
    assert effects.totals([_hours(2, "week")]) == (104, None)  # never hours to money
    assert effects.totals([]) == (None, None)


def test_arithmetic_says_the_sum_in_words():
    assert effects.arithmetic(_hours(2, "week", 5)) == "5 people × 2 h per week ≈ 520 h per year"
    assert effects.arithmetic(_hours(2, "week", 30)).endswith("≈ 3,120 h per year")
    assert effects.arithmetic(_hours(400, "year")) == "400 h per year"
    assert effects.arithmetic(_hours(3, "once")) == "3 h once"


def _fields(errors) -> dict[str, str]:
    return {e.field: str(e.reason) for e in errors}


@pytest.mark.parametrize(
    ("effect", "field", "words"),
    [
        (_hours(-2, "week"), "effects-0-amount", "above zero"),
        (_hours(0, "week"), "effects-0-amount", "above zero"),
        (_hours(float("nan"), "week"), "effects-0-amount", "number"),
        (_hours(40, "week", 10_000), "effects-0-amount", "more than 10 000 000"),
        (EffectData("money", 2e10, "sek", "year", None, "estimated"), "effects-0-amount", "more"),
        (EffectData("quality", 120, "percent", "", None, "measured"), "effects-0-amount", "100"),
        (_hours(2, ""), "effects-0-period", "how often"),
        (EffectData("money", 5, "sek", "", None, "estimated"), "effects-0-period", "how often"),
        (EffectData("time", 5, "sek", "week", None, "estimated"), "effects-0-unit", "hours"),
        (EffectData("money", 5, "sek", "week", 3, "estimated"), "effects-0-people", "hours"),
        (_hours(2, "week", 0), "effects-0-people", "whole number"),
        (EffectData("time", 2, "hours", "week", None, "guessed"), "effects-0-basis", "measured"),
        (EffectData("nonsense", 2, "hours", "week", None, "measured"), "effects-0-kind", "kind"),
        (EffectData("time", 2, "hours", "fortnight", None, "measured"), "effects-0-period", ""),
        (
            EffectData("time", 2, "hours", "week", None, "measured", source_url="javascript:x"),
            "effects-0-source_url",
            "http",
        ),
        (
            EffectData("time", 2, "hours", "week", None, "measured", as_of="2025-13-01"),
            "effects-0-as_of",
            "date",
        ),
        (
            # the rules' year floor, as for start years
            EffectData("time", 2, "hours", "week", None, "measured", as_of="1989-12-31"),
            "effects-0-as_of",
            "from 1990",
        ),
        (
            EffectData("time", 2, "hours", "week", None, "measured", benefit_area="nope"),
            "effects-0-benefit_area",
            "nope",
        ),
    ],
)
def test_bad_effect_rows_are_named(effect, field, words):
    found = _fields(effects.problems([effect], Facts(), ["chatbot"], {"efficiency"}))
    assert field in found, found
    assert words in found[field]


def test_an_effect_as_of_the_first_day_of_the_floor_year_passes():
    effect = EffectData("time", 2, "hours", "week", None, "measured", as_of="1990-01-01")
    assert not effects.problems([effect], Facts(), ["chatbot"], {"efficiency"})


def test_good_rows_and_facts_pass():
    rows = [
        _hours(2, "week", 30),
        EffectData("quality", 15, "percent", "", None, "evaluated", "efficiency"),
        EffectData("reach", 1200, "count", "year", None, "measured", as_of="2025-03-31"),
    ]
    facts = Facts(
        investment_sek=450_000,
        running_sek_per_year=120_000,
        procurement="framework-agreement",
        others_may_call_off=True,
        supplier="Leverantör AB",
        open_source_url="https://github.com/kommun/bot",
        personal_data="yes",
        dpia=True,
        ai_act="high",
        fria=True,
    )
    assert effects.problems(rows, facts, ["chatbot"], {"efficiency"}) == []


@pytest.mark.parametrize(
    ("facts", "technologies", "field"),
    [
        (Facts(ai_act="high"), [], "ai_act"),  # an AI Act category without an AI technology
        (Facts(ai_act="minimal"), [], "ai_act"),
        (Facts(ai_act="prohibited"), ["chatbot"], "ai_act"),
        (Facts(fria=True, ai_act="minimal"), ["chatbot"], "fria"),
        (Facts(investment_sek=-5), [], "investment_sek"),
        (Facts(running_sek_per_year=20_000_000_000), [], "running_sek_per_year"),
        (Facts(procurement="handshake"), [], "procurement"),
        (Facts(personal_data="maybe"), [], "personal_data"),
        (Facts(open_source_url="ftp://x"), [], "open_source_url"),
    ],
)
def test_bad_facts_are_named(facts, technologies, field):
    assert field in _fields(effects.problems([], facts, technologies, set()))


def test_not_assessed_needs_no_technology():
    assert effects.problems([], Facts(ai_act="unassessed"), [], set()) == []


def test_too_many_rows():
    rows = [_hours(1, "week")] * (effects.MAX_EFFECTS + 1)
    assert "effects" in _fields(effects.problems(rows, Facts(), [], set()))


# values each fact may take in the tests of the rules between fields: good, bad and not given
FACT_VALUES = {
    "investment_sek": (None, 0, 450_000, -5, 20_000_000_000),
    "running_sek_per_year": (None, 0, 120_000, -5),
    "procurement": ("", "framework-agreement", "handshake"),
    "others_may_call_off": (None, True, False),
    "supplier": ("", "Leverantör AB", "x" * (effects.SUPPLIER_MAX + 1)),
    "open_source_url": ("", "https://github.com/kommun/bot", "ftp://x"),
    "personal_data": ("", "yes", "no", "unknown", "maybe"),
    "dpia": (None, True, False),
    "ai_act": ("", "high", "transparency", "minimal", "unassessed", "prohibited"),
    "fria": (None, True, False),
}
TECHNOLOGIES = ((), ("chatbot",), ("chatbot", "computer-vision"))
facts_and_technologies = st.tuples(
    st.builds(Facts, **{name: st.sampled_from(v) for name, v in FACT_VALUES.items()}),
    st.sampled_from(TECHNOLOGIES),
)


def _told(facts, technologies) -> set[tuple[str, str]]:
    return {(e.field, str(e.reason)) for e in effects.fact_problems(facts, list(technologies))}


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(facts_and_technologies)
def test_a_fact_rule_reads_only_the_fields_it_names(case):
    """A rule between two fields names the other one (`leans_on`), which the import reads to
    know when a file with only one of them concerns the rule: changing any field the rule
    does not name leaves it broken, so a rule that reads a field unnamed fails here."""
    facts, technologies = case
    assert set(effects.FACT_FIELDS) == set(FACT_VALUES)
    for error in effects.fact_problems(facts, list(technologies)):
        told = (error.field, str(error.reason))
        for name, values in FACT_VALUES.items():
            if name not in error.fields:
                for value in values:
                    assert told in _told(replace(facts, **{name: value}), technologies), (
                        f"{error.field}'s rule reads {name}: name it in leans_on"
                    )
        if "technologies" not in error.fields:
            for other in TECHNOLOGIES:
                assert told in _told(facts, other), (
                    f"{error.field}'s rule reads the technologies: name them in leans_on"
                )
