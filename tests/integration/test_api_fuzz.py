"""Fuzzing the JSON API from its own OpenAPI document with Schemathesis, over HTTP against the
app served on localhost (on SQLite and PostgreSQL, 400 demo initiatives).

Every operation gets up to EXAMPLES generated requests that the document says are valid and as
many that it says are not. Every Schemathesis check applies to the valid ones: no server
error, the request accepted, status code, content type, headers and body as documented. The
one rule the document cannot express is left out of them: `year_from` after `year_to` is a
400. The invalid ones must get no server error and a documented answer (see `excluded`).
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import negative_data_rejection
from werkzeug.serving import make_server

EXAMPLES = 25


@pytest.fixture(scope="module")
def served(seeded_app):
    server = make_server("127.0.0.1", 0, seeded_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def _years_in_order(case) -> bool:
    query = case.query or {}
    low, high = query.get("year_from"), query.get("year_to")
    return not (isinstance(low, int) and isinstance(high, int) and low > high)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_answers_as_documented(served, mode):
    schema = schemathesis.openapi.from_url(f"{served}/api/v1/openapi.json")
    examples: Counter[str] = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 7  # every path of the contract under /api/v1
    # the parser forgives whitespace around a value (" 0180"), which the document does not
    # say: an invalid request may then be answered, but never with a server error or a body
    # other than documented
    excluded = [negative_data_rejection] if mode == GenerationMode.NEGATIVE else []
    for operation in operations:
        if mode == GenerationMode.NEGATIVE and not (operation.query or operation.path_parameters):
            continue  # nothing to get wrong (the taxonomy, the boundaries)
        strategy = operation.as_strategy(generation_mode=mode)
        if mode == GenerationMode.POSITIVE:
            strategy = strategy.filter(_years_in_order)

        @given(case=strategy)
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def answers_as_documented(case) -> None:
            examples[case.operation.label] += 1
            case.call_and_validate(timeout=60, excluded_checks=excluded)

        answers_as_documented()
    print(f"\n{mode.value}: {sum(examples.values())} requests over {len(examples)} operations")
