"""Token vectors: the reader's word-by-word reading, built at ingest, saved, checked on load, and fed to the ranker."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import numpy as np
import pytest

from companion.retrieval.reader import ReaderEmbedder, reader_model_dir
from companion.policy import POLICY
from companion.ranker import ranker_width
from companion.retrieval.sentences import FEATURES, READER_FEATURES, rank_sentences, sentence_features
from companion.retrieval.tokens import CHUNK, TokenVectors, best_matches, encode_rows, read_texts
from companion.retrieval.units import embedding_text, units

TEXTS = [
    "Theodore works at a company writing personalized letters for other people.",
    "Hi.",
    "good morning 🌞 ça va? <b>[bold]</b> \x1b[31m",
]


@pytest.fixture(scope="module")
def reader():
    return ReaderEmbedder(reader_model_dir())


def _decoded(codes_and_scales):
    codes, scales = codes_and_scales
    return np.asarray(codes, dtype=np.float32) * np.asarray(scales)[:, None]


def test_the_ingest_pass_and_the_numpy_reader_read_the_same_tokens(reader):
    vectors, tokens = read_texts(TEXTS, str(reader.location))
    for text, stored in zip(TEXTS, tokens.lookup(TEXTS, reader)):
        ours = reader.tokens(text)
        rows = _decoded(stored)
        assert stored[0].dtype == np.int8 and rows.shape == ours.shape and rows.shape[1] == 768
        # Kept as int8 codes: each row's cosine with itself read back stays within half a percent.
        assert np.min(np.sum(rows * ours, axis=1)) > 0.995
        assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=5e-3)
        assert np.abs(np.asarray(vectors[text]) - np.asarray(reader.embed([text])[0])).max() < 1e-4


def test_a_question_is_matched_by_its_words_that_carry_meaning(reader):
    everything = reader.tokens("what is amy's job?")
    meaning = reader.question_tokens("what is amy's job?")
    assert 0 < len(meaning) < len(everything)
    # Each kept row is one of the question's own token rows.
    assert np.abs(meaning @ everything.T).max(1) == pytest.approx(np.ones(len(meaning)), abs=1e-5)
    # A question of small words alone keeps them all rather than match on nothing.
    assert len(reader.question_tokens("what is it?")) == len(reader.tokens("what is it?"))


def test_best_matches_is_the_mean_of_each_question_rows_closest_cosine():
    question = np.eye(3, dtype=np.float32)[:2]
    first = encode_rows([[1, 0, 0], [0, 0.6, 0.8]])
    second = encode_rows([[0, 0, 1]])
    empty = encode_rows(np.zeros((0, 3)))
    assert best_matches(question, [first, empty, second]) == pytest.approx([(1 + 0.6) / 2, 0.0, 0.0], abs=5e-3)
    assert best_matches(question, []) == []
    assert best_matches(np.zeros((0, 3)), [first]) == [0.0]


def test_rows_matched_a_block_at_a_time_give_what_one_product_gives():
    rng = np.random.default_rng(1)
    rows = [encode_rows(rng.normal(size=(n, 16))) for n in (0, CHUNK - 1, CHUNK + 3, 5, 0, 2 * CHUNK + 7)]
    question = rng.normal(size=(3, 16)).astype(np.float32)
    expected = [
        float((question @ (codes * scales[:, None]).T).max(1).mean()) if len(codes) else 0.0 for codes, scales in rows
    ]
    assert best_matches(question, rows) == pytest.approx(expected, abs=1e-5)


def test_codes_keep_a_row_within_half_a_percent_and_a_zero_row_stays_zero():
    rows = np.random.default_rng(7).normal(size=(50, 768)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    codes, scales = encode_rows(rows)
    assert codes.dtype == np.int8 and np.abs(codes).max() == 127
    assert np.abs(codes * scales[:, None] - rows).max() < 0.5 * scales.max()
    zero_codes, zero_scales = encode_rows(np.zeros((1, 4)))
    assert not zero_codes.any() and np.isfinite(zero_scales).all()


def test_token_rows_round_trip_and_a_damaged_folder_is_refused(tmp_path, reader):
    _, built = read_texts(TEXTS, str(reader.location))
    folder = tmp_path / "tokens"
    built.save(folder, "digest")
    loaded = TokenVectors.load(folder, "digest")
    assert loaded is not None and len(loaded) == len(TEXTS)
    for (a, a_scales), (b, b_scales) in zip(loaded.lookup(TEXTS, reader), built.lookup(TEXTS, reader)):
        assert a.dtype == np.int8 and np.array_equal(a, b) and np.array_equal(a_scales, b_scales)
    assert TokenVectors.load(folder, "another corpus") is None
    starts = np.load(folder / "starts.npy")
    np.save(folder / "starts.npy", starts[:-1])
    assert TokenVectors.load(folder, "digest") is None
    np.save(folder / "starts.npy", starts)
    scales = np.load(folder / "scales.npy")
    np.save(folder / "scales.npy", scales[:-1])
    assert TokenVectors.load(folder, "digest") is None
    np.save(folder / "scales.npy", scales)
    assert TokenVectors.load(folder, "digest") is not None
    texts = (folder / "texts.json").read_text("utf-8")
    (folder / "texts.json").write_text('{"not": "a list"}', "utf-8")
    assert TokenVectors.load(folder, "digest") is None
    (folder / "texts.json").write_text(texts, "utf-8")
    (folder / "codes.npy").write_bytes(b"not an array")
    assert TokenVectors.load(folder, "digest") is None
    (folder / "manifest.json").unlink()
    assert TokenVectors.load(folder, "digest") is None


def test_a_text_not_built_is_read_on_demand_and_kept(reader):
    tokens = TokenVectors()
    rows = _decoded(tokens.lookup(["A sentence no ingest saw."], reader)[0])
    assert rows.shape == reader.tokens("A sentence no ingest saw.").shape
    assert len(tokens) == 1


def test_the_ranker_reads_the_word_by_word_match(retrieval):
    hits = retrieval.searcher.search("what company does theodore work for?", 8)
    pool, features = sentence_features("what company does theodore work for?", hits, retrieval.searcher.embedder,
                                       retrieval.sentences, retrieval.searcher.idf, reader=retrieval.reader)
    match = features[:, FEATURES.index("match")]
    gap = features[:, FEATURES.index("match_gap")]
    assert gap.max() == 0.0 and np.allclose(gap, match - match.max())
    best = pool[int(np.argmax(match))]
    assert "BeautifulHandwrittenLetters.com" in best[1].text(best[0].passage) or "company" in best[1].text(best[0].passage)
    # Without a reader the ranker fit without its columns reads the rest, and still ranks every sentence.
    assert ranker_width(POLICY.ranker(False)) == len(FEATURES) - READER_FEATURES
    assert ranker_width(POLICY.ranker(True)) == len(FEATURES)
    ranked = rank_sentences("what company does theodore work for?", hits, retrieval.searcher.embedder,
                            POLICY.ranker(False), retrieval.sentences, retrieval.searcher.idf)
    assert len(ranked) == len(pool)


def test_missing_or_stale_token_rows_are_read_again_with_the_index(shared_settings, tmp_path):
    from companion.retrieval.service import open_reader, open_store

    settings = replace(shared_settings, data_dir=tmp_path / "data")
    shutil.copytree(shared_settings.data_dir, settings.data_dir)
    saved = settings.data_dir / "reader-tokens"
    manifest = json.loads((saved / "manifest.json").read_text("utf-8"))
    (saved / "manifest.json").write_text(json.dumps({**manifest, "tokens": 0}), "utf-8")
    store, _ = open_store(settings)
    # Every sentence has its rows; the questions written for them are read whole only.
    sentences = {embedding_text(p, u) for p in store.all_passages() for u in units(p)}
    opened = open_reader(settings, store)
    assert opened is not None and len(opened.tokens) == len(sentences) < len(opened.vectors)
    assert json.loads((saved / "manifest.json").read_text("utf-8")) == manifest
    shutil.rmtree(saved)
    assert len(open_reader(settings, store).tokens) == len(sentences)
    assert (saved / "manifest.json").is_file()
