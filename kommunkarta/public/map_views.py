"""The map page at `/` and the map's own small data endpoint."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import abort, current_app, jsonify, render_template, request, url_for
from flask_babel import get_translations, ngettext
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm import Session

from kommunkarta import cache, db, geo, rules
from kommunkarta.filters import InitiativeFilter
from kommunkarta.i18n import select_locale
from kommunkarta.public import (
    bp,
    coverage_map,
    filter_form,
    map_builder,
    map_classes,
    map_measure,
    page_cache,
    year_control,
)
from kommunkarta.public.summary import places_with_any, summary_line
from kommunkarta.public.views import demo_data_shown
from kommunkarta.services import taxonomy
from kommunkarta.services.errors import InvalidField
from kommunkarta.services.register import initiatives
from kommunkarta.vocabulary import selection_from_request

LEVELS = rules.PLACE_LEVELS
# the modules under static/js/map that map.js imports, directly or not
MAP_MODULES = tuple(
    sorted(p.name for p in (Path(__file__).parent.parent / "static/js/map").glob("*.js"))
)
# of those, the ones map.js imports only where a page shows their kind of map
MODE_MODULES = {"compact": "compact.js", "coverage": "coverage.js"}
MAP_STYLES = ("vendor/leaflet/leaflet.css", "css/map.css")
VIEWS = ("initiatives", "coverage")


def choice(name: str, allowed: tuple[str, ...]) -> str:
    value = request.args.get(name, allowed[0])
    if value not in allowed:
        raise InvalidField(name, _("choose one of: %(values)s", values=", ".join(allowed)), value)
    return value


def _switch(problems: filter_form.Problems, name: str, allowed: tuple[str, ...]) -> str:
    """`choice(name, allowed)`, or the first of `allowed` with the problem in `problems`."""
    return problems.choice(name, lambda given: choice(given, allowed), allowed[0])


def _pattern(singular: str, plural: str, n: int) -> str:
    """A plural form in the current language with `{n}` where map.js puts the number."""
    return get_translations().ngettext(singular, plural, n) % {"num": "{n}"}


def _texts() -> dict[str, str]:
    """The strings map.js shows, in the current language (shared: never change it)."""
    return _texts_in(select_locale())


@functools.cache
def _texts_in(locale: str) -> dict[str, str]:
    """`_texts()` made once per language: they depend on nothing else, and rebuilding them
    took a good part of rendering the map page after a write. `locale` is the request's
    language, which the translations below follow; it is only the key."""
    return {
        "initiative_one": _pattern("%(num)s initiative", "%(num)s initiatives", 1),
        "initiatives_many": _pattern("%(num)s initiative", "%(num)s initiatives", 2),
        "map_role": _("map"),
        "map_label": _(
            "Map. Arrow keys move the map, plus and minus zoom, "
            "Enter opens the area under the crosshair in the middle."
        ),
        "cluster": _pattern(
            "%(num)s initiative here: select to zoom in",
            "%(num)s initiatives here: select to zoom in",
            2,
        ),
        "legend_title": _("Initiatives"),
        "legend_none": _("None"),
        "close": _("Close"),
        "loading": _("Loading…"),
        "failed": _("Could not load the data. Please try again."),
        "open_place": _("Open the page of %(name)s", name="{name}"),
        "all_in_table": _("All %(num)s in the table", num="{n}"),
        "no_initiatives": _("No initiatives match the filters here."),
        "points": _("Initiatives with a location"),
        "other": _("Other"),
        "county": _("County"),
        "municipality": _("Municipality"),
        "show_neighbours": _("Show neighbours"),
        "hide_neighbours": _("Hide neighbours"),
        "neighbours_one": ngettext(
            "%(count)s neighbouring municipality highlighted",
            "%(count)s neighbouring municipalities highlighted",
            1,
            count="{n}",
        ),
        "neighbours_many": ngettext(
            "%(count)s neighbouring municipality highlighted",
            "%(count)s neighbouring municipalities highlighted",
            2,
            count="{n}",
        ),
        "no_neighbours": _(
            "%(name)s shares no land border with another municipality.", name="{name}"
        ),
    }


def _assets(boundaries: str, mode: str = "") -> dict[str, list[str]]:
    """Local URLs of every script and style sheet the map needs before it draws, and what
    the page's head asks the browser to fetch at once: the modules map.js imports for this
    `mode` of map ("compact", "coverage" or the main map's "") (else found one import level
    at a time) and the `boundaries` it draws (else asked for only once every module has
    run). The marker clusters' script and styles come when points are first shown."""
    skipped = {name for kind, name in MODE_MODULES.items() if kind != mode}
    return {
        "css": [url_for("static", filename=f) for f in MAP_STYLES],
        "js": [url_for("static", filename="vendor/leaflet/leaflet.js")],
        "modules": [url_for("static", filename="js/map.js")],
        "module_deps": [
            url_for("static", filename=f"js/map/{name}")
            for name in MAP_MODULES
            if name not in skipped
        ],
        "fetch": [boundaries],
    }


