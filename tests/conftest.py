"""Shared fixtures: the real corpus, the real MiniLM model and a real ChromaDB in temp dirs."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

from companion.config import REPO_ROOT, go_offline, load_settings

go_offline()

CORPUS = REPO_ROOT / "corpus"
PROMPTS = REPO_ROOT / "prompts"
# The raw essays the corpus was cleaned from, when a check against them is asked for (they are not in this repo).
SEEDS = Path(os.environ["COMPANION_SHARED_SEEDS"]) if os.environ.get("COMPANION_SHARED_SEEDS") else None
EVAL = REPO_ROOT / "eval" / "questions.jsonl"


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path, monkeypatch):
    """Keep every test away from the person's real data directory."""
    monkeypatch.setenv("COMPANION_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COMPANION_CONFIG", str(tmp_path / "no-config.toml"))
    for name in (
        "COMPANION_CORPUS_DIR", "COMPANION_PROMPTS_DIR", "COMPANION_EMBEDDING_MODEL", "COMPANION_BACKEND",
        "COMPANION_MODEL", "COMPANION_BASE_URL", "OPENAI_API_KEY",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def embedder():
    """Return the packaged all-MiniLM-L6-v2, loaded once for the whole run."""
    from companion.retrieval.embedder import SentenceTransformerEmbedder

    model = SentenceTransformerEmbedder()
    model.load()
    return model


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory, embedder) -> Path:
    """Build one index of the real corpus that read-only tests share."""
    from companion.retrieval.ingest import ingest
    from companion.retrieval.connect import open_client
    from companion.retrieval.store import PassageStore

    from companion.retrieval.service import open_reader, open_sentences

    data_dir = tmp_path_factory.mktemp("index")
    store = PassageStore(open_client(data_dir), embedder.model_id)
    ingest(CORPUS, store, embedder)
    # As `companion ingest` does: the sentence vectors are saved with the index, so opening it needs no torch.
    settings = load_settings(data_dir=data_dir, corpus_dir=CORPUS, prompts_dir=PROMPTS)
    open_sentences(settings, store, embedder)
    open_reader(settings, store)
    return data_dir


@pytest.fixture(scope="session")
def shared_settings(index_dir):
    """Return settings that point at the shared, already-built index."""
    return load_settings(data_dir=index_dir, corpus_dir=CORPUS, prompts_dir=PROMPTS)


@pytest.fixture(scope="session")
def retrieval(shared_settings):
    """Return the opened shared index."""
    from companion.retrieval.service import open_retrieval

    return open_retrieval(shared_settings)


@pytest.fixture(scope="session")
def prompts():
    """Return the project's prompts."""
    from companion.prompts import load_prompts

    return load_prompts(PROMPTS)


@pytest.fixture
def engine(retrieval, prompts):
    """Return a fresh engine over the shared index with the extractive backend."""
    from companion.backends.extractive import ExtractiveBackend
    from companion.engine import Engine

    return Engine(searcher=retrieval.searcher, backend=ExtractiveBackend(), prompts=prompts)


@pytest.fixture
def reading_engine(retrieval, prompts):
    """Return a fresh engine as a session opens one: the quote ranker reads with the reader model too."""
    from companion.backends.extractive import ExtractiveBackend
    from companion.engine import Engine
    from companion.retrieval.sentence_vectors import SentenceVectors

    assert retrieval.reader is not None, "the shared index is built with the reader model"
    return Engine(searcher=retrieval.searcher, backend=ExtractiveBackend(), prompts=prompts,
                  sentences=retrieval.sentences or SentenceVectors(), reader=retrieval.reader)


@pytest.fixture
def named_engine(reading_engine, retrieval, shared_settings):
    """Return a fresh reading engine that reads the library too: which essay a question names, whom they credit."""
    from dataclasses import replace

    from companion.session import shelve

    engine = replace(reading_engine, library=lambda: shelve(retrieval.store, shared_settings))
    engine.history.clear()
    return engine


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """Return a private, writable copy of the corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


def pytest_report_header(config):
    return f"companion data dirs are temporary; HF_HUB_OFFLINE={os.environ.get('HF_HUB_OFFLINE')}"


needs_llama = pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None, reason="llama-cpp-python is not installed (make setup installs it)"
)


@pytest.fixture
def private_index(tmp_path, shared_settings) -> Path:
    """Copy the shared index for a test that opens it from another process (one owner per index)."""
    target = tmp_path / "private-index"
    shutil.copytree(shared_settings.data_dir, target, ignore=shutil.ignore_patterns(".companion.lock"))
    return target
