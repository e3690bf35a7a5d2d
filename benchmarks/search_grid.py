"""Measure, on dev only, the first search's settings against the quote ranker's reordering of it.

    .venv/bin/python benchmarks/search_grid.py bm25     # BM25's k1 and b (bm25s's defaults are 1.5 and 0.75)
    .venv/bin/python benchmarks/search_grid.py fusion   # the cosine's weight against BM25's in the score fusion

Each setting rebuilds the lexical index (bm25) or the fusion (fusion) in memory over the stored passages and searches
every answerable dev question twice: the hybrid search alone, and through the quote ranker that reorders its passages
(what `companion eval` measures). Retrieval only: no reply is asked for. About three minutes a setting on 2 cores.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import sentence_fit as sf

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("probe", choices=["bm25", "fusion"])
    args = parser.parse_args()
    questions = sf.dev_questions(sf.EXTRA)
    retrieval = open_retrieval(load_settings(), "hybrid")
    passages = retrieval.store.all_passages()
    settings = BM25_GRID if args.probe == "bm25" else FUSION_GRID
    for setting in settings:
        if args.probe == "bm25":
            k1, b = setting
            retrieval.first.lexical = LexicalSearcher.from_passages(passages, k1=k1, b=b)
        else:
            retrieval.first.dense_weight = setting
        print(f"{setting}: first search {figures(retrieval.first, questions, passages)} | "
              f"reordered {figures(retrieval.searcher, questions, passages)}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