def _base_config(level: str, counts: dict[str, int]) -> dict:
    """A small map's settings: its areas' counts by code (`countsByCode`, only those with
    any), unlike the main map's figures in code order (`valuesInCodeOrder`, `_map_page`)."""
    return {**_settings(level), "countsByCode": counts, **_classes(counts)}


def _settings(level: str) -> dict:
    """What every map is set up with that depends on the request alone, not on the data."""
    return {
        "level": level,
        "lang": select_locale(),
        "noneColour": map_classes.NONE_COLOUR,
        "boundaries": {
            "municipality": url_for("public.map_boundaries"),
            "region": url_for("api.region_boundaries"),
        },
        "labelsUrl": {
            "municipality": url_for("public.map_labels", level="municipality"),
            "region": url_for("public.map_labels", level="region"),
        },
        "placeUrl": {
            "municipality": url_for("public.home") + "municipalities/",
            "region": url_for("public.home") + "regions/",
        },
        "text": _texts(),
    }


def _classes(values: dict[str, int]) -> dict:
    """The classes of the legend over what the map's areas are coloured by."""
    return {"classes": map_classes.classes(values.values()).to_json()}


def _compact_map(level: str, code: str, config: dict, map_id: str) -> map_builder.RenderedMap:
    """A small map fitted to one municipality or county, in map.js's compact mode."""
    south, west, north, east = geo.current().bounds([code], level)
    config.update(compact=True)
    return map_builder.render(
        map_builder.config_json(config),
        _assets(config["boundaries"]["municipality"], "compact"),
        tiles=current_app.config["TILES"],
        tiles_attribution=current_app.config["TILES_ATTRIBUTION"],
        bounds=[[south, west], [north, east]],
        map_id=map_id,
    )


@bp.app_template_global()
def region_map(region_code: str, places: list) -> map_builder.RenderedMap:
    """A small map of one county's municipalities shaded by their `count`s (no queries)."""
    config = _base_config("municipality", {p.code: p.count for p in places if p.count})
    config.update(region=region_code)
    return _compact_map("region", region_code, config, "region-map")


def embed_map(level: str, code: str, counts: dict[str, int]) -> map_builder.RenderedMap:
    """The embeddable map of one municipality or county (`level`): its municipalities shaded
    by `counts` and its located initiatives; every link opens Kommunkartan in a new tab."""
    config = _base_config("municipality", counts)
    place: dict[str, Any] = {level: code}
    config.update(
        place,
        linkTarget="_blank",
        pointsUrl=url_for("public.map_points", **place),
        initiativeUrl=url_for("public.home") + "initiatives/",
    )
    return _compact_map(level, code, config, "embed-map")


@bp.get("/")
def home():
    """The map. For a visitor who is not signed in the page comes from `page_cache` until
    the data changes, except the coverage view, whose states change with the date."""
    if request.args.get("view") == "coverage":
        return _map_page()
    return page_cache.serve(_map_page)


