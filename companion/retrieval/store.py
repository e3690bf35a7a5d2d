"""Keep passages and their vectors in a ChromaDB collection."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from companion.errors import CompanionError
from companion.retrieval.connect import index_failure
from companion.types import Hit, Passage

COLLECTION = "passages"
PAGE = 5000
# Collection metadata key for a token every write renews, so readers can tell the passages changed.
REVISION = "revision"
T = TypeVar("T")
# Chroma's metadata values cannot be None, so an unknown author is stored as "".
_NO_AUTHOR = ""


def _metadata(passage: Passage, essay_hash: str) -> dict[str, str | int]:
    return {
        "essay_id": passage.essay_id,
        "essay_hash": essay_hash,
        "n": passage.n,
        "title": passage.title,
        "author": passage.author or _NO_AUTHOR,
        "speaker": passage.speaker or "",
        "start": passage.start,
        "end": passage.end,
    }


def _reported(method: Callable[..., T], writing: bool = False) -> Callable[..., T]:
    """Turn whatever Chroma raises (a server gone away, a broken file) into a StoreError a person can act on."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except CompanionError:
            raise
        except Exception as exc:
            raise index_failure(self._client, exc, writing) from None

    return wrapper


def _reported_write(method: Callable[..., T]) -> Callable[..., T]:
    """Like _reported, for a write: a failed write says what to check rather than marking the index unreadable."""
    return _reported(method, writing=True)


def _passage(pid: str, text: str, meta: dict) -> Passage:
    return Passage(
        id=pid,
        essay_id=str(meta["essay_id"]),
        n=int(meta["n"]),
        title=str(meta["title"]),
        author=str(meta["author"]) or None,
        text=text,
        start=int(meta["start"]),
        end=int(meta["end"]),
        speaker=str(meta.get("speaker") or "") or None,
    )


