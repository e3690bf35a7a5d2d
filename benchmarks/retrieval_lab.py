"""The experiments' lab: the corpus, its vectors per embedding model, BM25, and the project's fusion.

Part of benchmarks/retrieval_experiments.py (run that).
"""

from __future__ import annotations

import hashlib
import json
import pickle
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from companion.evaluation import Question
from companion.retrieval.lexical import LexicalSearcher
from companion.retrieval.search import (
    CANDIDATES,
    DenseSearcher,
    HybridSearcher,
    _fuse_scores,
)
from companion.retrieval.sentence_vectors import SentenceVectors
from companion.retrieval.units import units
from companion.text import content_terms, fold
from companion.types import Hit, Passage

# ----------------------------------------------------------------------------- corpus and models


class MemoryStore:
    """The PassageStore calls the searchers make, answered by exact cosine over vectors held in memory."""

    def __init__(self, passages: Sequence[Passage], matrix: np.ndarray) -> None:
        self.passages = list(passages)
        self.matrix = matrix
        self.row = {p.id: i for i, p in enumerate(self.passages)}

    def query(self, vector: Sequence[float], k: int) -> list[Hit]:
        """Return the k passages closest to the vector, rounded as Chroma's distances are."""
        similarity = self.matrix @ np.asarray(vector, dtype=np.float32)
        order = np.argsort(-similarity, kind="stable")[:k]
        return [Hit(rank=r, passage=self.passages[i], score=round(float(similarity[i]), 6),
                    dense=round(float(similarity[i]), 6)) for r, i in enumerate(order, start=1)]

    def similarities(self, vector: Sequence[float], ids: Sequence[str]) -> dict[str, float]:
        """Return the cosine of the vector to each of these passages."""
        query = np.asarray(vector, dtype=np.float32)
        return {pid: round(float(self.matrix[self.row[pid]] @ query), 6) for pid in ids}


class CachedEmbedder:
    """An embedder whose vectors are kept on disk by text, so reruns on a busy machine skip the model."""

    def __init__(self, inner, folder: Path) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"{hashlib.sha256(self.model_id.encode()).hexdigest()[:16]}.pickle"
        self.vectors: dict[str, list[float]] = pickle.loads(self.path.read_bytes()) if self.path.is_file() else {}
        self.seconds = 0.0
        self.computed = 0

    def embed(self, texts: Sequence[str], progress=None) -> list[list[float]]:
        """Return cached vectors, embedding (and saving) the texts not seen before."""
        missing = sorted({t for t in texts if t not in self.vectors})
        if missing:
            started = time.perf_counter()
            self.vectors.update(zip(missing, self.inner.embed(missing)))
            self.seconds += time.perf_counter() - started
            self.computed += len(missing)
            self.path.write_bytes(pickle.dumps(self.vectors))
        return [self.vectors[t] for t in texts]


@dataclass
class Models:
    """One embedding model's view of the corpus: passage and unit vectors, and its query embedder."""

    name: str
    passages: np.ndarray
    sentences: SentenceVectors
    queries: object
    ingest_seconds: float
    units: np.ndarray  # every unit of the corpus, passage by passage
    unit_passage: np.ndarray  # the row of each unit's passage

    def unit_max(self, query: np.ndarray) -> np.ndarray:
        """Return, per passage, the best cosine of any of its units to the query."""
        best = np.full(len(self.passages), -1.0)
        np.maximum.at(best, self.unit_passage, self.units @ query)
        return best


def embed_corpus(name: str, location: str | None, passages: Sequence[Passage], cache: Path,
                 passage_text: Callable[[Passage], str] = lambda p: p.embedding_text) -> Models:
    """Embed passages (as ingest does) and sentence units with sentence-transformers; questions go torch-free."""
    from companion.retrieval.embedder import SentenceTransformerEmbedder
    from companion.retrieval.light import LightEmbedder

    reference = CachedEmbedder(SentenceTransformerEmbedder(location), cache)
    matrix = np.asarray(reference.embed([passage_text(p) for p in passages]), dtype=np.float32)
    passage_seconds = reference.seconds
    sentences = SentenceVectors.build(passages, reference)
    sentence_seconds = reference.seconds - passage_seconds
    print(f"[{name}] passages embedded in {passage_seconds:.2f} s; {len(sentences)} sentence units in "
          f"{sentence_seconds:.2f} s (0 when cached)", file=sys.stderr)
    rows = [(row, u.text(p)) for row, p in enumerate(passages) for u in units(p)]
    unit_matrix = sentences.lookup([text for _, text in rows], reference)
    return Models(name, matrix, sentences, CachedEmbedder(LightEmbedder(location), cache), sentence_seconds,
                  unit_matrix, np.asarray([row for row, _ in rows]))


# ----------------------------------------------------------------------------- inverse cloze task (tried, not kept)

ICT_BATCH = 16
ICT_LEARNING_RATE = 2e-5
ICT_MIN_QUERY_WORDS = 5


def ict_pairs(passages: Sequence[Passage]) -> list[tuple[str, str]]:
    """Return (sentence, the rest of its passage) pairs: each sentence a question its own passage answers."""
    pairs = []
    for passage in passages:
        found = units(passage)
        if len(found) < 2:
            continue
        text = passage.text
        for unit in found:
            sentence = text[unit.start : unit.end]
            if len(sentence.split()) >= ICT_MIN_QUERY_WORDS:
                rest = " ".join(f"{text[: unit.start]} {text[unit.end :]}".split())
                pairs.append((sentence, f"{passage.speaker}: {rest}" if passage.speaker else rest))
    return pairs


