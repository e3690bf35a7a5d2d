"""Choose how the question map (companion/retrieval/adapter.py) is fit, on dev questions only.

    .venv/bin/python benchmarks/adapter_fit.py [--reader] [--settings STEPS,RATE,SHARPNESS,PULL ...]

For each way of fitting the map, the map is fit on the questions written for the essays' sentences (never on an
evaluation question), its two ranker columns (the moved question's cosine to each sentence and its gap to the best)
are put in place of the ones the index holds, and the quote ranker is fit again: held out by 10 folds of the dev
questions (benchmarks/sentence_fit.py's set), and fit on all of dev then read on eval/probe_dev.jsonl. Each line
gives what a reader would be shown at the policy's floor and caps (quote answers, precision, the first quote), and
how long the fit took. "without" leaves the two columns out; "policy" is Policy.adapter_*. With --reader the map is fit
in the reader model's space (MPNet's vectors of the written questions, read at ingest) and its two columns are the
ones tried.
"""

from __future__ import annotations

import argparse
import time

import ranker_probes as rp
import sentence_fit as sf

from companion.config import REPO_ROOT
from companion.evaluation import load_questions
from companion.policy import POLICY
from companion.retrieval.adapter import AdapterSettings
from companion.retrieval.sentence_vectors import asked_pairs
from companion.retrieval.sentences import FEATURES
from companion.retrieval.units import embedding_text
from companion.retrieval.service import adapter_settings

PROBES = REPO_ROOT / "eval" / "probe_dev.jsonl"
SETTINGS = ("200,0.001,20,0.001", "200,0.001,20,0.01", "200,0.001,20,0.0001", "400,0.001,20,0.001",
            "200,0.001,10,0.001", "200,0.001,30,0.001")


def probe_rows():
    """Return the probe questions' rows, as dev_rows finds them for dev."""
    real = sf.dev_questions
    sf.dev_questions = lambda extra, answerable=True: [q for q in load_questions(PROBES) if q.answerable == answerable]
    try:
        return rp.dev_rows()[0]
    finally:
        sf.dev_questions = real


def main() -> None:
    import numpy as np

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", nargs="*", default=list(SETTINGS), help="STEPS,RATE,SHARPNESS,PULL each")
    parser.add_argument("--reader", action="store_true", help="fit the map in the reader model's space")
    args = parser.parse_args()
    rows, retrieval = rp.dev_rows()
    probes = probe_rows()
    if args.reader and retrieval.reader is None:
        raise SystemExit("the reader model is not installed: run make setup")
    vectors = retrieval.reader.vectors if args.reader else retrieval.sentences
    embedder = retrieval.reader.embedder if args.reader else retrieval.first_search.embedder
    column = FEATURES.index("reader_adapted" if args.reader else "adapted")
    pairs = asked_pairs(retrieval.store.all_passages(), retrieval.sentences.asked)
    everything = [r for r in rows + probes if len(r.pool)]
    queries = {r.question: np.asarray(embedder.embed([r.question])[0], dtype=np.float32) for r in everything}
    units = {r.question: vectors.lookup([embedding_text(h.passage, u) for h, u in r.pool], embedder) for r in everything}
    print(f"{len(pairs)} written questions; dev {len(rows)} questions, probes {len(probes)}")

    def transfer(columns) -> str:
        train = [r for r in rows if len(r.pool)]
        model = sf.fit([(columns(r), r.y) for r in train])
        return rp.shown_figures(probes, [sf.chances(columns(r), model) if len(r.pool) else np.zeros(0) for r in probes])

    def report(name: str, columns, took: str = "") -> None:
        print(f"{name}{took}\n  dev, 10 folds: {rp.shown_figures(rows, rp.held_out(rows, columns, 10)[0])}\n"
              f"  probes, fit on dev: {transfer(columns)}", flush=True)

    report("without", lambda r: np.delete(r.X, [column, column + 1], axis=1))
    for spec in ["policy", *args.settings]:
        chosen = adapter_settings(POLICY) if spec == "policy" else AdapterSettings(*(
            cast(v) for cast, v in zip((int, float, float, float), spec.split(","))))
        started = time.perf_counter()
        adapter = vectors.fit(pairs, chosen, embedder)
        took = time.perf_counter() - started
        moved = {}
        for r in everything:
            cosine = units[r.question] @ adapter.adapt(queries[r.question])
            moved[r.question] = np.stack([cosine, cosine - cosine.max()], axis=1)

        def columns(r, moved=moved):
            X = r.X.copy()
            X[:, column : column + 2] = moved[r.question]
            return X

        report(f"{spec} ({chosen})", columns, f", fit in {took:.1f} s")


if __name__ == "__main__":
    main()
