"""`GET /feed.atom`: the latest published initiatives under the filters, for feed readers."""

from __future__ import annotations

from flask import Response, request
from flask_babel import gettext as _

from kommunkarta import cache, db
from kommunkarta.i18n import select_locale
from kommunkarta.models import utcnow
from kommunkarta.public import atom, bp, selection_text
from kommunkarta.services.register import initiatives
from kommunkarta.vocabulary import selection_from_request


@bp.get("/feed.atom")
def feed():
    """Built once per filter and language until the next write; the ETag and Last-Modified
    let a feed reader poll with If-None-Match or If-Modified-Since for a 304."""
    selection = selection_from_request()
    locale = select_locale()
    session = db.session()

    def build() -> tuple[bytes, object]:
        items = initiatives.latest_published(session, selection, atom.LATEST)
        changed = atom.updated(items, utcnow())
        words = selection_text.describe(session, selection, locale)
        title = _("Kommunkartan: AI initiatives") + ("" if selection.is_empty else f" – {words}")
        body = atom.feed(
            items,
            title=title,
            locale=locale,
            filter_args=selection.to_args(),
            changed=changed,
        )
        return body, changed

    body, changed = cache.cached(session, ("feed.atom", cache.filter_key(selection), locale), build)
    response = Response(body, mimetype="application/atom+xml")
    response.last_modified = changed
    response.add_etag()
    return response.make_conditional(request)
