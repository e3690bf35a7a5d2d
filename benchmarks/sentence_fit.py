"""Fit the sentence ranker (companion/retrieval/sentences.py) on dev questions and choose how many quotes to show.

    .venv/bin/python benchmarks/sentence_fit.py [--C 1] [--weight 0] [--folds 10] [--unsure] [--rerank] [--unasked]

Dev only: the dev half of eval/questions.jsonl plus the dev-only questions in eval/extra_dev.jsonl and
eval/more_dev.jsonl (answerable ones; a sentence holding a gold phrase is a positive). Each question is
searched as the engine searches (Policy.sentence_depth passages), every sentence unit of those passages
gets companion.retrieval.sentences.sentence_features, and a logistic model is fit on them. Prints the
model to copy into companion/policy.py (standardisation folded in) and, from held-out predictions
(folds by question), what a reader would see for each way of choosing quotes: the best sentence first,
then others whose chance clears a floor, from other passages (other essays for opinion questions), up to
a cap. Every rate comes with its count. With --unsure, the dev questions the essays do not cover are searched
too, and a table shows, for each cut on the first quote's held-out chance, how many answerable and not-covered
questions fall below it and for how many of the answerable ones the first quote still holds the answer
(Policy.unsure_chance). With --rerank, it prints recall@5 and MRR@10 of the fused search's order against the same
passages reordered by their best sentence's held-out chance (what retrieval/rerank.py does with the fitted model).
With --unasked, it also fits rankers weighing nothing in the columns the written questions fill, for a corpus written
none (held out, and the tuples, zeros in those columns).
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from companion.config import REPO_ROOT, load_settings
from companion.engine.joining import joined_span
from companion.engine.route import is_opinion
from companion.evaluation import QUESTIONS, Question, in_split, load_questions
from companion.evaluation_metrics import fold_gold, groups_hit
from companion.policy import POLICY, Policy
from companion.prompts import load_prompts
from companion.retrieval.sentence_vectors import SentenceVectors
from companion.retrieval.sentences import FEATURES, READER_FEATURES, Candidate, sentence_features
from companion.retrieval.service import open_retrieval
from companion.text import fold

EXTRA = (REPO_ROOT / "eval" / "extra_dev.jsonl", REPO_ROOT / "eval" / "more_dev.jsonl")
FLOORS = (0.03, 0.05, 0.08, 0.1, 0.15, 0.2)
CAPS = ((1, 2), (2, 2), (2, 3), (2, 5))
# How the ranker is fit (fit below): how loosely its weights are held to zero, and how much the answering sentences
# coming first within their question counts beside each sentence's own chance. The policy's ranker is fit by each
# sentence's chance alone; --C 0.1 --weight 45 is the fit tried on 2026-12-05 and not kept (README, "What was tried").
RANKER_C = 1.0
LIST_WEIGHT = 0.0
# The columns the written questions fill (their closest one and the maps they teach), which --unasked weighs nothing.
ASKED_FEATURES = ("asked", "asked_gap", "adapted", "adapted_gap", "reader_adapted", "reader_adapted_gap")


def dev_questions(extra: tuple[Path, ...], answerable: bool = True) -> list[Question]:
    """Return the dev questions (the dev split of the public set and every dev-only file) that are answerable or not."""
    found = in_split(load_questions(QUESTIONS), "dev")
    for path in extra:
        found += load_questions(path)
    return [q for q in found if q.answerable == answerable]


def read_question(question: Question, retrieval, vectors: SentenceVectors, words):
    """Return (pool, features, labels, read as opinion, gold, hits): a question's sentences as the quote choice meets them."""
    import numpy as np

    searcher = retrieval.first_search
    hits = searcher.search(question.q, POLICY.sentence_depth)
    pool, X = sentence_features(question.q, hits, searcher.embedder, vectors, searcher.idf, reader=retrieval.reader)
    gold = fold_gold(question.gold)
    y = np.asarray([1 if groups_hit(fold(unit.text(hit.passage)), gold) else 0 for hit, unit in pool])
    return pool, X, y, is_opinion(question.q, words), gold, hits


