"""Property tests (Hypothesis) of the two parsers that take anyone's input: the filter parser
behind every page, the API and the exports, and the import's file and row parsers.

Whatever comes in, they answer with a value or their own error (InvalidField, ImportFileError,
a row error in the report), never another exception; and what they produce reads back the
same.
"""

from __future__ import annotations

import functools
import io
import string
from dataclasses import dataclass
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from kommunkarta.filters import Q_MAX, InitiativeFilter, Vocabulary
from kommunkarta.rules import YEAR_MIN, year_max
from kommunkarta.services.data_io import serialise
from kommunkarta.services.data_io.importing import cells as import_cells
from kommunkarta.services.data_io.importing import read as import_read
from kommunkarta.services.data_io.importing import row_check as import_row
from kommunkarta.services.errors import InvalidField
from kommunkarta.services.places import geodata
from tests.conftest import GEODATA_DIR

SLUGS = {
    "benefit": ("efficiency", "safety", "democracy"),
    "area": ("education", "elderly-care"),
    "status": ("pilot", "production"),
    "tech": ("chatbot", "vision"),
}
MUNICIPALITIES = ("0180", "1480", "0114", "2584")
REGIONS = ("01", "14", "25")
VOCABULARY = Vocabulary(
    slugs={name: frozenset(values) for name, values in SLUGS.items()},
    municipalities=frozenset(MUNICIPALITIES),
    regions=frozenset(REGIONS),
)
PARAMETERS = (
    *("benefit", "area", "status", "tech", "region", "municipality", "q"),
    *("year_from", "year_to", "lang", "page", "reuse", "risk"),
)
FUZZ = settings(max_examples=300, deadline=None)

# values near the valid ones: the real ones, their neighbours, and anything at all
near_values = st.one_of(
    st.sampled_from([v for values in SLUGS.values() for v in values]),
    st.sampled_from(("call-off", "open-source", "high", "minimal", "unassessed")),
    st.sampled_from(MUNICIPALITIES + REGIONS + ("0000", "99", "1950", "2100", "2101")),
    st.text(alphabet=string.digits, max_size=5),
    st.text(max_size=Q_MAX + 10),
    st.text(alphabet=" \t\r\n\x00\x0c\u00a0", max_size=3),
)


def _as_query(args: dict) -> MultiDict:
    """to_args() as a browser sends it: every value a string, lists repeated."""
    pairs = []
    for name, value in args.items():
        for one in value if isinstance(value, list) else [value]:
            pairs.append((name, str(one)))
    return MultiDict(pairs)


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(PARAMETERS) | st.text(max_size=8), near_values)))
def test_the_filter_parser_raises_only_filter_errors(pairs):
    try:
        selection = InitiativeFilter.from_args(MultiDict(pairs), VOCABULARY)
    except InvalidField as error:
        assert error.field in PARAMETERS
        assert str(error.message)
        return
    assert isinstance(selection, InitiativeFilter)
    # what it accepted, it gives back as links that mean the same
    assert InitiativeFilter.from_args(_as_query(selection.to_args()), VOCABULARY) == selection


def _unique(values):
    return st.lists(st.sampled_from(values), unique=True, max_size=len(values)).map(tuple)


search_text = (
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=Q_MAX)
    .map(str.strip)
    .filter(bool)
)
years = st.none() | st.integers(YEAR_MIN, year_max())

valid_filters = st.builds(
    InitiativeFilter,
    benefit=_unique(SLUGS["benefit"]),
    area=_unique(SLUGS["area"]),
    status=_unique(SLUGS["status"]),
    tech=_unique(SLUGS["tech"]),
    region=st.none() | st.sampled_from(REGIONS),
    municipality=st.none() | st.sampled_from(MUNICIPALITIES),
    q=st.none() | search_text,
    year_from=years,
    year_to=years,
).filter(lambda f: not (f.year_from and f.year_to and f.year_from > f.year_to))


@FUZZ
@given(valid_filters)
def test_every_valid_filter_round_trips_through_its_links(selection):
    assert InitiativeFilter.from_args(_as_query(selection.to_args()), VOCABULARY) == selection


# --- the import ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:  # what the row parser uses of a taxonomy term
    slug: str
    name_sv: str
    name_en: str
    position: int


@dataclass(frozen=True)
class Place:  # and of a municipality
    code: str
    name: str


