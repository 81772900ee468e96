"""The PSTW mapping table: its slugs exist, and what export-pstw writes reads back the same."""

import json
from importlib import resources

import pytest

from kommunkarta.services.data_io import pstw_mapping as mapping

TAXONOMY = json.loads(
    resources.files("kommunkarta").joinpath("data/taxonomy.json").read_text(encoding="utf-8")
)
SLUGS = {kind: [t["slug"] for t in terms] for kind, terms in TAXONOMY.items()}


@pytest.mark.parametrize(
    ("pairs", "kind"),
    [
        (mapping.STATUSES, "statuses"),
        (mapping.TECHNOLOGIES, "technologies"),
        (mapping.BENEFITS, "benefit_areas"),
        ((*mapping.AREAS, *mapping.AREAS_WRITTEN_ONLY), "areas"),
    ],
)
def test_every_slug_in_the_table_is_in_the_starter_taxonomy(pairs, kind):
    assert {slug for _, slug in pairs} <= set(SLUGS[kind])


def test_every_status_and_technology_has_a_pstw_value():
    assert set(mapping.STATUS.written) == set(SLUGS["statuses"])
    assert set(mapping.TECHNOLOGY.written) == set(SLUGS["technologies"])


def test_written_technologies_read_back_as_the_same_slugs():
    table = mapping.TECHNOLOGY
    for slug in SLUGS["technologies"]:
        assert table.scan("; ".join(table.to_pstw([slug]))) == ([slug], [])
    everything = "; ".join(table.to_pstw(SLUGS["technologies"]))
    assert sorted(table.scan(everything)[0]) == sorted(SLUGS["technologies"])


def test_areas_that_came_from_pstw_read_back_the_same():
    read = sorted(set(mapping.AREA.read.values()))
    written = "; ".join(mapping.AREA.to_pstw(read))
    assert written.count(",") == 1  # "Recreation, culture and religion" keeps its comma
    assert sorted(mapping.AREA.scan(written)[0]) == read


@pytest.mark.parametrize(
    ("cell", "slugs", "left"),
    [
        ("Machine Learning, Deep Learning", ["machine-learning"], []),
        ("machine learning; audio processing", ["machine-learning", "speech-recognition"], []),
        # the speech in the NLP label is not speech recognition
        (
            "Natural Language Processing, Text Mining and Speech Analytics",
            ["language-technology"],
            [],
        ),
        ("ChatGPT, RPA", ["generative-ai"], ["rpa"]),
        ("chatbots|Expert and Rule-based Systems", ["chatbot"], ["expert and rule based systems"]),
        ("", [], []),
    ],
)
def test_cells_with_several_values_and_any_separator(cell, slugs, left):
    assert mapping.TECHNOLOGY.scan(cell) == (slugs, left)


@pytest.mark.parametrize(
    ("value", "yes"),
    [
        ("Yes", True),
        ("yes ", True),
        ("1", True),
        (1.0, True),
        (True, True),
        ("X", True),
        ("No", False),
        ("", False),
        (None, False),
        (0, False),
        ("maybe", False),
    ],
)
def test_yes_no_cells(value, yes):
    assert mapping.is_yes(value) is yes


def test_statuses_read_tolerantly():
    assert mapping.STATUS.one(" in-Development ") == "pre-study"
    assert mapping.STATUS.one("NOT IN USE") == "ended"
    assert mapping.STATUS.one("Paused") is None
