"""GET/POST /suggest: anyone may suggest an initiative; it waits for moderation."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from kommunkarta import db, geo
from kommunkarta.extensions import limiter
from kommunkarta.services.errors import InvalidFields
from kommunkarta.services.register import suggestions
from kommunkarta.submissions import bp
from kommunkarta.submissions.common import municipality_choices, show_errors, term_choices
from kommunkarta.submissions.forms import SuggestionForm

PER_CLIENT = "5 per hour"


@bp.route("/suggest", methods=["GET", "POST"])
@limiter.limit(PER_CLIENT, methods=["POST"])
def suggest():
    session = db.session()
    form = SuggestionForm()
    form.benefit_areas.choices = term_choices(session)["benefit_areas"]
    form.municipality.choices = [
        SelectChoice("", _("Choose a municipality")),
        *municipality_choices(session),
    ]
    if request.method == "POST" and form.website.data:
        return redirect(url_for(".suggest_thanks"))  # a robot: say thanks, keep nothing
    if form.validate_on_submit():
        try:
            suggestions.suggest(session, form.suggestion(), geo.current())
        except InvalidFields as error:
            show_errors(form, error)
        else:
            return redirect(url_for(".suggest_thanks"))
    status = 400 if request.method == "POST" else 200
    return render_template("submissions/suggest.html", form=form), status


@bp.get("/suggest/thanks")
def suggest_thanks():
    return render_template("submissions/suggest_thanks.html")
