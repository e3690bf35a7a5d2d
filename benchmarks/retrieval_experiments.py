"""Measure passage and sentence retrieval methods on the dev questions; test figures only for the picks.

    .venv/bin/python benchmarks/retrieval_experiments.py                 # dev table, weights tuned on dev
    .venv/bin/python benchmarks/retrieval_experiments.py --test          # adds test figures for the kept methods
    .venv/bin/python benchmarks/retrieval_experiments.py --ict /tmp/ict  # fine-tunes once by inverse cloze into
                                                                         # /tmp/ict (reused if there), measures it

Figures, for answerable questions: passage recall@5, MRR@10, coverage@8 (a gold group is hit by a
passage holding any one of its phrases), and answer@1 / answer@3: the first (first three) evidence
sentences hold a gold phrase. Every rate is printed with its number of questions. The corpus and
models live in retrieval_lab.py, the methods in retrieval_methods.py.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from retrieval_lab import (
    Lab,
    MemoryStore,
    Method,
    Models,
    Ranked,
    embed_corpus,
    fine_tune,
)
from retrieval_methods import DEPTH, Methods, Weights, drop_chatter, drop_unknown, rank_sentences

from companion.config import REPO_ROOT, go_offline
from companion.corpus import load_corpus
from companion.evaluation import QUESTIONS, Question, in_split, load_questions
from companion.evaluation_metrics import fold_gold, groups_hit
from companion.passages import essay_passages
from companion.retrieval.search import CANDIDATES, DenseSearcher, HybridSearcher
from companion.retrieval.sentence_vectors import SentenceVectors
from companion.retrieval.sentences import distinct
from companion.text import content_terms, fold
from companion.types import Passage

RECALL_K = 5
MRR_K = 10
COVERAGE_K = 8


# ----------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class Figures:
    """Rates over one split's answerable questions, each with its count."""

    n: int
    recall: float
    mrr: float
    coverage: float
    answer1: float | None
    answer3: float | None
    words1: float | None
    seconds: float

    def cells(self) -> list[str]:
        """Return the table cells."""
        def rate(value: float | None) -> str:
            return "—" if value is None else f"{value:.2f}"

        return [str(self.n), rate(self.recall), rate(self.mrr), rate(self.coverage), rate(self.answer1),
                rate(self.answer3), "—" if self.words1 is None else f"{self.words1:.0f}",
                f"{self.seconds * 1000:.1f}"]


def figures(questions: Sequence[Question], results: Sequence[Ranked], lab: Lab, seconds: float) -> Figures:
    """Score rankings and sentences against the gold groups (any phrase of a group hits it)."""
    recall, mrr, coverage, answer1, answer3, words1 = [], [], [], [], [], []
    for question, ranked in zip(questions, results):
        gold = fold_gold(question.gold)
        matched = [groups_hit(lab.folded[h.passage.id], gold) for h in ranked.hits[:MRR_K]]
        first = next((r for r, g in enumerate(matched, start=1) if g), None)
        recall.append(1.0 if first and first <= RECALL_K else 0.0)
        mrr.append(1.0 / first if first else 0.0)
        coverage.append(len(set().union(*matched[:COVERAGE_K])) / len(gold))
        if ranked.sentences:
            found = [bool(groups_hit(fold(s), gold)) for s in ranked.sentences[:3]]
            answer1.append(1.0 if found[0] else 0.0)
            answer3.append(1.0 if any(found) else 0.0)
            words1.append(len(ranked.sentences[0].split()))
    mean = statistics.fmean
    return Figures(
        n=len(results), recall=mean(recall), mrr=mean(mrr), coverage=mean(coverage),
        answer1=mean(answer1) if answer1 else None, answer3=mean(answer3) if answer3 else None,
        words1=mean(words1) if words1 else None, seconds=seconds / max(1, len(results)),
    )


def run(method: Method, questions: Sequence[Question], lab: Lab) -> Figures:
    """Answer every question with the method, timing it, and score the answers."""
    started = time.perf_counter()
    results = [method(q) for q in questions]
    return figures(questions, results, lab, time.perf_counter() - started)


# ----------------------------------------------------------------------------- experiments


