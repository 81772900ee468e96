"""The text side of the similarity index: Swedish-aware words and TF-IDF.

Text is case-folded into runs of letters (å, ä and ö are letters) without a short Swedish
stop-word list; long words — Swedish writes compounds as one word — also give their character
5-grams, so that "planering av hemtjänst" still meets "hemtjänstplanering" among the texts
learnt. `learn()` fits a model on the published texts and returns their rows; the model turns
new texts into rows that compare with those by a dot product. A word of a new text that no
learnt text has is left out, its 5-grams with it, as scikit-learn's fixed vocabulary did.

Counting words and weighting them is a few lines of numpy here (services.places.sparse_rows)
rather than scikit-learn's CountVectorizer and TfidfTransformer (the same arithmetic: smoothed
IDF, sublinear TF, rows of unit length): importing scikit-learn costs a serving worker some
140 MB resident, more than the rest of the similarity index together.

The postings hold every piece of every learnt text in 2 bytes: its gap, one byte, from the
text before it in the same row (a row holds one piece's texts within one block of 65,536, in
order), and how often the piece is in the text, one byte (a count of 255 or more is kept
apart). A gap over 255 is preceded by an entry of gap 255 and count 0 for each 255 it passes
over (2 % more entries at 100,000 demo texts, where 98.6 % of the gaps are under 256); such
an entry adds nothing to any score. A query works out the weight of each entry it reads from
its count, the piece's IDF and the text's length (kept per text), as learning did, and rounds
it to a step of 1/65,535 as the postings kept it before. At 100,000 texts the postings took
92 MiB of every worker as SciPy's int32 and float32, 46 MiB as 16-bit text numbers and
weights, 24 MiB as gaps and counts. They rank as the float32 ones did: of the ten most
similar initiatives to each of 1,000 demo initiatives among 100,000, 99.98 % are the same,
and the first always; gaps and counts give the very same scores as the 16-bit numbers and
weights did, for the price of some arithmetic per entry that a query reads: at 100,000 texts
a query reads some 2.4 million entries, in 18-19 ms (22 ms with uint8 and int32 index arrays,
which numpy converts to intp at every take; 6-10 ms when the 16-bit weights were kept, where
decoding the gaps alone takes 6 ms).
"""

from __future__ import annotations

import re
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sized
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kommunkarta.services.places.sparse_rows import SparseRows

PRUNE_FROM = 1_000  # from this size, terms found in over half of all initiatives are dropped:
# they say little about any one and would make every query walk most of the index
COMPOUND_FROM = 8  # words at least this long also give their character 5-grams
BLOCK = 2**16  # texts whose numbers within their block fit a uint16
LEVELS = 2**16 - 1  # a weight's steps: weight = level / LEVELS
SKIP = 255  # the gap of an entry of count 0 that only passes over texts
HEAVY = 255  # counts from this one on are kept apart from the postings' one-byte counts
# 1 + ln count, the sublinear TF of `_unit`, for the one-byte counts; 0 for a count of 0
# (and HEAVY's, which is read apart)
TF_WEIGHTS = np.r_[0.0, np.log(np.arange(1, HEAVY, dtype=np.float64)) + 1, 0.0]
CHUNK_ROWS = 2_000  # texts turned into pieces at a time while learning (each time some
# 20 MB of temporaries at 100,000 initiatives; 10,000 at a time took 130 MB more at the peak)

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


def _counts(texts: Iterable[str], vocabulary: dict[str, int], learning: bool = False) -> SparseRows:
    """texts x vocabulary: how often each word occurs in each text. Learning, every new word
    joins the vocabulary (in the order first met); otherwise unknown words are left out."""
    if learning:
        rows = (Counter(vocabulary.setdefault(w, len(vocabulary)) for w in words(t)) for t in texts)
    else:
        rows = (Counter(vocabulary[w] for w in words(t) if w in vocabulary) for t in texts)
    return _sparse(rows, vocabulary)


def _sparse(rows: Iterable[Counter[int]], columns: Sized) -> SparseRows:
    """One row per counter, its columns in order, gathered in typed arrays (a list holds a
    Python int of 28 bytes for each entry). The width is `columns`' length once every row is
    read, as reading them may add columns."""
    starts = array("q", [0])
    found = array("i")
    times = array("f")
    for counted in rows:
        ordered = sorted(counted.items())
        found.extend(column for column, _ in ordered)
        times.extend(count for _, count in ordered)
        starts.append(len(found))
    return SparseRows(
        np.frombuffer(starts, dtype=np.int64),
        np.frombuffer(found, dtype=np.int32),
        len(columns),
        np.frombuffer(times, dtype=np.float32),
    )