def unsure_table(data, held, uncovered, models) -> None:
    """Print, for cuts on the first quote's held-out chance, who falls below and how often it still answered."""
    import numpy as np

    first = [(float(c.max()), bool(y[int(np.argmax(c))])) for (_, _, y, _, _), c in zip(data, held) if len(c)]
    # Each not-covered question is scored by one fold's model, as the answerable ones are.
    first += [(float(chances(X, models[i % len(models)]).max()), None) for i, X in enumerate(uncovered) if len(X)]
    print("\nfirst quote's held-out chance: below the cut she says it is the nearest she found (Policy.unsure_chance)")
    for cut in (0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5):
        below = [r for c, r in first if c < cut]
        above = [r for c, r in first if c >= cut]
        print(f"  cut {cut:.2f}: below, answerable {sum(r is not None for r in below)} (first quote answers "
              f"{sum(r is True for r in below)}), not covered {sum(r is None for r in below)}; above, answerable "
              f"{sum(r is not None for r in above)} (answers {sum(r is True for r in above)}), "
              f"not covered {sum(r is None for r in above)}")


def rerank_table(data, held, relevant) -> None:
    """Print recall@5 and MRR@10 of the fused order and of the passages reordered by their best held-out chance."""
    def figures(orders) -> str:
        found = [[hit for _, hit in order] for order in orders]
        recall = sum(any(hits[:5]) for hits in found)
        mrr = sum(next((1 / (i + 1) for i, hit in enumerate(hits[:10]) if hit), 0.0) for hits in found) / len(found)
        return f"recall@5 {recall / len(found):.3f} ({recall}/{len(found)}), MRR@10 {mrr:.3f} (n={len(found)})"

    reordered = []
    for (pool, *_), chance, passages in zip(data, held, relevant):
        best: dict[str, float] = {}
        for (hit, _unit), c in zip(pool, chance):
            best[hit.passage.id] = max(best.get(hit.passage.id, 0.0), float(c))
        reordered.append(sorted(passages, key=lambda p: -best.get(p[0], 0.0)))
    print("\npassages, held out: what the first five and ten hold")
    print(f"  fused search's order:           {figures(relevant)}")
    print(f"  by best sentence's chance:      {figures(reordered)}")


def fit(blocks, C: float = RANKER_C, weight: float = LIST_WEIGHT):
    """Fit the ranker on each question's (features, labels); return (bias, weights...) on the raw features.

    With weight 0, a standardised logistic model of each sentence's chance of holding an answer (the policy's fit);
    else also fit for the answering sentences coming first within their question (fit_listwise).
    """
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    if weight:
        return fit_listwise(blocks, C, weight)
    X = np.vstack([x for x, _ in blocks])
    y = np.concatenate([v for _, v in blocks])
    scaler = StandardScaler().fit(X)
    model = LogisticRegression(C=C, max_iter=5000).fit(scaler.transform(X), y)
    weights = model.coef_[0] / scaler.scale_
    bias = float(model.intercept_[0] - np.sum(model.coef_[0] * scaler.mean_ / scaler.scale_))
    return (bias, *(float(w) for w in weights))


