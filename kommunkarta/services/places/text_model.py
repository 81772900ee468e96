"""The text side of the similarity index: Swedish-aware words and TF-IDF.

Text is case-folded into runs of letters (å, ä and ö are letters) without a short Swedish
stop-word list; long words — Swedish writes compounds as one word — also give their character
5-grams, so that "planering av hemtjänst" still meets "hemtjänstplanering". `learn()` fits a
model on the published texts and returns their rows; the model turns new texts into rows that
compare with those by a dot product.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

PRUNE_FROM = 1_000  # from this size, terms found in over half of all initiatives are dropped:
# they say little about any one and would make every query walk most of the index
COMPOUND_FROM = 8  # words at least this long also give their character 5-grams

STOP_WORDS = frozenset(
    """
    alla allt andra att av bara blev bli blir de dem den denna deras dess det detta dig din
    dina ditt du där efter eller en ett fanns finns får för från genom ha hade han har hela
    hon hos hur här i igenom in inom inte ja jag kan kommer man med mer mig min mina mitt
    mot mycket ni nu när någon något några och om oss på samt sedan sig sin sina sitt ska
    skulle som så till under upp ut utan vad var vara vi vid vilka vilken vilket än är även
    över
    """.split()
)
LETTERS = re.compile(r"[^\W\d_]{2,}")


def words(text: str) -> list[str]:
    """The case-folded words of a text, stop words left out."""
    return [w for w in LETTERS.findall(text.casefold()) if w not in STOP_WORDS]


def pieces(word: str) -> tuple[str, ...]:
    """A word and, if it is long enough to be a compound, its character 5-grams."""
    if len(word) < COMPOUND_FROM:
        return (word,)
    marked = f"<{word}>"
    return (word, *(marked[i : i + 5] for i in range(len(marked) - 4)))


def document(title: str, summary: str | None, description: str | None) -> str:
    return "\n".join((title, title, summary or "", description or ""))


@dataclass(frozen=True)
class TextModel:
    """TF-IDF over words and the 5-grams of long words, as learnt by `learn()`."""

    words: CountVectorizer  # text -> word counts
    pieces: sparse.csr_matrix  # words -> their pieces
    keep: np.ndarray  # the pieces kept (the others are in over half of the texts)
    tfidf: TfidfTransformer

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Rows of unit length, comparable with the learnt ones by a dot product."""
        return self.tfidf.transform((self.words.transform(texts) @ self.pieces)[:, self.keep])


def learn(texts: Sequence[str]) -> tuple[TextModel, sparse.csr_matrix]:
    """A model of the texts and their rows; raises ValueError if there is not one word.

    Words are counted per text (the part done in Python) and turned into pieces by one sparse
    product with a words-to-pieces matrix: half the time of cutting every text into pieces."""
    counter = CountVectorizer(analyzer=words, dtype=np.float32)
    counts = counter.fit_transform(texts)
    columns: dict[str, int] = {}
    rows, cols = [], []
    for row, word in enumerate(counter.get_feature_names_out()):
        for piece in pieces(word):
            rows.append(row)
            cols.append(columns.setdefault(piece, len(columns)))
    to_pieces = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)),
        shape=(counts.shape[1], len(columns)),
    )
    counts = counts @ to_pieces
    if len(texts) >= PRUNE_FROM:
        keep = np.flatnonzero(np.diff(counts.tocsc().indptr) <= len(texts) / 2)
    else:
        keep = np.arange(counts.shape[1])
    tfidf = TfidfTransformer(sublinear_tf=True)
    matrix = tfidf.fit_transform(counts[:, keep])
    return TextModel(counter, to_pieces, keep, tfidf), matrix
