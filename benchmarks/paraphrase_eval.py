"""Measure how the replies hold up when the dev questions are asked in other words.

    .venv/bin/python benchmarks/paraphrase_eval.py [--retriever hybrid] [--changed]

eval/paraphrase_dev.jsonl asks each dev question (`companion.evaluation.dev_questions`: 147 answerable, 78 not
covered) twice more, as a person might type it: "close" (the same words, typed casually) and "far" (other words for
its key ideas, another shape of sentence), each with the question it rewords ("of") and that question's gold. It
prints the figures of the originals and of each style side by side, then how many of the originals answered (a shown
quote holds the answer) or refused (not covered) stop being so in each style; --changed lists those questions.
Dev-only, like the questions it rewords: a way to see whether a rule or a weight holds for wording nobody tuned it to.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter

from companion.config import REPO_ROOT, go_offline, load_settings
from companion.evaluation import Question, evaluate, load_questions, open_eval
from companion.evaluation_metrics import QuestionResult
from companion.evaluation_report import format_table

PARAPHRASES = REPO_ROOT / "eval" / "paraphrase_dev.jsonl"
STYLES = ("close", "far")


def read_paraphrases() -> list[tuple[str, str, Question]]:
    """Return each paraphrase as (the question it rewords, its style, the paraphrase)."""
    questions = load_questions(PARAPHRASES)
    lines = [json.loads(line) for line in PARAPHRASES.read_text("utf-8").splitlines() if line.strip()]
    return [(line["of"], line["style"], question) for line, question in zip(lines, questions, strict=True)]


def outcome(result: QuestionResult) -> str:
    """Return what a reply did: answered, refused, or showed quotes without the answer (missed)."""
    if result.refused:
        return "refused"
    return "answered" if result.shown_gold else "missed"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--retriever", default="hybrid", choices=("hybrid", "hybrid-rrf", "dense", "bm25"))
    parser.add_argument("--changed", action="store_true", help="list each paraphrase whose outcome differs")
    args = parser.parse_args()
    rows = read_paraphrases()
    originals = list({of: Question(q=of, gold=q.gold, kind=q.kind) for of, _, q in rows}.values())
    sets = {"originals": originals, **{style: [q for _, s, q in rows if s == style] for style in STYLES}}
    go_offline()
    searcher, passages, engine = open_eval(load_settings(), args.retriever)
    reports = {
        name: evaluate(questions, searcher, engine, store_passages=passages, name=name, split="all")
        for name, questions in sets.items()
    }
    print(format_table(reports).split("\nmisses", 1)[0].split("\nby kind", 1)[0].rstrip())
    before = {q.q: outcome(r) for q, r in zip(originals, reports["originals"].details, strict=True)}
    for style in STYLES:
        paired = [(of, q, outcome(r)) for (of, s, q), r in zip(
            [row for row in rows if row[1] == style], reports[style].details, strict=True
        )]
        moved = Counter((q.answerable, before[of], now) for of, q, now in paired if before[of] != now)
        kept_answers = sum(1 for of, q, now in paired if q.answerable and before[of] == now == "answered")
        kept_refusals = sum(1 for of, q, now in paired if not q.answerable and before[of] == now == "refused")
        answered = sum(1 for of, q, _ in paired if q.answerable and before[of] == "answered")
        refused = sum(1 for of, q, _ in paired if not q.answerable and before[of] == "refused")
        print(f"\n{style}: answered originals still answered {kept_answers}/{answered}; "
              f"refused not-covered originals still refused {kept_refusals}/{refused}")
        for (answerable, was, now), n in sorted(moved.items()):
            print(f"  {'answerable' if answerable else 'not covered'}: {was} -> {now}: {n}")
        if args.changed:
            for of, q, now in paired:
                if before[of] != now:
                    print(f"    {before[of]} -> {now}: {q.q}\n      (of: {of})")


if __name__ == "__main__":
    main()
