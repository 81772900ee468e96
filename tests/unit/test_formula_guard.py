"""The spreadsheet formula guard: what is guarded on export, what import refuses, and that
guarding is reversed exactly."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kommunkarta.services.data_io import serialise

PADDING = [
    " ",
    "  ",
    "\t",
    "\r",
    "\n",
    "\x00",
    "\x0b",
    "\x1f",
    "\xa0",
    "\u3000",
    "\ufeff",
    "\u200b",
]
STARTS = ["=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20"]


@pytest.mark.parametrize("padding", ["", *PADDING])
@pytest.mark.parametrize("start", STARTS)
def test_formulas_behind_spaces_and_control_characters_are_guarded(padding, start):
    text = f"{padding}{start}HYPERLINK(1)"
    guarded = serialise.guard_formula(text)
    assert guarded == "'" + text
    assert serialise.unguard_formula(guarded) == text


@pytest.mark.parametrize("padding", ["", *PADDING])
def test_import_refuses_an_equals_sign_behind_padding_but_not_a_guarded_one(padding):
    assert serialise.is_formula(f"{padding}=1+1")
    assert serialise.is_formula(f"{padding}\uff1d1+1")
    assert not serialise.is_formula(f"'{padding}=1+1")
    assert not serialise.is_formula(f"{padding}-5 % kortare väntetid")


@pytest.mark.parametrize("text", ["plain", "a = b", "1+1", "e-post: a@b.se", "", "'"])
def test_ordinary_text_is_left_alone(text):
    assert serialise.guard_formula(text) == text
    assert not serialise.is_formula(text)


_PADDED = st.builds(
    str.__add__,
    st.text(alphabet=st.sampled_from(sorted({"'", *"".join(PADDING), *STARTS})), max_size=6),
    st.text(max_size=20),
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=30), _PADDED))
def test_guarding_is_reversible_and_leaves_no_formula(text):
    guarded = serialise.guard_formula(text)
    assert serialise.unguard_formula(guarded) == text
    # a spreadsheet that drops spaces and control characters first still sees no formula
    seen = guarded.lstrip("".join(PADDING) + "\x01\x1e\x7f\x85")
    assert not seen.startswith(tuple(STARTS)), repr(guarded)
