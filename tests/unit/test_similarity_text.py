"""Swedish-aware text features of the similarity index, without a database."""

import numpy as np
import pytest

from kommunkarta.services.places import text_model
from kommunkarta.services.places.sparse_rows import SparseRows
from kommunkarta.services.places.text_model import learn, pieces, words


def test_words_are_case_folded_letters_without_stop_words():
    assert words("Chattbot för ÄLDREOMSORGEN i Göteborg, 2024 och AI-stöd!") == [
        "chattbot",
        "äldreomsorgen",
        "göteborg",
        "ai",
        "stöd",
    ]


def test_long_words_also_give_their_character_grams():
    assert pieces("ai") == ("ai",)
    assert pieces("chattbot")[:3] == ("chattbot", "<chat", "chatt")
    assert "tjäns" in pieces("hemtjänstplanering")


def cosine(model, a, b):
    return model.vector(a).dot(model.vector(b))


CORPUS = [
    "Chattbot som svarar invånare om bygglov dygnet runt",
    "Chattbot som svarar invånarna om bygglov hela dygnet",
    "Prognoser för snöröjning av kommunens vägar",
    "Planering av hemtjänst med optimering av körrutter",
    "Hemtjänstplanering med optimerade körrutter",
    "Bildanalys av skador på broar och vägar",
]


@pytest.fixture(scope="module")
def model():
    return learn(CORPUS)[0]


def test_near_duplicates_are_close_and_unrelated_texts_far(model):
    near = cosine(model, CORPUS[0], CORPUS[1])
    unrelated = cosine(model, CORPUS[0], CORPUS[2])
    assert near > 0.6
    assert unrelated == pytest.approx(0.0, abs=1e-6)


def test_a_compound_meets_its_parts(model):
    """'Hemtjänstplanering' shares character grams with 'planering av hemtjänst'."""
    assert cosine(model, CORPUS[3], CORPUS[4]) > cosine(model, CORPUS[3], CORPUS[5]) + 0.2


