"""Open the index for searching, building it first when it is missing."""

from __future__ import annotations

from dataclasses import dataclass

from companion.config import Settings
from companion.errors import ConfigError
from companion.retrieval.embedder import SentenceTransformerEmbedder
from companion.retrieval.ingest import IngestProgress, IngestReport, ingest
from companion.retrieval.lexical import LexicalSearcher
from companion.retrieval.search import DenseSearcher, HybridSearcher, Searcher
from companion.retrieval.connect import open_client
from companion.retrieval.store import PassageStore


@dataclass(frozen=True)
class Retrieval:
    """The opened index and the way to search it."""

    store: PassageStore
    searcher: Searcher
    built: IngestReport | None
    notices: tuple[str, ...] = ()


def open_store(
    settings: Settings, notices: list[str] | None = None
) -> tuple[PassageStore, SentenceTransformerEmbedder]:
    """Open the store bound to the configured embedding model."""
    embedder = SentenceTransformerEmbedder(settings.embedding_model)
    client = open_client(settings.data_dir, settings.chroma_url, notices)
    return PassageStore(client, embedder.model_id), embedder


def run_ingest(settings: Settings, progress: IngestProgress | None = None) -> IngestReport:
    """Bring the index in line with the corpus."""
    store, embedder = open_store(settings)
    return ingest(settings.corpus_dir, store, embedder, progress)


RETRIEVERS = ("hybrid", "hybrid-rrf", "dense", "bm25")


def query_embedder(settings: Settings, reference: SentenceTransformerEmbedder):
    """Embed questions with the torch-free path when the model allows it, else with the reference model."""
    from companion.retrieval.light import LightEmbedder

    if LightEmbedder.usable(settings.embedding_model):
        return LightEmbedder(settings.embedding_model)
    return reference


def open_retrieval(
    settings: Settings, progress: IngestProgress | None = None, retriever: str = "hybrid"
) -> Retrieval:
    """Open the index, ingesting the corpus first if the index is empty."""
    if retriever not in RETRIEVERS:
        raise ConfigError(f"Unknown retriever {retriever!r}: choose one of {', '.join(RETRIEVERS)}.")
    notices: list[str] = []
    store, embedder = open_store(settings, notices)
    built = ingest(settings.corpus_dir, store, embedder, progress) if store.count() == 0 else None
    dense = DenseSearcher(store, query_embedder(settings, embedder))
    if retriever == "dense":
        return Retrieval(store=store, searcher=dense, built=built, notices=tuple(notices))
    lexical = LexicalSearcher(store.all_passages())
    searcher: Searcher = (
        lexical if retriever == "bm25" else HybridSearcher(dense, lexical, "rrf" if retriever == "hybrid-rrf" else "score")
    )
    return Retrieval(store=store, searcher=searcher, built=built, notices=tuple(notices))
