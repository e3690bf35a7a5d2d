"""The reader model: unpacked from its packages, run with numpy for questions, and its cosine fed to the ranker."""

from __future__ import annotations

import importlib.metadata
import shutil

import numpy as np
import pytest

from companion.errors import ModelError
from companion.retrieval import reader as reader_module
from companion.retrieval.reader import PARTS, ReaderEmbedder, reader_model_dir
from companion.passages import normalize_space
from companion.retrieval.sentence_vectors import asked_pairs
from companion.retrieval.sentences import FEATURES, READER_FEATURES, sentence_features
from companion.retrieval.units import embedding_text, units

QUESTIONS = [
    "who plays theodore?",
    "What did the critics think of the ending, and of Samantha's voice?",
    "good morning 🌞 ça va? <b>[bold]</b> \x1b[31m",
    "x",
]


@pytest.fixture(scope="module")
def model_dir():
    return reader_model_dir()


def test_the_numpy_reader_matches_sentence_transformers(model_dir):
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(model_dir), device="cpu").encode(QUESTIONS, normalize_embeddings=True)
    ours = np.asarray(ReaderEmbedder(model_dir).embed(QUESTIONS))
    assert ours.shape == reference.shape == (len(QUESTIONS), 768)
    assert np.abs(ours - reference).max() < 1e-4


@pytest.fixture
def cache(tmp_path):
    """A model cache of the test's own, removed afterwards: each unpacked copy is 420 MB."""
    folder = tmp_path / "cache"
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_unpacking_happens_once_and_a_damaged_copy_is_unpacked_again(cache):
    first = reader_model_dir(cache)
    stamp = (first / "model.safetensors").stat().st_mtime_ns
    assert reader_model_dir(cache) == first
    assert (first / "model.safetensors").stat().st_mtime_ns == stamp
    (first / "tokenizer.json").unlink()
    again = reader_model_dir(cache)
    assert (again / "tokenizer.json").is_file()
    assert [p.name for p in cache.iterdir() if p.name.startswith(".unpacking")] == []


def test_a_missing_piece_names_the_package_and_the_fix(tmp_path, monkeypatch):
    real = importlib.metadata.distribution

    def without_third(name):
        if name == PARTS[2]:
            raise importlib.metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(reader_module.importlib.metadata, "distribution", without_third)
    with pytest.raises(ModelError, match=rf"{PARTS[2]} is not installed: run `make setup`"):
        reader_model_dir(tmp_path)


