"""The request's filter, parsed once with the taxonomy and codes known to the database."""

from flask import g, request

from kommunkarta import cache, db
from kommunkarta.filters import InitiativeFilter, Vocabulary


def vocabulary() -> Vocabulary:
    """The taxonomy's slugs and the place codes, loaded once per data version."""
    if "vocabulary" not in g:
        session = db.session()
        g.vocabulary = cache.cached(
            session, "vocabulary", lambda: Vocabulary.load(session), reference=True
        )
    return g.vocabulary


def selection_from_request() -> InitiativeFilter:
    """The filter of the current request; raises InvalidField (-> 400) for a bad value."""
    return InitiativeFilter.from_args(request.args, vocabulary())
