"""Measure, on dev only, ways of ranking sentences for questions naming an essay that the README's table rejects.

    .venv/bin/python benchmarks/named_probe.py

Questions naming an essay or its writer ("what did the medium writer's gf do…", "does anise think…") fare worst:
through the engine 26 of the 43 dev ones get a quote holding the answer, against 90 of the other 104. Each dev
question's pool is built as a turn builds it (routed, the essay's passages past the usual reach joining, the words
naming it left out of the reading), and the engine's choice is simulated on it: the likeliest sentence of the named
essay first, then others over the floor, each widened by the engine's own joining rule. Printed, with the ranker's
chances held out by folds of questions: the ranker fit on the first search's pools (as `benchmarks/sentence_fit.py`
fits it) against one fit on pools built as a turn builds them; for naming questions, a ranker of the sentence's own
features alone; and more quotes for them.
"""

from __future__ import annotations

from dataclasses import dataclass

import sentence_fit as sf

from companion.config import load_settings
from companion.engine.library import unnamed
from companion.engine.joining import joined_span
from companion.engine.retrieve import retrieve
from companion.engine.route import route_turn
from companion.evaluation import open_eval
from companion.evaluation_metrics import fold_gold, groups_hit
from companion.policy import POLICY
from companion.prompts import load_prompts
from companion.retrieval.sentences import FEATURES, Candidate, sentence_features
from companion.text import fold

# The passage's search scores: every candidate of a naming question comes from one essay.
PASSAGE_FEATURES = ("passage_cosine", "fused", "reciprocal_rank", "bm25")


@dataclass
class Asked:
    """One dev question: its pool as a turn builds it, and as the first search finds it, with features and labels."""

    named: tuple[str, ...]
    opinion: bool
    gold: list
    pool: list
    X: object
    y: object
    first_X: object
    first_y: object


def asked_rows() -> list[Asked]:
    """Return every answerable dev question's pools, features and labels."""

    settings = load_settings(backend="extractive")
    _, _, engine = open_eval(settings)
    words = engine.prompts.words
    reading = engine.judge().reading
    rows = []
    for question in sf.dev_questions(sf.EXTRA):
        gold = fold_gold(question.gold)
        routed = route_turn(question.q, [], engine.routing(), words, engine.policy, engine._writers)
        named, naming = engine.shelf().naming(routed.query, words)
        found = retrieve(engine.searcher, routed, engine.k, words, engine.policy, named, naming)
        pool, X = sentence_features(unnamed(found.query, naming), found.pool, reading.embedder, reading.vectors,
                                    reading.idf, reader=reading.reader)
        first = engine.searcher.inner.search(question.q, POLICY.sentence_depth)
        first_pool, first_X = sentence_features(question.q, first, reading.embedder, reading.vectors, reading.idf,
                                                reader=reading.reader)

        rows.append(Asked(named, found.opinion, gold, pool, X, labels(pool, gold), first_X, labels(first_pool, gold)))
    return rows


def labels(pool, gold):
    """Return 1 for each sentence of the pool holding a gold phrase, else 0."""
    import numpy as np

    return np.asarray([1 if groups_hit(fold(unit.text(hit.passage)), gold) else 0 for hit, unit in pool])


def held_out(rows: list[Asked], columns: list[int], first: bool, folds: int) -> list:
    """Return each row's chances on its turn-built pool from a model fit without its fold."""
    import numpy as np

    held: list = [np.zeros(0)] * len(rows)
    for fold_no in range(folds):
        train = [i for i in range(len(rows)) if i % folds != fold_no]
        X = [rows[i].first_X if first else rows[i].X for i in train]
        y = [rows[i].first_y if first else rows[i].y for i in train]
        model = sf.fit([(x[:, columns], v) for x, v in zip(X, y) if len(x)])
        for i in range(fold_no, len(rows), folds):
            if len(rows[i].pool):
                held[i] = sf.chances(rows[i].X[:, columns], model)
    return held


def shown(
    rows: list[Asked], held: list, named_floor: float | None = None, named_cap: int | None = None, disputes=None
) -> str:
    """Return what a reader is shown, all questions and naming ones, as the engine would choose and join quotes."""
    answers = good = count = 0
    named = {"answers": 0, "good": 0, "count": 0}
    for row, chance in zip(rows, held):
        if not len(row.pool):
            continue
        by_id = {hit.passage.id: hit.passage for hit, _ in row.pool}
        every = sorted((Candidate(h.passage.id, u.text(h.passage), u.lead, u.end, u.start, float(c), 0.0, 0.0, h.rank)
                        for (h, u), c in zip(row.pool, chance)), key=lambda c: (-c.score, c.hit_rank, c.start))
        ranked = [c for c in every if by_id[c.passage_id].essay_id in row.named] or every
        cap = POLICY.opinion_quotes if row.opinion else POLICY.fact_quotes
        cap = named_cap if row.named and named_cap else cap
        floor = named_floor if row.named and named_floor is not None else POLICY.quote_chance
        chosen = [ranked[0]]
        for c in ranked[1:]:
            if len(chosen) >= cap or c.score < floor:
                break
            essays = {by_id[x.passage_id].essay_id for x in chosen}
            if c.passage_id in {x.passage_id for x in chosen}:
                continue
            if row.opinion and not row.named and by_id[c.passage_id].essay_id in essays:
                continue
            chosen.append(c)
        hits = []
        for c in chosen:
            text = by_id[c.passage_id].text
            start, end = joined_span(c, every, text, POLICY, disputes)
            hits.append(bool(groups_hit(fold(text[start:end]), row.gold)))
        answers, good, count = answers + any(hits), good + sum(hits), count + len(hits)
        if row.named:
            named["answers"] += any(hits)
            named["good"] += sum(hits)
            named["count"] += len(hits)
    n, m = len(rows), sum(bool(r.named) for r in rows)
    return (f"quote answers {answers}/{n}, precision {good}/{count}; naming an essay {named['answers']}/{m}, "
            f"precision {named['good']}/{named['count']}")


def main() -> None:
    rows = asked_rows()
    disputes = load_prompts(load_settings().prompts_dir).words.disputes
    every = list(range(len(FEATURES)))
    own = [i for i, name in enumerate(FEATURES) if name not in PASSAGE_FEATURES]
    for folds in (10, 5):
        as_fit = held_out(rows, every, True, folds)
        print(f"{folds} folds, fit on the first search's pools (as sentence_fit.py): {shown(rows, as_fit, disputes=disputes)}")
        built = held_out(rows, every, False, folds)
        print(f"{folds} folds, fit on pools built as a turn builds them: {shown(rows, built, disputes=disputes)}")
        alone = held_out(rows, own, True, folds)
        mixed = [a if r.named else b for r, a, b in zip(rows, alone, as_fit)]
        print(f"{folds} folds, naming questions ranked by the sentence's own features: {shown(rows, mixed, disputes=disputes)}")
    as_fit = held_out(rows, every, True, 10)
    for cap in (2, 3):
        for floor in (0.03, 0.08, 0.15, 0.3):
            print(f"10 folds, naming questions up to {cap} quotes, floor {floor}: {shown(rows, as_fit, floor, cap, disputes)}")


if __name__ == "__main__":
    main()