def fit_listwise(blocks, C: float, weight: float):
    """Fit the ranker for each sentence's chance and for the answers coming first within their question.

    The weights are fit for two things at once: each sentence's chance of holding an answer (a logistic loss over every
    row) and, within each question, the sentences holding it coming first (the softmax over the question's rows of
    the answers' share, weighted by weight). The score is then calibrated into a chance by a logistic on it alone, so
    the policy's floors keep their meaning. Ranking within a question is what a reader meets: the first quote.
    """
    import numpy as np
    from scipy.optimize import minimize
    from sklearn.linear_model import LogisticRegression

    X = np.vstack([x for x, _ in blocks])
    y = np.concatenate([v for _, v in blocks]).astype(float)
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale == 0] = 1.0
    Z = (X - mean) / scale
    ends = np.cumsum([0] + [len(v) for _, v in blocks])
    answered = [(ends[i], ends[i + 1]) for i, (_, v) in enumerate(blocks) if np.any(v)]
    width = Z.shape[1]

    def loss(params):
        w, b = params[:width], params[width]
        u = Z @ w + b
        total = float(np.sum(np.logaddexp(0.0, u) - y * u) + 0.5 * w @ w / C)
        residual = 1.0 / (1.0 + np.exp(-u)) - y
        grad = Z.T @ residual + w / C
        for start, end in answered:
            z = u[start:end]
            held = y[start:end] > 0
            # Each exponentiated from its own largest, so that neither sum underflows.
            every = np.exp(z - z.max())
            answers = np.where(held, np.exp(z - z[held].max()), 0.0)
            total += weight * float(z.max() + np.log(every.sum()) - z[held].max() - np.log(answers.sum()))
            grad += weight * (Z[start:end].T @ (every / every.sum() - answers / answers.sum()))
        return total, np.append(grad, residual.sum())

    w = minimize(loss, np.zeros(width + 1), jac=True, method="L-BFGS-B", options={"maxiter": 2000}).x[:width]
    score = Z @ w
    calibration = LogisticRegression(C=100.0, max_iter=5000).fit(score[:, None], y)
    slope, intercept = float(calibration.coef_[0, 0]), float(calibration.intercept_[0])
    bias = intercept - slope * float(np.sum(w * mean / scale))
    return (bias, *(float(c) for c in slope * w / scale))


def held_out(data, width: int | list[int], folds: int, C: float, weight: float = LIST_WEIGHT) -> tuple[list, list]:
    """Return each question's chances from a model fit on the other folds' questions, and the models.

    width is how many of the first columns are read, or which columns.
    """
    columns = list(range(width)) if isinstance(width, int) else width
    held: list = [None] * len(data)
    models = []
    for fold_no in range(folds):
        train = [i for i in range(len(data)) if i % folds != fold_no]
        models.append(fit([(data[i][1][:, columns], data[i][2]) for i in train], C, weight))
        for i in range(fold_no, len(data), folds):
            held[i] = chances(data[i][1][:, columns], models[-1])
    return held, models


def shown_at_floor(data, held) -> str:
    """Return quote answers and precision at the policy's floor and caps, from each question's chances."""
    answers = count = good = 0
    for (pool, _, y, opinion, _), chance in zip(data, held):
        if len(pool):
            picked = shown(pool, chance, opinion, POLICY.quote_chance, POLICY.opinion_quotes if opinion else POLICY.fact_quotes)
            answers += bool(any(y[j] for j in picked))
            count += len(picked)
            good += int(sum(y[j] for j in picked))
    return (f"quote answers {answers / len(data):.3f} ({answers}/{len(data)}), quote precision {good / count:.3f} "
            f"({good}/{count})")


def chances(X, model):
    """Return the model's chance for each row."""
    import numpy as np

    bias, *weights = model
    return 1.0 / (1.0 + np.exp(-(bias + X @ np.asarray(weights))))


def shown(pool, chance, opinion: bool, floor: float, cap: int):
    """Pick rows as the engine's pick_quotes does: the best, then others over the floor, one per passage/essay."""
    import numpy as np

    order = np.argsort(-chance, kind="stable")
    chosen = [int(order[0])]
    for j in order[1:]:
        if len(chosen) >= cap or chance[j] < floor:
            break
        passages = {pool[c][0].passage.id for c in chosen}
        essays = {pool[c][0].passage.essay_id for c in chosen}
        if pool[j][0].passage.id in passages or (opinion and pool[j][0].passage.essay_id in essays):
            continue
        chosen.append(int(j))
    return chosen


