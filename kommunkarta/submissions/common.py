"""Helpers the submission views share: the acting user, choices, form errors, versions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask import abort, request
from flask_login import current_user
from sqlalchemy.orm import Session
from wtforms.fields.choices import SelectChoice

from kommunkarta import geo, rules
from kommunkarta.i18n import select_locale
from kommunkarta.models import User
from kommunkarta.services import taxonomy
from kommunkarta.services.errors import InvalidFields
from kommunkarta.services.register import initiatives, revisions
from kommunkarta.services.register.content import Content, problems
from kommunkarta.submissions.forms import ActionForm

PAGE_MAX = 100_000


def acting_user() -> User | None:
    return current_user._get_current_object() if current_user.is_authenticated else None


def term_choices(
    session: Session, keep: Mapping[str, Iterable[str]] | None = None
) -> dict[str, list[SelectChoice]]:
    """The terms a form offers, per kind: those in use, and retired ones in `keep` (kind ->
    slugs that the initiative being edited carries, so that saving it does not drop them)."""
    locale = select_locale()
    keep = keep or {}
    return {
        kind: [
            SelectChoice(t.slug, t.choice(locale))
            for t in taxonomy.offered(session, kind, keep.get(kind, ()))
        ]
        for kind in taxonomy.KINDS
    }


def carried_terms(content: Content) -> dict[str, tuple[str, ...]]:
    """The slugs of each kind of term that an initiative's content carries."""
    carried: dict[str, tuple[str, ...]] = {}
    for field, kind in revisions.TERM_FIELDS.items():
        value = getattr(content, field)
        carried[kind] = (value,) if isinstance(value, str) else tuple(value)
    carried["benefit_areas"] += tuple(e.benefit_area for e in content.effects)
    return carried


def municipality_choices(session: Session) -> list[SelectChoice]:
    """Every municipality, in Swedish alphabetical order."""
    return [SelectChoice(m.code, m.name) for m in initiatives.municipalities_by_name(session)]


def show_errors(form, error: InvalidFields) -> None:
    """Put each service message beside its field (or above the form if it has none), unless
    the form already has a message there."""
    for problem in error.errors:
        field = getattr(form, problem.field, None)
        if field is None and hasattr(form, "effect_field"):
            field = form.effect_field(problem.field)
        if problem.field == "location" and hasattr(form, "location_errors"):
            if not (form.location_errors or form.lat.errors or form.lon.errors):
                form.location_errors.append(problem.reason)
        elif field is not None and hasattr(field, "errors"):
            if not field.errors:
                field.errors = [problem.reason]
        else:
            form.form_errors.append(problem.reason)


def show_all_problems(form, session: Session, user: User | None) -> None:
    """After the form's own checks failed, add the services' messages for the other fields,
    so that every problem shows at once."""
    if found := problems(session, form.content(), user, geo.current()):
        show_errors(form, InvalidFields(found))


def action_version() -> int:
    """The version posted with an action button; 400 if the form is not what we sent."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    return rules.version(form.version.data)


def page_number() -> int:
    """The `page` argument of a list; raises InvalidField (-> 400) for anything but 1 to
    PAGE_MAX in ASCII digits."""
    return rules.whole_number(request.args.get("page", "").strip() or "1", "page", 1, PAGE_MAX)
