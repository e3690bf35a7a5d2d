"""Rerank: order the passages a first search found by how likely their best sentence is to answer the question."""

from __future__ import annotations

from dataclasses import replace

from companion.ranker import Ranker, answer_chances
from companion.retrieval.search import Searcher
from companion.retrieval.sentence_vectors import SentenceVectors
from companion.retrieval.sentences import Reader, sentence_features
from companion.types import Hit


class ReadingSearcher:
    """Search with another searcher, then put first the passages whose sentences the quote ranker likes best.

    The ranker is the one that picks quotes (Policy.ranker), fit on pools of the first search's best
    ``depth`` passages; only those are reordered, and each hit keeps the first search's rank and scores (the
    ranker reads them), so a hit's rank is where the first search put it, not where it now stands.
    """

    def __init__(
        self, inner: Searcher, vectors: SentenceVectors, model: Ranker, depth: int, reader: Reader | None = None,
    ) -> None:
        self.inner = inner
        self.vectors = vectors
        self.model = model
        self.depth = depth
        self.reader = reader
        self.name = inner.name
        self.idf = inner.idf
        self.embedder = inner.embedder

    def warm(self) -> None:
        """Load what the first search would otherwise wait for."""
        self.inner.warm()

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """Return up to k passages, the first search's best reordered by their likeliest answering sentence."""
        hits = self.inner.search(query, max(k, self.depth))
        head, rest = hits[: self.depth], hits[self.depth :]
        if len(head) < 2 or self.embedder is None:
            return hits[:k]
        pool, features = sentence_features(query, head, self.embedder, self.vectors, self.idf, reader=self.reader)
        best: dict[str, float] = {}
        for (hit, _unit), chance in zip(pool, answer_chances(features, self.model)):
            best[hit.passage.id] = max(best.get(hit.passage.id, 0.0), float(chance))
        order = sorted(range(len(head)), key=lambda i: (-best.get(head[i].passage.id, 0.0), i))
        read = [replace(head[i], chance=round(best.get(head[i].passage.id, 0.0), 6)) for i in order]
        return (read + rest)[:k]
