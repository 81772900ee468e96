"""The arguments of the peer pages, parsed strictly: a distance for the municipality page and
the places to compare or embed. Anything not understood raises InvalidField naming the
argument (a 400 with that message); nothing is silently ignored."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from kommunkarta import rules
from kommunkarta.filters import Vocabulary
from kommunkarta.services.errors import InvalidField
from kommunkarta.services.places.peers import COMPARE_MAX, COMPARE_MIN, DEFAULT_KM, MAX_KM

LEVELS = rules.PLACE_LEVELS


def _values(args: MultiDict[str, str], name: str) -> list[str]:
    return [v.strip() for v in args.getlist(name) if v.strip()]


def within_km(args: MultiDict[str, str]) -> float:
    """`within`: kilometres, more than 0 and at most MAX_KM (a decimal comma is fine)."""
    values = _values(args, "within")
    if not values:
        return DEFAULT_KM
    try:
        km = rules.decimal_number(values[0], "within", 0, MAX_KM)
    except InvalidField:
        km = 0.0  # refused below with the distance's own message
    if len(values) > 1 or km <= 0:
        raise InvalidField(
            "within",
            _l(
                "The distance must be a number of kilometres above 0 and at most %(max)s.",
                max=MAX_KM,
            ),
        )
    return km


def _check(level: str, code: str, vocabulary: Vocabulary) -> None:
    known = vocabulary.municipalities if level == "municipality" else vocabulary.regions
    rules.place_code(code, level, known, level=level)


def places_to_compare(args: MultiDict[str, str], vocabulary: Vocabulary) -> tuple[str, list[str]]:
    """(level, codes) of two to five municipalities or two to five counties, in the order
    given; (level, []) when none is chosen yet. Raises InvalidField."""
    given = {level: _values(args, level) for level in LEVELS}
    if all(given.values()):
        raise InvalidField("region", _l("Compare either municipalities or counties, not both."))
    level = "region" if given["region"] else "municipality"
    codes = list(dict.fromkeys(given[level]))
    for code in codes:
        _check(level, code, vocabulary)
    if codes and len(codes) < COMPARE_MIN:
        message = (
            _l("Choose at least two different municipalities to compare.")
            if level == "municipality"
            else _l("Choose at least two different counties to compare.")
        )
        raise InvalidField(level, message)
    if len(codes) > COMPARE_MAX:
        message = (
            _l("Choose at most five municipalities to compare.")
            if level == "municipality"
            else _l("Choose at most five counties to compare.")
        )
        raise InvalidField(level, message)
    return level, codes


def place_to_embed(args: MultiDict[str, str], vocabulary: Vocabulary) -> tuple[str, str]:
    """(level, code) of the one municipality or county to embed. Raises InvalidField, or
    its rules.UnknownPlace for a well-formed code that names no place."""
    given = [(level, value) for level in LEVELS for value in _values(args, level)]
    if len(given) != 1:
        raise InvalidField(
            "municipality", _l("Give one municipality or one county, such as ?municipality=0180.")
        )
    level, code = given[0]
    _check(level, code, vocabulary)
    return level, code
