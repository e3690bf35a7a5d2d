"""Fit the quadratic sentence ranker on dev and the dev-only probes, and write companion/ranker_weights.py.

    .venv/bin/python benchmarks/ranker_fit.py [--C 0.01 0.03] [--listwise 0 1] [--folds 10] [--top 5] [--write]

The shipped ranker is the default (C 0.01, no listwise loss); the listwise loss was tried and not kept (README, "What
was tried").

Training questions: the answerable dev questions benchmarks/sentence_fit.py reads, and the answerable ones of
eval/probe_dev.jsonl (dev-only: never a test or holdout question). Held out by folds of consecutive questions (the
probes came in batches written apart, so a fold mostly holds batches its model never saw), it prints what a reader is
shown by the linear ranker the policy's floors were calibrated on (fit on dev alone, so the probes are new to it) and
by the quadratic one fit on the other folds, its chances mapped onto the linear one's scale by the quantiles of each
question's --top likeliest chances (5) over the answerable and the not-covered questions (companion/ranker.py).
Every rate comes with its count. With --write, the model fit on every training question, with its map, replaces
companion/ranker_weights.py (the first C and listwise weight given). The listwise loss (fit) weighs, beside each
sentence's own log-loss, how little of each question's softmax falls on its answering sentences.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import sentence_fit as sf

from companion.config import REPO_ROOT, load_settings
from companion.evaluation import load_questions
from companion.policy import POLICY
from companion.prompts import load_prompts
from companion.ranker import QuadraticRanker, answer_chances, quadratic_terms
from companion.ranker_weights import REFERENCE
from companion.retrieval.sentence_vectors import SentenceVectors
from companion.retrieval.sentences import FEATURES
from companion.retrieval.service import open_retrieval

PROBES = REPO_ROOT / "eval" / "probe_dev.jsonl"
WEIGHTS = REPO_ROOT / "companion" / "ranker_weights.py"
# Quantiles of the best sentence's chance where the map is pinned: every 2.5%, and the ends.
QUANTILES = 41


def questions(answerable: bool):
    """Return the dev questions and the probes, answerable or not, each with the name of its set."""
    dev = sf.dev_questions(sf.EXTRA, answerable)
    probes = [q for q in load_questions(PROBES) if q.answerable == answerable]
    return [("dev", q) for q in dev] + [("probes", q) for q in probes]


def collect(found, retrieval, words):
    """Return each question's (set, pool, features, labels, opinion) as the engine's quote choice meets them."""
    vectors = retrieval.sentences or SentenceVectors()
    data = []
    for name, question in found:
        pool, X, y, opinion, _gold, _hits = sf.read_question(question, retrieval, vectors, words)
        data.append((name, pool, X, y, opinion))
    return data


def read_rows():
    """Return every answerable question's rows, as collect gives them, and the not-covered questions' feature rows."""
    settings = load_settings()
    words = load_prompts(settings.prompts_dir).words
    retrieval = open_retrieval(settings)
    if retrieval.reader is None:
        raise SystemExit("the quadratic ranker reads the reader model's columns: install its packages first")
    data = collect(questions(True), retrieval, words)
    return data, [X for _, _, X, _, _ in collect(questions(False), retrieval, words)]


def tally(rows, chances):
    """Return (first quote answering, quote answers, quotes holding an answer, quotes) as the policy shows them."""
    import numpy as np

    first = answers = good = count = 0
    for (_, pool, _, y, opinion), chance in zip(rows, chances):
        first += int(y[int(np.argmax(chance))])
        picked = sf.shown(pool, chance, opinion, POLICY.quote_chance, POLICY.opinion_quotes if opinion else POLICY.fact_quotes)
        answers += bool(any(y[j] for j in picked))
        good += int(sum(y[j] for j in picked))
        count += len(picked)
    return first, answers, good, count


def fit(blocks, C: float, listwise: float = 0.0) -> QuadraticRanker:
    """Fit the quadratic logistic model on (features, labels) blocks; its map is the identity until one is read.

    listwise weighs a second loss beside each sentence's own: how little of each question's softmax over its
    sentences falls on the ones holding an answer. The first loss keeps the chances comparable across questions
    (the policy's floors read them); the second cares only which sentence of a question comes first.
    """
    import numpy as np
    from scipy.optimize import minimize

    X = np.vstack([x for x, _ in blocks])
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale == 0] = 1.0
    P = quadratic_terms(X, mean, scale)
    centre, spread = P.mean(axis=0), P.std(axis=0)
    spread[spread == 0] = 1.0
    Z = (P - centre) / spread
    y = np.concatenate([v for _, v in blocks]).astype(float)
    # Each sentence's question, by the questions with a sentence holding an answer (the others have no softmax loss).
    sizes = np.asarray([len(v) for _, v in blocks])
    answered = np.asarray([v.sum() > 0 for _, v in blocks])
    rows = np.repeat(answered, sizes)
    question = np.repeat(np.arange(int(answered.sum())), sizes[answered])
    starts = np.concatenate([[0], np.cumsum(sizes[answered])[:-1]])

    def loss(theta):
        z = theta[0] + Z @ theta[1:]
        total = float(np.sum(np.logaddexp(0.0, z) - y * z))
        dz = 1.0 / (1.0 + np.exp(-z)) - y
        if listwise and len(starts):
            zz, yy = z[rows], y[rows]
            share = np.exp(zz - np.maximum.reduceat(zz, starts)[question])
            held = share * yy
            whole, kept = np.add.reduceat(share, starts), np.add.reduceat(held, starts)
            total += listwise * float(np.sum(np.log(whole) - np.log(kept)))
            dz[rows] += listwise * (share / whole[question] - held / kept[question])
        w = theta[1:]
        total += float(w @ w) / (2 * C)
        return total, np.concatenate([[dz.sum()], Z.T @ dz + w / C])

    theta = minimize(loss, np.zeros(Z.shape[1] + 1), jac=True, method="L-BFGS-B", options={"maxiter": 5000}).x
    weights = theta[1:] / spread
    bias = float(theta[0] - np.sum(weights * centre))
    width = X.shape[1]
    return QuadraticRanker(
        tuple(mean), tuple(scale), bias, tuple(weights[:width]), tuple(weights[width:]), (0.0, 1.0), (0.0, 1.0)
    )


def likeliest(chances, top: int):
    """Return each question's likeliest chances, up to top of them, as one array."""
    import numpy as np

    return np.concatenate([np.sort(c)[::-1][:top] for c in chances if len(c)])


def quantile_map(reference_best, raw_best):
    """Return (knots, mapped): the raw chances and the reference's at the same quantiles, pinned at 0 and 1."""
    import numpy as np

    q = np.linspace(0.0, 1.0, QUANTILES)
    knots = np.maximum.accumulate(np.concatenate([[0.0], np.quantile(raw_best, q), [1.0]]))
    mapped = np.maximum.accumulate(np.concatenate([[0.0], np.quantile(reference_best, q), [1.0]]))
    return tuple(round(float(k), 6) for k in knots), tuple(round(float(m), 6) for m in mapped)


def held_out(data, uncovered, folds: int, C: float, listwise: float = 0.0):
    """Return the held-out raw chances of the answerable questions and the not-covered ones, by folds in order."""
    n = len(data)
    held: list = [None] * n
    models = []
    for k in range(folds):
        train = [i for i in range(n) if i * folds // n != k]
        models.append(fit([(data[i][2], data[i][3]) for i in train], C, listwise))
        for i in range(n):
            if i * folds // n == k:
                held[i] = models[-1].raw(data[i][2])
    # Each not-covered question is read by one fold's model, as each answerable one is.
    loose = [models[i % folds].raw(X) for i, X in enumerate(uncovered)]
    return held, loose


def report(label: str, data, chances, uncovered_chances) -> None:
    """Print what a reader is shown with these chances: dev and probes apart, then the first quote by its chance."""
    import numpy as np

    for name in ("dev", "probes"):
        rows = [(d, c) for d, c in zip(data, chances) if d[0] == name and len(c)]
        first, answers, good, count = tally([d for d, _ in rows], [c for _, c in rows])
        n = len(rows)
        print(f"  {label}, {name}: first quote answers {first}/{n}, quote answers {answers}/{n} ({answers / n:.3f}), "
              f"quote precision {good}/{count} ({good / count:.3f})")
    # What Policy.unsure_chance is read from: where the first quote stops being mostly wrong.
    answerable = [(float(c.max()), bool(d[3][int(np.argmax(c))])) for d, c in zip(data, chances) if len(c)]
    uncovered = [float(c.max()) for c in uncovered_chances if len(c)]
    edges = (0.0, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 1.01)
    for low, high in zip(edges, edges[1:]):
        band = [right for best, right in answerable if low <= best < high]
        print(f"    best chance in [{low:.2f}, {high:.2f}): answerable {len(band)} (first quote answers {sum(band)}), "
              f"not covered {sum(low <= best < high for best in uncovered)} of {len(uncovered)}")


def write(ranker: QuadraticRanker, C: float, listwise: float, top: int, path: Path = WEIGHTS) -> None:
    """Write the fitted ranker and the linear reference into ranker_weights.py."""

    def numbers(values, indent: str) -> str:
        lines, line = [], ""
        for piece in (f"{v:.6g}," for v in values):
            if len(indent) + 4 + len(line) + len(piece) > 116:
                lines.append(line.rstrip())
                line = ""
            line += piece + " "
        lines.append(line.rstrip())
        inner = indent + "    "
        return "(\n" + "".join(f"{inner}{text}\n" for text in lines) + indent + ")"

    fields = ("mean", "scale", "linear", "pairs", "knots", "mapped")
    body = "".join(f"    {name}={numbers(getattr(ranker, name), '    ')},\n" for name in fields)
    path.write_text(
        '"""The sentence rankers\' fitted numbers: written by benchmarks/ranker_fit.py, refit there rather than edited."""\n\n'
        "from companion.ranker import QuadraticRanker\n\n"
        "# The linear ranker the policy's floors were calibrated on (bias, then one weight per feature of\n"
        "# companion.retrieval.sentences.FEATURES; fit on dev alone, 2026-12-05, benchmarks/sentence_fit.py): the\n"
        "# quadratic ranker's chances are mapped onto its scale.\n"
        f"REFERENCE = {numbers(REFERENCE, '')}\n\n"
        f"# Fit with C={C} and listwise={listwise} on the answerable dev questions and probes, mapped by each question's\n"
        f"# {top} likeliest chances (benchmarks/ranker_fit.py prints the held-out figures).\n"
        f"RANKER = QuadraticRanker(\n    bias={ranker.bias:.6g},\n{body})\n"
    )


def main() -> None:
    import numpy as np

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--C", type=float, nargs="+", default=[0.01], help="inverse regularisation strengths to try")
    parser.add_argument("--listwise", type=float, nargs="+", default=[0.0],
                        help="weights of the loss over each question's softmax to try, beside the sentences' own (0: none)")
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--write", action="store_true", help="write the model fit with the first C and listwise weight")
    parser.add_argument("--top", type=int, default=5, help="each question's likeliest sentences the map is read from")
    args = parser.parse_args()
    data, uncovered = read_rows()
    width = len(FEATURES)
    print(f"{len(data)} answerable questions ({sum(d[0] == 'dev' for d in data)} dev), {len(uncovered)} not covered; "
          f"{width} features")
    reference = [answer_chances(d[2], REFERENCE) if len(d[2]) else np.zeros(0) for d in data]
    reference_uncovered = [answer_chances(X, REFERENCE) if len(X) else np.zeros(0) for X in uncovered]
    report("linear (the floors' scale)", data, reference, reference_uncovered)
    reference_best = likeliest(reference + reference_uncovered, args.top)
    maps = {}
    for C in args.C:
        for listwise in args.listwise:
            held, loose = held_out(data, uncovered, args.folds, C, listwise)
            # The map is read off held-out chances: what a question the ranker never saw gets.
            knots, mapped = maps[C, listwise] = quantile_map(reference_best, likeliest(held + loose, args.top))
            report(f"quadratic C={C} listwise={listwise}, held out", data, [np.interp(c, knots, mapped) for c in held],
                   [np.interp(c, knots, mapped) for c in loose])
    if args.write:
        C, listwise = args.C[0], args.listwise[0]
        knots, mapped = maps[C, listwise]
        write(replace(fit([(d[2], d[3]) for d in data], C, listwise), knots=knots, mapped=mapped), C, listwise, args.top)
        print(f"wrote {WEIGHTS.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