def _unit(
    counts: SparseRows, idf: NDArray[np.float32]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.intp]]:
    """TF-IDF of each entry, (1 + log count) x idf, the length of each row (1 for an empty
    one) and the row of each entry."""
    assert counts.values is not None
    weights = (np.log(counts.values) + 1) * idf[counts.columns]
    lengths = np.diff(counts.starts)
    row = np.repeat(np.arange(len(lengths)), lengths)
    norms = np.sqrt(np.bincount(row, weights=weights**2, minlength=len(lengths)))
    norms[norms == 0] = 1
    return weights, norms, row


def _weighted(counts: SparseRows, idf: NDArray[np.float32]) -> SparseRows:
    """TF-IDF rows of unit length: (1 + log count) x idf, each row scaled to length 1 (an
    empty row stays empty)."""
    weights, norms, row = _unit(counts, idf)
    return SparseRows(counts.starts, counts.columns, counts.width, weights / norms[row])


@dataclass(frozen=True)
class Vector:
    """A text's TF-IDF of unit length: its pieces and their weights."""

    pieces: NDArray[np.int64]
    weights: NDArray[np.float64]

    def dot(self, other: Vector) -> float:
        """The cosine of two texts of one model."""
        _, here, there = np.intersect1d(self.pieces, other.pieces, return_indices=True)
        return float(self.weights[here] @ other.weights[there])


@dataclass(frozen=True)
class TextModel:
    """TF-IDF over words and the 5-grams of long words, as learnt by `learn()`."""

    vocabulary: dict[str, int]  # word -> its row in `pieces`
    pieces: SparseRows  # words -> their pieces, but those in over half of the texts
    idf: NDArray[np.float32]  # the weight of each piece

    def vector(self, text: str) -> Vector:
        """All of a text's pieces, comparable with the learnt ones by a dot product."""
        row = _weighted(_counts([text], self.vocabulary).times(self.pieces, 0, 1), self.idf)
        assert row.values is not None
        return Vector(row.columns.astype(np.int64), row.values)


