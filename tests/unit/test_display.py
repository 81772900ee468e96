"""Template helpers for user-written text and the table's paging arguments, one table each."""

import pytest
from werkzeug.datastructures import MultiDict

from kommunkarta.public.display import email_address, http_url, paragraphs
from kommunkarta.public.listing import TableArgs, page_window
from kommunkarta.services.errors import InvalidField


@pytest.mark.parametrize(
    "text, expected",
    [
        (None, []),
        ("", []),
        ("  \n\n ", []),
        ("One line", ["One line"]),
        ("First\nstill first", ["First\nstill first"]),
        ("First\n\nSecond", ["First", "Second"]),
        ("First\r\n\r\nSecond\r\n", ["First", "Second"]),
        ("First\n  \n\n\t\nSecond\n\nThird", ["First", "Second", "Third"]),
        ("<p>kept as text</p>", ["<p>kept as text</p>"]),
    ],
)
def test_paragraphs(text, expected):
    assert paragraphs(text) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("https://www.kommun.se/ai", "https://www.kommun.se/ai"),
        ("  http://example.org  ", "http://example.org"),
        ("HTTPS://EXAMPLE.ORG/x?y=1", "HTTPS://EXAMPLE.ORG/x?y=1"),
        ("javascript:alert(1)", None),
        ("JavaScript:alert(1)", None),
        (" javascript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("vbscript:msgbox", None),
        ("//example.org/x", None),
        ("/relative/path", None),
        ("www.example.org", None),
        ("https://", None),
        ("https://exa mple.org", None),
        ("https://example.org/\njavascript:alert(1)", None),
        ("http://[::1", None),
        ("", None),
        (None, None),
    ],
)
def test_http_url(value, expected):
    assert http_url(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("ai@stockholm.se", "ai@stockholm.se"),
        (" anna.svensson@kommun.se ", "anna.svensson@kommun.se"),
        ("Anna Svensson, 08-123 45", None),
        ("javascript:alert(1)", None),
        ('x@example.org"><script>', None),
        ("a@b@c.se", None),
        ("a@localhost", None),
        ("ai@stockholm.se?subject=hej", None),
        ("", None),
    ],
)
def test_email_address(value, expected):
    assert email_address(value) == expected


@pytest.mark.parametrize(
    "pairs, expected",
    [
        ([], TableArgs()),
        ([("page", "3")], TableArgs(page=3)),
        ([("page", "")], TableArgs()),
        ([("per_page", "100")], TableArgs(per_page=100)),
        ([("sort", "title")], TableArgs(sort="title", order="asc")),
        ([("sort", "start_year")], TableArgs(sort="start_year", order="desc")),
        ([("sort", "title"), ("order", "desc")], TableArgs(sort="title", order="desc")),
        ([("order", "asc")], TableArgs(order="asc")),
    ],
)
def test_table_args(pairs, expected):
    assert TableArgs.from_args(MultiDict(pairs)) == expected


@pytest.mark.parametrize(
    "pairs, field",
    [
        ([("page", "0")], "page"),
        ([("page", "x")], "page"),
        ([("page", "1234567")], "page"),
        ([("per_page", "10")], "per_page"),
        ([("sort", "municipality")], "sort"),
        ([("order", "up")], "order"),
    ],
)
def test_bad_table_args(pairs, field):
    with pytest.raises(InvalidField) as raised:
        TableArgs.from_args(MultiDict(pairs))
    assert raised.value.field == field


def test_table_args_links_carry_only_what_differs():
    assert TableArgs().to_args() == {}
    assert TableArgs(page=2, sort="title", order="asc").to_args() == {"page": 2, "sort": "title"}
    assert TableArgs(sort="title", order="asc").sorted_by("title") == {
        "sort": "title",
        "order": "desc",
    }
    assert TableArgs(page=4, per_page=25).sorted_by("start_year") == {
        "per_page": 25,
        "sort": "start_year",
    }
    assert TableArgs().sorted_by("updated") == {"order": "asc"}


@pytest.mark.parametrize(
    "current, last, expected",
    [
        (1, 1, [1]),
        (1, 3, [1, 2, 3]),
        (1, 10, [1, 2, 3, None, 10]),
        (5, 10, [1, None, 3, 4, 5, 6, 7, None, 10]),
        (4, 10, [1, 2, 3, 4, 5, 6, None, 10]),
        (10, 10, [1, None, 8, 9, 10]),
    ],
)
def test_page_window(current, last, expected):
    assert page_window(current, last) == expected