class PassageStore:
    """The passage collection, bound to the embedding model that built it."""

    def __init__(self, client, model_id: str) -> None:
        self._client = client
        self.model_id = model_id
        self.rebuilt = False
        self._collection = self._open()

    @_reported
    def _open(self):
        collection = self._client.get_or_create_collection(
            COLLECTION,
            embedding_function=None,
            metadata={"hnsw:space": "cosine", "embedding_model": self.model_id},
        )
        built_with = (collection.metadata or {}).get("embedding_model")
        if built_with != self.model_id:
            # Vectors from two models are not comparable: start over rather than mix them.
            self._client.delete_collection(COLLECTION)
            self.rebuilt = True
            collection = self._client.create_collection(
                COLLECTION,
                embedding_function=None,
                metadata={"hnsw:space": "cosine", "embedding_model": self.model_id},
            )
        return collection

    def _everything(self, include: list[str]) -> dict[str, list]:
        """Read the whole collection in pages: one request for 100k rows exceeds SQLite's variable limit."""
        merged: dict[str, list] = {"ids": [], **{field: [] for field in include}}
        offset = 0
        while True:
            page = self._collection.get(include=include, limit=PAGE, offset=offset)
            for field in merged:
                merged[field].extend(page[field] or [])
            if len(page["ids"]) < PAGE:
                return merged
            offset += PAGE

    @_reported
    def count(self) -> int:
        """Return how many passages are stored."""
        return self._collection.count()

    @_reported
    def essay_hashes(self) -> dict[str, set[str]]:
        """Return, per stored essay id, the content hashes its passages were built from.

        A hash records how many passages the essay has; an essay with fewer stored (a run killed
        mid-write) gets a second marker, so it never looks current.
        """
        stored = self._everything(["metadatas"])
        hashes: dict[str, set[str]] = {}
        counts: dict[str, int] = {}
        for meta in stored["metadatas"] or []:
            essay_id = str(meta["essay_id"])
            hashes.setdefault(essay_id, set()).add(str(meta["essay_hash"]))
            counts[essay_id] = counts.get(essay_id, 0) + 1
        for essay_id, found in hashes.items():
            expected = {int(h.rsplit("-n", 1)[1]) for h in found if "-n" in h}
            if expected != {counts[essay_id]}:
                found.add("incomplete")
        return hashes

    @_reported
    def ids(self) -> list[str]:
        """Return every stored passage id."""
        return list(self._everything([])["ids"])

    def revision(self) -> str | None:
        """Return a token that changes whenever the stored passages do; None for an index older than tokens."""
        value = (self._collection.metadata or {}).get(REVISION)
        return str(value) if value else None

    def _bump(self) -> None:
        # Chroma refuses to see hnsw settings again in a modify, and keeps them without the keys.
        kept = {k: v for k, v in (self._collection.metadata or {}).items() if not k.startswith("hnsw:")}
        self._collection.modify(metadata={**kept, REVISION: uuid.uuid4().hex})

    @contextmanager
    def _writing(self) -> Iterator[None]:
        # A reader that saw the token before a write, or a write killed midway, must not match afterwards.
        self._bump()
        yield
        self._bump()

    @_reported_write
    def delete_essay(self, essay_id: str) -> None:
        """Remove every passage of one essay."""
        with self._writing():
            self._collection.delete(where={"essay_id": essay_id})

    @_reported_write
    def put_essay(
        self, essay_id: str, essay_hash: str, passages: Sequence[Passage], vectors: Sequence[Sequence[float]]
    ) -> None:
        """Replace one essay's passages with these."""
        with self._writing():
            self._collection.delete(where={"essay_id": essay_id})
            if passages:
                self._collection.upsert(
                    ids=[p.id for p in passages],
                    embeddings=[list(v) for v in vectors],
                    documents=[p.text for p in passages],
                    metadatas=[_metadata(p, essay_hash) for p in passages],
                )

    @_reported
    def query(self, vector: Sequence[float], k: int) -> list[Hit]:
        """Return the k passages closest to a query vector, best first."""
        total = self.count()
        if total == 0:
            return []
        result = self._collection.query(
            query_embeddings=[list(vector)],
            n_results=min(k, total),
            include=["documents", "metadatas", "distances"],
        )
        hits = []
        for rank, (pid, text, meta, distance) in enumerate(
            zip(result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0]), start=1
        ):
            similarity = round(1.0 - float(distance), 6)
            hits.append(Hit(rank=rank, passage=_passage(pid, text, meta), score=similarity, dense=similarity))
        return hits

    @_reported
    def similarities(self, vector: Sequence[float], ids: Sequence[str]) -> dict[str, float]:
        """Return the cosine similarity of the query vector to each of these passages."""
        if not ids:
            return {}
        import numpy as np

        stored = self._collection.get(ids=list(ids), include=["embeddings"])
        query = np.asarray(vector, dtype=np.float32)
        query = query / (np.linalg.norm(query) or 1.0)
        found = {}
        for pid, embedding in zip(stored["ids"], stored["embeddings"]):
            row = np.asarray(embedding, dtype=np.float32)
            found[pid] = round(float(row @ query / (np.linalg.norm(row) or 1.0)), 6)
        return found

    @_reported
    def passages(self, ids: list[str]) -> list[Passage]:
        """Return the stored passages with these ids (any order; unknown ids are skipped)."""
        if not ids:
            return []
        stored = self._collection.get(ids=list(ids), include=["documents", "metadatas"])
        return [_passage(i, d, m) for i, d, m in zip(stored["ids"], stored["documents"], stored["metadatas"])]

    @_reported
    def all_passages(self) -> list[Passage]:
        """Return every stored passage, ordered by essay and position."""
        stored = self._everything(["documents", "metadatas"])
        passages = [_passage(i, d, m) for i, d, m in zip(stored["ids"], stored["documents"], stored["metadatas"])]
        return sorted(passages, key=lambda p: (p.essay_id, p.n))