def tune(name: str, grid: dict[str, Sequence], build: Callable[..., Method], questions: Sequence[Question], lab: Lab,
         key: Callable[[Figures], tuple]) -> tuple[dict, Figures]:
    """Try every setting of the grid on the dev questions; return the best by key."""
    best: tuple[dict, Figures] | None = None
    for values in itertools.product(*grid.values()):
        setting = dict(zip(grid, values))
        found = run(build(**setting), questions, lab)
        if best is None or key(found) > key(best[1]):
            best = (setting, found)
    assert best is not None
    print(f"  tuned {name}: {best[0]}", file=sys.stderr)
    return best


def passage_key(f: Figures) -> tuple:
    return (round(f.mrr + f.recall + f.coverage, 6), f.answer1 or 0.0)


def sentence_key(f: Figures) -> tuple:
    return (round((f.answer1 or 0.0) + 0.5 * (f.answer3 or 0.0), 6), f.mrr)


def explore(prefix: str, m: Methods, lab: Lab, dev: Sequence[Question], record: Callable[..., Figures]) -> None:
    """Measure every method with one embedding model, tuning each one's settings on dev."""
    record(f"{prefix}hybrid passages + today's quotes", m.hybrid, keep=True)
    record(f"{prefix}dense passages only", m.dense_only)
    record(f"{prefix}+ sentences by cosine alone (depth 5)", m.sentences(Weights(passage=0.0, lexical=0.0), 5))
    grid = {"passage": [0.0, 0.15, 0.3, 0.5, 0.8], "lexical": [0.0, 0.25, 0.5, 0.8, 1.2], "depth": [3, 5, 8]}
    setting, fused = tune(f"{prefix}sentence weights", grid,
                          lambda passage, lexical, depth: m.sentences(Weights(passage, lexical), depth), dev, lab,
                          sentence_key)
    weights, depth = Weights(setting["passage"], setting["lexical"]), setting["depth"]
    record(f"{prefix}+ sentences fused (cosine, passage, words)", m.sentences(weights, depth), keep=True,
           setting=setting)
    chosen, _ = tune(f"{prefix}answer type", {"answer_type": [0.1, 0.2, 0.3, 0.5]},
                     lambda answer_type: m.sentences(weights, depth, answer_type=answer_type), dev, lab, sentence_key)
    record(f"{prefix}+ answer type (a name for who, a quantity for when/how many)",
           m.sentences(weights, depth, **chosen), setting=chosen)
    record(f"{prefix}  same, each sentence without its neighbour", m.sentences(weights, depth, neighbours=False),
           setting=setting)
    options: dict[str, dict] = {}

    def passage_option(name: str, key: str, values: Sequence, label: str) -> None:
        chosen, found = tune(f"{prefix}{name}", {key: values}, lambda **kw: m.sentences(weights, depth, **kw), dev, lab,
                             passage_key)
        better = passage_key(found) > passage_key(fused)
        record(f"{prefix}+ {label}", m.sentences(weights, depth, **chosen), keep=better, setting=chosen)
        if better:
            options.update(chosen)

    passage_option("sentence-in-passage mix", "unit_dense", [0.25, 0.5, 0.75, 1.0],
                   "passage cosine mixed with its best sentence's")
    passage_option("sentence rerank", "rerank", [0.25, 0.5, 1.0], "candidates reranked by best sentence")
    passage_option("chatter", "rewrite", [drop_chatter], "query without chatter")
    passage_option("unknown words", "rewrite", [lambda q: drop_unknown(q, lab.vocabulary)],
                   "query without words the corpus lacks")
    passage_option("RM3", "prf", [(d, c, b) for d in (2, 3, 5) for c in (5, 10, 20) for b in (0.3, 0.6, 1.0)],
                   "RM3 expansion of BM25 from the top passages")
    passage_option("Rocchio", "rocchio", [(d, a) for d in (1, 3, 5) for a in (0.25, 0.5, 1.0)],
                   "Rocchio feedback on the query vector")
    if options:
        record(f"{prefix}= sentences fused + {', '.join(sorted(options))}", m.sentences(weights, depth, **options),
               keep=True, setting={k: getattr(v, "__name__", v) for k, v in options.items()})


