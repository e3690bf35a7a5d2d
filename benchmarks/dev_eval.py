"""Measure the questions tuned on as one set, each rate over all of them, side by side with the probes.

    .venv/bin/python benchmarks/dev_eval.py [--retriever hybrid] [--probes] [--misses]

The dev set is the dev split of eval/questions.jsonl with all of eval/extra_dev.jsonl and eval/more_dev.jsonl (147
answerable, 78 not covered): every weight, threshold and word list is tuned on it. `--probes` adds
eval/probe_dev.jsonl as a second column (dev-only too). The test split and eval/holdout.jsonl are never read here:
report them with `companion eval eval/questions.jsonl --split test` and `companion eval eval/holdout.jsonl`.
"""

from __future__ import annotations

import argparse

from companion.config import REPO_ROOT, go_offline, load_settings
from companion.evaluation import dev_questions, evaluate, load_questions, open_eval
from companion.evaluation_report import format_table

EVAL = REPO_ROOT / "eval"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--retriever", default="hybrid", choices=("hybrid", "hybrid-rrf", "dense", "bm25"))
    parser.add_argument("--probes", action="store_true", help="also measure eval/probe_dev.jsonl, as its own column")
    parser.add_argument("--misses", action="store_true", help="list the questions missed, after the figures")
    args = parser.parse_args()
    go_offline()
    searcher, passages, engine = open_eval(load_settings(), args.retriever)
    sets = {"dev": dev_questions()}
    if args.probes:
        sets["probes"] = load_questions(EVAL / "probe_dev.jsonl")
    reports = {
        name: evaluate(questions, searcher, engine, store_passages=passages, name=name, split="all")
        for name, questions in sets.items()
    }
    table = format_table(reports)
    # The misses follow the figures: most runs want the figures alone.
    print(table if args.misses else table.split("\nmisses", 1)[0].rstrip())


if __name__ == "__main__":
    main()