def fine_tune(passages: Sequence[Passage], out_dir: Path) -> dict[str, float]:
    """Fine-tune MiniLM for one epoch on the corpus's inverse-cloze pairs (MultipleNegativesRankingLoss); save it."""
    import random
    import resource
    import shutil

    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.losses import (
        MultipleNegativesRankingLoss,
    )

    from companion.retrieval.embedder import packaged_model_dir

    pairs = ict_pairs(passages)
    started, cpu = time.perf_counter(), time.process_time()
    torch.manual_seed(0)
    location = packaged_model_dir()
    model = SentenceTransformer(str(location), device="cpu")
    loss = MultipleNegativesRankingLoss(model)
    order = list(range(len(pairs)))
    random.Random(0).shuffle(order)
    batches = [order[i : i + ICT_BATCH] for i in range(0, len(order), ICT_BATCH)]
    optimizer = torch.optim.AdamW(model.parameters(), lr=ICT_LEARNING_RATE)
    warmup = max(1, len(batches) // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (len(batches) - step) / (len(batches) - warmup)))
    )
    model.train()
    for batch in batches:
        queries = model.preprocess([pairs[i][0] for i in batch])
        contexts = model.preprocess([pairs[i][1] for i in batch])
        loss([dict(queries), dict(contexts)], labels=None).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
    model.eval()
    model.save(str(out_dir))
    # Pooling is unchanged; the base model's file is in the form LightEmbedder.usable reads (sentence-transformers
    # 6 writes {"pooling_mode": "mean"}, which it does not recognise).
    shutil.copyfile(location / "1_Pooling" / "config.json", out_dir / "1_Pooling" / "config.json")
    cost = {"pairs": len(pairs), "seconds": round(time.perf_counter() - started, 1),
            "cpu_seconds": round(time.process_time() - cpu, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    (out_dir / "cost.json").write_text(json.dumps(cost))
    return cost


# ----------------------------------------------------------------------------- the lab


@dataclass(frozen=True)
class Ranked:
    """One method's answer to one question: passages best first, and evidence sentences best first."""

    hits: tuple[Hit, ...]
    sentences: tuple[str, ...] = ()


class Lab:
    """Everything the methods share: passages, BM25, one Models per embedding model."""

    def __init__(self, passages: Sequence[Passage], lexical_text: Callable[[Passage], str] | None = None) -> None:
        self.passages = list(passages)
        self.by_id = {p.id: p for p in self.passages}
        self.lexical = LexicalSearcher.from_passages(self.passages)
        if lexical_text:
            # The same BM25, over other words per passage (the essay's own fields, say).
            import bm25s

            terms = [content_terms(lexical_text(p)) or ["\u2205"] for p in self.passages]
            index = bm25s.BM25()
            index.index(terms, show_progress=False)
            frequency: dict[str, int] = {}
            for words in terms:
                for term in set(words):
                    frequency[term] = frequency.get(term, 0) + 1
            self.lexical = LexicalSearcher([p.id for p in self.passages], index, frequency,
                                           lambda ids: [self.by_id[i] for i in ids])
        self.vocabulary = set(self.lexical.document_frequency)
        self.folded = {p.id: fold(p.text) for p in self.passages}
        self.row = {p.id: i for i, p in enumerate(self.passages)}

    def hybrid(self, models: Models) -> HybridSearcher:
        """Return the project's own hybrid searcher over an in-memory copy of the index."""
        dense = DenseSearcher(MemoryStore(self.passages, models.passages), models.queries)  # type: ignore[arg-type]
        return HybridSearcher(dense, self.lexical)

    def term_scores(self, terms: Sequence[str]) -> np.ndarray:
        """Return every passage's BM25 score for these (already folded, stemmed) terms."""
        if not terms:
            return np.zeros(len(self.passages))
        index = self.lexical._index
        known = [t for t in terms if t in index.vocab_dict]
        if not known:
            return np.zeros(len(self.passages))
        return np.asarray(index.get_scores(known), dtype=np.float64)

    def fuse(self, dense: np.ndarray, lexical: np.ndarray, k: int = CANDIDATES) -> list[Hit]:
        """Fuse per-passage dense and lexical scores exactly as HybridSearcher does (its top k of each)."""
        rounded = np.round(dense, 6)
        order = np.argsort(-rounded, kind="stable")[:k]
        dense_hits = [Hit(rank=r, passage=self.passages[i], score=float(rounded[i]), dense=float(rounded[i]))
                      for r, i in enumerate(order, start=1)]
        order = [i for i in np.argsort(-lexical, kind="stable")[:k] if lexical[i] > 0]
        lexical_hits = [Hit(rank=r, passage=self.passages[i], score=round(float(lexical[i]), 6),
                            lexical=float(lexical[i])) for r, i in enumerate(order, start=1)]
        fused = _fuse_scores(dense_hits, lexical_hits)
        lex = {h.passage.id: h.lexical for h in lexical_hits}
        ranked = sorted(fused, key=lambda pid: (-fused[pid], pid))
        return [Hit(rank=r, passage=self.by_id[pid], score=round(fused[pid], 6),
                    dense=float(rounded[self.row[pid]]), lexical=lex.get(pid))
                for r, pid in enumerate(ranked, start=1)]


Method = Callable[[Question], Ranked]
