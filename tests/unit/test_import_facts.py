"""The import reads which columns each of the facts' rules concerns from the rule itself
(`effects.FactProblem.fields`): a file with only one of a rule's columns is still judged by it."""

from __future__ import annotations

from dataclasses import asdict
from types import SimpleNamespace

from hypothesis import given, settings

from kommunkarta.services.data_io.importing import facts
from kommunkarta.services.register import effects
from tests.unit.test_effects import facts_and_technologies


def _stored(stated: effects.Facts, technologies) -> SimpleNamespace:
    """An initiative as the database holds it: a fact not given is None."""
    held = {name: (value if value != "" else None) for name, value in asdict(stated).items()}
    return SimpleNamespace(**held, technologies=[SimpleNamespace(slug=t) for t in technologies])


@settings(max_examples=300)
@given(facts_and_technologies)
def test_a_file_with_either_column_of_a_rule_is_judged_by_it(case):
    """Each field a broken rule reads is a column the import knows, and a file that has that
    column alone (the rest stored) is refused on it."""
    stated, technologies = case
    stored = _stored(stated, technologies)
    for error in effects.fact_problems(stated, list(technologies)):
        for column in error.fields:
            values = {column: getattr(stored, column)}
            found = facts.problems(values, [column], stored)
            assert column in [c for c, _ in found], (error.field, error.fields, column)