@dataclass(frozen=True)
class Postings:
    """pieces x texts, a row for each piece's texts in each block of BLOCK texts: row
    `piece * blocks + block` holds the texts `block * BLOCK + number`, ascending, as the gaps
    between their numbers (`rows.columns`, uint8: a text's number is the sum of its row's
    gaps up to its own, less one), with how often the piece is in each (`rows.values`, uint8;
    0 for an entry that only passes over SKIP texts, HEAVY for a count of HEAVY or more,
    found at its position in `heavy_at` and `heavy_counts`). `norms` holds each text's length
    as TF-IDF, by which its weights are divided to make it of unit length."""

    rows: SparseRows
    blocks: int
    texts: int
    idf: NDArray[np.float32]
    norms: NDArray[np.float64]
    heavy_at: NDArray[np.int64]
    heavy_counts: NDArray[np.float64]

    @classmethod
    def empty(cls) -> Postings:
        """Postings of no text."""
        none = np.zeros(0, dtype=np.uint8)
        rows = SparseRows(np.zeros(1, dtype=np.int64), none, BLOCK, none)
        return cls(
            rows, 1, 0, np.zeros(0, np.float32), np.zeros(0), np.zeros(0, np.int64), np.zeros(0)
        )

    def row(self, key: int) -> tuple[NDArray[np.intp], NDArray[np.float32]]:
        """The numbers within its block of the texts in row `key`, and their weights in steps
        of 1 / LEVELS (the entries of weight 0 that only pass over texts included): worked
        out as learning did, (1 + ln count) x idf / the text's length, rounded to a step."""
        piece, block = divmod(key, self.blocks)
        return self._row(key, TF_WEIGHTS * self.idf[piece], self.norms[block * BLOCK :])

    def _row(
        self, key: int, tf_idf: NDArray[np.float64], norms: NDArray[np.float64]
    ) -> tuple[NDArray[np.intp], NDArray[np.float32]]:
        """`row`, given the weight of each one-byte count in the row's piece and the lengths
        of the texts of its block. Every index array is made intp before it is read through:
        numpy's take and add.at convert any other dtype first, at some 3 ns an entry (more
        than the rest of the arithmetic together at 100,000 texts)."""
        first, last = int(self.rows.starts[key]), int(self.rows.starts[key + 1])
        assert self.rows.values is not None
        # uint16 sums, a third quicker than wider ones: a number within a block is below
        # BLOCK <= 2**16, and the one sum that wraps (2**16, for number 2**16 - 1) is
        # brought back by the wrapping subtraction
        numbers = np.cumsum(self.rows.columns[first:last], dtype=np.uint16)
        numbers -= 1
        at = numbers.astype(np.intp)
        weights = tf_idf.take(self.rows.values[first:last].astype(np.intp))
        if len(self.heavy_at):
            heavy = slice(*np.searchsorted(self.heavy_at, [first, last]))
            idf = tf_idf[1]  # 1 + ln 1 = 1 times the piece's IDF
            weights[self.heavy_at[heavy] - first] = (np.log(self.heavy_counts[heavy]) + 1) * idf
        weights /= norms.take(at)
        weights *= LEVELS
        # the steps are whole numbers below 2**16, exact in float32
        return at, np.rint(weights, out=np.empty(len(weights), np.float32), casting="same_kind")

    def scores(self, query: Vector) -> NDArray[np.float32]:
        """The query's dot product with every text: its cosine with each, a row at a time."""
        scores = np.zeros(self.blocks * BLOCK, dtype=np.float32)
        blocks = [scores[block * BLOCK : (block + 1) * BLOCK] for block in range(self.blocks)]
        norms = [self.norms[block * BLOCK :] for block in range(self.blocks)]
        for piece, weight in zip(query.pieces.tolist(), query.weights.tolist(), strict=True):
            row = piece * self.blocks
            tf_idf = TF_WEIGHTS * self.idf[piece]
            step = np.float32(weight / LEVELS)
            for block, scored in enumerate(blocks):
                numbers, levels = self._row(row + block, tf_idf, norms[block])
                levels *= step
                np.add.at(scored, numbers, levels)
        return scores[: self.texts]


