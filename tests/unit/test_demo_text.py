"""The demo text reads right for every combination of technology, task, status and goal."""

import itertools
import random

import pytest

from kommunkarta.services.data_io import demo_text
from tests.demo_checks import problems, summary_problems

BENEFITS = list(demo_text.GOALS)


def _all_texts():
    rng = random.Random(0)
    for (tech, area), status in itertools.product(
        itertools.product(demo_text.TECHS, demo_text.TASKS), demo_text.SUMMARIES
    ):
        for task in demo_text.TASKS[area]:
            for names in (["Ale"], ["Ale", "Lerum"], ["Ale", "Lerum", "Partille"]):
                for _ in range(2):  # the templates and forms are drawn at random
                    yield demo_text.compose(
                        rng,
                        names=names,
                        tech=tech,
                        area=area,
                        task=task,
                        benefits=[rng.choice(BENEFITS)],
                        benefit_names=["Effektivisering", "Miljö och hållbarhet"],
                        status=status,
                        start=rng.choice((None, 2021)),
                        end=2024 if status == "ended" else None,
                    )


def test_every_combination_reads_right():
    seen = 0
    for text in _all_texts():
        assert not problems(text.title), (text.title, problems(text.title))
        assert not summary_problems(text.summary), (text.summary, summary_problems(text.summary))
        for paragraph in text.description.split("\n\n"):
            assert not summary_problems(paragraph), (paragraph, summary_problems(paragraph))
        assert "None" not in text.summary + text.description
        seen += 1
    assert seen > 10_000


@pytest.mark.parametrize(
    ("sentence", "wrong"),
    [
        ("Ale använder optimering av inom fakturahantering.", "two prepositions"),
        ("Ale använder generativ ai för diarieföring.", "AI written"),
        ("ale använder AI.", "capital"),
        ("Ale använder AI", "full stop"),
        ("Ale använder Ai-baserad bildanalys.", "AI written"),
    ],
)
def test_the_checks_catch_what_they_are_for(sentence, wrong):
    assert any(wrong in problem for problem in summary_problems(sentence))


def test_several_municipalities_are_listed_with_och():
    assert demo_text.who(["Ale", "Lerum", "Partille"]) == "Ale, Lerum och Partille"
    assert demo_text.who(["Ale", "Lerum"]) == "Ale och Lerum"


def test_special_technologies_belong_to_tasks_that_exist():
    tasks = {task for listed in demo_text.TASKS.values() for task in listed}
    assert set(demo_text.TASK_TECHS) <= tasks
    assert {t for techs in demo_text.TASK_TECHS.values() for t in techs} <= set(demo_text.TECHS)