def dense(postings):
    """texts x pieces of the postings, as weights."""
    rows = len(postings.rows.starts) - 1
    out = np.zeros((postings.texts, rows // postings.blocks))
    for key in range(rows):
        piece, block = divmod(key, postings.blocks)
        numbers, levels = postings.row(key)
        out[block * text_model.BLOCK + numbers, piece] = levels / text_model.LEVELS
    return out


def test_the_postings_score_each_text_by_its_cosine_with_a_query(model):
    """A text's score is its cosine with the query, each text's own score 1 (unit length),
    to the precision of the weights' steps."""
    _, postings = learn(CORPUS)
    for text in CORPUS:
        expected = [cosine(model, text, other) for other in CORPUS]
        assert np.allclose(postings.scores(model.vector(text)), expected, atol=1e-4)
    assert np.allclose(np.linalg.norm(dense(postings), axis=1), 1.0, atol=1e-4)


def test_texts_past_the_first_block_score_as_in_it(monkeypatch):
    """With blocks of two texts (numbers within a block of 65,536 at scale), the same
    scores."""
    model, whole = learn(CORPUS)
    expected = [whole.scores(model.vector(text)) for text in CORPUS]
    monkeypatch.setattr(text_model, "BLOCK", 2)
    model, blocked = learn(CORPUS)
    assert blocked.blocks == 3
    for text, scores in zip(CORPUS, expected, strict=True):
        assert np.array_equal(blocked.scores(model.vector(text)), scores)


def test_texts_far_apart_in_a_row_score_as_near_ones(monkeypatch):
    """A row's texts are kept as one-byte gaps and counts: texts more than 255 apart are
    reached through entries of weight 0, over several chunks of learning, and a count over 255
    is kept apart, with the same scores as cosines."""
    monkeypatch.setattr(text_model, "CHUNK_ROWS", 64)
    rare = {0: "sällsynt", 1: "sällsynt", 300: "sällsynt ord", 699: "sällsynt", 1000: "ord"}
    rare[7] = "ord " + "upprepad " * 300  # a count over what one byte holds
    texts = [rare.get(i, f"text nummer {'x' * (i % 9 + 2)}") for i in range(1001)]
    model, postings = learn(texts)
    assert postings.rows.columns.dtype == postings.rows.values.dtype == np.uint8
    assert (postings.rows.values == 0).any()  # entries that only pass over texts
    assert postings.heavy_counts.tolist() == [300.0] * len(postings.heavy_counts)
    for query in ("sällsynt", "ord", "sällsynt ord", "upprepad", "ord upprepad"):
        scores = postings.scores(model.vector(query))
        expected = [cosine(model, query, text) for text in texts]
        assert np.allclose(scores, expected, atol=1e-4)
    found = np.flatnonzero(postings.scores(model.vector("sällsynt")))
    assert found.tolist() == [0, 1, 300, 699]


def test_common_pieces_are_dropped_from_a_thousand_texts_on():
    texts = [f"chattbot nummer {'x' * (i % 7 + 2)}" for i in range(1000)]
    model, _ = learn(texts)
    assert len(model.vector("chattbot").pieces) == 0  # in every text
    assert len(model.vector("xxxxxxxx").pieces) > 0  # in one text of seven


def test_a_text_without_words_has_no_model():
    with pytest.raises(ValueError):
        learn(["och i på", "2024"])


def test_weights_are_sublinear_tf_times_smoothed_idf_of_unit_length():
    """The weighting written out by hand for a corpus of short words (no 5-grams): a word's
    weight in a text is (1 + ln count) × (1 + ln((n + 1) / (texts with it + 1))), and each
    row is scaled to length 1; a word no text had is left out of a new text's row."""
    texts = ["bot bot bot väg", "väg bro", "bro bro katt"]
    model, postings = learn(texts)
    vocabulary = sorted({w for text in texts for w in words(text)})
    n = len(texts)

    def row(text):
        counts = {w: words(text).count(w) for w in vocabulary}
        weights = np.array(
            [
                (1 + np.log(counts[w]))
                * (1 + np.log((n + 1) / (1 + sum(w in words(t) for t in texts))))
                if counts[w]
                else 0.0
                for w in vocabulary
            ]
        )
        return weights / np.linalg.norm(weights)

    columns = {
        w: model.pieces.columns[model.pieces.starts[model.vocabulary[w]]] for w in vocabulary
    }

    def by_word(rows):
        return np.array([[r[columns[w]] for w in vocabulary] for r in rows])

    query = model.vector("bro väg okänd")
    weights = np.zeros(len(model.idf))
    weights[query.pieces] = query.weights
    step = 1 / text_model.LEVELS
    assert np.allclose(by_word(dense(postings)), [row(t) for t in texts], atol=step)
    assert np.allclose(by_word([weights]), [row("bro väg")], atol=1e-6)


def test_a_product_of_sparse_rows_is_the_dense_product():
    rng = np.random.default_rng(19)
    a = rng.integers(0, 3, size=(7, 5)) * (rng.random((7, 5)) < 0.5)
    b = rng.integers(0, 3, size=(5, 6)) * (rng.random((5, 6)) < 0.5)

    def sparse(matrix):
        rows, columns = np.nonzero(matrix)
        return SparseRows.from_entries(
            rows, columns, matrix.shape[0], matrix.shape[1], matrix[rows, columns]
        )

    product = sparse(a).times(sparse(b), 2, 6)
    got = np.zeros((4, 6))
    for row in range(4):
        part = slice(product.starts[row], product.starts[row + 1])
        got[row, product.columns[part]] = product.values[part]
    assert np.array_equal(got, (a @ b)[2:6])
    assert np.array_equal(sparse(b).any_of(np.array([0, 3])), (b[[0, 3]] != 0).any(axis=0))
    assert np.allclose(
        sparse(b).weighted_sum(np.array([1, 4]), np.array([0.5, 2.0])),
        0.5 * b[1] + 2.0 * b[4],
    )


def reference_scores(postings, query):
    """The scores as 3459b97 worked them out, a row at a time: int64 numbers from the gaps,
    each weight (1 + ln count) x idf / the text's length in steps of 1 / LEVELS, and float32
    products added to the texts in the order of the query's pieces."""
    scores = np.zeros(postings.blocks * text_model.BLOCK, dtype=np.float32)
    for piece, weight in zip(query.pieces.tolist(), query.weights.tolist(), strict=True):
        idf = postings.idf[piece]
        for block in range(postings.blocks):
            key = piece * postings.blocks + block
            first, last = int(postings.rows.starts[key]), int(postings.rows.starts[key + 1])
            numbers = np.cumsum(postings.rows.columns[first:last], dtype=np.int64) - 1
            weights = np.take(text_model.TF_WEIGHTS * idf, postings.rows.values[first:last])
            heavy = slice(*np.searchsorted(postings.heavy_at, [first, last]))
            counted = np.log(postings.heavy_counts[heavy]) + 1
            weights[postings.heavy_at[heavy] - first] = counted * idf
            weights /= postings.norms[block * text_model.BLOCK + numbers]
            levels = np.rint(weights * text_model.LEVELS)
            products = np.multiply(levels, weight / text_model.LEVELS, dtype=np.float32)
            np.add.at(scores, block * text_model.BLOCK + numbers, products)
    return scores[: postings.texts]


def test_texts_at_a_blocks_end_score_as_the_reference_to_the_bit():
    """A query's scores are the very ones of the reference, down to the last bit, also for
    the last text of a block, number 65,535, whose sum of gaps (65,536) does not fit the
    uint16 sums that a query decodes its rows with, for texts of counts over 255 and for the
    first text of the next block."""
    special = {
        0: "sällsynt ord",
        1: "ord " + "upprepad " * 300,
        65_534: "sällsynt",
        65_535: "sällsynt ord upprepad",
        65_536: "sällsynt ord",
    }
    texts = [special.get(i, f"text {'x' * (i % 9 + 2)} {i % 97}") for i in range(65_537)]
    model, postings = learn(texts)
    assert postings.blocks == 2
    found = np.flatnonzero(postings.scores(model.vector("sällsynt")))
    assert found.tolist() == [0, 65_534, 65_535, 65_536]
    for query in ("sällsynt", "sällsynt ord", "ord upprepad", texts[65_535], "text xxx 5"):
        vector = model.vector(query)
        assert postings.scores(vector).tobytes() == reference_scores(postings, vector).tobytes()
