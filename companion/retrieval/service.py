"""Open the index for searching, building it first when it is missing."""

from __future__ import annotations

from dataclasses import dataclass

from companion.config import Settings
from companion.retrieval.embedder import SentenceTransformerEmbedder
from companion.retrieval.ingest import IngestProgress, IngestReport, ingest
from companion.retrieval.search import DenseSearcher
from companion.retrieval.store import PassageStore, open_client


@dataclass(frozen=True)
class Retrieval:
    """The opened index and the way to search it."""

    store: PassageStore
    searcher: DenseSearcher
    built: IngestReport | None


def open_store(settings: Settings) -> tuple[PassageStore, SentenceTransformerEmbedder]:
    """Open the store bound to the configured embedding model."""
    embedder = SentenceTransformerEmbedder(settings.embedding_model)
    return PassageStore(open_client(settings.data_dir), embedder.model_id), embedder


def run_ingest(settings: Settings, progress: IngestProgress | None = None) -> IngestReport:
    """Bring the index in line with the corpus."""
    store, embedder = open_store(settings)
    return ingest(settings.corpus_dir, store, embedder, progress)


def open_retrieval(settings: Settings, progress: IngestProgress | None = None) -> Retrieval:
    """Open the index, ingesting the corpus first if the index is empty."""
    store, embedder = open_store(settings)
    built = ingest(settings.corpus_dir, store, embedder, progress) if store.count() == 0 else None
    return Retrieval(store=store, searcher=DenseSearcher(store, embedder), built=built)
