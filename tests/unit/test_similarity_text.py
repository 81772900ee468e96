"""Swedish-aware text features of the similarity index, without a database."""

import numpy as np
import pytest

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
    rows = model.transform([a, b])
    return float((rows[0] @ rows[1].T).toarray()[0, 0])


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


def test_the_postings_hold_the_transformed_texts_of_unit_length(model):
    _, postings = learn(CORPUS)
    rows = model.transform(CORPUS)
    assert np.allclose(postings.T.toarray(), rows.toarray())
    assert np.allclose(np.sqrt(rows.multiply(rows).sum(axis=1)), 1.0)


def test_common_pieces_are_dropped_from_a_thousand_texts_on():
    texts = [f"chattbot nummer {'x' * (i % 7 + 2)}" for i in range(1000)]
    model, _ = learn(texts)
    assert model.transform(["chattbot"]).nnz == 0  # in every text
    assert model.transform(["xxxxxxxx"]).nnz > 0  # in one text of seven


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

    def by_word(matrix):
        columns = {w: model.pieces[model.vocabulary[w]].indices[0] for w in vocabulary}
        dense = matrix.toarray()
        return np.array([[r[columns[w]] for w in vocabulary] for r in dense])

    assert np.allclose(by_word(postings.T), [row(t) for t in texts], atol=1e-6)
    assert np.allclose(by_word(model.transform(["bro väg okänd"])), [row("bro väg")], atol=1e-6)
