"""Importing initiatives from CSV or XLSX in the export's own columns (`serialise.COLUMNS`).

Every row is read and checked before anything is written; then all rows are written in one
transaction, or none when any row is bad. The report names every problem by row number (as
a spreadsheet program shows it: the header is row 1), column, value and reason.

What a row means:
- an `id` of an existing initiative updates it; only columns present in the file are
  compared, and a change writes a `Revision` (action "edited", changes {field: [old, new]}
  in slugs and codes, as the submission workflow writes them), so importing the same file
  twice changes nothing the second time;
- an `id` that no initiative has creates one with that id (data moved from another
  instance keeps its ids); no `id` creates one with a new id; both write a Revision with
  action "created";
- municipalities by code (a code whose leading zero a spreadsheet dropped is accepted)
  or name, taxonomy terms by slug or Swedish or English name, all case-insensitive,
  several joined with `serialise.SEPARATOR`;
- `state` defaults to published, `is_demo` to false; `published_at` and `updated_at` are
  kept for new initiatives (now if empty) and left alone on updates, as is
  `last_confirmed_at` (empty if empty);
- text that a spreadsheet would run as a formula (starting with "=") is refused; text
  written with the export's leading apostrophe (see `serialise.guard_formula`) is read back
  without it.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from kommunkarta import rules
from kommunkarta.models import (
    BenefitArea,
    Initiative,
    Municipality,
    OperationalArea,
    Revision,
    State,
    Status,
    Technology,
    TermModel,
    User,
)
from kommunkarta.services.data_io import effect_sheet, file_limits, serialise, sources
from kommunkarta.services.errors import InvalidField
from kommunkarta.services.places.geodata import Geodata
from kommunkarta.services.register import initiatives
from kommunkarta.services.register.effects import EffectData

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
REQUIRED_COLUMNS = ("title", "status", "municipalities")
# the export's attribution of initiatives from other data sets ("EU Public Sector Tech Watch,
# PSTW ID 1234, CC BY 4.0"): read back into source, licence and external reference; an empty
# cell leaves them as they are
ATTRIBUTION_COLUMN = "source"
# derived from the effects: read past
IGNORED_COLUMNS = frozenset({"hours_per_year", "sek_per_year"})
SUFFIXES = (".csv", ".xlsx")
MAX_ID = rules.ID_MAX
BATCH = 1000
# the submission form's limits (kommunkarta.rules), description included
LENGTHS = {
    name: rules.LENGTHS[name] for name in ("title", "summary", "description", "url", "contact")
}
TRUE = frozenset({"true", "1", "yes", "ja", "sant"})
FALSE = frozenset({"false", "0", "no", "nej", "falskt", ""})
TERM_COLUMNS: dict[str, TermModel] = {
    "status": Status,
    "benefit_areas": BenefitArea,
    "areas": OperationalArea,
    "technologies": Technology,
}
# degrees (about a kilometre): the served boundaries are simplified, and a point rounded to
# five decimals may fall just outside a border it lies on
POINT_TOLERANCE = 0.01
SHORT_CODE = re.compile(r"^[0-9]{1,4}$")
# what a time in the file may be: later ones are typing mistakes, and the extremes of
# Python's datetime (years 1 and 9999) overflow when moved between time zones
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC)
# Revision actions, the names services.revisions gives the same events
CREATED, UPDATED = "created", "edited"

# stage ("check" or "write"), rows done, rows in all
Progress = Callable[[str, int, int], None]


class ImportFileError(ValueError):
    """The file as a whole cannot be read: wrong type, too large, empty, not UTF-8, broken."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    reason: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})


class _Bad(Exception):
    def __init__(self, reason: Any) -> None:
        self.reason = reason


# --- reading the file -------------------------------------------------------------------


@dataclass
class _Table:
    header: list[str]
    rows: list[tuple[int, list[Any]]]  # (spreadsheet row number, cells)
    # an XLSX file's Effects sheet (header, rows), read back with data_io.effect_sheet
    effects: tuple[list[str], list[tuple[int, list[Any]]]] | None = None


