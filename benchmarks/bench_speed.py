"""Speed figures, each against a baseline measured in the same run.

- cold `companion ask --backend extractive` (a new process each time, warm disk) vs `python -c pass`;
- retrieval latency p50/p95 (hybrid, torch-free query embedding, 5 essays) vs a bare Chroma query;
- ingest of the corpus vs a raw SentenceTransformer.encode of the same passages;
- the reader model's vectors and token rows for every sentence (what it adds to an ingest) vs MiniLM's vectors for
  the same;
- MiniLM's vectors for every sentence and the questions written for them (corpus/questions/) vs the sentences alone;
- the reader's pass after an essay is edited, and for essays it has read, with its memo by text vs the whole pass;
- peak RSS of a one-shot ask with the local llama-cpp model loaded (first ask, which converts it, and a later one).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from companion.config import REPO_ROOT, load_settings

COMPANION = str(Path(sys.executable).parent / "companion")
QUESTION = "What did the critics think of the ending?"
QUERIES = [
    "What did the critics think of the ending?", "Is Samantha rational or emotional?", "What does Amy work on?",
    "Who wrote Being John Malkovich?", "What shot accompanies Samantha's goodbye?", "the cabin in the rain",
    "Is the film a love letter to Sofia Coppola?", "What kink does Theodore's phone-sex partner have?",
]


def run_seconds(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def peak_rss(command: list[str]) -> float:
    """Return the peak RSS in MB of one run of a command, measured by a fresh parent of its own."""
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", probe, *command], check=True, capture_output=True, text=True)
    return int(done.stdout) / 1024


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="companion-speed-"))
    rows: list[tuple[str, str, str, str]] = []

    # Ingest vs raw encode (fresh index; the model is loaded before timing either).
    from companion.corpus import load_corpus
    from companion.passages import essay_passages
    from companion.retrieval.embedder import SentenceTransformerEmbedder, load_model, resolve_model
    from companion.retrieval.ingest import ingest
    from companion.retrieval.connect import open_client
    from companion.retrieval.store import PassageStore

    embedder = SentenceTransformerEmbedder()
    embedder.load()
    texts = [p.embedding_text for e in load_corpus(REPO_ROOT / "corpus") for p in essay_passages(e)]
    model = load_model(resolve_model(None).location)
    raw, ours = [], []
    for run in range(args.runs):
        start = time.perf_counter()
        model.encode(texts, batch_size=32, normalize_embeddings=True)
        raw.append(time.perf_counter() - start)
        target = data / f"ingest-{run}"
        store = PassageStore(open_client(target), embedder.model_id)
        start = time.perf_counter()
        ingest(REPO_ROOT / "corpus", store, embedder)
        ours.append(time.perf_counter() - start)
        shutil.rmtree(target, ignore_errors=True)
    rows.append((f"ingest ({len(texts)} passages)", f"{statistics.median(ours):.2f} s", f"raw encode {statistics.median(raw):.2f} s",
                 f"{statistics.median(ours) / statistics.median(raw):.2f}x"))

    # The reader model's pass over every sentence (its vectors and token rows), the part of an ingest it adds, vs
    # MiniLM's pass over the same.
    from companion.retrieval.reader import reader_model_dir
    from companion.retrieval.sentence_vectors import SentenceVectors
    from companion.retrieval.tokens import read_texts
    from companion.retrieval.units import embedding_text, units

    passages = [p for e in load_corpus(REPO_ROOT / "corpus") for p in essay_passages(e)]
    location = str(reader_model_dir())
    SentenceTransformerEmbedder(location).load()
    texts = [embedding_text(p, u) for p in passages for u in units(p)]
    mpnet, minilm = [], []
    for _ in range(max(1, args.runs // 2)):
        start = time.perf_counter()
        read_texts(texts, location)
        mpnet.append(time.perf_counter() - start)
        start = time.perf_counter()
        SentenceVectors.build(passages, embedder)
        minilm.append(time.perf_counter() - start)
    count = len({u.text(p) for p in passages for u in units(p)})
    rows.append((f"reader vectors ({count} sentences)", f"{statistics.median(mpnet):.2f} s",
                 f"MiniLM, same {statistics.median(minilm):.2f} s", f"{statistics.median(mpnet) / statistics.median(minilm):.1f}x"))

    # The questions written for the sentences (companion/asked.py), embedded with them: what they add to an ingest.
    from companion.asked import load_asked

    asked = load_asked(REPO_ROOT / "corpus")
    written = []
    for _ in range(max(1, args.runs // 2)):
        start = time.perf_counter()
        SentenceVectors.build(passages, embedder, asked)
        written.append(time.perf_counter() - start)
    rows.append((f"sentence vectors with {len(asked.texts)} written questions", f"{statistics.median(written):.2f} s",
                 f"sentences alone {statistics.median(minilm):.2f} s", f"{statistics.median(written) / statistics.median(minilm):.1f}x"))

    # The map those questions teach (companion/retrieval/adapter.py), fit with them at ingest, as Policy.adapter_* says.
    from companion.retrieval.service import adapter_settings

    adapted = []
    for _ in range(max(1, args.runs // 2)):
        start = time.perf_counter()
        SentenceVectors.build(passages, embedder, asked, adapter_settings())
        adapted.append(time.perf_counter() - start)
    rows.append(("sentence vectors, questions and their map", f"{statistics.median(adapted):.2f} s",
                 f"without the map {statistics.median(written):.2f} s", f"{statistics.median(adapted) / statistics.median(written):.1f}x"))

    # The reader's pass with the written questions read whole and its own map fit on them (service._read_all), vs its
    # pass over the sentences alone.
    from companion.policy import POLICY
    from companion.retrieval.reader import ReaderEmbedder
    from companion.retrieval.service import _read_all

    model = ReaderEmbedder(reader_model_dir())
    mapped = []
    for _ in range(max(1, args.runs // 2)):
        start = time.perf_counter()
        _read_all(passages, model, asked, POLICY)
        mapped.append(time.perf_counter() - start)
    rows.append(("reader vectors, questions and their map", f"{statistics.median(mapped):.2f} s",
                 f"sentences alone {statistics.median(mpnet):.2f} s", f"{statistics.median(mapped) / statistics.median(mpnet):.1f}x"))

    # The same pass with the reader's memo by text (retrieval/read_memo.py) filled by a first build: after one sentence
    # is edited (another passage's each run, so its written questions no longer match and the map is fit again), and
    # for a second data dir holding the same essays; vs the whole pass above.
    from dataclasses import replace

    from companion.retrieval.read_memo import ReadingMemo

    memo = ReadingMemo(Path(tempfile.mkdtemp(prefix="companion-memo-")), model.model_id)
    _read_all(passages, model, asked, POLICY, memo)
    edited, kept = [], []
    for run in range(max(1, args.runs // 2)):
        changed = [replace(p, text=p.text.replace(".", " (edited).", 1)) if i == run else p for i, p in enumerate(passages)]
        start = time.perf_counter()
        _read_all(changed, model, asked, POLICY, memo)
        edited.append(time.perf_counter() - start)
        start = time.perf_counter()
        _read_all(changed, model, asked, POLICY, memo)
        kept.append(time.perf_counter() - start)
    shutil.rmtree(memo.root, ignore_errors=True)
    rows.append(("reader's pass after one sentence is edited (memo by text)", f"{statistics.median(edited):.2f} s",
                 f"whole pass {statistics.median(mapped):.2f} s", f"{statistics.median(edited) / statistics.median(mapped):.2f}x"))
    rows.append(("reader's pass for essays it has read (memo by text)", f"{statistics.median(kept):.2f} s",
                 f"whole pass {statistics.median(mapped):.2f} s", f"{statistics.median(kept) / statistics.median(mapped):.3f}x"))

    # Build the index once for the rest.
    subprocess.run([COMPANION, "ingest", "--data-dir", str(data)], check=True, capture_output=True)

    # Cold one-shot ask vs an empty interpreter.
    ask = [COMPANION, "ask", "--data-dir", str(data), "--backend", "extractive", "--json", QUESTION]
    empty = [sys.executable, "-c", "pass"]
    cold, baseline = [], []
    for _ in range(args.runs):
        baseline.append(run_seconds(empty))
        cold.append(run_seconds(ask))
    rows.append(("cold ask (extractive)", f"{statistics.median(cold):.2f} s",
                 f"python -c pass {statistics.median(baseline):.2f} s", ""))

    # Peak RSS of an ask with the local model: the first converts the shipped weights, the second reuses them.
    llama_ask = [COMPANION, "ask", "--data-dir", str(data), "--backend", "llama-cpp", QUESTION]
    rows.append(("peak RSS, first llama-cpp ask", f"{peak_rss(llama_ask):.0f} MB", "converts the model once", ""))
    rows.append(("peak RSS, llama-cpp ask", f"{peak_rss(llama_ask):.0f} MB", "", ""))

    # Retrieval latency in-process, after one warm-up query. Last: this process now holds the data dir.
    from companion.retrieval.service import open_retrieval

    retrieval = open_retrieval(load_settings(data_dir=data))
    searcher = retrieval.searcher
    searcher.search("warm up", 5)
    hybrid, bare = [], []
    (vector,) = searcher.embedder.embed(["warm up"])
    for _ in range(args.runs * 4):
        for query in QUERIES:
            start = time.perf_counter()
            searcher.search(query, 5)
            hybrid.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            retrieval.store.query(vector, 5)
            bare.append((time.perf_counter() - start) * 1000)
    rows.append(("retrieval p50 (hybrid)", f"{statistics.median(hybrid):.1f} ms",
                 f"bare Chroma {statistics.median(bare):.1f} ms", f"{statistics.median(hybrid) / statistics.median(bare):.1f}x"))
    rows.append(("retrieval p95 (hybrid)", f"{percentile(hybrid, 0.95):.1f} ms",
                 f"bare Chroma {percentile(bare, 0.95):.1f} ms", ""))

    print(f"median of {args.runs} runs; data dir {data}")
    print(f"{'figure':30}{'ours':>12}  {'baseline':<28}{'ratio':>8}")
    for name, value, base, ratio in rows:
        print(f"{name:30}{value:>12}  {base:<28}{ratio:>8}")
    shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