def _map_page() -> tuple[str, int]:
    problems = filter_form.Problems()  # a bad value: the page again, the message beside it
    selection = filter_form.from_request(problems)
    level = _switch(problems, "level", LEVELS)
    view = _switch(problems, "view", VIEWS)
    measure = _switch(problems, "measure", map_measure.MEASURES)
    session = db.session()
    locale = select_locale()
    counts = level_counts(session, selection, level)
    total = initiatives.count(session, selection)
    args = selection.to_args()
    settings = _page_settings(session, level, measure, locale, args)
    shaded = map_measure.area_values(session, selection, level, measure, counts)
    data = {
        **_classes(shaded),
        "valuesInCodeOrder": _values_in_code_order(shaded, level),
        "measureNote": map_measure.legend_note(session, selection, measure),
        "years": year_control.config(session),
    }
    covered = coverage_map.load(session) if view == "coverage" else None
    if covered is not None:
        data.update(coverage_map.map_config(covered))
    drawn = "municipality" if view == "coverage" else level
    years = year_control.position(session, selection)

    def render(values: Mapping[str, Any]) -> str:
        rendered = map_builder.render(
            str(values["config"]),
            _assets(settings[0]["boundaries"][drawn], "coverage" if covered is not None else ""),
            tiles=current_app.config["TILES"],
            tiles_attribution=current_app.config["TILES_ATTRIBUTION"],
        )
        return render_template(
            "public/map.html",
            selection=selection,
            filters=_filters(session, selection, locale, problems, level, view, measure),
            problems=problems,
            level=level,
            view=view,
            measure=measure,
            measure_note=values["measure_note"],
            covered=covered,
            summary=values["summary"],
            table_args=args,
            rendered=rendered,
            years=years,
        )

    # what changes with every write; the rest of the page with the taxonomy and the places,
    # but for the demo notice and the years' range
    values = {
        "config": _joined(settings[1], map_builder.config_json(data)),
        "summary": summary_line(selection, total, places_with_any(counts), level),
        "measure_note": map_measure.note(session, selection, measure),
    }
    if problems or covered is not None:
        return render(values), problems.status
    return page_cache.filled((demo_data_shown(), years), render, values), problems.status


def _values_in_code_order(values: dict[str, int], level: str) -> list[int]:
    """The map page's figure of every place at `level`, in code order, 0 where there is
    none: map.js takes the codes from the boundaries it draws (common.js, valuesByCode),
    which hold the same places. 290 codes written out made up a sixth of the page, gzipped,
    and this page is the one sent most."""
    data = geo.current()
    places = data.municipalities if level == "municipality" else data.regions
    return [values.get(code, 0) for code in sorted(places)]


def _page_settings(
    session: Session, level: str, measure: str, locale: str, args: dict
) -> tuple[dict, Markup]:
    """The map page's settings that depend on the request and the taxonomy alone, and
    their JSON: kept until a write that is not only about named initiatives, so that the
    first page after a moderator's write builds only what depends on the data."""

    def build() -> tuple[dict, Markup]:
        settings = _settings(level)
        settings["text"] = _page_texts(locale)
        settings.update(
            measure=measure,
            filters=args,
            countsApi={
                "municipality": url_for("api.municipalities"),
                "region": url_for("api.regions"),
            },
            initiativesApi=url_for("api.initiative_list"),
            summaryUrl=url_for("public.map_summary"),
            pointsUrl=url_for("public.map_points"),
            initiativeUrl=url_for("public.home") + "initiatives/",
            tableUrl=url_for("public.home") + "initiatives",
            figuresUrl=url_for("public.figures"),
            neighboursUrl=url_for("public.home") + "map/neighbours/",
            benefitNames={t.slug: t.name(locale) for t in taxonomy.terms(session, "benefit_areas")},
        )
        return settings, map_builder.config_json(settings)

    key = ("map settings", request.script_root, level, measure, locale, repr(args))
    return cache.cached(session, key, build, reference=True)


def _joined(first: Markup, second: Markup) -> Markup:
    """Two JSON objects' texts (as map_builder.config_json writes them) as one object's,
    the keys of `first` before those of `second`."""
    return Markup(f"{first[:-1]},{second[1:]}")


@functools.cache
def _page_texts(locale: str) -> dict[str, str]:
    """Every string map.js shows on the map page, in `locale` (the request's language, the
    key), made once per language (shared: never change it)."""
    return {
        **_texts_in(locale),
        **map_measure.texts(),
        **coverage_map.map_texts(),
        **year_control.texts(),
    }