def _read_csv(data: bytes, encodings: Sequence[str], delimiters: str) -> _Table:
    for encoding in encodings:
        try:
            content = data.decode(encoding)
            break
        except UnicodeDecodeError as error:
            failure = error
    else:
        line = data.count(b"\n", 0, failure.start) + 1
        raise ImportFileError(
            _l("the file is not UTF-8 text (line %(line)s); save it as “CSV UTF-8”", line=line)
        ) from None
    header_line = content.split("\n", 1)[0]
    delimiter = max(delimiters, key=header_line.count)  # the first on a tie
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter, strict=True)
    budget = file_limits.CellBudget()
    try:
        header = next(reader, [])
        if len(header) > file_limits.MAX_COLUMNS:
            raise ImportFileError(_too_wide())
        rows = []
        for number, record in enumerate(reader, start=2):
            if any(cell.strip() for cell in record):
                rows.append((number, budget.take(record)))
            if len(rows) > MAX_ROWS:
                break
    except file_limits.FileTooLarge as error:
        raise ImportFileError(error.args[0]) from None
    except csv.Error as error:
        raise ImportFileError(
            _l("line %(line)s: %(reason)s", line=reader.line_num, reason=str(error))
        ) from None
    return _Table(header, rows)


def _too_wide() -> Any:
    return _l("the file has more than %(columns)s columns", columns=file_limits.MAX_COLUMNS)


def _read_xlsx(data: bytes) -> _Table:
    """The first sheet, streamed (openpyxl's read-only mode) after file_limits has checked
    what the archive unpacks to."""
    from openpyxl import load_workbook  # here: only an XLSX file needs it

    try:
        file_limits.check_xlsx(data)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except file_limits.FileTooLarge as error:
        raise ImportFileError(error.args[0]) from None
    except Exception:  # openpyxl raises many kinds for a broken file: all mean "unreadable"
        raise ImportFileError(_l("the file is not a readable XLSX workbook")) from None
    budget = file_limits.CellBudget()
    try:
        sheet = book.worksheets[0]
        header: list[str] = []
        rows = []
        # one column more than allowed, so that a value past the last column is reported
        cells_of = sheet.iter_rows(values_only=True, max_col=file_limits.MAX_COLUMNS + 1)
        for number, values in enumerate(cells_of, start=1):
            cells = budget.take(list(values))
            if number == 1:
                header = ["" if v is None else str(v) for v in cells]
                if len(header) > file_limits.MAX_COLUMNS:
                    raise ImportFileError(_too_wide())
            elif any(v is not None and str(v).strip() for v in cells):
                rows.append((number, cells))
            if number > MAX_ROWS + 1:
                break
        effects = None
        if effect_sheet.SHEET in book.sheetnames:
            # the effects of the initiatives above, read under the same cell budget
            found = book[effect_sheet.SHEET].iter_rows(
                values_only=True, max_col=len(effect_sheet.COLUMNS) + 1
            )
            effect_header: list[str] = []
            effect_rows = []
            for number, values in enumerate(found, start=1):
                cells = budget.take(list(values))
                if number == 1:
                    effect_header = ["" if v is None else str(v) for v in cells]
                elif any(v is not None and str(v).strip() for v in cells):
                    effect_rows.append((number, cells))
                if number > MAX_ROWS * 5 + 1:
                    break
            effects = (effect_header, effect_rows)
    except ImportFileError:
        raise
    except file_limits.FileTooLarge as error:
        raise ImportFileError(error.args[0]) from None
    except Exception:  # a broken sheet surfaces only while iterating
        raise ImportFileError(_l("the file is not a readable XLSX workbook")) from None
    finally:
        book.close()
    return _Table(header, rows, effects)


