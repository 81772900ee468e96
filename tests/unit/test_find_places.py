"""Finding places: case-, accent- and language-blind, best match first."""

import pytest

from kommunkarta.services.places import find
from kommunkarta.services.places.geodata import Geodata


@pytest.fixture(scope="module")
def places(geo: Geodata) -> list[find.PlaceName]:
    return [find.PlaceName(p.code, p.name, "municipality") for p in geo.municipality_places()] + [
        find.PlaceName(p.code, p.name, "region") for p in geo.region_places()
    ]


@pytest.mark.parametrize(
    ("typed", "code", "level"),
    [
        ("ostersund", "2380", "municipality"),
        ("ÖSTERSUND", "2380", "municipality"),
        ("Goteborg", "1480", "municipality"),
        ("Gothenburg", "1480", "municipality"),
        ("malmo", "1280", "municipality"),
        ("Upplands Vasby", "0114", "municipality"),
        ("upplands-väsby", "0114", "municipality"),
        ("  Stockholm ", "0180", "municipality"),
        ("Stockholm County", "01", "region"),
        ("Stockholms län", "01", "region"),
        ("Skåne", "12", "region"),
        ("Scania", "12", "region"),
        ("jamtland", "23", "region"),
    ],
)
def test_what_people_type_finds_the_place(places, typed, code, level):
    matches = find.search(places, typed)
    chosen = find.best(matches)
    assert chosen is not None, [m.name for m in matches]
    assert (chosen.code, chosen.level) == (code, level)


def test_a_prefix_lists_several_places_best_first_and_no_more_than_ten(places):
    matches = find.search(places, "upp")
    names = [m.name for m in matches]
    assert names == ["Upplands-Bro", "Upplands Väsby", "Uppsala", "Uppvidinge", "Uppsala län"]
    assert find.best(matches) is None
    assert len(find.search(places, "a")) == find.LIMIT


def test_a_municipality_comes_before_the_county_named_after_it(places):
    matches = find.search(places, "Uppsala")
    assert [(m.name, m.level) for m in matches[:2]] == [
        ("Uppsala", "municipality"),
        ("Uppsala län", "region"),
    ]


@pytest.mark.parametrize("typed", ["", "   ", "---", "xyzzy"])
def test_nothing_sensible_finds_nothing(places, typed):
    assert find.best(find.search(places, typed)) is None


def test_normalise():
    assert find.normalise("Upplands-Väsby ") == "upplands vasby"
    assert find.normalise("Åre") == "are"
    assert find.normalise("Malmö stad") == "malmo stad"