def _filters(
    session: Session,
    selection: InitiativeFilter,
    locale: str,
    problems: filter_form.Problems,
    level: str,
    view: str,
    measure: str,
) -> Markup:
    """The map page's filter form with its switches, rendered. It shows the filters, the
    switches, the problems and the language, with choices read from the taxonomy and the
    places alone, never counts: kept rendered until a write that is not only about named
    initiatives, so that the first page after a moderator's write does not render it again.
    The script root is in the key for the form's links."""
    key = (
        "map filters",
        cache.filter_key(selection),
        tuple(problems.messages.items()),
        tuple(problems.sent.items()),
        level,
        view,
        measure,
        locale,
        request.script_root,
    )

    def render() -> Markup:
        return Markup(
            render_template(
                "public/_map_filters.html",
                form=filter_form.build(session, selection, locale, problems),
                level=level,
                view=view,
                measure=measure,
                covered=view == "coverage",
            )
        )

    return cache.cached(session, key, render, reference=True)


def level_counts(session, selection: InitiativeFilter, level: str) -> dict[str, int]:
    if level == "region":
        by_region = initiatives.counts_by_region(session, selection)
        return {code: pair[0] for code, pair in by_region.items()}
    return initiatives.counts_by_municipality(session, selection)


@bp.get("/figures")
def figures():
    """The map's figures as a table: the text alternative to the map, without script."""
    selection = selection_from_request()
    level = choice("level", LEVELS)
    session = db.session()
    counts = level_counts(session, selection, level)
    if level == "region":
        places = initiatives.regions(session)
    else:
        places = initiatives.municipalities(session)
    total = initiatives.count(session, selection)
    return render_template(
        "public/figures.html",
        selection=selection,
        level=level,
        places=places,
        counts=counts,
        figures=map_measure.by_place(session, selection, level),
        notes=[map_measure.note(session, selection, m) for m in ("hours", "sek")],
        summary=summary_line(selection, total, places_with_any(counts), level),
    )


@bp.get("/map/summary")
def map_summary():
    """The map's summary line under the filters, for map.js to show after a filter change:
    `{"summary": "143 initiatives in 97 municipalities", "total": 143, "note": ...,
    "values": {code: n}, "classes": {"breaks", "colours"}}`, with `note` and `values` for the
    chosen `measure` and `classes` over those values. The page and this share `summary_line`
    and `map_classes`, so the words and the colours come from one place. A bad value is a 400
    `{"error", "field"}` whose message names the field by its label, as the page does, for
    map.js to show beside it."""
    problems = filter_form.Problems()
    selection = filter_form.from_request(problems)
    level = _switch(problems, "level", LEVELS)
    measure = _switch(problems, "measure", map_measure.MEASURES)
    if problems:
        field, message = next(iter(problems.messages.items()))
        return jsonify(error=message, field=field), 400
    session = db.session()
    counts = level_counts(session, selection, level)
    total = initiatives.count(session, selection)
    places = places_with_any(counts)
    values = map_measure.area_values(session, selection, level, measure, counts)
    return jsonify(
        summary=summary_line(selection, total, places, level),
        total=total,
        note=map_measure.note(session, selection, measure),
        legend_note=map_measure.legend_note(session, selection, measure),
        values=values,
        classes=map_classes.classes(values.values()).to_json(),
    )


@bp.get("/map/labels/<level>")
def map_labels(level: str):
    """Where the map writes each place's name: {code: [lat, lon]}, a point inside it."""
    if level not in LEVELS:
        abort(404)
    response = jsonify(geo.current().label_points(level))
    response.cache_control.public = True
    response.cache_control.max_age = 24 * 3600
    return response


@bp.get("/map/boundaries/municipalities")
def map_boundaries():
    """The municipalities as the map draws them: quantised TopoJSON, a third of the GeoJSON
    the API serves (services.places.topology)."""
    data = geo.current()
    return geo.boundary_response(
        data.municipalities_topology, data.topology_etag, "application/json"
    )


@bp.get("/map/points")
def map_points():
    """Compact points for the marker layer: [[id, lat, lon, title], ...] (JSON-escaped)."""
    selection = selection_from_request()
    return jsonify(initiatives.located(db.session(), selection))
