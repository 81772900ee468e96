"""Public pages other than the map: the table, one initiative, a municipality, a county,
the statistics, and the health check."""

from __future__ import annotations

from datetime import date

from flask import current_app, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from kommunkarta import db, geo, rules
from kommunkarta.errors import error_response
from kommunkarta.i18n import select_locale
from kommunkarta.public import bp, coverage_map, display, effect_display, filter_form, upkeep
from kommunkarta.public.listing import PER_PAGE_CHOICES, TableArgs, page_window
from kommunkarta.public.peer_args import within_km
from kommunkarta.public.summary import summary_line
from kommunkarta.services.data_io import demo
from kommunkarta.services.places import peers, place_pages, stats, timeline
from kommunkarta.services.register import coverage, initiatives
from kommunkarta.submissions.common import acting_user
from kommunkarta.vocabulary import selection_from_request

for template_filter in display.FILTERS:
    bp.add_app_template_filter(template_filter)
bp.add_app_template_global(page_window)
bp.add_app_template_global(summary_line)
bp.add_app_template_global(effect_display.reuse_badges, "reuse_badges_of")


@bp.app_template_global()
def demo_data_shown() -> bool:
    """Whether the site shows demo initiatives, for the notice on every page; False when the
    database cannot tell (an error page must not fail for it)."""
    try:
        return demo.shown(db.session())
    except SQLAlchemyError:
        return False


@bp.get("/initiatives")
def initiative_table():
    problems = filter_form.Problems()  # a bad filter: the page again, the message beside it
    selection = filter_form.from_request(problems)
    table = TableArgs.from_args(request.args)  # InvalidField -> 400 (kommunkarta.errors)
    session = db.session()
    page = initiatives.search(
        session, selection, table.page, table.per_page, table.sort, table.descending
    )
    if table.page > page.pages:
        return error_response(
            404,
            _("There is no page %(page)s; the last is %(last)s.", page=table.page, last=page.pages),
        )
    rendered = render_template(
        "public/initiatives.html",
        selection=selection,
        table=table,
        per_page_choices=PER_PAGE_CHOICES,
        page=page,
        municipality_count=stats.municipality_count(session, selection),
        form=filter_form.build(session, selection, select_locale(), problems),
    )
    return rendered, problems.status


@bp.get("/initiatives/<id:initiative_id>")
def initiative_page(initiative_id: int):
    # imported here: numpy is imported with it, and only this page needs it
    from kommunkarta.services.places import similarity

    session = db.session()
    found = place_pages.initiative(session, initiative_id)
    if found is None:
        return error_response(404, _("There is no published initiative with that number."))
    return render_template(
        "public/initiative.html",
        initiative=found.initiative,
        regions=found.regions,
        similar=similarity.similar(session, found.initiative),
        benefits=effect_display.describe(found.initiative, select_locale()),
        **upkeep.initiative_extras(session, found.initiative, acting_user()),
    )


@bp.get("/municipalities/<code>")
def municipality_page(code: str):
    if not rules.is_municipality_code(code):
        return error_response(400, _("A municipality code has four digits, such as 0180."), "code")
    problems = filter_form.Problems()  # a bad filter: the page, the message at its top
    selection = filter_form.from_request(problems)
    km = within_km(request.args)
    view = place_pages.municipality(db.session(), code, selection, geo.current(), km)
    if view is None:
        return error_response(404, _("There is no municipality with code %(code)s.", code=code))
    rendered = render_template(
        "public/municipality.html",
        view=view,
        form=filter_form.build(db.session(), view.selection, select_locale(), problems),
        max_km=peers.MAX_KM,
    )
    return rendered, problems.status


@bp.get("/regions/<code>")
def region_page(code: str):
    if not rules.is_region_code(code):
        return error_response(400, _("A county code has two digits, such as 01."), "code")
    problems = filter_form.Problems()
    selection = filter_form.from_request(problems)
    view = place_pages.region(db.session(), code, selection)
    if view is None:
        return error_response(404, _("There is no county with code %(code)s.", code=code))
    rendered = render_template(
        "public/region.html",
        view=view,
        form=filter_form.build(db.session(), view.selection, select_locale(), problems),
    )
    return rendered, problems.status


@bp.get("/stats")
def stats_page():
    selection = selection_from_request()
    return render_template(
        "public/stats.html",
        selection=selection,
        figures=stats.national(db.session(), selection),
        totals=initiatives.figures(db.session(), selection),
        county_totals=initiatives.figures_by_region(db.session(), selection),
        timeline=timeline.timeline(db.session(), selection),
        covered=coverage_map.load(db.session()),
        coverage_labels=coverage.LABELS,
    )


STATEMENT_UPDATED = date(2026, 12, 5)  # when public/_accessibility_*.html last changed


@bp.get("/accessibility")
def accessibility():
    """The accessibility statement (tillgänglighetsredogörelse), linked from every footer."""
    return render_template(
        "public/accessibility.html",
        contact=current_app.config["MAIL_FROM"],
        updated=display.date(STATEMENT_UPDATED),
    )


@bp.get("/healthz")
def healthz():
    try:
        db.session().execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means "not healthy"
        db.session().rollback()
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})
