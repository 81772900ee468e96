"""The map as an image (`GET /map.svg`): what one picture of the map shows, for reports and
slides, drawn by `templates/public/map.svg`.

The same counts (`initiatives.counts_by_*`), classes and colours (`map_classes`), coverage
states and styles (`coverage_map`) and summary line (`summary.summary_line`) as the live
map, on the boundaries projected to SWEREF 99 TM (`Geodata.outlines`). Every text is
escaped by the template; nothing here returns markup.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import date

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from kommunkarta.filters import InitiativeFilter
from kommunkarta.links import absolute_url
from kommunkarta.public import coverage_map, display, map_classes, map_measure, selection_text
from kommunkarta.services.places import drawing
from kommunkarta.services.places.geodata import Geodata
from kommunkarta.services.register import coverage

# the layout, in image units (the map is drawing.HEIGHT units tall)
MARGIN = 24
TITLE_Y = 44  # the baseline of the title's first line
TITLE_LINE = 30  # from one line of the 26-unit title to the next
SUBTITLE_GAP = 28  # from the title's last baseline to the subtitle's first
SUBTITLE_LINE = 20  # of the 16-unit subtitle
MAP_GAP = 32  # from the subtitle's last baseline to the top of the map
COLUMN_GAP = 40
COLUMN_WIDTH = 360
LINE_CHARS = 48  # characters of a 13-unit line in the right column
LINK_CHARS = 54  # of the 11-unit link
# The width of an average character, in units of its font size (DejaVu Sans runs widest of
# the fonts the image names): headings are wrapped to the image's width with it
TITLE_CHAR_WIDTH = 0.64  # bold
SUBTITLE_CHAR_WIDTH = 0.58
MIN_MAP_HEIGHT = 600  # room for the right column beside a wide, low county


@dataclass(frozen=True)
class Area:
    code: str
    path: str
    fill: str  # a colour, or url(#...) of a pattern
    stroke: str
    dash: str | None
    label: str  # "Stockholm: 11 initiatives"


@dataclass(frozen=True)
class LegendRow:
    fill: str
    stroke: str
    dash: str | None
    label: str


@dataclass(frozen=True)
class Picture:
    width: float
    height: float
    map_x: float
    map_width: float
    map_height: float
    column_x: float
    subtitle_y: float  # the baseline of the subtitle's first line
    top: float  # where the map and the right column begin, below the title and subtitle
    title: list[str]
    subtitle: list[str]
    legend_title: str
    legend: list[LegendRow]
    legend_note: list[str]  # for hours or kronor: they are estimates, and how many give one
    hatch: dict[str, tuple[str, str]]  # pattern id -> (fill, line colour)
    selection: list[str]
    drawn: str
    source: list[str]
    link: str
    areas: list[Area]

    @property
    def link_lines(self) -> list[str]:
        """The link cut to fit the right column (an address has no spaces to wrap at)."""
        return [self.link[i : i + LINK_CHARS] for i in range(0, len(self.link), LINK_CHARS)]


def _lines(text: str, width: int = LINE_CHARS) -> list[str]:
    return textwrap.wrap(text, width) or [""]


def _chars(width: float, font_size: float, char_width: float) -> int:
    """How many average characters of a font fit a line `width` units wide."""
    return int(width / (font_size * char_width))


def choropleth(
    counts: dict[str, int], outlines: drawing.Outlines, measure: str
) -> tuple[list[Area], list[LegendRow]]:
    """The areas of `outlines` shaded by their values of `measure` (`counts`) in the live
    map's classes (over the areas drawn, as a county's own map has them), and the legend."""
    classes = map_classes.classes(counts.get(code, 0) for code in outlines.paths)
    areas = []
    for code, path in outlines.paths.items():
        count = counts.get(code, 0)
        stroke, dash = ("#ffffff", None) if count else ("#8c8c8c", "3 3")
        label = _(
            "%(name)s: %(count)s",
            name=outlines.names[code],
            count=map_measure.value_text(measure, count),
        )
        areas.append(Area(code, path, classes.colour(count), stroke, dash, label))
    legend = [
        LegendRow(
            colour,
            "#ffffff",
            None,
            display.number(low) if low == high else f"{display.number(low)}–{display.number(high)}",
        )
        for colour, low, high in classes.rows()
    ]
    none = _("None") if classes.breaks else _("None: no initiative matches the filters")
    legend.append(LegendRow(map_classes.NONE_COLOUR, "#8c8c8c", "3 3", none))
    return areas, legend


def coverage_areas(
    covered: coverage_map.CoverageView, outlines: drawing.Outlines
) -> tuple[list[Area], list[LegendRow], dict[str, tuple[str, str]]]:
    """Municipalities drawn by their coverage state, as on the live map's coverage view."""
    states = {row.code: row.state for row in covered.rows}
    hatch: dict[str, tuple[str, str]] = {}

    def fill(state: coverage.CoverageState) -> str:
        look = coverage_map.STYLES[state]
        if not look["hatch"]:
            return look["fill"]
        hatch[f"hatch-{state.value}"] = (look["fill"], look["stroke"])
        return f"url(#hatch-{state.value})"

    areas = []
    for code, path in outlines.paths.items():
        state = states.get(code, coverage.CoverageState.UNKNOWN)
        look = coverage_map.STYLES[state]
        label = _("%(name)s: %(state)s", name=outlines.names[code], state=coverage.LABELS[state])
        areas.append(Area(code, path, fill(state), look["stroke"], look["dash"], label))
    legend = [
        LegendRow(
            fill(state),
            "#1b1f24"
            if coverage_map.STYLES[state]["stroke"] == "#ffffff"
            else coverage_map.STYLES[state]["stroke"],
            coverage_map.STYLES[state]["dash"],
            f"{coverage.LABELS[state]} ({display.number(covered.summary[state])})",
        )
        for state in coverage.CoverageState
    ]
    return areas, legend, hatch