TERMS = {
    "status": [Term("pilot", "Pilot", "Pilot", 0), Term("production", "I drift", "In use", 1)],
    "benefit_areas": [Term("efficiency", "Effektivitet", "Efficiency", 0)],
    "areas": [Term("education", "Utbildning", "Education", 0)],
    "technologies": [Term("chatbot", "Chattbot", "Chatbot", 0)],
}
PLACES = [Place("0180", "Stockholm"), Place("1480", "Göteborg")]
IMPORT_VOCABULARY = import_row.Vocabulary(
    terms={
        column: {key.casefold(): t for t in terms for key in (t.slug, t.name_sv, t.name_en)}
        for column, terms in TERMS.items()
    },
    # stand-ins with the two attributes the importer reads
    municipalities={m.code: m for m in PLACES},  # type: ignore[misc]
    municipality_names={m.name.casefold(): m for m in PLACES},  # type: ignore[misc]
)


@functools.cache
def _places() -> geodata.Geodata:
    """The boundaries, for checking points against municipalities (loaded once)."""
    return geodata.load(GEODATA_DIR)


cells = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from(["pilot", "In use", "0180", "180", "Göteborg", "1480|0180", "=1+1", "'=x"]),
    st.sampled_from(["true", "nej", "2020", "59.33", "18,07", "2025-01-31T12:00:00+00:00"]),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    # as the header check lets through: known columns, once each, lat only with lon
    columns=st.lists(st.sampled_from(serialise.COLUMNS), unique=True, min_size=1).filter(
        lambda names: ("lat" in names) == ("lon" in names)
    ),
    row=st.lists(cells, max_size=len(serialise.COLUMNS) + 2),
)
def test_a_row_is_parsed_or_reported_never_an_exception(columns, row):
    record, errors = import_row.check_row(7, row, columns, IMPORT_VOCABULARY, _places(), {})
    assert (record is None) == bool(errors)
    for error in errors:
        assert error.row == 7 and error.column in (*columns, "") and str(error.reason)
    if record is not None:
        assert set(record.values) <= set(columns)


valid_rows = st.fixed_dictionaries(
    {
        "title": st.text(st.characters(blacklist_characters="\x00"), min_size=1, max_size=200)
        .map(str.strip)
        .filter(lambda t: t and not serialise.is_formula(t) and not t.startswith("'")),
        "status": st.sampled_from(["pilot", "production"]),
        "municipalities": st.lists(st.sampled_from(["0180", "1480"]), min_size=1, unique=True),
        "start_year": st.none() | st.integers(YEAR_MIN, year_max()),
        "is_demo": st.booleans(),
        "published_at": st.none()
        | st.datetimes(
            min_value=import_cells.EARLIEST.replace(tzinfo=None),
            max_value=import_cells.LATEST.replace(tzinfo=None),
            timezones=st.just(UTC),
        ).map(lambda d: d.replace(microsecond=0)),
    }
)


@settings(max_examples=200, deadline=None)
@given(valid_rows)
def test_a_row_as_the_export_writes_it_reads_back_the_same(values):
    """The export's cell format (serialise.SEPARATOR between codes, ISO times, true/false) is
    what the row parser reads."""
    columns = list(values)
    row = [
        serialise.SEPARATOR.join(v)
        if isinstance(v, list)
        else v.isoformat()
        if isinstance(v, datetime)
        else ("true" if v else "false")
        if isinstance(v, bool)
        else ""
        if v is None
        else str(v)
        for v in values.values()
    ]
    record, errors = import_row.check_row(2, row, columns, IMPORT_VOCABULARY, _places(), {})
    assert not errors, errors
    parsed = record.values
    assert parsed["title"] == values["title"]
    assert parsed["status"].slug == values["status"]
    assert [m.code for m in parsed["municipalities"]] == values["municipalities"]
    assert parsed["start_year"] == values["start_year"]
    assert parsed["is_demo"] == values["is_demo"]
    assert parsed["published_at"] == values["published_at"]


@settings(max_examples=300, deadline=None)
@given(
    data=st.one_of(
        st.binary(max_size=400),
        st.text(alphabet='abc,;"\n\r\x00é=', max_size=400).map(str.encode),
    ),
    suffix=st.sampled_from([".csv", ".xlsx", ".txt"]),
)
def test_a_file_is_read_or_refused_with_one_reason(data, suffix):
    try:
        table = import_read.read_table(io.BytesIO(data), f"upload{suffix}")
    except import_read.ImportFileError as error:
        assert str(error)
        return
    assert suffix == ".csv" and table.rows