def test_an_unwritable_cache_says_which_variable_moves_it(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    with pytest.raises(ModelError, match="COMPANION_MODEL_CACHE"):
        reader_model_dir(blocked / "models")


def test_the_ranker_reads_the_reader_column(retrieval):
    hits = retrieval.searcher.search("who plays Theodore?", 5)
    assert retrieval.reader is not None
    pool, with_reader = sentence_features("who plays Theodore?", hits, retrieval.searcher.embedder,
                                          retrieval.sentences, retrieval.searcher.idf, reader=retrieval.reader)
    _, without = sentence_features("who plays Theodore?", hits, retrieval.searcher.embedder,
                                   retrieval.sentences, retrieval.searcher.idf)
    column = FEATURES.index("reader")
    assert with_reader.shape == (len(pool), len(FEATURES))
    # Without a reader its columns are left out and the rest are the same; with it, MPNet's own reading differs.
    assert without.shape == (len(pool), len(FEATURES) - READER_FEATURES)
    assert np.array_equal(with_reader[:, : without.shape[1]], without)
    assert not np.allclose(with_reader[:, column], with_reader[:, 0])
    gap = with_reader[:, FEATURES.index("reader_gap")]
    assert gap.max() == 0.0 and np.allclose(gap, with_reader[:, column] - with_reader[:, column].max())
    credited = next(i for i, (hit, unit) in enumerate(pool) if "Joaquin Phoenix" in unit.text(hit.passage))
    assert with_reader[credited, column] > np.median(with_reader[:, column])
    # The question moved by the reader's own map meets each sentence as MPNet reads it.
    texts = [embedding_text(hit.passage, unit) for hit, unit in pool]
    query = np.asarray(retrieval.reader.embedder.embed(["who plays Theodore?"])[0], dtype=np.float32)
    moved = retrieval.reader.vectors.lookup(texts, retrieval.reader.embedder) @ retrieval.reader.vectors.adapted(query)
    adapted = with_reader[:, FEATURES.index("reader_adapted")]
    assert adapted.tolist() == pytest.approx(moved.tolist(), abs=1e-5)
    assert not np.allclose(adapted, with_reader[:, column])
    assert with_reader[:, FEATURES.index("reader_adapted_gap")].tolist() == pytest.approx((adapted - adapted.max()).tolist())


def test_the_reader_keeps_a_map_the_written_questions_taught(retrieval):
    reader = retrieval.reader
    assert reader.vectors.adapter is not None and reader.vectors.adapter.matrix.shape == (768, 768)
    pairs = asked_pairs(retrieval.store.all_passages(), retrieval.sentences.asked)
    sentences = sorted({s for _, s in pairs})
    own = np.array([sentences.index(s) for _, s in pairs])
    # The written questions were read at ingest: looking them up embeds nothing.
    questions = reader.vectors.lookup([q for q, _ in pairs], reader.embedder)
    found = reader.vectors.lookup(sentences, reader.embedder)
    plain = (np.argmax(questions @ found.T, axis=1) == own).mean()
    moved = (np.argmax(np.stack([reader.vectors.adapted(q) for q in questions]) @ found.T, axis=1) == own).mean()
    assert moved > plain + 0.05


def test_the_readers_map_is_read_from_the_questions_and_only_sentences_are_read_by_token(retrieval):
    from companion.asked import AskedQuestions
    from companion.policy import POLICY
    from companion.retrieval.service import _read_all

    passages = retrieval.store.all_passages()[:2]
    spans = [(p, p.text[u.start : u.end]) for p in passages for u in units(p)][:3]
    asked = AskedQuestions({(p.essay_id, normalize_space(s)): (f"what does sentence {i} say?",) for i, (p, s) in enumerate(spans)})
    vectors, tokens = _read_all(passages, retrieval.reader.embedder, asked, POLICY)
    assert vectors.adapter is not None
    assert len(vectors.lookup(["what does sentence 0 say?"], retrieval.reader.embedder)[0]) == 768
    sentence_texts = [embedding_text(p, u) for p in passages for u in units(p)]
    assert len(tokens) == len(set(sentence_texts))
    # Each question is read whole, for the map, and never by token: no question is matched word by word.
    assert len(vectors) >= len(set(sentence_texts)) + len(asked.texts)
    unasked, _ = _read_all(passages, retrieval.reader.embedder, AskedQuestions(), POLICY)
    assert unasked.adapter is None


def test_the_readers_saved_vectors_are_stale_when_the_written_questions_change(shared_settings, retrieval, monkeypatch):
    from companion.asked import AskedQuestions
    from companion.retrieval import service

    asked_for: list[str] = []

    def load(folders, digest):
        asked_for.append(digest)
        return retrieval.reader.vectors, retrieval.reader.tokens

    monkeypatch.setattr(service, "_load_read", load)
    service.open_reader(shared_settings, retrieval.store, asked=retrieval.sentences.asked)
    service.open_reader(shared_settings, retrieval.store, asked=retrieval.sentences.asked)
    service.open_reader(shared_settings, retrieval.store, asked=AskedQuestions())
    assert asked_for[0] == asked_for[1] != asked_for[2]


def test_an_index_without_the_reader_still_answers_and_says_why(shared_settings, tmp_path, monkeypatch):
    from companion.retrieval.service import open_retrieval

    from dataclasses import replace

    settings = replace(shared_settings, data_dir=tmp_path / "data")
    shutil.copytree(shared_settings.data_dir, settings.data_dir)

    def missing(root=None):
        raise ModelError(f"The reader model package {PARTS[0]} is not installed: run `make setup`.")

    monkeypatch.setattr(reader_module, "open_reader_model", missing)
    opened = open_retrieval(settings)
    assert opened.reader is None
    assert any("without the reader model" in n and "make setup" in n for n in opened.notices)
    assert opened.searcher.search("who plays Theodore?", 3)


def test_a_corpus_too_large_for_the_reader_is_read_without_it_and_says_so(shared_settings, retrieval):
    from dataclasses import replace

    from companion.policy import POLICY
    from companion.retrieval.service import open_reader

    notices: list[str] = []
    small = replace(POLICY, reader_passages=retrieval.store.count() - 1)
    assert open_reader(shared_settings, retrieval.store, notices, policy=small) is None
    assert any("without the reader model" in n and "Policy.reader_passages" in n for n in notices)
    assert open_reader(shared_settings, retrieval.store, policy=POLICY) is not None


def test_damaged_weights_in_the_cache_are_unpacked_again(cache):
    from companion.retrieval.reader import open_reader_model

    first = reader_model_dir(cache)
    weights = first / "model.safetensors"
    with weights.open("r+b") as handle:
        handle.truncate(weights.stat().st_size // 3)
    with pytest.raises(ModelError, match="damaged.*unpacked again"):
        ReaderEmbedder(first).load()
    embedder = open_reader_model(cache)
    assert len(embedder.embed(["who plays theodore?"])[0]) == 768


def test_fixed_examples_are_encoded_once_and_kept_beside_the_model(model_dir, tmp_path, monkeypatch):
    home = tmp_path / "models"
    home.mkdir()
    (home / "reader").symlink_to(model_dir, target_is_directory=True)
    reader = ReaderEmbedder(home / "reader")
    kept = reader.embed_kept(QUESTIONS[:2])
    assert np.allclose(kept, np.asarray(reader.embed(QUESTIONS[:2])), atol=1e-6)
    again = ReaderEmbedder(home / "reader")
    monkeypatch.setattr(again, "embed", lambda texts: pytest.fail("kept examples were encoded again"))
    assert np.array_equal(again.embed_kept(QUESTIONS[:2]), kept)
    # With nowhere to keep them (a file where the folder goes), examples are encoded all the same.
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / "reader").symlink_to(model_dir, target_is_directory=True)
    (blocked / "examples").write_text("not a folder")
    assert ReaderEmbedder(blocked / "reader").embed_kept(QUESTIONS[2:3]).shape == (1, 768)