def read_table(
    source: IO[bytes],
    filename: str,
    *,
    encodings: Sequence[str] = ("utf-8-sig",),
    delimiters: str = ",",
) -> _Table:
    """The header and the non-empty rows of a CSV or XLSX file; raises ImportFileError.

    A CSV is decoded with the first of `encodings` that fits all of it, and split at
    whichever of `delimiters` its header line holds most often."""
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise ImportFileError(
            _l("%(name)s: import reads .csv or .xlsx files", name=Path(filename).name)
        )
    data = source.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ImportFileError(
            _l(
                "the file is larger than %(size)s MB; split it into smaller files",
                size=MAX_BYTES // 2**20,
            )
        )
    if not data.strip():
        raise ImportFileError(_l("the file is empty"))
    table = _read_csv(data, encodings, delimiters) if suffix == ".csv" else _read_xlsx(data)
    while table.header and not table.header[-1].strip():
        table.header.pop()  # spreadsheet programs leave empty columns at the end
    if len(table.rows) > MAX_ROWS:
        raise ImportFileError(
            _l("the file has more than %(rows)s rows; split it", rows=f"{MAX_ROWS:,}")
        )
    if not table.rows:
        raise ImportFileError(_l("the file has no rows under its header"))
    return table


def _header_errors(header: list[str]) -> list[RowError]:
    names = [h.strip().lower() for h in header]
    if len(names) == 1 and (";" in names[0] or "\t" in names[0]):
        return [
            RowError(
                1,
                "",
                header[0][:80],
                _l("the columns must be separated by commas (save as “CSV UTF-8”)"),
            )
        ]
    errors = []
    seen: set[str] = set()
    for raw, name in zip(header, names, strict=True):
        if name not in serialise.COLUMNS:
            errors.append(RowError(1, raw, raw, _l("unknown column")))
        elif name in seen:
            errors.append(RowError(1, raw, raw, _l("the column appears twice")))
        seen.add(name)
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            errors.append(RowError(1, name, "", _l("a required column is missing")))
    if ("lat" in seen) != ("lon" in seen):
        missing = "lon" if "lat" in seen else "lat"
        errors.append(RowError(1, missing, "", _l("lat and lon come together")))
    return errors


# --- checking values ----------------------------------------------------------------------


def _shown(value: Any) -> str:
    return "" if value is None else str(value)[:80]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    raw = str(value)
    if serialise.is_formula(raw):
        raise _Bad(_l("spreadsheet formulas are not accepted; start the text with an apostrophe"))
    if "\x00" in raw:
        raise _Bad(_l("contains a NUL character"))
    return serialise.unguard_formula(raw)


