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


# The values the data set publishes (issue 14), as its vocabularies list them.
PUBLISHED = {
    "classification": (
        mapping.DOMAIN,
        "Learning, Perception, Communication, Planning, Reasoning, Integration and Interaction, "
        "Services, Ethics and Philosophy",
    ),
    "subdomain": (
        mapping.SUBDOMAIN,
        "Machine learning, Natural language processing, Computer vision, Planning and Scheduling, "
        "Automated reasoning, Robotics and Automation, Knowledge representation, AI Services, "
        "Optimisation, Audio processing, Connected and Automated vehicles, Searching, "
        "Automated reasoning and Automated Decision Making (ADM), Multiple AI techniques, "
        "Robotics and Automation and Robotic Process Automation (RPA), AI Ethics, "
        "Multi-agent systems, Deep Learning",
    ),
    "primary": (
        mapping.PRIMARY_TECHNOLOGY,
        "Artificial Intelligence, Blockchain, AR/VR, Quantum Computing, Virtual Worlds, "
        "Digital Twins, 5G (Edge Computing), Other",
    ),
    "status": (mapping.STATUS, "Pilot, Implemented, In development, Not in use, Planned"),
}


@pytest.mark.parametrize("kind", PUBLISHED)
def test_every_published_value_lands_or_is_dropped_with_a_reason(kind):
    table, listed = PUBLISHED[kind]
    values = [v.strip() for v in listed.split(", ")]
    for value in {*values, *(v.upper() for v in values), *(v.lower() for v in values)}:
        folded = mapping.fold(value)
        assert folded in table.read or table.dropped.get(folded), value
        assert table.read.get(folded) in SLUGS["technologies"] + SLUGS["statuses"] + [None]


def test_subdomains_take_the_longest_published_value():
    assert mapping.SUBDOMAIN.scan(
        "Robotics and Automation and Robotic Process Automation (RPA)"
    ) == (["process-automation"], [])
    assert mapping.SUBDOMAIN.scan("automated reasoning and automated decision making (adm)") == (
        ["automated-decisions"],
        [],
    )


@pytest.mark.parametrize(
    ("subdomains", "classification", "primary", "expected"),
    [
        (["Computer vision"], "Perception", "Artificial Intelligence", ["computer-vision"]),
        (["Audio processing"], "Perception", "Artificial Intelligence", ["speech-recognition"]),
        ([""], "Perception", "Artificial Intelligence", ["computer-vision"]),  # broad fallback
        (["AI Ethics"], "Ethics and Philosophy", "Artificial Intelligence", ["other-ai"]),
        ([""], "", "Artificial Intelligence", []),  # not classified: nothing to say
        ([""], "", "Digital Twins", ["digital-twin"]),
        ([""], "", "Blockchain", []),
    ],
)
def test_technologies_of_a_case(subdomains, classification, primary, expected):
    assert mapping.technologies(subdomains, "", classification, primary) == (expected, [])


def test_unknown_values_come_back_with_their_column():
    slugs, unknown = mapping.technologies(["Swarm intelligence"], "", "Learning", "Holograms")
    assert slugs == ["machine-learning"]
    assert unknown == [("subdomain", "swarm intelligence"), ("primary", "holograms")]


def test_every_benefit_column_has_a_benefit_area():
    assert len(mapping.BENEFITS) == 18
    assert {slug for _, slug in mapping.BENEFITS} <= set(SLUGS["benefit_areas"])