def picture(
    session: Session,
    geodata: Geodata,
    selection: InitiativeFilter,
    *,
    level: str,
    measure: str,
    covered: coverage_map.CoverageView | None,
    counts: dict[str, int],
    summary: str,
    note: str,
    locale: str,
    today: date,
    link_args: dict,
) -> Picture:
    """Everything one image of the map shows; `counts` (the values of `measure`) by code of
    `level`, ignored for the coverage view, which is by municipality; `note` says what the
    figures of a measure other than initiatives are. With a county in the filter, the
    municipality map shows that county alone, as the county's page does."""
    hatch: dict[str, tuple[str, str]] = {}
    if covered is not None:
        outlines = geodata.outlines("municipality")
        areas, legend, hatch = coverage_areas(covered, outlines)
        title = _("Coverage: which municipalities report AI initiatives")
        legend_title = _("Coverage")
        summary = covered.line
    else:
        county = selection.region if level == "municipality" else None
        outlines = geodata.outlines(level, county)
        areas, legend = choropleth(counts, outlines, measure)
        if county:
            name = geodata.regions[county].name
            title = _("AI initiatives per municipality in %(county)s", county=name)
        elif level == "region":
            title = _("AI initiatives per county")
        else:
            title = _("AI initiatives per municipality")
        legend_title = map_measure.legend_title(measure)
    map_x = MARGIN
    column_x = map_x + outlines.width + COLUMN_GAP
    width = column_x + COLUMN_WIDTH + MARGIN
    # a long selection names many terms: its headings wrap within the image and push the
    # map and the column down instead of running off the edge or over the map
    title_lines = _lines(title, _chars(width - 2 * MARGIN, 26, TITLE_CHAR_WIDTH))
    subtitle_lines = _lines(summary, _chars(width - 2 * MARGIN, 16, SUBTITLE_CHAR_WIDTH))
    subtitle_y = TITLE_Y + TITLE_LINE * (len(title_lines) - 1) + SUBTITLE_GAP
    top = subtitle_y + SUBTITLE_LINE * (len(subtitle_lines) - 1) + MAP_GAP
    words = selection_text.describe(session, selection, locale)
    return Picture(
        width=width,
        height=top + max(outlines.height, MIN_MAP_HEIGHT) + MARGIN,
        map_x=map_x,
        map_width=outlines.width,
        map_height=outlines.height,
        column_x=column_x,
        subtitle_y=subtitle_y,
        top=top,
        title=title_lines,
        subtitle=subtitle_lines,
        legend_title=legend_title,
        legend=legend,
        legend_note=_lines(note) if note and covered is None else [],
        hatch=hatch,
        selection=_lines(words),
        drawn=_("Drawn on %(date)s", date=display.date(today)),
        source=_lines(_("Boundaries: SCB. Data: Kommunkartan, CC BY 4.0.")),
        link=absolute_url("public.home", **link_args),
        areas=areas,
    )


def render(picture: Picture) -> str:
    return render_template(
        "public/map.svg",
        picture=picture,
        title_y=TITLE_Y,
        title_line=TITLE_LINE,
        subtitle_line=SUBTITLE_LINE,
    )
