"""BM25 over the stored passages, with the same word folding as grounding; saved beside the index."""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

from companion.types import Hit, Passage
from companion.text import content_terms

# Bump when passage_terms changes: a saved index built the old way must not be reused.
TERMS_VERSION = 7
MANIFEST = "manifest.json"
# A term no passage can hold: its idf is the largest there is, that of a word no passage uses.
UNSEEN = "\0"

Fetch = Callable[[list[str]], list[Passage]]


def unseen(term: str, idf: Callable[[str], float]) -> bool:
    """Tell whether no passage holds a (folded, stemmed) word: its weight is the one a word never seen gets."""
    return math.isclose(idf(term), idf(UNSEEN))


def passage_terms(passage: Passage) -> list[str]:
    """Return the words BM25 indexes for a passage: its essay's title, its speaker, its text."""
    return content_terms(f"{passage.title} {passage.speaker or ''} {passage.text}")


def _whole(index, documents: int) -> bool:
    """Tell whether a loaded index's arrays fit together, so a search cannot read past them."""
    import numpy as np

    scores = index.scores
    data, indices, indptr = scores["data"], scores["indices"], scores["indptr"]
    if scores["num_docs"] != documents or len(indptr) != len(index.vocab_dict) or not len(indptr):
        return False
    if indptr[0] != 0 or int(indptr[-1]) != len(data) or len(data) != len(indices):
        return False
    if len(indices) and (int(indices.min()) < 0 or int(indices.max()) >= documents):
        return False
    # About 10 ms at 100k passages: the price of never scoring from a half-overwritten file.
    return bool(np.all(np.diff(indptr) >= 0)) and bool(np.isfinite(data).all())


class LexicalSearcher:
    """Exact-word search: finds names and rare words that embeddings blur."""

    name = "bm25"
    embedder = None

    def __init__(self, ids: list[str], index, document_frequency: dict[str, int], fetch: Fetch) -> None:
        self.ids = ids
        self.document_frequency = document_frequency
        self._index = index
        self._fetch = fetch

    @classmethod
    def from_passages(
        cls, passages: Sequence[Passage], fetch: Fetch | None = None, k1: float = 1.5, b: float = 0.75
    ) -> LexicalSearcher:
        """Build the index in memory from passages; k1 and b are BM25's (bm25s's defaults, flat on dev)."""
        import bm25s

        passages = list(passages)
        terms = [passage_terms(p) or ["\u2205"] for p in passages]
        index = bm25s.BM25(k1=k1, b=b)
        if passages:
            index.index(terms, show_progress=False)
        frequency: dict[str, int] = {}
        for words in terms:
            for term in set(words):
                frequency[term] = frequency.get(term, 0) + 1
        by_id = {p.id: p for p in passages}
        return cls([p.id for p in passages], index, frequency, fetch or (lambda ids: [by_id[i] for i in ids]))

    def save(self, folder: Path, fingerprint: str) -> None:
        """Write the index, its ids and word counts, so the next start loads instead of rebuilding."""
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        if self.ids:
            self._index.save(str(folder / "bm25"), show_progress=False)
        (folder / "ids.json").write_text(json.dumps(self.ids), "utf-8")
        (folder / "frequency.json").write_text(json.dumps(self.document_frequency), "utf-8")
        # Written last: a folder without it (a run killed while saving) is rebuilt.
        (folder / MANIFEST).write_text(json.dumps({"fingerprint": fingerprint, "terms": TERMS_VERSION}), "utf-8")

    @classmethod
    def load(cls, folder: Path, fingerprint: str, fetch: Fetch) -> LexicalSearcher | None:
        """Load a saved index if it was built from the same passages the same way and reads back whole; else None."""
        import bm25s

        try:
            manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
            if manifest != {"fingerprint": fingerprint, "terms": TERMS_VERSION}:
                return None
            ids = json.loads((folder / "ids.json").read_text("utf-8"))
            frequency = json.loads((folder / "frequency.json").read_text("utf-8"))
            if not isinstance(ids, list) or not isinstance(frequency, dict):
                return None
            index = bm25s.BM25.load(str(folder / "bm25"), mmap=True, show_progress=False) if ids else bm25s.BM25()
            if ids and not _whole(index, len(ids)):
                return None
        # A file cut short or overwritten fails in json, numpy or bm25s, each in its own way (EOFError,
        # ValueError, KeyError...): whatever it is, the saved index is derived data, so it is rebuilt.
        except Exception:
            return None
        return cls(ids, index, frequency, fetch)

    def idf(self, term: str) -> float:
        """Return how rare a (folded, stemmed) word is among the passages; unseen words weigh most."""
        return math.log(1 + len(self.ids) / (self.document_frequency.get(term, 0) + 0.5))

    def warm(self) -> None:
        """Load nothing: the index is already in memory."""

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """Return up to k passages sharing words with the query, best first; none share, none return."""
        terms = content_terms(query)
        if not terms or not self.ids:
            return []
        rows, scores = self._index.retrieve([terms], k=min(k, len(self.ids)), show_progress=False)
        found = [(self.ids[int(row)], float(score)) for row, score in zip(rows[0], scores[0]) if score > 0]
        passages = {p.id: p for p in self._fetch([pid for pid, _ in found])}
        return [
            Hit(rank=rank, passage=passages[pid], score=round(score, 6), lexical=score)
            for rank, (pid, score) in enumerate(found, start=1)
            if pid in passages
        ]
