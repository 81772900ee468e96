"""The request's filter, parsed once with the taxonomy and codes known to the database."""

from flask import g, request

from kommunkarta import db
from kommunkarta.filters import InitiativeFilter, Vocabulary


def vocabulary() -> Vocabulary:
    if "vocabulary" not in g:
        g.vocabulary = Vocabulary.load(db.session())
    return g.vocabulary


def selection_from_request() -> InitiativeFilter:
    """The filter of the current request; raises FilterError (-> 400) for a bad value."""
    return InitiativeFilter.from_args(request.args, vocabulary())
