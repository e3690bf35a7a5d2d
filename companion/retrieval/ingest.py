"""Bring the index in line with the corpus, re-embedding only what changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from companion.corpus import Essay, load_corpus
from companion.passages import SPLITTER_VERSION, essay_passages
from companion.retrieval.embedder import Embedder
from companion.retrieval.store import PassageStore

# progress(done, total, essay title) while embedding
IngestProgress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class IngestReport:
    """What one ingest run did."""

    embedded: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]
    passages: int
    rebuilt: bool

    def summary(self) -> str:
        """Return one line a person can read."""
        parts = [f"{self.passages} passages from {len(self.embedded) + len(self.unchanged)} essays"]
        if self.rebuilt:
            parts.append("index rebuilt for a new embedding model")
        parts.append(f"{len(self.embedded)} embedded, {len(self.unchanged)} unchanged, {len(self.removed)} removed")
        return "; ".join(parts)


def index_hash(essay: Essay) -> str:
    """Return the hash stored with an essay's passages: its content, how it was split, and into how many."""
    return f"{essay.content_hash}-s{SPLITTER_VERSION}-n{len(essay_passages(essay))}"


def plan(essays: list[Essay], stored: dict[str, set[str]]) -> tuple[list[Essay], list[Essay], list[str]]:
    """Split the work into essays to embed, essays already current, and ids to remove."""
    to_embed, current = [], []
    for essay in essays:
        (current if stored.get(essay.id) == {index_hash(essay)} else to_embed).append(essay)
    wanted = {essay.id for essay in essays}
    removed = sorted(essay_id for essay_id in stored if essay_id not in wanted)
    return to_embed, current, removed


def ingest(
    corpus_dir: Path, store: PassageStore, embedder: Embedder, progress: IngestProgress | None = None
) -> IngestReport:
    """Validate the whole corpus first, then embed and store what changed."""
    essays = load_corpus(corpus_dir)
    to_embed, current, removed = plan(essays, store.essay_hashes())
    for essay_id in removed:
        store.delete_essay(essay_id)
    split = {essay.id: essay_passages(essay) for essay in to_embed}
    texts = [p.embedding_text for essay in to_embed for p in split[essay.id]]
    titles = ", ".join(essay.title for essay in to_embed)

    def report(done: int, total: int) -> None:
        if progress:
            progress(done, total, titles)

    if texts:
        # Said at once: loading the model and embedding the first batch can take seconds.
        report(0, len(texts))
    # One call for every changed essay: the embedder batches across essays, as a raw encode would.
    vectors = embedder.embed(texts, progress=report) if texts else []
    offset = 0
    for essay in to_embed:
        passages = split[essay.id]
        store.put_essay(essay.id, index_hash(essay), passages, vectors[offset : offset + len(passages)])
        offset += len(passages)
    return IngestReport(
        embedded=tuple(e.id for e in to_embed),
        unchanged=tuple(e.id for e in current),
        removed=tuple(removed),
        passages=store.count(),
        rebuilt=store.rebuilt,
    )
