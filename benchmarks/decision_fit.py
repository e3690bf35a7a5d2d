"""Fit the evidence decision (companion/engine/covering.py) on the dev questions and print leave-one-out figures.

    .venv/bin/python benchmarks/decision_fit.py [--extra eval/extra_dev.jsonl eval/more_dev.jsonl] [--C 10]
                                                [--most-refused 0.05]

Dev only: the dev half of eval/questions.jsonl plus the dev-only questions in eval/extra_dev.jsonl
(calibration questions, most not covered) and eval/more_dev.jsonl. Prints, for the sentence-cosine model and the passage-cosine model, the
coefficients to copy into companion/policy.py and the leave-one-out refusals at each threshold.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from companion.config import REPO_ROOT, load_settings
from companion.engine.covering import signals
from companion.engine.retrieve import retrieve
from companion.engine.route import Routed
from companion.evaluation import QUESTIONS, in_split, load_questions
from companion.prompts import load_prompts
from companion.retrieval.service import open_retrieval
from companion.retrieval.sentence_vectors import SentenceVectors

THRESHOLDS = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)


def rows(features, answerable, C: float):
    """Fit on all rows and predict each row from a model fitted without it (leave-one-out)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import LeaveOneOut, cross_val_predict

    X, y = np.asarray(features), np.asarray(answerable)
    model = LogisticRegression(C=C, max_iter=5000)
    held_out = cross_val_predict(model, X, y, cv=LeaveOneOut(), method="predict_proba")[:, 1]
    model.fit(X, y)
    return (float(model.intercept_[0]), *(float(c) for c in model.coef_[0])), held_out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", type=Path, nargs="*",
                        default=[REPO_ROOT / "eval" / "extra_dev.jsonl", REPO_ROOT / "eval" / "more_dev.jsonl"])
    parser.add_argument("--C", type=float, default=10.0, help="inverse regularisation strength")
    parser.add_argument("--most-refused", type=float, default=0.05, help="answerable refusals allowed (LOO)")
    args = parser.parse_args()
    settings = load_settings()
    prompts = load_prompts(settings.prompts_dir)
    retrieval = open_retrieval(settings)
    searcher = retrieval.searcher
    vectors = retrieval.sentences or SentenceVectors()
    questions = in_split(load_questions(QUESTIONS), "dev")
    for path in args.extra:
        questions += load_questions(path)
    by_sentence, by_passage, answerable = [], [], []
    for question in questions:
        found = retrieve(searcher, Routed("film", question.q), settings.top_k, prompts.words)
        meta = prompts.words.about_the_essays
        chatter = prompts.words.chatter
        sentence = signals(found.query, found.hits, searcher.idf, meta, searcher.embedder, vectors, chatter)
        passage = signals(found.query, found.hits, searcher.idf, meta, chatter=chatter)
        by_sentence.append((sentence.cosine, sentence.coverage, sentence.unseen))
        by_passage.append((passage.cosine, passage.coverage, passage.unseen))
        answerable.append(question.answerable)
    total, none = sum(answerable), len(answerable) - sum(answerable)
    print(f"{len(questions)} dev questions: {total} answerable, {none} not covered")
    for name, features in (("sentence_model", by_sentence), ("passage_model", by_passage)):
        coefficients, held_out = rows(features, answerable, args.C)
        print(f"\n{name} = ({', '.join(f'{c:.3f}' for c in coefficients)})  # bias, cosine, coverage, unseen")
        for threshold in THRESHOLDS:
            refused = [p < threshold for p in held_out]
            wrong = sum(r and a for r, a in zip(refused, answerable))
            right = sum(r and not a for r, a in zip(refused, answerable))
            mark = "  <= allowed" if wrong <= args.most_refused * total else ""
            print(f"  threshold {threshold:.2f}: answerable refused {wrong / total:.3f} ({wrong}/{total}), "
                  f"not-covered refused {right / none:.3f} ({right}/{none}){mark}")


if __name__ == "__main__":
    main()
