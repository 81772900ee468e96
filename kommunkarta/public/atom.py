"""The Atom 1.0 feed of the latest published initiatives under a filter (`GET /feed.atom`),
written by feedgen (which escapes every text and writes the dates as RFC 3339).

Every link is absolute and built from KOMMUNKARTA_PUBLIC_URL (`links.absolute_url`), never
from the request's host. An entry has the initiative's title, summary, municipalities and
benefit areas (as text and as Atom categories) and a link to its page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator
from flask_babel import gettext as _

from kommunkarta.links import absolute_url
from kommunkarta.models import Initiative
from kommunkarta.services.data_io import serialise

LATEST = 50
# characters XML 1.0 cannot hold; anything typed or imported is cleared of them
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str | None) -> str:
    return NOT_XML.sub("", value or "")


def _utc(moment: datetime | None) -> datetime | None:
    """SQLite gives back naive datetimes (stored as UTC); PostgreSQL aware ones."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def updated(items: Sequence[Initiative], fallback: datetime) -> datetime:
    """When the feed last changed: its newest entry's update, or `fallback` if it is empty."""
    times = [_utc(i.updated_at) or fallback for i in items]
    return max(times, default=fallback).replace(microsecond=0)


def feed(
    items: Sequence[Initiative],
    *,
    title: str,
    locale: str,
    filter_args: dict,
    changed: datetime,
) -> bytes:
    """The feed document; `changed` is its <updated> (see `updated`)."""
    generator = FeedGenerator()
    self_url = absolute_url("public.feed", **filter_args)
    generator.id(self_url)
    generator.title(_text(title))
    generator.subtitle(
        _("The latest published AI initiatives in Swedish municipalities under these filters.")
    )
    generator.link(href=self_url, rel="self", type="application/atom+xml")
    generator.link(
        href=absolute_url("public.initiative_table", **filter_args, lang=locale),
        rel="alternate",
        type="text/html",
    )
    generator.author(name="Kommunkartan", uri=absolute_url("public.home"))
    generator.rights(f"{serialise.LICENCE} ({serialise.LICENCE_URL})")
    generator.language(locale)
    generator.generator("Kommunkartan", uri=absolute_url("public.home"))
    generator.updated(changed)
    place_scheme = absolute_url("public.home") + "municipalities/"
    benefit_scheme = absolute_url("api.taxonomy_terms") + "#benefit_areas"
    for item in reversed(items):  # feedgen puts each new entry first
        entry = generator.add_entry()
        page = absolute_url("public.initiative_page", initiative_id=item.id, lang=locale)
        entry.id(absolute_url("public.initiative_page", initiative_id=item.id))
        entry.title(_text(item.title))
        entry.link(href=page, rel="alternate", type="text/html")
        entry.updated(_utc(item.updated_at) or changed)
        if item.published_at is not None:
            entry.published(_utc(item.published_at))
        places = [m.name for m in item.municipalities]
        benefits = [b.name(locale) for b in item.benefit_areas]
        lines = [_text(item.summary)] if item.summary else []
        lines.append(_("Municipalities: %(names)s", names=", ".join(places)))
        if benefits:
            lines.append(_("Benefit areas: %(names)s", names=", ".join(benefits)))
        if item.is_demo:
            lines.append(_("Example data – not a real initiative."))
        entry.summary("\n".join(lines), type="text")
        for place in item.municipalities:
            entry.category(term=place.code, scheme=place_scheme, label=place.name)
        for benefit in item.benefit_areas:
            entry.category(term=benefit.slug, scheme=benefit_scheme, label=benefit.name(locale))
    return generator.atom_str(pretty=False)
