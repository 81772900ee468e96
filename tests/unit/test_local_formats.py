"""Numbers, shares and dates in the page's language, written by the one definition of each
(public/display.py): Swedish groups with a no-break space and writes a decimal comma,
English a comma and a point; a moment is dated the day it was in Sweden."""

from datetime import UTC, date, datetime

import pytest

from kommunkarta.public.display import date as day_text
from kommunkarta.public.display import day_iso, moment, ngettext, number, percent
from tests.conftest import make_app

NBSP = "\u00a0"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("formats")
    return make_app(f"sqlite:///{folder / 'unused.sqlite'}", folder)


def _in(app, lang, function, *args):
    with app.test_request_context(f"/?lang={lang}"):
        return function(*args)


@pytest.mark.parametrize(
    "value, sv, en",
    [
        (7, "7", "7"),
        (1200, f"1{NBSP}200", "1,200"),
        (12345, f"12{NBSP}345", "12,345"),
        (1234567, f"1{NBSP}234{NBSP}567", "1,234,567"),
        (12.5, "12,5", "12.5"),
    ],
)
def test_numbers(app, value, sv, en):
    assert _in(app, "sv", number, value) == sv
    assert _in(app, "en", number, value) == en


@pytest.mark.parametrize(
    "share, sv, en",
    [
        (0, f"0{NBSP}%", "0%"),
        (1, f"100{NBSP}%", "100%"),
        (0.5, f"50{NBSP}%", "50%"),
        (11 / 12, f"92{NBSP}%", "92%"),
        (289 / 290, f"99,7{NBSP}%", "99.7%"),  # not "100 %" while one is missing
        (1 / 290, f"0,3{NBSP}%", "0.3%"),  # not "0 %" while one has some
    ],
)
def test_shares_never_round_to_all_or_none(app, share, sv, en):
    assert _in(app, "sv", percent, share) == sv
    assert _in(app, "en", percent, share) == en


def test_dates_in_one_format_per_language_in_swedish_time(app):
    assert _in(app, "sv", day_text, date(2026, 12, 5)) == "5 december 2026"
    assert _in(app, "en", day_text, date(2026, 12, 5)) == "5 December 2026"
    # 23:30 UTC on the 4th is past midnight in Stockholm: the 5th there
    late = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)
    assert _in(app, "sv", day_text, late) == "5 december 2026"
    assert _in(app, "sv", day_iso, late) == "2026-12-05"
    naive_utc = datetime(2026, 6, 30, 22, 30)  # the database's naive UTC: 00:30 on 1 July
    assert _in(app, "en", day_text, naive_utc) == "1 July 2026"
    assert _in(app, "en", day_iso, naive_utc) == "2026-07-01"


def test_moments_to_the_minute_in_swedish_time(app):
    late = datetime(2026, 12, 4, 23, 30)  # naive, as SQLite gives it: UTC
    assert _in(app, "sv", moment, late) == "5 december 2026 00:30"
    assert _in(app, "en", moment, late) == "5 December 2026 00:30"
    summer = datetime(2026, 7, 1, 10, 5, tzinfo=UTC)  # summer time: two hours ahead
    assert _in(app, "sv", moment, summer) == "1 juli 2026 12:05"


def test_counted_words_carry_grouped_numbers(app):
    args = ("%(num)s initiative", "%(num)s initiatives")
    assert _in(app, "sv", ngettext, *args, 1200) == f"1{NBSP}200 initiativ"
    assert _in(app, "en", ngettext, *args, 1200) == "1,200 initiatives"
    assert _in(app, "en", ngettext, *args, 1) == "1 initiative"
