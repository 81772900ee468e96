"""The one sentence that says what a selection holds, "1 200 initiatives in 289
municipalities for Efficiency": the map and its summary endpoint, the map as an image, the
figures and the table all print this, so they cannot tell different stories."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _

from kommunkarta import db
from kommunkarta.filters import InitiativeFilter
from kommunkarta.i18n import select_locale
from kommunkarta.public.display import ngettext
from kommunkarta.public.selection_text import either
from kommunkarta.services import taxonomy


def summary_line(
    selection: InitiativeFilter, total: int, places: int, level: str = "municipality"
) -> str:
    """'1 200 initiatives in 289 municipalities for Efficiency', in the current language:
    `places` are the municipalities (or counties, at `level` region) with any of them."""
    initiatives_text = ngettext("%(num)s initiative", "%(num)s initiatives", total)
    if level == "region":
        places_text = ngettext("%(num)s county", "%(num)s counties", places)
    else:
        places_text = ngettext("%(num)s municipality", "%(num)s municipalities", places)
    line = _("%(initiatives)s in %(places)s", initiatives=initiatives_text, places=places_text)
    if selection.benefit:
        locale = select_locale()
        names = {t.slug: t.name(locale) for t in taxonomy.terms(db.session(), "benefit_areas")}
        benefits = either([names[slug] for slug in selection.benefit])
        line = _("%(line)s for %(benefits)s", line=line, benefits=benefits)
    return line


def places_with_any(counts: Mapping[str, int]) -> int:
    """How many of the places counted have any initiative: the summary line's `places`."""
    return sum(1 for count in counts.values() if count)
