"""The text side of the similarity index: Swedish-aware words and TF-IDF.

Text is case-folded into runs of letters (å, ä and ö are letters) without a short Swedish
stop-word list; long words — Swedish writes compounds as one word — also give their character
5-grams, so that "planering av hemtjänst" still meets "hemtjänstplanering" among the texts
learnt. `learn()` fits a model on the published texts and returns their rows; the model turns
new texts into rows that compare with those by a dot product. A word of a new text that no
learnt text has is left out, its 5-grams with it, as scikit-learn's fixed vocabulary did.

Counting words and weighting them is a few lines of numpy and scipy.sparse here rather than
scikit-learn's CountVectorizer and TfidfTransformer (the same arithmetic: smoothed IDF,
sublinear TF, rows of unit length): importing scikit-learn costs a serving worker some 140 MB
resident, more than the rest of the similarity index together.
"""

from __future__ import annotations

import re
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

PRUNE_FROM = 1_000  # from this size, terms found in over half of all initiatives are dropped:
# they say little about any one and would make every query walk most of the index
COMPOUND_FROM = 8  # words at least this long also give their character 5-grams
CHUNK_ROWS = 10_000  # texts, and
CHUNK_ENTRIES = 1_000_000  # postings, taken a slice at a time for sums over all of them

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


def unit_rows(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """The rows of a CSR matrix scaled to unit (Euclidean) length; empty rows stay empty."""
    matrix = sparse.csr_matrix(matrix, copy=True)
    _scale_rows_to_unit(matrix)
    return matrix


def _scale_rows_to_unit(matrix: sparse.csr_matrix) -> None:
    """unit_rows in place: at 100,000 texts a copy of the rows is some 100 MB."""
    lengths = np.diff(matrix.indptr)
    filled = lengths > 0
    norms = np.ones(len(lengths), dtype=matrix.dtype)
    if filled.any():  # the sum of squares over each row that has entries
        norms[filled] = np.sqrt(np.add.reduceat(matrix.data**2, matrix.indptr[:-1][filled]))
    norms[norms == 0] = 1
    matrix.data /= np.repeat(norms, lengths)


def _counts(
    texts: Iterable[str], vocabulary: dict[str, int], learning: bool = False
) -> sparse.csr_matrix:
    """texts x vocabulary: how often each word occurs in each text. Learning, every new word
    joins the vocabulary (in the order first met); otherwise unknown words are left out.
    Gathered in typed arrays: a list holds a Python int of 28 bytes for each entry."""
    indices = array("i")
    values = array("f")
    indptr = array("i", [0])
    for text in texts:
        if learning:
            found = Counter(vocabulary.setdefault(w, len(vocabulary)) for w in words(text))
        else:
            found = Counter(vocabulary[w] for w in words(text) if w in vocabulary)
        indices.extend(found)
        values.extend(found.values())
        indptr.append(len(indices))
    matrix = sparse.csr_matrix(
        (np.frombuffer(values, dtype=np.float32), np.frombuffer(indices, dtype=np.int32), indptr),
        shape=(len(indptr) - 1, len(vocabulary)),
    )
    matrix.sort_indices()
    return matrix


def _weighted(counts: sparse.csr_matrix, idf: NDArray[np.float32]) -> sparse.csr_matrix:
    """TF-IDF rows of unit length, (1 + log count) x idf each row scaled to length 1, made in
    place of `counts` (which must be float32 and not used again)."""
    np.log(counts.data, out=counts.data)
    counts.data += 1
    counts.data *= idf[counts.indices]
    _scale_rows_to_unit(counts)
    return counts


@dataclass(frozen=True)
class TextModel:
    """TF-IDF over words and the 5-grams of long words, as learnt by `learn()`."""

    vocabulary: dict[str, int]  # word -> its column in the word counts
    pieces: sparse.csr_matrix  # words -> their pieces, but those in over half of the texts
    idf: NDArray[np.float32]  # the weight of each piece

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Rows of unit length, comparable with the learnt ones by a dot product."""
        return _weighted(sparse.csr_matrix(_counts(texts, self.vocabulary) @ self.pieces), self.idf)


def learn(texts: Iterable[str]) -> tuple[TextModel, sparse.csr_matrix]:
    """A model of the texts and their postings: pieces x texts, each text's column its TF-IDF
    of unit length, so that a query's row (`TextModel.transform`) times the postings is its
    cosine with every text, reading only the rows of its own pieces. Raises ValueError if
    there is not one word.

    Words are counted per text as the texts come (the part done in Python; the texts need not
    all be in memory at once) and turned into pieces by one sparse product with a
    words-to-pieces matrix: half the time of cutting every text into pieces. The product is
    made the postings' way round at once and weighted in place, so that at 100,000 texts
    (some 100 MB of postings) no second copy of them is held."""
    vocabulary: dict[str, int] = {}
    counts = _counts(texts, vocabulary, learning=True)
    if not vocabulary:
        raise ValueError("no words to learn from")
    columns: dict[str, int] = {}
    rows, cols = [], []
    for row, word in enumerate(vocabulary):
        for piece in pieces(word):
            rows.append(row)
            cols.append(columns.setdefault(piece, len(columns)))
    to_pieces = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)),
        shape=(counts.shape[1], len(columns)),
    )
    n = counts.shape[0]
    if n >= PRUNE_FROM:  # the pieces in at most half of the texts, counted a slice at a time
        documents = np.zeros(len(columns), dtype=np.int64)
        for first in range(0, n, CHUNK_ROWS):
            product = counts[first : first + CHUNK_ROWS] @ to_pieces
            documents += np.bincount(product.indices, minlength=len(columns))
        to_pieces = sparse.csr_matrix(to_pieces[:, np.flatnonzero(documents <= n / 2)])
    by_text = sparse.csr_matrix(counts.T)  # words x texts
    del counts
    postings = sparse.csr_matrix(to_pieces.T) @ by_text  # pieces x texts
    del by_text
    # each row is one piece, in as many texts as it has entries; smoothed: as if one more
    # text held every piece once, so no piece has a zero weight
    documents = np.diff(postings.indptr)
    idf = (np.log((n + 1) / (documents.astype(np.float32) + 1)) + 1).astype(np.float32)
    _weigh_postings(postings, idf, n)
    return TextModel(vocabulary, to_pieces, idf), postings


def _weigh_postings(postings: sparse.csr_matrix, idf: NDArray[np.float32], texts: int) -> None:
    """Counts (pieces x texts) to TF-IDF in place, each text's column of unit length; the
    sums of squares are gathered a slice of the entries at a time (float64 weights of all
    of them would be another 100 MB at 100,000 texts)."""
    data, indices = postings.data, postings.indices
    np.log(data, out=data)
    data += 1
    data *= np.repeat(idf, np.diff(postings.indptr))
    squares = np.zeros(texts)
    for first in range(0, len(data), CHUNK_ENTRIES):
        part = slice(first, first + CHUNK_ENTRIES)
        squares += np.bincount(indices[part], weights=data[part] ** 2, minlength=texts)
    norms = np.sqrt(squares).astype(np.float32)
    norms[norms == 0] = 1
    for first in range(0, len(data), CHUNK_ENTRIES):
        part = slice(first, first + CHUNK_ENTRIES)
        data[part] /= norms[indices[part]]
