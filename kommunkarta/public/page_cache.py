"""Rendered map pages kept in each process for visitors who are not signed in, until the
next write to public data.

Under load two thirds of a warm map page's time went into rendering its template and
building its filter form, although for a visitor without a session the page is the same
bytes for everyone who asks with the same query string and language, until the data
changes. What the page depends on, and how this cache accounts for it:

- the data (counts, taxonomy, years, the demo notice): the data version token of
  `kommunkarta.cache`, read in the request's own transaction before the page is rendered.
  A write anywhere gives a new token; pages kept under the old one are never served again
  and are dropped when the first page under the new token is kept. A request whose
  transaction began before the write may finish after that: its page, older by the serial
  of the version it read (`cache.serial`), is not kept and drops nothing.
- the query string as sent (filters, level, view, measure, lang; the footer's download
  links and the language switch also carry parameters the page does not read) and the
  script root the links start from: both in the key.
- the language: from `lang` or the language cookie, in the key. The response says
  `Vary: Cookie`, so that a shared cache does not give one language's page to another.
- the visitor: a request with any cookie but the language one (a session that may name an
  account, hold flashed messages or a CSRF token; a remember-me cookie) is rendered as
  usual and not kept, and so is a render that wrote to the session, made a CSRF token or
  answered other than 200 (an invalid filter's inline 400).
- the Content-Security-Policy nonce, new for every response: the kept page has a slot
  where the nonce was, filled with this response's nonce. The slot is random per process,
  so nothing a visitor types can look like it.
- the configuration (tiles, asset URLs): one cache per app.

Pages that depend on the time of day (the coverage view's states) are not for this cache;
the caller decides.

The cache is bounded by the memory its pages take (MAX_BYTES, least recently used first
out), so that a crawler trying every filter cannot grow a worker.

Right after a write the page is built again, but most of it does not depend on the
initiatives: only the counts in the map's settings, the summary line and the measure's note
do. `filled` keeps each page's shell — the page rendered with a slot where each of those
values goes — until the next write that is not only about named initiatives (the reference
token), and fills the slots with the new values, as the template would have written them.
What else of the data the page shows (whether demo data is shown, the years' range) is in
the shell's key, so a shell is never filled for another state of those.
"""

from __future__ import annotations

import secrets
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping

from flask import Response, current_app, g, make_response, request, session
from flask_login import current_user
from markupsafe import Markup, escape

from kommunkarta import cache, db, i18n
from kommunkarta.security import csp_nonce

MAX_BYTES = 8 * 1024 * 1024  # about 200 map pages (a page with a "–" takes 2 bytes a character)
SHELL_BYTES = MAX_BYTES // 2  # shells outlive a write: fewer of them
EXTENSION = "kommunkarta.page_cache"
SHELLS = "kommunkarta.page_shells"
# where the nonce goes into a kept page; random, so no visitor's text can contain it
SLOT = "kommunkarta-nonce-" + secrets.token_hex(16)
# where a value goes into a kept shell (with the value's name in it); random, as SLOT
VALUE_SLOT = "kommunkarta-value-" + secrets.token_hex(16) + "-{}-"


class PageCache:
    """Pages under one data version token, least recently used first, and the highest serial
    that token was read at (None on a schema without serials)."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.token: str | None = None
        self.serial: int | None = None
        self.pages: OrderedDict[Hashable, str] = OrderedDict()
        self.bytes = 0
        self.lock = threading.Lock()

    def get(self, token: str, key: Hashable) -> str | None:
        with self.lock:
            if token != self.token or key not in self.pages:
                return None
            self.pages.move_to_end(key)
            return self.pages[key]

    def put(self, token: str, key: Hashable, page: str, serial: int | None = None) -> None:
        """Keep `page`, read at `token` and `serial`: under a new token, in place of every
        page kept, unless the serial is older than the kept pages' (a reader from before
        the write that gave their token, whose page no later reader can be served)."""
        if sys.getsizeof(page) > self.max_bytes:
            return
        with self.lock:
            if token != self.token:
                if serial is not None and self.serial is not None and serial < self.serial:
                    return
                self.pages.clear()  # a write since: no page kept under the old token can serve
                self.bytes = 0
                self.token = token
                self.serial = serial
            elif serial is not None and (self.serial is None or serial > self.serial):
                self.serial = serial
            previous = self.pages.pop(key, None)
            if previous is not None:
                self.bytes -= sys.getsizeof(previous)
            self.pages[key] = page
            self.bytes += sys.getsizeof(page)
            while self.bytes > self.max_bytes:
                _, dropped = self.pages.popitem(last=False)
                self.bytes -= sys.getsizeof(dropped)


def _cache(name: str = EXTENSION, max_bytes: int = MAX_BYTES) -> PageCache:
    pages = current_app.extensions.get(name)
    if pages is None:  # the first request of the app (a lost race costs one page)
        pages = current_app.extensions[name] = PageCache(max_bytes)
    return pages


def _anonymous_request() -> bool:
    """Whether the request carries nothing of one visitor's own: no cookie but the
    language's."""
    return all(name == i18n.COOKIE for name in request.cookies)


def _rendered_for_anyone() -> bool:
    """Whether the page just rendered holds nothing of one visitor's own."""
    return (
        not session.modified
        and not session
        and "csrf_token" not in g
        and not current_user.is_authenticated
    )


def serve(render: Callable[[], tuple[str, int]]) -> Response | tuple[str, int]:
    """`render()`'s page and status, or the same page kept from an earlier request (with
    this response's nonce) when the request is anonymous and the data unchanged."""
    if not _anonymous_request():
        return render()
    data = db.session()
    token = cache.version(data)
    if token is None or cache.writing(data):
        return render()
    key = (request.script_root, request.query_string, i18n.select_locale())
    pages = _cache()
    nonce = csp_nonce()
    kept = pages.get(token, key)
    if kept is not None:
        response = make_response(kept.replace(SLOT, nonce))
        response.vary.add("Cookie")  # what a render adds by reading the (empty) session
        return response
    page, status = render()
    if status == 200 and _rendered_for_anyone():
        pages.put(token, key, page.replace(nonce, SLOT), cache.serial(data))
    return page, status


def filled(
    shape: Hashable, render: Callable[[Mapping[str, object]], str], values: Mapping[str, object]
) -> str:
    """`render(values)`: the page as the template writes it with these values. For an
    anonymous request, the page is rendered once per reference token, request and `shape`
    (whatever else of the data the page shows) with a slot for each value, and kept; later
    requests fill the kept shell's slots with their own values. The template may write
    the values and test whether they are empty, nothing more: an empty value is rendered as
    it is, and which are empty is in the key."""
    data = db.session()
    token = cache.reference_version(data)
    if token is None or not _anonymous_request() or cache.writing(data):
        return render(values)
    empty = tuple(name for name, value in values.items() if not value)
    key = (request.script_root, request.query_string, i18n.select_locale(), shape, empty)
    shells = _cache(SHELLS, SHELL_BYTES)
    nonce = csp_nonce()
    shell = shells.get(token, key)
    if shell is None:
        slots = {
            name: Markup(VALUE_SLOT.format(name)) if value else value
            for name, value in values.items()
        }
        shell = render(slots).replace(nonce, SLOT)
        if _rendered_for_anyone():
            shells.put(token, key, shell, cache.serial(data))
    page = shell.replace(SLOT, nonce)
    for name, value in values.items():
        if value:
            page = page.replace(VALUE_SLOT.format(name), str(escape(value)))
    return page