def learn(texts: Iterable[str]) -> tuple[TextModel, Postings]:
    """A model of the texts and their postings, each text's TF-IDF of unit length, so that a
    query's vector (`TextModel.vector`) scored against the postings is its cosine with every
    text, reading only the rows of its own pieces. Raises ValueError if there is not one word.

    Words are counted per text as the texts come (the part done in Python; the texts need not
    all be in memory at once) and turned into pieces by a product with a words-to-pieces
    matrix, CHUNK_ROWS texts at a time: once to count the texts each piece is in (and so the
    length of each row), once to weigh them and put each chunk's entries in place, so that no
    second copy of the postings is held."""
    vocabulary: dict[str, int] = {}
    counts = _counts(texts, vocabulary, learning=True)
    if not vocabulary:
        raise ValueError("no words to learn from")
    to_pieces = _pieces_of(vocabulary)
    n = len(counts)
    blocks = max(1, -(-n // BLOCK))
    held = np.zeros(to_pieces.width * blocks, dtype=np.int64)  # texts per piece and block
    skips = np.zeros(len(held), dtype=np.int64)  # entries that only pass over texts, per row
    last = np.full(len(held), -1, dtype=np.int64)  # each row's last number so far
    for first, product in _products(counts, to_pieces):
        keys = _row_keys(product, first, blocks)
        held += np.bincount(keys, minlength=len(held))
        order, _, passed = _gaps(keys, _texts(product, first), last)
        skips += np.bincount(keys[order], weights=passed, minlength=len(held)).astype(np.int64)
    documents = held.reshape(-1, blocks).sum(axis=1)
    # from PRUNE_FROM texts on, the pieces in over half of them are dropped
    kept = documents <= n / 2 if n >= PRUNE_FROM else np.ones(to_pieces.width, dtype=bool)
    to_pieces = _only(to_pieces, kept)
    # smoothed: as if one more text held every piece once, so no piece has a zero weight
    idf = (np.log((n + 1) / (documents[kept].astype(np.float32) + 1)) + 1).astype(np.float32)
    starts = np.zeros(len(idf) * blocks + 1, dtype=np.int64)
    np.cumsum((held + skips).reshape(-1, blocks)[kept].ravel(), out=starts[1:])
    del held, skips
    gaps = np.full(starts[-1], SKIP, dtype=np.uint8)  # passing over SKIP unless written
    times = np.zeros(starts[-1], dtype=np.uint8)
    heavy_at, heavy_counts = [], []
    norms = np.ones(n, dtype=np.float64)
    filled = starts[:-1].copy()
    last = np.full(len(filled), -1, dtype=np.int64)
    for first, product in _products(counts, to_pieces):
        assert product.values is not None
        norms[first : first + len(product)] = _unit(product, idf)[1]
        keys = _row_keys(product, first, blocks)
        order, gap, passed = _gaps(keys, _texts(product, first), last)
        keys = keys[order]
        runs = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        # each entry after those that pass over the texts before it in its row
        taken = np.cumsum(passed + 1)
        before = np.repeat(taken[runs] - (passed[runs] + 1), np.diff(np.r_[runs, len(keys)]))
        at = filled[keys] + taken - before - 1
        gaps[at] = gap - SKIP * passed
        found = product.values[order]
        times[at] = np.minimum(found, HEAVY)
        heavy = found >= HEAVY
        heavy_at.append(at[heavy])
        heavy_counts.append(found[heavy])
        filled[keys[runs]] += np.add.reduceat(passed + 1, runs)
    at = np.concatenate(heavy_at)
    order = np.argsort(at)
    postings = Postings(
        SparseRows(starts, gaps, BLOCK, times),
        blocks,
        n,
        idf,
        norms,
        at[order],
        np.concatenate(heavy_counts)[order],
    )
    return TextModel(vocabulary, to_pieces, idf), postings


def _texts(product: SparseRows, first: int) -> NDArray[np.int64]:
    """The text of each entry of texts first.. x pieces."""
    return np.repeat(np.arange(first, first + len(product)), np.diff(product.starts))


def _gaps(
    keys: NDArray[np.int64], texts: NDArray[np.int64], last: NDArray[np.int64]
) -> tuple[NDArray[np.intp], NDArray[np.int64], NDArray[np.int64]]:
    """The entries of one chunk (postings row and text of each, the texts ascending from
    chunk to chunk) in the order of the postings (by row, each row's texts ascending), each
    one's gap from the text before it in its row, and how many entries of gap SKIP it needs
    before it; `last`, each row's last number within its block so far, is brought up to
    date."""
    order = np.argsort(keys, kind="stable")  # by row, each row's texts ascending
    keys = keys[order]
    numbers = texts[order] % BLOCK
    previous = np.r_[-1, numbers[:-1]]
    runs = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    previous[runs] = last[keys[runs]]
    ends = np.r_[runs[1:], len(keys)] - 1
    last[keys[ends]] = numbers[ends]
    gap = numbers - previous
    return order, gap, (gap - 1) // SKIP


def _row_keys(product: SparseRows, first: int, blocks: int) -> NDArray[np.int64]:
    """The postings row of each entry of texts first.. x pieces."""
    return product.columns.astype(np.int64) * blocks + _texts(product, first) // BLOCK


def _pieces_of(vocabulary: dict[str, int]) -> SparseRows:
    """words x pieces: how often each piece is in each word (a 5-gram may recur)."""
    columns: dict[str, int] = {}
    return _sparse(
        (Counter(columns.setdefault(p, len(columns)) for p in pieces(word)) for word in vocabulary),
        columns,
    )


def _only(matrix: SparseRows, kept: NDArray[np.bool_]) -> SparseRows:
    """The matrix with only the kept columns, numbered anew in their order."""
    assert matrix.values is not None
    new_column = np.cumsum(kept) - 1
    entries = kept[matrix.columns]
    row = np.repeat(np.arange(len(matrix)), np.diff(matrix.starts))
    starts = np.zeros(len(matrix) + 1, dtype=np.int64)
    np.cumsum(np.bincount(row[entries], minlength=len(matrix)), out=starts[1:])
    return SparseRows(
        starts,
        new_column[matrix.columns[entries]].astype(np.int32),
        int(kept.sum()),
        matrix.values[entries],
    )


def _products(counts: SparseRows, to_pieces: SparseRows) -> Iterator[tuple[int, SparseRows]]:
    """(first text, texts x pieces) for CHUNK_ROWS texts at a time."""
    for first in range(0, len(counts), CHUNK_ROWS):
        yield first, counts.times(to_pieces, first, min(first + CHUNK_ROWS, len(counts)))
