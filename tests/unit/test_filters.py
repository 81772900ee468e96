"""The one filter object: every parameter of the contract, good and bad, in one table."""

import pytest
from werkzeug.datastructures import MultiDict

from kommunkarta.filters import InitiativeFilter, Vocabulary
from kommunkarta.services.errors import InvalidField

VOCABULARY = Vocabulary(
    slugs={
        "benefit": frozenset({"efficiency", "safety"}),
        "area": frozenset({"education"}),
        "status": frozenset({"pilot", "production"}),
        "tech": frozenset({"chatbot"}),
    },
    municipalities=frozenset({"0180", "1480", "0114"}),
    regions=frozenset({"01", "14"}),
)


def parse(pairs):
    return InitiativeFilter.from_args(MultiDict(pairs), VOCABULARY)


@pytest.mark.parametrize(
    "pairs, expected",
    [
        ([], InitiativeFilter()),
        ([("benefit", "efficiency")], InitiativeFilter(benefit=("efficiency",))),
        (
            [("benefit", "efficiency"), ("benefit", "safety"), ("benefit", "efficiency")],
            InitiativeFilter(benefit=("efficiency", "safety")),
        ),
        (
            [("area", "education"), ("status", "pilot"), ("tech", "chatbot")],
            InitiativeFilter(area=("education",), status=("pilot",), tech=("chatbot",)),
        ),
        ([("region", "01")], InitiativeFilter(region="01")),
        ([("municipality", "0180")], InitiativeFilter(municipality="0180")),
        ([("q", "  chattbot ")], InitiativeFilter(q="chattbot")),
        ([("q", "")], InitiativeFilter()),
        (
            [("year_from", "2020"), ("year_to", "2024")],
            InitiativeFilter(year_from=2020, year_to=2024),
        ),
        (
            [("year_from", "2022"), ("year_to", "2022")],
            InitiativeFilter(year_from=2022, year_to=2022),
        ),
        ([("benefit", ""), ("lang", "en"), ("page", "2")], InitiativeFilter()),
        (
            [("reuse", "call-off"), ("reuse", "open-source"), ("risk", "unassessed")],
            InitiativeFilter(reuse=("call-off", "open-source"), risk=("unassessed",)),
        ),
        (
            [("risk", "high"), ("risk", "transparency")],
            InitiativeFilter(risk=("high", "transparency")),
        ),
    ],
)
def test_valid_arguments(pairs, expected):
    assert parse(pairs) == expected


@pytest.mark.parametrize(
    "pairs, field",
    [
        ([("benefit", "nope")], "benefit"),
        ([("reuse", "free")], "reuse"),
        ([("reuse", "Call-off")], "reuse"),
        ([("risk", "prohibited")], "risk"),
        ([("area", "efficiency")], "area"),
        ([("status", "done")], "status"),
        ([("tech", "blockchain")], "tech"),
        ([("region", "1")], "region"),
        ([("region", "99")], "region"),
        ([("region", "01"), ("region", "14")], "region"),
        ([("municipality", "180")], "municipality"),
        ([("municipality", "018O")], "municipality"),
        ([("municipality", "9999")], "municipality"),
        ([("q", "x" * 201)], "q"),
        ([("year_from", "twenty")], "year_from"),
        ([("year_to", "20.5")], "year_to"),
        ([("year_from", "1800")], "year_from"),
        ([("year_from", "2024"), ("year_to", "2020")], "year_from"),
    ],
)
def test_invalid_arguments_name_the_parameter(pairs, field):
    with pytest.raises(InvalidField) as raised:
        parse(pairs)
    assert raised.value.field == field
    assert str(raised.value)


def test_to_args_round_trips():
    selection = parse(
        [
            ("benefit", "efficiency"),
            ("benefit", "safety"),
            ("region", "14"),
            ("q", "bot"),
            ("year_from", "2020"),
        ]
    )
    args = selection.to_args()
    assert args == {
        "benefit": ["efficiency", "safety"],
        "region": "14",
        "q": "bot",
        "year_from": 2020,
    }
    pairs = [(k, str(v)) for k, vs in args.items() for v in (vs if isinstance(vs, list) else [vs])]
    assert parse(pairs) == selection
    assert selection.to_args(region=None) == {
        "benefit": ["efficiency", "safety"],
        "q": "bot",
        "year_from": 2020,
    }
    assert selection.without("benefit", "q").to_args() == {"region": "14", "year_from": 2020}
    assert InitiativeFilter().is_empty and not selection.is_empty