def _integer(value: Any, low: int, high: int) -> int | None:
    """A whole number from `low` to `high` (rules.whole_number; "2020.0" as a spreadsheet
    writes it is fine), None for an empty cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and re.fullmatch(r"\s*[0-9]+\.0+\s*", value):
        value = value.strip().split(".")[0]
    try:
        return rules.whole_number(value, "", low, high)
    except InvalidField:
        raise _Bad(
            _l("must be a whole number from %(low)s to %(high)s", low=low, high=high)
        ) from None


def _number(value: Any, low: float, high: float) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _Bad(_l("must be a number"))
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        raise _Bad(_l("must be a number")) from None
    if not math.isfinite(number):
        raise _Bad(_l("must be a finite number"))
    if not low <= number <= high:
        raise _Bad(_l("must lie between %(low)s and %(high)s", low=low, high=high))
    return number


def _timestamp(value: Any) -> datetime | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise _Bad(_l("must be a date and time such as 2025-01-31T12:00:00+00:00")) from None
    utc: datetime | None
    try:
        utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:59:59-01:00 is in the year 10000 in UTC
        utc = None
    if utc is None or not EARLIEST <= utc <= LATEST:
        raise _Bad(
            _l(
                "must be a date between %(first)s and %(last)s",
                first=EARLIEST.year,
                last=LATEST.year,
            )
        )
    return utc


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = _text(value).strip().casefold()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    raise _Bad(_l("must be true or false"))


@dataclass
class _Vocabulary:
    """What names in the file may refer to, loaded once."""

    terms: dict[str, dict[str, Any]]  # column -> folded slug or name -> term
    municipalities: dict[str, Municipality]  # code -> municipality
    municipality_names: dict[str, Municipality]  # folded name -> municipality

    @classmethod
    def load(cls, session: Session) -> _Vocabulary:
        terms = {}
        for column, model in TERM_COLUMNS.items():
            lookup: dict[str, Any] = {}
            for term in session.scalars(select(model).order_by(model.position)):
                for key in (term.name_en, term.name_sv, term.slug):
                    lookup[key.strip().casefold()] = term
            terms[column] = lookup
        places = list(session.scalars(select(Municipality)))
        return cls(
            terms,
            {m.code: m for m in places},
            {m.name.casefold(): m for m in places},
        )

    def term(self, column: str, name: str) -> Any:
        found = self.terms[column].get(name.strip().casefold())
        if found is None:
            raise _Bad(_l("unknown value; see /api/v1/taxonomy for the slugs"))
        return found

    def municipality(self, name: str) -> Municipality:
        name = name.strip()
        if SHORT_CODE.match(name):
            found = self.municipalities.get(name.zfill(4))
        else:
            found = self.municipality_names.get(name.casefold())
        if found is None:
            raise _Bad(_l("no municipality has this code or name"))
        return found


def _names(value: Any) -> list[str]:
    raw = _text(value)
    return [part.strip() for part in raw.split(serialise.SEPARATOR) if part.strip()]


def _parse(column: str, value: Any, vocabulary: _Vocabulary) -> Any:
    """The value of one cell, checked; raises _Bad with the reason."""
    if column == "id":
        return _integer(value, 1, MAX_ID)
    if column in LENGTHS:
        result = _text(value)
        result = result if column == "description" else result.strip()
        if column == "title" and not result:
            raise _Bad(_l("is required"))
        if len(result) > LENGTHS[column]:
            raise _Bad(_l("may be at most %(max)s characters", max=LENGTHS[column]))
        if column == "url" and result and not rules.is_web_url(result):
            raise _Bad(_l("must be a web address starting with http:// or https://"))
        return result
    if column == "status":
        name = _text(value).strip()
        if not name:
            raise _Bad(_l("is required"))
        return vocabulary.term(column, name)
    if column in TERM_COLUMNS:
        return list(dict.fromkeys(vocabulary.term(column, n) for n in _names(value)))
    if column == "municipalities":
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(_integer(value, 1, 9999))  # one code typed as a number
        chosen = list(dict.fromkeys(vocabulary.municipality(n) for n in _names(value)))
        if not chosen:
            raise _Bad(_l("at least one municipality is required"))
        return chosen
    if column == "start_year":
        return _integer(value, rules.YEAR_MIN, rules.year_max())
    if column == "lat":
        return _number(value, -90, 90)
    if column == "lon":
        return _number(value, -180, 180)
    if column == "state":
        state = _text(value).strip().lower() or State.PUBLISHED.value
        if state not in {s.value for s in State}:
            raise _Bad(_l("must be draft, submitted, published or rejected"))
        return state
    if column == "is_demo":
        return _boolean(value)
    return _timestamp(value)  # published_at, updated_at, last_confirmed_at


def _near(geodata: Geodata, code: str, lat: float, lon: float) -> bool:
    """Inside the municipality or within POINT_TOLERANCE of its (simplified) boundary."""
    import shapely  # here, like geopandas in geodata: commands that do not import start faster

    geometry = geodata.municipalities.geometry.get(code)
    return geometry is not None and shapely.dwithin(
        geometry, shapely.Point(lon, lat), POINT_TOLERANCE
    )


@dataclass
class Record:
    row: int
    values: dict[str, Any]


def _check_row(
    number: int,
    cells: list[Any],
    columns: list[str],
    vocabulary: _Vocabulary,
    geodata: Geodata,
) -> tuple[Record | None, list[RowError]]:
    errors: list[RowError] = []
    extra = [c for c in cells[len(columns) :] if c is not None and str(c).strip()]
    if extra:
        errors.append(RowError(number, "", _shown(extra[0]), _l("a value outside the columns")))
    values: dict[str, Any] = {}
    for position, column in enumerate(columns):
        if column in IGNORED_COLUMNS:
            continue
        raw = cells[position] if position < len(cells) else None
        if column == ATTRIBUTION_COLUMN:
            text = serialise.unguard_formula(str(raw or "")).strip()
            values.update(sources.from_attribution(text))
            continue
        try:
            if isinstance(raw, float) and not math.isfinite(raw):  # an XLSX cell of 1e999
                raise _Bad(_l("must be a finite number"))
            values[column] = _parse(column, raw, vocabulary)
        except _Bad as bad:
            errors.append(RowError(number, column, _shown(raw), bad.reason))
    lat, lon = values.get("lat"), values.get("lon")
    if (lat is None) != (lon is None):
        column = "lon" if lat is not None else "lat"
        errors.append(RowError(number, column, "", _l("give both lat and lon, or neither")))
    elif lat is not None and lon is not None and values.get("municipalities"):
        if not any(_near(geodata, m.code, lat, lon) for m in values["municipalities"]):
            errors.append(
                RowError(
                    number,
                    "lat",
                    f"{lat}, {lon}",
                    _l("the point lies outside the initiative's municipalities"),
                )
            )
    return (None if errors else Record(number, values)), errors


# --- writing --------------------------------------------------------------------------------

SCALARS = (
    "title",
    "summary",
    "description",
    "start_year",
    "url",
    "contact",
    "lat",
    "lon",
    # where an initiative from another data set came from: set by import-pstw (services.pstw)
    "external_ref",
    "source",
    "licence",
    "lang",  # the language of the text: "en" for PSTW cases
)
LISTS = ("benefit_areas", "areas", "technologies")


def _comparable(initiative: Initiative, column: str) -> Any:
    if column == "status":
        return initiative.status.slug
    if column in LISTS:
        return [t.slug for t in getattr(initiative, column)]
    if column == "municipalities":
        return [m.code for m in initiative.municipalities]
    if column == "state":
        return str(initiative.state)
    if column == "is_demo":
        return bool(initiative.is_demo)
    return getattr(initiative, column)


def _plain(column: str, value: Any) -> Any:
    """A parsed value in the form _comparable gives, for comparing and for the revision."""
    if column == "status":
        return value.slug
    if column in LISTS:
        return [t.slug for t in sorted(value, key=lambda t: t.position)]
    if column == "municipalities":
        return sorted(m.code for m in value)
    return value


def _changes(initiative: Initiative, values: dict[str, Any]) -> dict[str, list[Any]]:
    changes = {}
    for column in (*SCALARS, "status", *LISTS, "municipalities", "state", "is_demo"):
        if column not in values:
            continue
        old, new = _comparable(initiative, column), _plain(column, values[column])
        if column in (*LISTS, "municipalities"):
            same = sorted(old) == sorted(new)
        else:
            same = old == new
        if not same:
            changes[column] = [old, new]
    if "effects" in values:
        old = effect_sheet.plain(EffectData.of(e) for e in initiative.effects)
        new = effect_sheet.plain(e for e, _ in values["effects"])
        if old != new:
            changes["effects"] = [old, new]
    return changes


def _assign(initiative: Initiative, values: dict[str, Any], now: datetime) -> None:
    for column in (*SCALARS, "state", "is_demo", "status"):
        if column in values:
            setattr(initiative, column, values[column])
    for column in (*LISTS, "municipalities"):
        if column in values:
            key = (lambda m: m.code) if column == "municipalities" else (lambda t: t.position)
            setattr(initiative, column, sorted(values[column], key=key))
    if "effects" in values:
        effect_sheet.assign(initiative, values["effects"])
    if initiative.state == State.PUBLISHED and initiative.published_at is None:
        initiative.published_at = now
    initiative.refresh_search_text()


def _new(values: dict[str, Any], now: datetime, by: User | None) -> Initiative:
    initiative = Initiative(
        id=values.get("id"),
        state=State.PUBLISHED.value,
        is_demo=False,
        summary="",
        description="",
        url="",
        contact="",
        author_id=by.id if by else None,
        created_at=now,
        updated_at=values.get("updated_at") or now,
        published_at=values.get("published_at"),
        last_confirmed_at=values.get("last_confirmed_at"),
    )
    _assign(initiative, values, now)
    return initiative


def load_existing(
    session: Session, keys: list[Any], column: Any = Initiative.id
) -> dict[Any, Initiative]:
    """The initiatives whose `column` holds one of `keys`, by that value, with everything
    that _changes compares loaded."""
    found: dict[Any, Initiative] = {}
    for start in range(0, len(keys), BATCH):
        stmt = (
            select(Initiative)
            .where(column.in_(keys[start : start + BATCH]))
            .options(*initiatives.WITH_TERMS)
        )
        found.update((getattr(i, column.key), i) for i in session.scalars(stmt))
    return found


def _move_id_sequence(session: Session) -> None:
    """PostgreSQL: explicit ids bypass the sequence; move it past them."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('initiatives', 'id'), "
                "(SELECT coalesce(max(id), 1) FROM initiatives))"
            )
        )


