"""A filter in words, for the places that must say what they show without the form beside
them: the map as an image (/map.svg) and the feed's title (/feed.atom)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from kommunkarta.filters import InitiativeFilter
from kommunkarta.public.filter_form import LABELS
from kommunkarta.services import taxonomy
from kommunkarta.services.register import effects, initiatives

# filter parameter -> the taxonomy it takes slugs of; each is named by its field's label
TERM_PARAMS = {
    "benefit": "benefit_areas",
    "status": "statuses",
    "tech": "technologies",
    "area": "areas",
}
# filter parameter -> its fixed values' names
FIXED_PARAMS = {"reuse": effects.REUSE, "risk": effects.AI_ACT}


def either(names: list[str]) -> str:
    """One name, or several joined as alternatives ("Efficiency or Safety"): a filter's
    values select initiatives with any of them."""
    return names[0] if len(names) == 1 else _(" or ").join(names)


def phrases(session: Session, selection: InitiativeFilter, locale: str) -> list[tuple[str, str]]:
    """(name, value) of each filter in use, in the form's order; [] for no filter."""
    out: list[tuple[str, str]] = []
    for param, kind in TERM_PARAMS.items():
        chosen = getattr(selection, param)
        if chosen:
            names = {t.slug: t.name(locale) for t in taxonomy.terms(session, kind)}
            out.append((str(LABELS[param]), either([names[slug] for slug in chosen])))
    for param, values in FIXED_PARAMS.items():
        chosen = getattr(selection, param)
        if chosen:
            out.append((str(LABELS[param]), either([str(values[value]) for value in chosen])))
    if selection.region:
        names = {p.code: p.name for p in initiatives.regions(session)}
        out.append((str(LABELS["region"]), names[selection.region]))
    if selection.municipality:
        names = {p.code: p.name for p in initiatives.municipalities(session)}
        out.append((str(LABELS["municipality"]), names[selection.municipality]))
    if selection.year_from or selection.year_to:
        if selection.year_from and selection.year_to:
            years = f"{selection.year_from}–{selection.year_to}"
        elif selection.year_to:
            years = _("up to %(year)s", year=selection.year_to)
        else:
            years = _("from %(year)s", year=selection.year_from)
        out.append((_("Start year"), years))
    if selection.q:
        out.append((str(LABELS["q"]), f"“{selection.q}”"))
    said = {*TERM_PARAMS, *FIXED_PARAMS, "region", "municipality", "year_from", "year_to", "q"}
    for name, value in selection.to_args().items():  # a filter added later, by its values
        if name not in said:
            out.append((name, ", ".join(map(str, value if isinstance(value, list) else [value]))))
    return out


def describe(session: Session, selection: InitiativeFilter, locale: str) -> str:
    """'Benefit area: Efficiency; County: Skåne län', or a sentence saying there is no filter."""
    found = phrases(session, selection, locale)
    if not found:
        return _("All published initiatives")
    return "; ".join(f"{name}: {value}" for name, value in found)