def quote_choices(lab: Lab, models: Models, questions: Sequence[Question]) -> list[list[str]]:
    """Show how many quotes to offer: every distinct candidate within a margin of the best, up to a cap."""
    searcher = lab.hybrid(models)
    scored = []
    for question in questions:
        hits = searcher.search(question.q, CANDIDATES)
        ranked = distinct(rank_sentences(question.q, hits, models.queries, models.sentences, lab.lexical.idf))
        gold = fold_gold(question.gold)
        scored.append([(c.score, bool(groups_hit(fold(c.text), gold))) for c in ranked])
    rows = [["margin", "cap", "n", "quote answers", "quote precision", "quotes per reply"]]
    for margin in (0.0, 0.05, 0.1, 0.2):
        for cap in (2, 3):
            shown = [[hit for score, hit in found if score >= found[0][0] - margin][:cap] for found in scored if found]
            quotes = sum(len(s) for s in shown)
            rows.append([f"{margin:.2f}", str(cap), str(len(shown)), f"{sum(any(s) for s in shown) / len(shown):.2f}",
                         f"{sum(sum(s) for s in shown) / quotes:.2f}", f"{quotes / len(shown):.2f}"])
    return rows


def timings(lab: Lab, weights: Weights, depth: int, questions: Sequence[Question]) -> list[str]:
    """Time the kept method as the engine would run it: no caches but the sentence vectors built at ingest."""
    from companion.retrieval.embedder import SentenceTransformerEmbedder
    from companion.retrieval.light import LightEmbedder

    reference = SentenceTransformerEmbedder()
    reference.load()
    started = time.perf_counter()
    matrix = np.asarray(reference.embed([p.embedding_text for p in lab.passages]), dtype=np.float32)
    passages_seconds = time.perf_counter() - started
    started = time.perf_counter()
    built = SentenceVectors.build(lab.passages, reference)
    build_seconds = time.perf_counter() - started
    light = LightEmbedder()
    light.load()
    store = MemoryStore(lab.passages, matrix)
    searcher = HybridSearcher(DenseSearcher(store, light), lab.lexical)  # type: ignore[arg-type]
    search, ranked_built, ranked_cold = [], [], []
    for question in questions:
        started = time.perf_counter()
        hits = searcher.search(question.q, depth)
        search.append(time.perf_counter() - started)
        started = time.perf_counter()
        rank_sentences(question.q, hits, light, built, lab.lexical.idf, weights)
        ranked_built.append(time.perf_counter() - started)
        started = time.perf_counter()
        rank_sentences(question.q, hits, light, SentenceVectors(), lab.lexical.idf, weights)
        ranked_cold.append(time.perf_counter() - started)

    def ms(values: list[float]) -> str:
        p95 = sorted(values)[int(0.95 * (len(values) - 1))]
        return f"p50 {statistics.median(values) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"

    return [
        f"ingest: {len(lab.passages)} passages embedded in {passages_seconds:.2f} s; "
        f"{len(built)} sentence units in {build_seconds:.2f} s (sentence-transformers)",
        f"per question ({len(questions)}): hybrid search {ms(search)}",
        f"  rank_sentences with the units built at ingest: {ms(ranked_built)}",
        f"  rank_sentences embedding the units of the top {depth} passages per question: {ms(ranked_cold)}",
    ]


# ----------------------------------------------------------------------------- main


HEADER = ["method", "n", "recall@5", "MRR@10", "cov@8", "answer@1", "answer@3", "words@1", "ms/q"]


