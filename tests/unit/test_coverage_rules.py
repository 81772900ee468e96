"""The stale threshold and the coverage states as pure rules, with fixed clocks."""

from datetime import UTC, datetime

import pytest

from kommunkarta import create_app
from kommunkarta.config import InvalidSetting, stale_months
from kommunkarta.services.register.coverage import CoverageState, Evidence, state_of
from kommunkarta.services.register.freshness import cutoff, months_before

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LAST_MOMENT = datetime(2025, 11, 24, 23, 59, 59, tzinfo=UTC)  # of the day before


@pytest.mark.parametrize(
    ("raw", "months"), [("12", 12), (" 6 ", 6), ("1", 1), ("600", 600), (24, 24)]
)
def test_stale_months_accepts_whole_positive_months(raw, months):
    assert stale_months(raw) == months


@pytest.mark.parametrize("raw", ["0", "-1", "1.5", "12 months", "", "abc", "601", "٣", "1e2"])
def test_stale_months_refuses_anything_else_naming_the_setting(raw):
    with pytest.raises(InvalidSetting) as caught:
        stale_months(raw)
    assert "KOMMUNKARTA_STALE_MONTHS" in str(caught.value)
    assert "whole number of months" in str(caught.value)


def test_a_bad_threshold_stops_the_app_from_starting(tmp_path):
    with pytest.raises(InvalidSetting):
        create_app(
            {"STALE_MONTHS": "zero", "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite"},
            instance_path=str(tmp_path),
        )


@pytest.mark.parametrize(
    ("now", "months", "expected"),
    [
        (datetime(2026, 11, 25, 12, tzinfo=UTC), 12, datetime(2025, 11, 25, 12, tzinfo=UTC)),
        (datetime(2026, 3, 31, tzinfo=UTC), 1, datetime(2026, 2, 28, tzinfo=UTC)),
        (datetime(2024, 3, 31, tzinfo=UTC), 1, datetime(2024, 2, 29, tzinfo=UTC)),
        (datetime(2026, 1, 15, tzinfo=UTC), 13, datetime(2024, 12, 15, tzinfo=UTC)),
    ],
)
def test_months_before_counts_calendar_months(now, months, expected):
    assert months_before(now, months) == expected


def test_the_cutoff_is_the_start_of_the_day_all_day_long():
    morning, evening = NOW.replace(hour=0, minute=1), NOW.replace(hour=23, minute=59)
    assert cutoff(morning, 12) == cutoff(evening, 12) == datetime(2025, 11, 25, tzinfo=UTC)


def _at(year, month, day):
    return datetime(year, month, day, tzinfo=UTC)


@pytest.mark.parametrize(
    ("evidence", "state", "since"),
    [
        (None, CoverageState.UNKNOWN, None),
        (Evidence(None, None), CoverageState.UNKNOWN, None),
        (Evidence(_at(2026, 6, 1), None), CoverageState.REPORTS, _at(2026, 6, 1)),
        # the same day twelve months ago is still fresh, the day before is stale
        (Evidence(_at(2025, 11, 25), None), CoverageState.REPORTS, _at(2025, 11, 25)),
        (Evidence(LAST_MOMENT, None), CoverageState.STALE, LAST_MOMENT),
        (Evidence(None, _at(2026, 2, 1)), CoverageState.CONFIRMED_NONE, _at(2026, 2, 1)),
        (Evidence(None, _at(2025, 2, 1)), CoverageState.STALE, _at(2025, 2, 1)),
        # published initiatives win over an older statement of none, fresh or not
        (Evidence(_at(2026, 6, 1), _at(2026, 1, 1)), CoverageState.REPORTS, _at(2026, 6, 1)),
        (Evidence(_at(2024, 6, 1), _at(2026, 1, 1)), CoverageState.STALE, _at(2024, 6, 1)),
    ],
)
def test_state_of_a_municipality(evidence, state, since):
    assert state_of(evidence, NOW, 12) == (state, since)


def test_the_threshold_moves_the_line_between_fresh_and_stale():
    evidence = Evidence(_at(2026, 2, 1), None)
    assert state_of(evidence, NOW, 12)[0] == CoverageState.REPORTS
    assert state_of(evidence, NOW, 6)[0] == CoverageState.STALE
    assert state_of(evidence, _at(2027, 2, 2), 12)[0] == CoverageState.STALE  # time passes
