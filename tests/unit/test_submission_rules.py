"""The pure rules behind submissions: safe redirects, web addresses, clean text, content
comparison and word diffs (the permission table is test_workflow's)."""

import pytest

from kommunkarta.rules import is_web_url
from kommunkarta.services.register.content import Content, changes
from kommunkarta.services.register.revisions import word_diff
from kommunkarta.services.text import clean, safe_next, swedish_key


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/initiatives/new", "/initiatives/new"),
        ("/initiatives?benefit=efficiency&page=2", "/initiatives?benefit=efficiency&page=2"),
        (None, None),
        ("", None),
        ("initiatives", None),
        ("//evil.example/x", None),
        ("/\\evil.example", None),
        ("https://evil.example/", None),
        ("javascript:alert(1)", None),
        ("/ok\r\nSet-Cookie: x=1", None),
    ],
)
def test_safe_next(target, expected):
    assert safe_next(target) == expected


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://www.stockholm.se/ai", True),
        ("http://example.se", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("ftp://example.se", False),
        ("https://", False),
        ("www.example.se", False),
        ("https://exa mple.se", False),
        ("http://[::1", False),
    ],
)
def test_is_web_url(url, ok):
    assert is_web_url(url) is ok


def test_clean_drops_control_characters_and_keeps_paragraphs():
    assert clean("  a\x00b\x07\r\n\r\nc\td  ") == "ab\n\nc\td"
    assert clean(None) == ""


def test_content_compares_equal_whoever_typed_it():
    a = Content(title=" Titel ", municipalities=("1480", "0180", "0180"), benefit_areas=("b", "a"))
    b = Content(title="Titel", municipalities=("0180", "1480"), benefit_areas=("a", "b"))
    assert a == b
    assert Content.from_json(a.to_json()) == a


def test_changes_list_old_and_new_values():
    old = Content(title="Gammal", summary="Samma", municipalities=("0180",))
    new = Content(title="Ny", summary="Samma", municipalities=("0180", "1480"))
    assert changes(old, new) == {
        "title": ["Gammal", "Ny"],
        "municipalities": [["0180"], ["0180", "1480"]],
    }
    assert changes(None, Content(title="Ny")) == {"title": [None, "Ny"]}


def test_word_diff_marks_removed_and_added_words():
    assert word_diff("en gammal titel", "en ny titel") == [
        ("same", "en "),
        ("del", "gammal"),
        ("ins", "ny"),
        ("same", " titel"),
    ]


def test_swedish_order_puts_a_ring_a_umlaut_o_umlaut_last():
    names = ["Örebro", "Älmhult", "Åre", "Ystad", "Arboga"]
    assert sorted(names, key=swedish_key) == ["Arboga", "Ystad", "Åre", "Älmhult", "Örebro"]


def test_swedish_order_is_blind_to_case_and_sorts_other_accents_with_their_letter():
    names = [
        "östersund",
        "Åsele",
        "älvdalen",
        "Ödeshög",
        "åre",
        "Ängelholm",
        "Émile",
        "eda",
        "Zürich",
    ]
    assert sorted(names, key=swedish_key) == [
        "eda",
        "Émile",
        "Zürich",  # ü is y in Swedish order, before z
        "åre",
        "Åsele",
        "älvdalen",
        "Ängelholm",
        "Ödeshög",
        "östersund",
    ]
    assert swedish_key("ÅÄÖ") == swedish_key("åäö")
    assert swedish_key("Ærø") == swedish_key("ärö")  # Danish and Norwegian letters as Swedish
    assert swedish_key("Zz") < swedish_key("Å") < swedish_key("Ä") < swedish_key("Ö")