def table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in rows]
    out.insert(1, "| " + " | ".join("-" * w for w in widths) + " |")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--test", action="store_true", help="also report test figures for the kept methods")
    parser.add_argument("--ict", type=Path, help="fine-tune by inverse cloze into this folder (reused if present)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/retrieval-experiments-cache"),
                        help="embeddings kept between runs, by model and text")
    parser.add_argument("--json", type=Path, help="write every figure here")
    parser.add_argument("--quick", action="store_true", help="skip the tuning grids; the module's weights only")
    parser.add_argument("--timing", action="store_true",
                        help="time the kept sentence method as the engine would run it")
    args = parser.parse_args()
    go_offline()
    import torch

    torch.set_num_threads(args.threads)
    questions = [q for q in load_questions(args.questions) if q.answerable]
    dev, test = in_split(questions, "dev"), in_split(questions, "test")
    passages = [p for essay in load_corpus(REPO_ROOT / "corpus") for p in essay_passages(essay)]
    print(f"{len(passages)} passages; answerable questions: {len(dev)} dev, {len(test)} test", file=sys.stderr)
    lab = Lab(passages)
    base = embed_corpus("MiniLM", None, passages, args.cache)
    m = Methods(lab, base)
    results: dict[str, dict] = {}
    kept: dict[str, Method] = {}

    def record(name: str, method: Method, keep: bool = False, setting: dict | None = None) -> Figures:
        found = run(method, dev, lab)
        results[name] = {"dev": found, "setting": setting}
        if keep:
            kept[name] = method
        return found

    same = sum(
        [h.passage.id for h in m.searcher.search(q.q, 10)]
        == [h.passage.id for h in lab.fuse(base.passages @ m.embed(q.q), lab.term_scores(content_terms(q.q)))[:10]]
        for q in dev
    )
    # The reproduction of the fusion must agree with the project's searcher before any variant counts.
    print(f"fusion reproduction agrees with HybridSearcher on {same}/{len(dev)} dev questions", file=sys.stderr)
    record("BM25 only", m.bm25_only)
    if args.quick:
        record("hybrid passages + today's quotes", m.hybrid, keep=True)
        record("+ sentences fused (cosine, passage, words)", m.sentences(Weights(), DEPTH), keep=True)
    else:
        explore("", m, lab, dev, record)
    essays = {e.id: e for e in load_corpus(REPO_ROOT / "corpus")}

    def essay_fields(p: Passage) -> str:
        essay = essays[p.essay_id]
        fields = (essay.title, essay.author, essay.outlet, essay.form, essay.id.replace("-", " "))
        return " ".join(f for f in fields if f)

    with_fields = Lab(passages, lambda p: f"{essay_fields(p)} {p.speaker or ''} {p.text}")
    titled = embed_corpus("MiniLM, essay fields", None, passages, args.cache,
                          lambda p: f"{essay_fields(p)}. {p.embedding_text}")
    fielded = Methods(with_fields, base)
    fused_weights = Weights()
    record("essay fields in BM25 (title, author, outlet, form, id)", fielded.bm25_only)
    record("essay fields in BM25, hybrid + sentences fused", fielded.sentences(fused_weights, 5))
    record("essay fields in BM25 and the embedded text, hybrid + sentences fused",
           Methods(with_fields, titled).sentences(fused_weights, 5))
    if args.ict:
        if not (args.ict / "model.safetensors").is_file():
            print(f"ICT fine-tuning cost: {fine_tune(passages, args.ict)}", file=sys.stderr)
        tuned = embed_corpus("MiniLM+ICT", str(args.ict), passages, args.cache)
        explore("ICT: ", Methods(lab, tuned), lab, dev, record)

    rows = [HEADER]
    for name, found in results.items():
        rows.append([name, *found["dev"].cells()])
    print("\nDEV (answerable questions; weights tuned here)\n" + table(rows))
    if args.test:
        rows = [HEADER]
        for name, method in kept.items():
            found = run(method, test, lab)
            results[name]["test"] = found
            rows.append([name, *found.cells()])
        print("\nTEST (kept methods only, settings from dev)\n" + table(rows))
    print("\nQUOTES TO SHOW (dev, answerable; distinct candidates of the module's ranking)\n"
          + table(quote_choices(lab, base, dev)))
    if args.timing:
        defaults = Weights()
        print("\nCOST (load average {:.1f})".format(os.getloadavg()[0]))
        print("\n".join(timings(lab, defaults, DEPTH, dev)))
    if args.json:
        args.json.write_text(json.dumps({n: {k: (v.__dict__ if isinstance(v, Figures) else v) for k, v in r.items()}
                                         for n, r in results.items()}, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
