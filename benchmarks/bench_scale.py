"""How ingest time, index size and query latency grow with the number of passages.

Synthetic passages are built from the corpus's own sentences, shuffled with a fixed seed, so
the vocabulary is real. Each size gets a fresh embedded index under --dir (kept, so a later
run at the same size reuses it: pass --rebuild to measure ingest again). "check" is the test a
start makes to see whether the saved BM25 index still matches (the store's revision); "scan" is
reading every passage's metadata, which that check replaced.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

from companion.config import REPO_ROOT
from companion.corpus import load_corpus
from companion.passages import SENTENCE_END, Passage, normalize_space
from companion.retrieval.connect import open_client
from companion.retrieval.embedder import SentenceTransformerEmbedder
from companion.retrieval.lexical import LexicalSearcher
from companion.retrieval.light import LightEmbedder
from companion.retrieval.search import DenseSearcher, HybridSearcher
from companion.retrieval.service import index_fingerprint
from companion.retrieval.store import PassageStore

QUERIES = ["What did the critics think of the ending?", "Is Samantha rational or emotional?", "the cabin in the rain",
           "Who wrote Being John Malkovich?", "What does Amy work on?", "a love letter to Sofia Coppola"]


def sentences() -> list[str]:
    found = []
    for essay in load_corpus(REPO_ROOT / "corpus"):
        found.extend(s.strip() for s in SENTENCE_END.split(normalize_space(essay.body)) if len(s.split()) > 4)
    return found


def synthetic(count: int, seed: int = 7) -> list[Passage]:
    pool = sentences()
    rng = random.Random(seed)
    passages = []
    for n in range(1, count + 1):
        text = " ".join(rng.sample(pool, 4))
        passages.append(Passage(id=f"synthetic-{n // 1000}:{n}", essay_id=f"synthetic-{n // 1000}", n=n,
                                title=f"Synthetic {n // 1000}", author=None, text=text, start=0, end=len(text)))
    return passages


def unit(rng: random.Random, dims: int = 384) -> list[float]:
    vector = [rng.gauss(0, 1) for _ in range(dims)]
    norm = sum(x * x for x in vector) ** 0.5
    return [x / norm for x in vector]


def size_of(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--dir", type=Path, default=Path.home() / ".cache" / "companion-bench-scale")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--random-vectors", action="store_true",
                        help="store random unit vectors instead of embeddings: quick, for the store's own costs "
                             "(index check, size); query latency is then not meaningful")
    args = parser.parse_args()
    embedder = SentenceTransformerEmbedder()
    light = LightEmbedder()
    print(f"{'passages':>9}{'ingest s':>10}{'index MB':>10}{'p50 ms':>9}{'p95 ms':>9}{'bm25 build s':>14}"
          f"{'bm25 load s':>13}{'check s':>9}{'scan s':>8}")
    for count in args.sizes:
        # Random vectors never stand in for embeddings in a later run, so they get a folder of their own.
        folder = args.dir / (f"{count}-random" if args.random_vectors else str(count))
        store = PassageStore(open_client(folder), embedder.model_id)
        passages = synthetic(count)
        ingest_s = float("nan")
        if args.rebuild or store.count() != count:
            start = time.perf_counter()
            essays: dict[str, list[Passage]] = {}
            for passage in passages:
                essays.setdefault(passage.essay_id, []).append(passage)
            rng = random.Random(count)
            for essay_id, batch in essays.items():
                vectors = ([unit(rng) for _ in batch] if args.random_vectors
                           else embedder.embed([p.text for p in batch]))
                store.put_essay(essay_id, "synthetic", batch, vectors)
            ingest_s = time.perf_counter() - start
        start = time.perf_counter()
        index_fingerprint(store)
        check_s = time.perf_counter() - start
        start = time.perf_counter()
        store.essay_hashes()
        scan_s = time.perf_counter() - start
        start = time.perf_counter()
        lexical = LexicalSearcher.from_passages(store.all_passages(), store.passages)
        bm25_s = time.perf_counter() - start
        lexical.save(folder / "bm25", "bench")
        start = time.perf_counter()
        lexical = LexicalSearcher.load(folder / "bm25", "bench", store.passages)
        load_s = time.perf_counter() - start
        searcher = HybridSearcher(DenseSearcher(store, light), lexical)
        searcher.search("warm up", 5)
        latencies = []
        for _ in range(5):
            for query in QUERIES:
                start = time.perf_counter()
                searcher.search(query, 5)
                latencies.append((time.perf_counter() - start) * 1000)
        latencies.sort()
        print(f"{count:>9}{ingest_s:>10.1f}{size_of(folder):>10.1f}{statistics.median(latencies):>9.1f}"
              f"{latencies[int(0.95 * (len(latencies) - 1))]:>9.1f}{bm25_s:>14.2f}{load_s:>13.2f}"
              f"{check_s:>9.3f}{scan_s:>8.2f}{'' if store.revision() else '  (built before revisions)'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
