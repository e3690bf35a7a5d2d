"""BM25 over the stored passages, with the same word folding as grounding."""

from __future__ import annotations

import math
from collections.abc import Sequence

from companion.passages import Passage
from companion.retrieval.store import Hit
from companion.text import content_terms


def passage_terms(passage: Passage) -> list[str]:
    """Return the words BM25 indexes for a passage: its essay's title, its speaker, its text."""
    return content_terms(f"{passage.title} {passage.speaker or ''} {passage.text}")


class LexicalSearcher:
    """Exact-word search: finds names and rare words that embeddings blur."""

    name = "bm25"

    def __init__(self, passages: Sequence[Passage]) -> None:
        import bm25s

        self.passages = list(passages)
        self._index = bm25s.BM25()
        if self.passages:
            self._index.index([passage_terms(p) or ["\u2205"] for p in self.passages], show_progress=False)
        self.document_frequency: dict[str, int] = {}
        for passage in self.passages:
            for term in set(passage_terms(passage)):
                self.document_frequency[term] = self.document_frequency.get(term, 0) + 1

    def idf(self, term: str) -> float:
        """Return how rare a (folded, stemmed) word is among the passages; unseen words weigh most."""
        return math.log(1 + len(self.passages) / (self.document_frequency.get(term, 0) + 0.5))

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """Return up to k passages sharing words with the query, best first; none share, none return."""
        terms = content_terms(query)
        if not terms or not self.passages:
            return []
        ids, scores = self._index.retrieve([terms], k=min(k, len(self.passages)), show_progress=False)
        hits = []
        for index, score in zip(ids[0], scores[0]):
            if score <= 0:
                break
            passage = self.passages[int(index)]
            hits.append(Hit(rank=len(hits) + 1, passage=passage, score=round(float(score), 6), lexical=float(score)))
        return hits
