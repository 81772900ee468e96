"""The arguments of the peer pages: distances, places to compare and the place to embed."""

import pytest
from werkzeug.datastructures import MultiDict

from kommunkarta.filters import Vocabulary
from kommunkarta.public.peer_args import (
    place_to_embed,
    places_to_compare,
    within_km,
)
from kommunkarta.rules import UnknownPlace
from kommunkarta.services.errors import InvalidField
from kommunkarta.services.places.peers import DEFAULT_KM, MAX_KM

VOCABULARY = Vocabulary(
    slugs={},
    municipalities=frozenset({"0180", "0184", "1480", "1280", "0380", "2584"}),
    regions=frozenset({"01", "03", "12", "14", "25", "20"}),
)


@pytest.mark.parametrize(
    "pairs, km",
    [
        ([], DEFAULT_KM),
        ([("within", "")], DEFAULT_KM),
        ([("within", "10")], 10.0),
        ([("within", " 12.5 ")], 12.5),
        ([("within", "12,5")], 12.5),
        ([("within", "0.5")], 0.5),
        ([("within", str(MAX_KM))], float(MAX_KM)),
    ],
)
def test_good_distances(pairs, km):
    assert within_km(MultiDict(pairs)) == km


@pytest.mark.parametrize(
    "value",
    # the rules' one decimal parser (rules.decimal_number): no Unicode digits either
    ["0", "0.0", "-5", "abc", "nan", "inf", "1e3", "5 km", str(MAX_KM + 1), "1000000", "0x10", "٣"],
)
def test_bad_distances(value):
    with pytest.raises(InvalidField) as caught:
        within_km(MultiDict([("within", value)]))
    assert caught.value.field == "within"


def test_a_distance_given_twice_is_refused():
    with pytest.raises(InvalidField):
        within_km(MultiDict([("within", "5"), ("within", "6")]))


def compare(pairs):
    return places_to_compare(MultiDict(pairs), VOCABULARY)


@pytest.mark.parametrize(
    "pairs, expected",
    [
        ([], ("municipality", [])),
        ([("municipality", ""), ("region", "")], ("municipality", [])),
        ([("municipality", "1480"), ("municipality", "0180")], ("municipality", ["1480", "0180"])),
        (
            [("municipality", c) for c in ("0180", "0184", "1480", "1280", "0380")],
            ("municipality", ["0180", "0184", "1480", "1280", "0380"]),
        ),
        ([("region", "01"), ("region", ""), ("region", "14")], ("region", ["01", "14"])),
    ],
)
def test_good_comparisons(pairs, expected):
    assert compare(pairs) == expected


@pytest.mark.parametrize(
    "pairs, field, unknown",
    [
        ([("municipality", "0180")], "municipality", False),
        ([("municipality", "0180"), ("municipality", "0180")], "municipality", False),
        ([("municipality", c) for c in sorted(VOCABULARY.municipalities)], "municipality", False),
        ([("region", "01")], "region", False),
        ([("region", c) for c in sorted(VOCABULARY.regions)], "region", False),
        ([("municipality", "0180"), ("municipality", "9999")], "municipality", True),
        ([("municipality", "0180"), ("municipality", "180")], "municipality", False),
        ([("municipality", "0180"), ("municipality", "01")], "municipality", False),
        ([("region", "01"), ("region", "99")], "region", True),
        ([("region", "01"), ("region", "1")], "region", False),
        ([("region", "01"), ("region", "0180")], "region", False),
        ([("municipality", "0180"), ("municipality", "1480"), ("region", "01")], "region", False),
    ],
)
def test_bad_comparisons(pairs, field, unknown):
    with pytest.raises(InvalidField) as caught:
        compare(pairs)
    assert caught.value.field == field
    assert isinstance(caught.value, UnknownPlace) == unknown


@pytest.mark.parametrize(
    "pairs, expected",
    [
        ([("municipality", "0180")], ("municipality", "0180")),
        ([("region", " 14 ")], ("region", "14")),
    ],
)
def test_good_embeds(pairs, expected):
    assert place_to_embed(MultiDict(pairs), VOCABULARY) == expected


@pytest.mark.parametrize(
    "pairs, unknown",
    [
        ([], False),
        ([("municipality", "")], False),
        ([("municipality", "0180"), ("region", "01")], False),
        ([("municipality", "0180"), ("municipality", "1480")], False),
        ([("municipality", "18O0")], False),
        ([("region", "1")], False),
        ([("municipality", "9999")], True),
        ([("region", "99")], True),
    ],
)
def test_bad_embeds(pairs, unknown):
    with pytest.raises(InvalidField) as caught:
        place_to_embed(MultiDict(pairs), VOCABULARY)
    assert isinstance(caught.value, UnknownPlace) == unknown
