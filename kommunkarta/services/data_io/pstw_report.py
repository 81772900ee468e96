"""What an `import-pstw` run found: the report, the cases left for a moderator, its text.

data_io.pstw fills a PstwReport row by row; the command prints `report_lines`, and
data_io.waiting keeps the `Waiting` cases for the moderators' page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from kommunkarta.services.data_io.importing.row_check import RowError
from kommunkarta.services.data_io.organisations import Unresolved


@dataclass
class PstwReport:
    rows: int = 0
    kept: int = 0  # Swedish and local
    skipped: int = 0  # not Swedish or not local
    without_id: int = 0  # kept, but not (yet) the observatory's
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    unresolved: list[RowError] = field(default_factory=list)  # organisation not placed
    problems: list[RowError] = field(default_factory=list)  # other reasons not to import
    notes: list[RowError] = field(default_factory=list)  # counties and others beside
    unmapped: Counter[tuple[str, str]] = field(default_factory=Counter)  # (column, value)
    waiting: list[Waiting] = field(default_factory=list)  # for a moderator (data_io.waiting)
    dry_run: bool = False

    @property
    def unresolved_rows(self) -> int:
        return len({e.row for e in self.unresolved})

    @property
    def problem_rows(self) -> int:
        return len({e.row for e in self.problems})


@dataclass(frozen=True)
class Waiting:
    """A case that waits for a moderator to place the names in its organisation cell."""

    external_ref: str
    title: str
    organisation: str
    names: tuple[Unresolved, ...]
    row: dict[str, Any]  # published column -> cell, to import it again once placed


def report_lines(report: PstwReport) -> Iterator[str]:
    """The report as plain text: what was not imported and why, notes, then the summary."""
    for heading, errors in (
        ("Not imported: the organisation is not placed on a municipality", report.unresolved),
        ("Not imported: other problems", report.problems),
        ("Notes", report.notes),
    ):
        if errors:
            yield f"{heading}:"
            for error in errors:
                yield f"  {error.line()}"
    if report.unmapped:
        yield "Values without a counterpart in the mapping table (left out):"
        for (column, value), rows in sorted(report.unmapped.items()):
            yield f"  {column}: “{value}” ({rows} {'row' if rows == 1 else 'rows'})"
    yield summary(report)


def summary(report: PstwReport) -> str:
    kept = (
        f"{report.rows} rows: {report.kept} Swedish municipal cases kept, "
        f"{report.skipped} skipped (not Swedish or not local)"
    )
    if report.without_id:
        kept += f", {report.without_id} without a PSTW ID skipped"
    counts = (
        f"{report.created} new, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.unresolved_rows} unresolved"
    )
    if report.problem_rows:
        counts += f", {report.problem_rows} with other problems"
    if report.dry_run:
        outcome = "dry run, nothing was written"
    elif report.created or report.updated:
        outcome = "written"
    else:
        outcome = "nothing to write"
    return f"{kept}; {counts}; {outcome}."
