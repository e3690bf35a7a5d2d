"""The torch-free query path gives the same vectors as sentence-transformers."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np

from companion.corpus import load_corpus
from companion.passages import split_essay
from companion.retrieval.light import LightEmbedder
from tests.conftest import CORPUS, EVAL


def test_matches_the_reference_model_on_the_corpus_and_the_questions(embedder):
    texts = [p.embedding_text for essay in load_corpus(CORPUS) for p in split_essay(essay)]
    if EVAL.is_file():
        texts += [json.loads(line)["q"] for line in EVAL.read_text("utf-8").splitlines() if line.strip()]
    light = LightEmbedder()
    assert light.model_id == embedder.model_id
    ours, reference = np.array(light.embed(texts)), np.array(embedder.embed(texts))
    cosine = (ours * reference).sum(axis=1)
    assert cosine.min() >= 0.999, cosine.min()


def test_queries_do_not_import_torch(private_index):
    code = (
        "import sys\n"
        "from companion.config import load_settings\n"
        "from companion.retrieval.service import open_retrieval\n"
        f"r = open_retrieval(load_settings(data_dir={str(private_index)!r}))\n"
        "assert r.searcher.search('the ending', 3)\n"
        "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]


def test_a_model_it_cannot_run_falls_back_to_the_reference(tmp_path, embedder):
    from companion.config import load_settings
    from companion.retrieval.embedder import SentenceTransformerEmbedder
    from companion.retrieval.service import query_embedder

    assert LightEmbedder.usable(None)
    (tmp_path / "model").mkdir()
    assert not LightEmbedder.usable(str(tmp_path / "model"))
    settings = load_settings(embedding_model=str(tmp_path / "model"))
    reference = SentenceTransformerEmbedder(str(tmp_path / "model"))
    assert query_embedder(settings, reference) is reference


def test_a_message_embedded_again_in_the_same_turn_is_not_encoded_again(monkeypatch):
    from companion.retrieval import light

    model = LightEmbedder()
    first = model.embed(["who plays theodore?"])
    encoded: list[str] = []
    original = model._encode
    monkeypatch.setattr(model, "_encode", lambda text: encoded.append(text) or original(text))
    again = model.embed(["who plays theodore?", "who plays amy?"])
    assert again[0] == first[0] and encoded == ["who plays amy?"]
    again[0][0] = 99.0  # a caller changing its copy changes nothing kept
    assert model.embed(["who plays theodore?"])[0] == first[0]
    model.embed([f"message {i}" for i in range(2 * light.RECENT)])
    assert len(model._recent) == light.RECENT
