"""Answer a query with the closest passages: dense, lexical (BM25), or both fused."""

from __future__ import annotations

from dataclasses import replace
from collections.abc import Callable
from typing import Protocol

from companion.retrieval.embedder import Embedder
from companion.retrieval.lexical import LexicalSearcher
from companion.retrieval.store import PassageStore
from companion.types import Hit

# Reciprocal rank fusion's damping constant (Cormack et al.); 60 is the usual choice.
RRF_K = 60
# How deep each retriever looks before fusing.
CANDIDATES = 30
FUSIONS = ("score", "rrf")


class Searcher(Protocol):
    """Anything that finds passages for a query, and what the engine asks of it besides."""

    name: str
    # How rare a word is among the passages (for the evidence decision and quote choice), or None
    # when the searcher has no word statistics (dense search alone).
    idf: Callable[[str], float] | None
    # The query embedder, which the engine's router shares to route messages by meaning, or None when
    # the searcher goes by words alone (BM25): then only messages matching a route's example are small talk.
    embedder: Embedder | None

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """Return up to k passages, best first."""
        ...

    def warm(self) -> None:
        """Load what the first search would otherwise wait for (the query embedder)."""
        ...


class DenseSearcher:
    """Embed the query and ask the store for its nearest passages."""

    name = "dense"
    idf = None

    def __init__(self, store: PassageStore, embedder: Embedder) -> None:
        self.store = store
        self.embedder = embedder

    def warm(self) -> None:
        """Load the query embedder now rather than at the first question."""
        self.embedder.load()

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """Return up to k passages for the query, best first."""
        if not query.strip():
            return []
        (vector,) = self.embedder.embed([query])
        return self.store.query(vector, k)


def _fuse_scores(dense_hits: list[Hit], lexical_hits: list[Hit], dense_weight: float = 1.0) -> dict[str, float]:
    """Add min-max-scaled cosine, times dense_weight, and max-scaled BM25: a strong exact match is not drowned by rank.

    The cosine is scaled between the best and the CANDIDATES-th, whatever the depth: past it, it falls below zero.
    """
    fused: dict[str, float] = {}
    if dense_hits:
        high, low = dense_hits[0].dense or 0.0, dense_hits[:CANDIDATES][-1].dense or 0.0
        for hit in dense_hits:
            fused[hit.passage.id] = dense_weight * ((hit.dense or 0.0) - low) / ((high - low) or 1.0)
    if lexical_hits:
        top = lexical_hits[0].lexical or 1.0
        for hit in lexical_hits:
            fused[hit.passage.id] = fused.get(hit.passage.id, 0.0) + (hit.lexical or 0.0) / top
    return fused


def _fuse_ranks(dense_hits: list[Hit], lexical_hits: list[Hit]) -> dict[str, float]:
    """Sum 1/(60 + rank) over both rankings (reciprocal rank fusion)."""
    fused: dict[str, float] = {}
    for hits in (dense_hits, lexical_hits):
        for hit in hits:
            fused[hit.passage.id] = fused.get(hit.passage.id, 0.0) + 1.0 / (RRF_K + hit.rank)
    return fused


def _merge(dense_hits: list[Hit], lexical_hits: list[Hit]) -> dict[str, Hit]:
    """Return each passage once, keeping its cosine from the dense hits and its BM25 score from the lexical ones."""
    merged: dict[str, Hit] = {}
    for hits in (dense_hits, lexical_hits):
        for hit in hits:
            known = merged.get(hit.passage.id)
            merged[hit.passage.id] = replace(
                known or hit,
                dense=hit.dense if hit.dense is not None else (known.dense if known else None),
                lexical=hit.lexical if hit.lexical is not None else (known.lexical if known else None),
            )
    return merged


class HybridSearcher:
    """Fuse dense and BM25 results, keeping both scores on each hit.

    Score fusion is the default: on the test split both rank alike (recall@5 36/43 each, MRR@10 0.680
    against rank fusion's 0.691) and score fusion's quotes hold more answers (28 against 27 of 43).
    """

    def __init__(
        self, dense: DenseSearcher, lexical: LexicalSearcher, fusion: str = "score", dense_weight: float = 1.0
    ) -> None:
        self.dense = dense
        self.lexical = lexical
        self.embedder = dense.embedder
        self.fusion = fusion
        # The scaled cosine's weight against the scaled BM25 score in score fusion: 0.5 to 2 measured flat or worse
        # on dev (benchmarks/search_grid.py fusion).
        self.dense_weight = dense_weight
        self.name = "hybrid" if fusion == "score" else f"hybrid-{fusion}"

    def idf(self, term: str) -> float:
        """Return how rare a word is among the passages."""
        return self.lexical.idf(term)

    def warm(self) -> None:
        """Load the query embedder now rather than at the first question."""
        self.embedder.load()

    def _fuse(self, dense: list[Hit], lexical: list[Hit]) -> dict[str, float]:
        """Fuse two rankings by this search's rule: scaled scores (dense_weight on the cosine), or ranks."""
        if self.fusion == "score":
            return _fuse_scores(dense, lexical, self.dense_weight)
        return _fuse_ranks(dense, lexical)

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """Return up to k passages ranked by fused rank, best first."""
        if not query.strip():
            return []
        (vector,) = self.embedder.embed([query])
        dense_hits = self.dense.store.query(vector, max(k, CANDIDATES))
        lexical_hits = self.lexical.search(query, max(k, CANDIDATES))
        # Only each retriever's first CANDIDATES are fused first, so that a deeper search finds the same passages first,
        # in the same order and with the same scores, as the decision and the quote ranker were fitted on them. The
        # passages past both lists follow, fused over everything fetched on the same scale.
        fused = self._fuse(dense_hits[:CANDIDATES], lexical_hits[:CANDIDATES])
        merged = _merge(dense_hits[:CANDIDATES], lexical_hits[:CANDIDATES])
        past = _merge([h for h in dense_hits if h.passage.id not in merged], [h for h in lexical_hits if h.passage.id not in merged])
        beyond = {pid: score for pid, score in self._fuse(dense_hits, lexical_hits).items() if pid in past}
        order = [*sorted(fused, key=lambda pid: (-fused[pid], pid)), *sorted(beyond, key=lambda pid: (-beyond[pid], pid))][:k]
        fused.update(beyond)
        merged.update(past)
        # Every hit carries its cosine similarity: the evidence decision needs it even for BM25-only finds.
        missing = [pid for pid in order if merged[pid].dense is None]
        similarity = self.dense.store.similarities(vector, missing)
        return [
            replace(merged[pid], rank=rank, score=round(fused[pid], 6),
                    dense=merged[pid].dense if merged[pid].dense is not None else similarity.get(pid))
            for rank, pid in enumerate(order, start=1)
        ]
