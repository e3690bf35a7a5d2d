"""The map from a question to the sentence answering it, fit on the written questions, kept and read as ranker columns."""

from __future__ import annotations

import numpy as np
import pytest

from companion.asked import AskedQuestions
from companion.retrieval.adapter import AdapterSettings, QueryAdapter, fit_adapter
from companion.retrieval.sentence_vectors import ADAPTER_FILE, SentenceVectors, asked_pairs
from companion.retrieval.sentences import FEATURES, READER_FEATURES, sentence_features
from companion.retrieval.units import units
from companion.types import Hit, Passage
from tests.fakes import BagOfWords

SETTINGS = AdapterSettings(steps=200, rate=0.01, sharpness=20.0, pull=0.0001)


def _unit_rows(matrix):
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def _turned_pairs(seed: int = 0):
    """Return sentences, and questions that sit near a turned copy of their sentence rather than the sentence."""
    rng = np.random.default_rng(seed)
    sentences = _unit_rows(rng.normal(size=(12, 8)))
    turn, _ = np.linalg.qr(rng.normal(size=(8, 8)))
    answers = [i % 12 for i in range(48)]
    questions = _unit_rows(sentences[answers] @ turn + 0.05 * rng.normal(size=(48, 8)))
    return questions, sentences, answers


def _own_first(questions, sentences, answers, adapter: QueryAdapter | None = None) -> int:
    moved = questions if adapter is None else np.asarray([adapter.adapt(q) for q in questions])
    return int(sum(int(np.argmax(sentences @ q)) == a for q, a in zip(moved, answers)))


def test_the_map_moves_questions_to_the_sentences_they_were_written_for():
    questions, sentences, answers = _turned_pairs()
    adapter = fit_adapter(questions, sentences, answers, SETTINGS)
    assert adapter is not None and adapter.matrix.shape == (8, 8)
    assert _own_first(questions, sentences, answers) < 24
    assert _own_first(questions, sentences, answers, adapter) == 48
    # A question written like the others but never seen is moved the same way.
    unseen, _, _ = _turned_pairs(seed=0)
    fresh = _unit_rows(unseen + 0.05 * np.random.default_rng(1).normal(size=unseen.shape))
    assert _own_first(fresh, sentences, answers, adapter) > _own_first(fresh, sentences, answers)


def test_the_fit_is_the_same_every_time_and_a_moved_question_has_unit_length():
    questions, sentences, answers = _turned_pairs()
    one, two = (fit_adapter(questions, sentences, answers, SETTINGS) for _ in range(2))
    assert np.array_equal(one.matrix, two.matrix)
    assert np.linalg.norm(one.adapt(questions[0])) == pytest.approx(1.0, abs=1e-5)


def test_the_pull_holds_the_map_near_the_identity():
    questions, sentences, answers = _turned_pairs()
    loose = fit_adapter(questions, sentences, answers, SETTINGS)
    held = fit_adapter(questions, sentences, answers, AdapterSettings(200, 0.01, 20.0, pull=10.0))
    assert np.abs(held.matrix - np.eye(8)).max() < np.abs(loose.matrix - np.eye(8)).max()


@pytest.mark.parametrize("count", [0, 1])
def test_no_map_without_two_sentences_to_tell_apart(count):
    questions, sentences, answers = _turned_pairs()
    assert fit_adapter(questions[:count], sentences[:count], answers[:count], SETTINGS) is None


TEXT = "Theodore writes intimate letters for strangers at a company downtown. The office is quiet and warm."
PASSAGE = Passage(id="letters:1", essay_id="letters", n=1, title="Letters", author=None, text=TEXT, start=0, end=len(TEXT))
ASKED = AskedQuestions({
    ("letters", "The office is quiet and warm."): ("what is his workplace like?", "is the office loud?"),
    ("letters", "Theodore writes intimate letters for strangers at a company downtown."): ("what is his job?",),
})


def test_the_written_questions_pair_with_their_sentences_own_words():
    assert sorted(asked_pairs([PASSAGE], ASKED)) == [
        ("is the office loud?", "The office is quiet and warm."),
        ("what is his job?", "Theodore writes intimate letters for strangers at a company downtown."),
        ("what is his workplace like?", "The office is quiet and warm."),
    ]


def test_the_map_is_fit_with_the_vectors_saved_beside_them_and_read_back(tmp_path):
    built = SentenceVectors.build([PASSAGE], BagOfWords(), ASKED, SETTINGS)
    assert built.adapter is not None
    built.save(tmp_path / "sentences", "digest")
    loaded = SentenceVectors.load(tmp_path / "sentences", "digest", ASKED)
    assert np.array_equal(loaded.adapter.matrix, built.adapter.matrix)
    assert SentenceVectors.load(tmp_path / "sentences", "another digest", ASKED) is None
    # Without settings (the reader's vectors) nothing is fit, and the folder reads back without a map.
    plain = SentenceVectors.build([PASSAGE], BagOfWords(), ASKED)
    plain.save(tmp_path / "plain", "digest")
    assert plain.adapter is None and SentenceVectors.load(tmp_path / "plain", "digest", ASKED).adapter is None


@pytest.mark.parametrize("damage", ["missing", "garbled", "wrong shape"])
def test_a_damaged_map_makes_the_folder_stale(tmp_path, damage):
    SentenceVectors.build([PASSAGE], BagOfWords(), ASKED, SETTINGS).save(tmp_path, "digest")
    path = tmp_path / ADAPTER_FILE
    if damage == "missing":
        path.unlink()
    elif damage == "garbled":
        path.write_bytes(b"not an array")
    else:
        np.save(path, np.eye(3, dtype=np.float32))
    assert SentenceVectors.load(tmp_path, "digest", ASKED) is None


def test_the_ranker_reads_the_moved_questions_cosine_and_its_gap():
    embedder = BagOfWords()
    hits = [Hit(passage=PASSAGE, rank=1, score=1.0, dense=0.5, lexical=1.0)]
    question = "what is the office like?"
    column, gap, cosine = FEATURES.index("adapted"), FEATURES.index("adapted_gap"), FEATURES.index("cosine")
    _, plain = sentence_features(question, hits, embedder, SentenceVectors(asked=ASKED))
    assert plain.shape == (len(units(PASSAGE)), len(FEATURES) - READER_FEATURES)
    # Without a map the column is the sentence's own cosine.
    assert plain[:, column].tolist() == pytest.approx(plain[:, cosine].tolist())
    built = SentenceVectors.build([PASSAGE], embedder, ASKED, SETTINGS)
    _, found = sentence_features(question, hits, embedder, built)
    query = np.asarray(embedder.embed([question])[0], dtype=np.float32)
    expected = built.lookup([u.text(PASSAGE) for u in units(PASSAGE)], embedder) @ built.adapter.adapt(query)
    assert found[:, column].tolist() == pytest.approx(expected.tolist(), abs=1e-5)
    assert found[:, gap].tolist() == pytest.approx((expected - expected.max()).tolist(), abs=1e-5)