def joined(pool, chance, j: int, policy: Policy, disputes=None) -> str:
    """Return row j's quote widened over the rows beside it, by the engine's own rule (pick.joined_span), reasons aside."""
    hit = pool[j][0]
    ranked = sorted(
        (Candidate(h.passage.id, u.text(h.passage), u.lead, u.end, u.start, float(c), 0.0, 0.0, h.rank)
         for (h, u), c in zip(pool, chance) if h.passage.id == hit.passage.id),
        key=lambda c: -c.score,
    )
    chosen = next(c for c in ranked if c.start == pool[j][1].lead and c.end == pool[j][1].end)
    start, end = joined_span(chosen, ranked, hit.passage.text, policy, disputes)
    return hit.passage.text[start:end]


def join_table(data, held, disputes=None) -> None:
    """Print, at the policy's floor and caps, what joining likely neighbours to a quote shows (join_chance, join_share)."""
    n = len(data)
    print("\nneighbours joining a quote when their held-out chance reaches a floor (Policy.join_chance) or a share of the "
          "quote's (Policy.join_share), and the sentence after when it leans on the quote")
    # A floor past 1 and no share join no likely neighbour; a zero word bound joins nothing at all.
    rows = [(1.01, 0, 0.0), (1.01, POLICY.joined_words, 0.0)]
    rows += [(floor, POLICY.joined_words, 0.0) for floor in (0.5, 0.4, 0.3, 0.2, 0.1)]
    rows += [(POLICY.join_chance, POLICY.joined_words, share) for share in (0.5, 0.3, 0.2)]
    for floor, words, share in rows:
        policy = replace(POLICY, join_chance=floor, joined_words=words, join_share=share)
        answers = good = count = length = 0
        for (pool, _, _, opinion, gold), chance in zip(data, held):
            if not pool:
                continue
            picked = shown(pool, chance, opinion, POLICY.quote_chance, POLICY.opinion_quotes if opinion else POLICY.fact_quotes)
            texts = [joined(pool, chance, j, policy, disputes) for j in picked]
            hits = [bool(groups_hit(fold(t), gold)) for t in texts]
            answers += any(hits)
            good += sum(hits)
            count += len(texts)
            length += sum(len(t.split()) for t in texts)
        label = ("leaning sentence only" if words else "nothing") if floor > 1 else f"{floor:.2f}"
        label += f", share {share:.1f}" if share else ""
        print(f"  join {label}: quote answers {answers / n:.3f} ({answers}/{n}), quote precision {good / count:.3f} "
              f"({good}/{count}), {length / count:.1f} words a quote")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--C", type=float, default=RANKER_C, help="inverse regularisation strength")
    parser.add_argument("--weight", type=float, default=LIST_WEIGHT, help="weight of ranking within each question")
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--extra", type=Path, nargs="*", default=list(EXTRA))
    parser.add_argument("--unsure", action="store_true", help="also print the table behind Policy.unsure_chance")
    parser.add_argument("--unasked", action="store_true", help="also fit rankers for a corpus without written questions")
    parser.add_argument("--rerank", action="store_true", help="also print held-out figures for reranking passages")
    args = parser.parse_args()
    settings = load_settings()
    words = load_prompts(settings.prompts_dir).words
    retrieval = open_retrieval(settings)
    # The fused search's own order: the ranker reads its hits, and --rerank compares against it.
    searcher = retrieval.first_search
    vectors = retrieval.sentences or SentenceVectors()
    questions = dev_questions(tuple(args.extra))
    data = []
    relevant = []
    for question in questions:
        *row, hits = read_question(question, retrieval, vectors, words)
        data.append(tuple(row))
        relevant.append([(hit.passage.id, groups_hit(fold(hit.passage.text), row[4])) for hit in hits])
    reachable = sum(bool(y.any()) for _, _, y, *_ in data)
    print(f"{len(questions)} answerable dev questions ({sum(d[3] for d in data)} read as opinion); "
          f"a sentence holding the answer among the top {POLICY.sentence_depth} passages' for {reachable}")
    held, models = held_out(data, data[0][1].shape[1], args.folds, args.C, args.weight)
    n = len(data)
    print(f"\nheld-out ({args.folds} folds by question): what a reader is shown")
    for floor in FLOORS:
        for cap, opinion_cap in CAPS:
            answers = count = good = 0
            for (pool, _, y, opinion, _), chance in zip(data, held):
                if not pool:
                    continue
                picked = shown(pool, chance, opinion, floor, opinion_cap if opinion else cap)
                answers += bool(any(y[j] for j in picked))
                count += len(picked)
                good += int(sum(y[j] for j in picked))
            print(f"  floor {floor:.2f}, cap {cap} (opinion {opinion_cap}): quote answers {answers / n:.3f} "
                  f"({answers}/{n}), quote precision {good / count:.3f} ({good}/{count}), "
                  f"quotes per reply {count / n:.2f}")
    join_table(data, held, words.disputes)
    if args.rerank:
        rerank_table(data, held, relevant)
    if args.unsure:
        uncovered = []
        for question in dev_questions(tuple(args.extra), answerable=False):
            hits = searcher.search(question.q, POLICY.sentence_depth)
            uncovered.append(sentence_features(question.q, hits, searcher.embedder, vectors, searcher.idf,
                                               reader=retrieval.reader)[1])
        unsure_table(data, held, uncovered, models)
    alone = len(FEATURES) - READER_FEATURES
    if retrieval.reader is not None:
        print_alone(data, alone, args)
    if args.unasked:
        print_unasked(data, args)
    model = fit([(d[1], d[2]) for d in data], args.C, args.weight)
    name = "sentence_ranker" if retrieval.reader is not None else "sentence_ranker_alone"
    print(f"\n{name} = ({', '.join(f'{c:.4f}' for c in model)})")
    print(f"  # bias, then {', '.join(FEATURES[: data[0][1].shape[1]])}")
    if retrieval.reader is not None:
        model = fit([(d[1][:, :alone], d[2]) for d in data], args.C, args.weight)
        print(f"sentence_ranker_alone = ({', '.join(f'{c:.4f}' for c in model)})")
        print(f"  # bias, then {', '.join(FEATURES[:alone])}")


