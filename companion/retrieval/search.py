"""Answer a query with the closest passages."""

from __future__ import annotations

from companion.retrieval.embedder import Embedder
from companion.retrieval.store import Hit, PassageStore


class DenseSearcher:
    """Embed the query and ask the store for its nearest passages."""

    name = "dense"

    def __init__(self, store: PassageStore, embedder: Embedder) -> None:
        self.store = store
        self.embedder = embedder

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """Return up to k passages for the query, best first."""
        if not query.strip():
            return []
        (vector,) = self.embedder.embed([query])
        return self.store.query(vector, k)