def _revision(
    initiative_id: int, action: str, changes: dict[str, Any], by: User | None
) -> Revision:
    return Revision(
        initiative_id=initiative_id,
        user_id=by.id if by else None,
        action=action,
        changes=json.dumps(changes, ensure_ascii=False, default=str),
    )


@dataclass
class _Step:
    record: Record
    target: Initiative | None  # None: create
    changes: dict[str, list[Any]]


def _write(session: Session, plan: list[_Step], by: User | None, progress: Progress | None) -> None:
    now = datetime.now(UTC)
    updates = [s for s in plan if s.target is not None and s.changes]
    with_id = [s for s in plan if s.target is None and s.record.values.get("id") is not None]
    without_id = [s for s in plan if s.target is None and s.record.values.get("id") is None]
    created: list[Initiative] = []
    done = len(plan) - len(updates) - len(with_id) - len(without_id)  # unchanged rows
    for group in (updates, with_id, without_id):
        if group is without_id and with_id:
            # explicit ids bypass PostgreSQL's sequence: move it past them before drawing
            session.flush()
            _move_id_sequence(session)
        for step in group:
            if step.target is None:
                initiative = _new(step.record.values, now, by)
                session.add(initiative)
                created.append(initiative)
            else:
                _assign(step.target, step.record.values, now)
                step.target.updated_at = now
                session.add(_revision(step.target.id, UPDATED, step.changes, by))
            done += 1
            if done % BATCH == 0:
                session.flush()
                if progress:
                    progress("write", done, len(plan))
    session.flush()
    if with_id and not without_id:
        _move_id_sequence(session)
    session.add_all(_revision(i.id, CREATED, {}, by) for i in created)
    session.flush()
    if progress:
        progress("write", len(plan), len(plan))


