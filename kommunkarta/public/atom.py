"""The Atom 1.0 feed of the latest published initiatives under a filter (`GET /feed.atom`),
written with the standard library's ElementTree, which escapes every text and attribute; the
dates are written as RFC 3339. (feedgen wrote it before, and brought lxml into every serving
worker, some 8 MB resident, for this one small document.)

Every link is absolute and built from KOMMUNKARTA_PUBLIC_URL (`links.absolute_url`), never
from the request's host. An entry has the initiative's title, summary, municipalities and
benefit areas (as text and as Atom categories) and a link to its page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from xml.etree import ElementTree

from flask_babel import gettext as _

from kommunkarta.links import absolute_url
from kommunkarta.models import Initiative
from kommunkarta.services.data_io import serialise

LATEST = 50
ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
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


def _element(
    parent: ElementTree.Element, tag: str, text: str | None = None, **attributes: str
) -> ElementTree.Element:
    """A child element, its text and attributes cleared of what XML cannot hold (NOT_XML):
    ElementTree escapes markup but writes those as they are, and the document would not
    parse. Every text goes through here, typed or not (a term's name is an admin's)."""
    cleared = {name: _text(value) for name, value in attributes.items()}
    element = ElementTree.SubElement(parent, tag, cleared)
    element.text = None if text is None else _text(text)
    return element


def _date(moment: datetime) -> str:
    """RFC 3339, as Atom wants it (`2026-12-05T14:00:00+00:00`)."""
    return moment.isoformat()


def feed(
    items: Sequence[Initiative],
    *,
    title: str,
    locale: str,
    filter_args: dict,
    changed: datetime,
) -> bytes:
    """The feed document; `changed` is its <updated> (see `updated`)."""
    root = ElementTree.Element("feed", {"xmlns": ATOM, XML_LANG: locale})
    self_url = absolute_url("public.feed", **filter_args)
    home = absolute_url("public.home")
    _element(root, "id", self_url)
    _element(root, "title", title)
    _element(root, "updated", _date(changed))
    author = _element(root, "author")
    _element(author, "name", "Kommunkartan")
    _element(author, "uri", home)
    _element(root, "link", href=self_url, rel="self", type="application/atom+xml")
    table = absolute_url("public.initiative_table", **filter_args, lang=locale)
    _element(root, "link", href=table, rel="alternate", type="text/html")
    _element(root, "generator", "Kommunkartan", uri=home)
    _element(root, "rights", f"{serialise.LICENCE} ({serialise.LICENCE_URL})")
    _element(
        root,
        "subtitle",
        _("The latest published AI initiatives in Swedish municipalities under these filters."),
    )
    place_scheme = home + "municipalities/"
    benefit_scheme = absolute_url("api.taxonomy_terms") + "#benefit_areas"
    for item in items:  # newest first
        entry = _element(root, "entry")
        page = absolute_url("public.initiative_page", initiative_id=item.id, lang=locale)
        _element(entry, "id", absolute_url("public.initiative_page", initiative_id=item.id))
        _element(entry, "title", item.title)
        _element(entry, "updated", _date(_utc(item.updated_at) or changed))
        _element(entry, "link", href=page, rel="alternate", type="text/html")
        places = [m.name for m in item.municipalities]
        benefits = [b.name(locale) for b in item.benefit_areas]
        lines = [item.summary] if item.summary else []
        lines.append(_("Municipalities: %(names)s", names=", ".join(places)))
        if benefits:
            lines.append(_("Benefit areas: %(names)s", names=", ".join(benefits)))
        if item.is_demo:
            lines.append(_("Example data – not a real initiative."))
        _element(entry, "summary", "\n".join(lines), type="text")
        for place in item.municipalities:
            _element(entry, "category", term=place.code, scheme=place_scheme, label=place.name)
        for benefit in item.benefit_areas:
            _element(
                entry,
                "category",
                term=benefit.slug,
                scheme=benefit_scheme,
                label=benefit.name(locale),
            )
        published = _utc(item.published_at)
        if published is not None:
            _element(entry, "published", _date(published))
    return ElementTree.tostring(root, encoding="UTF-8", xml_declaration=True)