def print_unasked(data, args) -> None:
    """Print the rankers for a corpus without written questions (their columns and the maps' weighing nothing), held out.

    Without written questions no map is fit and a sentence's closest question is its own words: the columns they fill
    would repeat the cosines, weighed as if they told more.
    """
    for width, name in ((data[0][1].shape[1], "sentence_ranker_unasked"),
                        (len(FEATURES) - READER_FEATURES, "sentence_ranker_unasked_alone")):
        kept = [i for i in range(width) if FEATURES[i] not in ASKED_FEATURES]
        held, _ = held_out(data, kept, args.folds, args.C, args.weight)
        print(f"\n{name}, held out, floor {POLICY.quote_chance}: {shown_at_floor(data, held)}")
        bias, *weights = fit([(d[1][:, kept], d[2]) for d in data], args.C, args.weight)
        full = dict(zip(kept, weights))
        print(f"{name} = ({', '.join(f'{c:.4f}' for c in (bias, *(full.get(i, 0.0) for i in range(width))))})")


def print_alone(data, alone: int, args) -> None:
    """Print what the ranker fit without the reader's columns shows, held out, at the policy's floor and caps."""
    held, _ = held_out(data, alone, args.folds, args.C, args.weight)
    print(f"\nwithout the reader (its {READER_FEATURES} columns left out), held out, floor {POLICY.quote_chance}: "
          f"{shown_at_floor(data, held)}")


if __name__ == "__main__":
    main()
