"""Resolving organisation names to municipalities: one table of cases, no database."""

import pytest

from kommunkarta.services.data_io.organisations import Place, Resolver


@pytest.fixture(scope="module")
def resolver(geo):
    places = geo.municipality_places()
    return Resolver(
        (Place(p.code, p.name) for p in places),
        (Place(r.code, r.name) for r in geo.region_places()),
        {p.code: p.region_code for p in places},
    )


@pytest.mark.parametrize(
    ("cell", "codes"),
    [
        ("Skövde", ["1496"]),
        ("Municipality of Skövde", ["1496"]),
        ("Skovde municipality", ["1496"]),
        ("City of Stockholm", ["0180"]),
        ("Stockholms stad", ["0180"]),
        ("Göteborgs Stad", ["1480"]),
        ("City of Gothenburg", ["1480"]),
        ("Vaxjo kommun", ["0780"]),
        ("VÄXJÖ KOMMUN", ["0780"]),
        ("Vaexjoe", ["0780"]),
        ("Lerums kommun", ["1441"]),
        ("Vännäs kommun", ["2460"]),  # a name ending in s is not taken for a genitive
        ("Borås Stad", ["1490"]),
        ("Malung Salen", ["2023"]),
        ("the Municipality of Upplands-Bro", ["0139"]),
        ("Eskilstuan kommun", ["0484"]),  # a misspelling
        ("Sundsvalll", ["2281"]),
        ("Region Gotland", ["0980"]),  # the county of one municipality is that municipality
        ("Kalmar", ["0880"]),  # a bare name shared with a county is the municipality
        ("Ale kommun, Lerums kommun och Region Västra Götaland", ["1440", "1441"]),
        ("Umeå kommun; Skellefteå kommun & Umeå universitet", ["2480", "2482"]),
        ("Malmö stad and Lunds kommun", ["1280", "1281"]),
        ("City of Gothenberg", ["1480"]),  # an exonym with a letter wrong
        ("Gothenburgh Municipality", ["1480"]),
        ("Upsala kommun", ["0380"]),
        ("Malmo Municipality", ["1280"]),
        ("Vasteras City", ["1980"]),
        ("Norrkopings kommun", ["0581"]),  # genitive without ö
    ],
)
def test_names_resolve_to_municipalities(resolver, cell, codes):
    result = resolver.resolve(cell)
    assert result.unresolved == []
    assert result.municipalities == codes


def test_counties_and_other_organisations_are_noted_not_participants(resolver):
    result = resolver.resolve("Ale kommun, Region Västra Götaland, Västra Götalandsregionen")
    assert result.municipalities == ["1440"]
    assert result.regions == ["Region Västra Götaland", "Västra Götalandsregionen"]
    for cell in ("Region Skåne", "Stockholm County Council", "Stockholms läns landsting"):
        assert resolver.resolve(cell).regions == [cell]
        assert resolver.resolve(cell).municipalities == []
    others = resolver.resolve("Umeå kommun, Umeå universitet, Inera AB")
    assert others.others == ["Umeå universitet", "Inera AB"]
    together = resolver.resolve("Sveriges Kommuner och Regioner och Ale kommun")
    assert together.others == ["Sveriges Kommuner och Regioner"]
    assert together.municipalities == ["1440"] and together.unresolved == []
    assert resolver.resolve("Halland").regions == ["Halland"]


def test_what_cannot_be_told_for_sure_comes_back_with_candidates(resolver):
    # Habo and Håbo differ only in the ring; a name written with neither is both
    assert resolver.resolve("Habo kommun").municipalities == ["0643"]
    assert resolver.resolve("Håbo kommun").municipalities == ["0305"]
    ambiguous = resolver.resolve("Habö kommun").unresolved
    assert [u.ambiguous for u in ambiguous] == [True]
    assert {c.name for c in ambiguous[0].candidates[:2]} == {"Habo", "Håbo"}
    # one letter away from two names
    between = resolver.resolve("Mnora").unresolved
    assert [u.ambiguous for u in between] == [True]
    assert {c.name for c in between[0].candidates[:2]} == {"Mora", "Nora"}

    unknown = resolver.resolve("Smorgasborg kommun").unresolved
    assert [u.text for u in unknown] == ["Smorgasborg kommun"]
    assert not unknown[0].ambiguous
    assert len(unknown[0].candidates) == 3

    # close to a name but not close enough to take it
    near = resolver.resolve("Lerun").unresolved
    assert near and near[0].candidates[0].name == "Lerum"


def test_upplands_alone_is_not_guessed(resolver):
    result = resolver.resolve("Upplands kommun")
    assert result.municipalities == []
    names = {c.name for c in result.unresolved[0].candidates}
    assert {"Upplands Väsby", "Upplands-Bro"} <= names


def test_a_moderators_alias_decides_before_anything_else(geo):
    places = geo.municipality_places()
    resolver = Resolver(
        (Place(p.code, p.name) for p in places),
        (Place(r.code, r.name) for r in geo.region_places()),
        {p.code: p.region_code for p in places},
        aliases={"habö kommun": "0643", "smorgasborg kommun": None},
    )
    assert resolver.resolve("Habö kommun").municipalities == ["0643"]
    assert resolver.resolve("Smorgasborg kommun").others == ["Smorgasborg kommun"]
