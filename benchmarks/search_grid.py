"""Measure, on dev only, the first search's settings against the quote ranker's reordering of it.

    .venv/bin/python benchmarks/search_grid.py bm25     # BM25's k1 and b (bm25s's defaults are 1.5 and 0.75)
    .venv/bin/python benchmarks/search_grid.py fusion   # the cosine's weight against BM25's in the score fusion

Each setting rebuilds the lexical index (bm25) or the fusion (fusion) in memory over the stored passages and searches
every answerable dev question twice: the hybrid search alone, and through the quote ranker that reorders its passages
(what `companion eval` measures). Retrieval only: no reply is asked for. About three minutes a setting on 2 cores.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

import bm25s
import sentence_fit as sf

import companion.retrieval.search as search
from companion.config import load_settings
from companion.evaluation import Question
from companion.evaluation_metrics import DEPTH, fold_gold, score_ranking
from companion.retrieval.lexical import LexicalSearcher
from companion.retrieval.service import open_retrieval

BM25_GRID = [(1.5, 0.75), (0.9, 0.4), (0.9, 0.75), (0.9, 0.9), (1.2, 0.4), (1.2, 0.75), (2.0, 0.75)]
FUSION_GRID = [1.0, 0.5, 0.75, 1.5, 2.0]


def figures(searcher, questions: Sequence[Question], passages) -> str:
    """Return recall@5, MRR@10 and coverage@8 of one searcher over the questions."""
    folded: dict[str, str] = {}
    results = [score_ranking(q.q, q.kind, fold_gold(q.gold), searcher.search(q.q, DEPTH), passages, folded)
               for q in questions]
    found = sum(1 for r in results if r.first_rank and r.first_rank <= 5)
    mrr = sum(1 / r.first_rank for r in results if r.first_rank) / len(results)
    coverage = sum(r.groups_matched / r.groups for r in results if r.groups) / len(results)
    return f"recall@5 {found}/{len(results)}  MRR@10 {mrr:.3f}  coverage@8 {coverage:.3f}"


def with_bm25(k1: float, b: float, retrieval, passages) -> None:
    """Give the hybrid search a lexical index built with these parameters."""
    original = bm25s.BM25.__init__

    def init(self, *args, **kwargs):
        kwargs.update(k1=k1, b=b)
        original(self, *args, **kwargs)

    bm25s.BM25.__init__ = init
    try:
        retrieval.first.lexical = LexicalSearcher.from_passages(passages)
    finally:
        bm25s.BM25.__init__ = original


def weighted_fusion(weight: float, fuse: Callable) -> Callable:
    """Return the score fusion with the scaled cosine weighted against the scaled BM25 score."""

    def fused(dense_hits, lexical_hits):
        dense, lexical = fuse(dense_hits, []), fuse([], lexical_hits)
        return {pid: weight * dense.get(pid, 0.0) + lexical.get(pid, 0.0) for pid in dense.keys() | lexical.keys()}

    return fused


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("probe", choices=["bm25", "fusion"])
    args = parser.parse_args()
    questions = sf.dev_questions(sf.EXTRA)
    retrieval = open_retrieval(load_settings(), "hybrid")
    passages = retrieval.store.all_passages()
    plain = search._fuse_scores
    settings = BM25_GRID if args.probe == "bm25" else FUSION_GRID
    for setting in settings:
        if args.probe == "bm25":
            with_bm25(*setting, retrieval, passages)
        else:
            search._fuse_scores = weighted_fusion(setting, plain)
        print(f"{setting}: first search {figures(retrieval.first, questions, passages)} | "
              f"reordered {figures(retrieval.searcher, questions, passages)}", flush=True)
    search._fuse_scores = plain
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