def import_table(
    session: Session,
    table: _Table,
    geodata: Geodata,
    *,
    dry_run: bool = False,
    by: User | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Check every row, then write all of them in one transaction (committed here) unless
    a row is bad or this is a dry run. Raises ImportFileError if the database changes under
    the import."""
    report = ImportReport(rows=len(table.rows), dry_run=dry_run)
    report.errors = _header_errors(table.header)
    if report.errors:
        return report
    columns = [h.strip().lower() for h in table.header]
    vocabulary = _Vocabulary.load(session)
    records: list[Record] = []
    first_row_of_id: dict[int, int] = {}
    for done, (number, cells) in enumerate(table.rows, start=1):
        record, errors = _check_row(number, cells, columns, vocabulary, geodata)
        report.errors += errors
        if record is not None and (initiative_id := record.values.get("id")) is not None:
            if initiative_id in first_row_of_id:
                report.errors.append(
                    RowError(
                        number,
                        "id",
                        str(initiative_id),
                        _l("the same id is on row %(row)s", row=first_row_of_id[initiative_id]),
                    )
                )
                record = None
            else:
                first_row_of_id[initiative_id] = number
        if record is not None:
            records.append(record)
        if progress and (done % BATCH == 0 or done == len(table.rows)):
            progress("check", done, len(table.rows))
    if table.effects is not None:
        _read_effects(table.effects, records, set(first_row_of_id), vocabulary, report)
    if report.errors:
        return report

    targets = load_existing(session, list(first_row_of_id))
    try:
        report.created, report.updated, report.unchanged = apply(
            session, records, targets, "id", dry_run=dry_run, by=by, progress=progress
        )
    except IntegrityError:  # a case of another data set that is already here under another id
        raise ImportFileError(
            _l(
                "a case from another data set in the file (its source column) is already here "
                "as another initiative; nothing was written"
            )
        ) from None
    return report


def _read_effects(
    sheet: tuple[list[str], list[tuple[int, list[Any]]]],
    records: list[Record],
    ids: set[int],
    vocabulary: _Vocabulary,
    report: ImportReport,
) -> None:
    """The Effects sheet's rows onto the records they belong to: the sheet says all the
    effects of every initiative in the file (none listed: it has none)."""

    def term(name: str) -> Any:
        try:
            return vocabulary.term("benefit_areas", name)
        except _Bad:
            raise ValueError(name) from None

    groups, errors = effect_sheet.parse(*sheet, ids, term, RowError)
    report.errors += errors
    for record in records:
        if (initiative_id := record.values.get("id")) is not None:
            record.values["effects"] = groups.get(initiative_id, [])


def apply(
    session: Session,
    records: list[Record],
    targets: dict[Any, Initiative],
    key: str,
    *,
    dry_run: bool,
    by: User | None,
    progress: Progress | None,
) -> tuple[int, int, int]:
    """Compare each record with the initiative in `targets` under the record's value of
    `key` (none there: a new initiative), then write every change in one transaction,
    committed here, unless this is a dry run. Returns how many are (new, changed,
    unchanged). Raises ImportFileError if an initiative changes under the import."""
    plan = []
    for record in records:
        target = targets.get(record.values.get(key))
        changes = _changes(target, record.values) if target is not None else {}
        plan.append(_Step(record, target, changes))
    created = sum(1 for step in plan if step.target is None)
    updated = sum(1 for step in plan if step.changes)
    counts = (created, updated, len(plan) - created - updated)
    if dry_run:
        session.rollback()
        return counts
    try:
        _write(session, plan, by, progress)
        session.commit()
    except StaleDataError:
        session.rollback()
        raise ImportFileError(
            _l(
                "an initiative changed while the file was imported; nothing was written, "
                "run the import again"
            )
        ) from None
    except BaseException:
        session.rollback()
        raise
    return counts


def import_file(
    session: Session,
    source: IO[bytes],
    filename: str,
    geodata: Geodata,
    *,
    dry_run: bool = False,
    by: User | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Read a CSV or XLSX file and import it (see import_table). Raises ImportFileError."""
    table = read_table(source, filename)
    return import_table(session, table, geodata, dry_run=dry_run, by=by, progress=progress)


def report_lines(report: ImportReport) -> Iterable[str]:
    """The report as plain text, one problem a line, then the summary."""
    for error in report.errors:
        where = f"row {error.row}" + (f", column {error.column}" if error.column else "")
        value = f" “{error.value}”" if error.value else ""
        yield f"{where}:{value} {error.reason}"
    yield summary(report)


def summary(report: ImportReport) -> str:
    counts = (
        f"{report.rows} rows: {report.created} new, {report.updated} changed, "
        f"{report.unchanged} unchanged"
    )
    if not report.ok:
        return (
            f"{report.rows} rows, {report.bad_rows} with problems "
            f"({len(report.errors)} in all); nothing was written."
        )
    if report.dry_run:
        return f"{counts}; dry run, nothing was written."
    if not report.created and not report.updated:
        return f"{counts}; nothing to write."
    return f"{counts}; written."
