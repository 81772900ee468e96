"""The field rules (kommunkarta.rules): every limit and the one number parser, in one table."""

from __future__ import annotations

import pytest

from kommunkarta import rules
from kommunkarta.services.errors import InvalidField

THIS_YEAR = rules.year_max()
BIG = 2**63


@pytest.mark.parametrize(
    ("raw", "low", "high", "expected"),
    [
        ("7", 1, 10, 7),
        (" 7 ", 1, 10, 7),  # blanks around, as a form sends them
        ("007", 1, 10, 7),
        ("1", 1, 1, 1),
        (7, 1, 10, 7),  # a spreadsheet's number
        (7.0, 1, 10, 7),
        ("0", 1, 10, None),
        ("11", 1, 10, None),
        ("-1", 0, 10, None),
        ("+1", 0, 10, None),
        ("²", 1, 10, None),  # isdigit() says yes, int() says no
        ("٣", 1, 10, None),  # int() says 3
        ("３", 1, 10, None),  # a full-width digit
        ("1e3", 1, 10_000, None),
        ("1.5", 1, 10, None),
        (1.5, 1, 10, None),
        (float("inf"), 1, 10, None),
        (float("nan"), 1, 10, None),
        (True, 0, 10, None),
        (None, 0, 10, None),
        ("", 0, 10, None),
        ("1 000", 1, 10_000, None),
        ("9" * 5000, 1, 10, None),  # too long for int() as well: never converted
        (str(BIG), 1, rules.ID_MAX, None),
        (str(rules.ID_MAX), 1, rules.ID_MAX, rules.ID_MAX),
        (str(rules.ID_MAX + 1), 1, rules.ID_MAX, None),
    ],
)
def test_whole_number(raw, low, high, expected):
    if expected is None:
        with pytest.raises(InvalidField) as raised:
            rules.whole_number(raw, "page", low, high)
        assert raised.value.field == "page"
        assert "page" in str(raised.value.message)
    else:
        assert rules.whole_number(raw, "page", low, high) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2,5", 2.5),  # the Swedish decimal comma
        ("2.5", 2.5),
        (" 10 000 ", 10_000.0),  # spaces between thousands, blanks around
        ("1\u00a0500,75", 1500.75),  # a no-break space, as a spreadsheet copies it
        ("1\u202f500", 1500.0),
        ("−3", -3.0),  # a typographic minus
        ("-0.75", -0.75),
        (",5", 0.5),
        (7, 7.0),  # a spreadsheet's numbers
        (7.25, 7.25),
        ("1e3", None),  # an exponent is no figure a person types
        ("1e400", None),
        ("nan", None),
        ("inf", None),
        ("-Infinity", None),
        (float("nan"), None),
        (float("inf"), None),
        (10**400, None),  # float() of it would overflow
        ("٣", None),  # float() says 3
        ("３", None),
        ("²", None),
        ("1,500.75", None),  # two separators: which is the decimal one?
        ("1.5.1", None),
        ("+2", None),
        ("", None),
        (None, None),
        (True, None),
        ("9" * 41, None),
        ("101", None),  # above the range
        ("-101", None),
    ],
)
def test_decimal_number(raw, expected):
    if expected is None:
        with pytest.raises(InvalidField) as raised:
            rules.decimal_number(raw, "amount", -100, 100)
        assert raised.value.field == "amount"
        assert "amount" in str(raised.value.message)
    else:
        assert rules.decimal_number(raw, "amount", -100, 100_000) == expected


@pytest.mark.parametrize(
    ("rule", "value", "good"),
    [
        (rules.start_year, "1990", True),
        (rules.start_year, "1989", False),  # the submission rules' floor, not the filter's 1950
        (rules.start_year, "1950", False),
        (rules.start_year, str(THIS_YEAR), True),
        (rules.start_year, str(THIS_YEAR + 1), False),
        (rules.start_year, "2100", False),
        (rules.start_year, "２０２０", False),
        (rules.record_id, "1", True),
        (rules.record_id, "0", False),
        (rules.record_id, str(BIG), False),
        (rules.version, "3", True),
        (rules.version, "²", False),
    ],
)
def test_readers_of_one_kind_of_number(rule, value, good):
    if good:
        assert rule(value) == int(value)
    else:
        with pytest.raises(InvalidField):
            rule(value)


@pytest.mark.parametrize(
    ("check", "value", "good"),
    [
        (rules.is_email, "ai@kommun.se", True),
        (rules.is_email, "första.efternamn+ai@kommun.se", True),
        (rules.is_email, "ai@stockholm.se?subject=hej", False),
        (rules.is_email, "a@b@c.se", False),
        (rules.is_email, "a@localhost", False),
        (rules.is_email, "<a>@kommun.se", False),
        (rules.is_email, "ai@kommun.se\n", False),
        (rules.is_email, "a" * 250 + "@k.se", False),  # longer than an address can be
        (rules.is_web_url, "https://www.kommun.se/ai", True),
        (rules.is_web_url, "HTTP://kommun.se", True),
        (rules.is_web_url, "javascript:alert(1)", False),
        (rules.is_web_url, "https://", False),
        (rules.is_web_url, "https://kommun.se/a b", False),
        (rules.is_web_url, "ftp://kommun.se", False),
        (rules.is_municipality_code, "0180", True),
        (rules.is_municipality_code, "180", False),
        (rules.is_municipality_code, "٠١٨٠", False),
        (rules.is_municipality_code, "0180\n", False),
        (rules.is_region_code, "01", True),
        (rules.is_region_code, "1", False),
        (rules.is_region_code, "０１", False),
    ],
)
def test_shapes(check, value, good):
    assert check(value) is good


@pytest.mark.parametrize(
    ("code", "level", "error"),
    [
        ("0180", "municipality", None),
        ("0181", "municipality", rules.UnknownPlace),
        ("18", "municipality", InvalidField),
        ("01", "region", None),
        ("02", "region", rules.UnknownPlace),
        ("1", "region", InvalidField),
    ],
)
def test_place_code(code, level, error):
    known = {"0180"} if level == "municipality" else {"01"}
    if error is None:
        assert rules.place_code(code, level, known, level=level) == code
    else:
        with pytest.raises(error) as raised:
            rules.place_code(code, level, known, level=level)
        assert raised.value.field == level
        assert (type(raised.value) is rules.UnknownPlace) == (error is rules.UnknownPlace)


def test_every_door_keeps_the_same_lengths_and_years():
    """The form, the services, the importers and the filter read one table."""
    from kommunkarta.filters import Q_MAX
    from kommunkarta.services.data_io.importing import row_check
    from kommunkarta.services.register import adoption, content, moderation, reports

    assert rules.LENGTHS["description"] == 20_000
    for name in ("title", "summary", "description", "url", "contact"):
        assert row_check.LENGTHS[name] == content.LIMITS[name] == rules.LENGTHS[name]
    assert Q_MAX == rules.LENGTHS["q"]
    assert moderation.REASON_MAX == rules.LENGTHS["reason"]
    assert (reports.TEXT_MAX, reports.REPLY_MAX) == (
        rules.LENGTHS["report"],
        rules.LENGTHS["reply"],
    )
    assert adoption.NOTE_MAX == rules.LENGTHS["note"]
