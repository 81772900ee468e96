"""A CSV export is kept, compressed, until the data changes: the next download of the same
selection is the same file sent from memory, a write makes it a miss, and a download that
stops half-way keeps nothing."""

import gzip

from sqlalchemy import select
from sqlalchemy.orm import Session

from kommunkarta.models import Initiative, State
from kommunkarta.services.data_io import demo, export_cache

GZIP = {"Accept-Encoding": "gzip"}


def _body(client, path: str, headers=None) -> tuple[bytes, bool, str | None]:
    """The body, whether it was written for this request (streamed: no length known in
    advance) rather than sent from a kept copy, and its encoding."""
    with client.get(path, headers=headers or {}) as response:
        assert response.status_code == 200
        written = "Content-Length" not in response.headers
        return response.data, written, response.headers.get("Content-Encoding")


def test_the_same_selection_again_is_the_same_file_from_memory(app, geo):

    with Session(app.extensions["db_engine"]) as session, session.begin():
        demo.seed(session, geo, count=30, seed_value=2)
    client = app.test_client()
    first, streamed, _ = _body(client, "/export.csv?region=01")
    assert streamed and first.startswith(b"\xef\xbb\xbf")
    packed, streamed, encoding = _body(client, "/export.csv?region=01", GZIP)
    assert (streamed, encoding) == (False, "gzip")  # the kept copy, as it was kept
    assert gzip.decompress(packed) == first
    plain, streamed, encoding = _body(client, "/export.csv?region=01")
    assert plain == first and encoding is None  # unpacked for a client without gzip
    # another selection is a file of its own
    other, streamed, _ = _body(client, "/export.csv")
    assert streamed and other != first
    # without a filter it is the lines kept per process, joined again rather than kept twice
    again, streamed, _ = _body(client, "/export.csv")
    assert streamed and again == other

    # a write makes every kept copy a miss: the next download shows it
    with Session(app.extensions["db_engine"]) as session, session.begin():
        initiative = session.scalars(
            select(Initiative).where(Initiative.state == State.PUBLISHED).order_by(Initiative.id)
        ).first()
        initiative.title = "Ändrad titel efter exporten"
    after, streamed, _ = _body(client, "/export.csv", GZIP)
    assert streamed
    assert "Ändrad titel efter exporten".encode() in gzip.decompress(after)


def test_a_download_that_stops_half_way_keeps_nothing(app, geo):

    with Session(app.extensions["db_engine"]) as session, session.begin():
        demo.seed(session, geo, count=450, seed_value=4)  # several chunks of rows
    client = app.test_client()
    with client.get("/export.csv?status=pilot", buffered=False) as response:
        next(iter(response.response))  # the first chunk only, then the client goes away
    _, streamed, _ = _body(client, "/export.csv?status=pilot")
    assert streamed  # written again, not sent from a copy


def test_kept_copies_stay_under_the_limit_least_recently_used_first(monkeypatch):
    monkeypatch.setattr(export_cache, "_kept", type(export_cache._kept)())
    monkeypatch.setattr(export_cache, "MAX_BYTES", 100)
    export_cache.keep("a", b"x" * 40)
    export_cache.keep("b", b"y" * 40)
    assert export_cache.get("a") is not None  # now the most recently used
    export_cache.keep("c", b"z" * 40)
    assert export_cache.get("b") is None
    assert export_cache.get("a") == b"x" * 40 and export_cache.get("c") == b"z" * 40
    export_cache.keep("big", b"w" * 101)
    assert export_cache.get("big") is None and export_cache.get("c") is not None


def test_a_kept_body_is_the_gzip_body_that_went_out():
    text = b"id,title\r\n" + "1,Åtgärd\r\n".encode() * 5000
    packed = gzip.compress(text)
    chunks = [packed[:100], packed[100:], b""]
    sent = list(export_cache.keeping("k-unpack", iter(chunks)))
    assert sent == chunks
    assert gzip.decompress(export_cache.get("k-unpack")) == text
