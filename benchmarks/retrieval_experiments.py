"""Measure passage and sentence retrieval methods on the dev questions; test figures only for the picks.

    .venv/bin/python benchmarks/retrieval_experiments.py                 # dev table, weights tuned on dev
    .venv/bin/python benchmarks/retrieval_experiments.py --test          # adds test figures for the kept methods
    .venv/bin/python benchmarks/retrieval_experiments.py --ict /tmp/ict  # fine-tunes once by inverse cloze into
                                                                         # /tmp/ict (reused if there), measures it

Figures, for answerable questions: passage recall@5, MRR@10, coverage@8 (a gold group is hit by a
passage holding any one of its phrases), and answer@1 / answer@3: the first (first three) evidence
sentences hold a gold phrase. Every rate is printed with its number of questions.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import itertools
import json
import os
import pickle
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from companion.config import REPO_ROOT, go_offline
from companion.corpus import load_corpus
from companion.evaluation import QUESTIONS, Question, in_split, load_questions
from companion.evaluation_metrics import fold_gold, groups_hit
from companion.passages import split_essay
from companion.retrieval.lexical import LexicalSearcher
from companion.retrieval.search import CANDIDATES, DenseSearcher, HybridSearcher, _fuse_scores
from companion.retrieval.sentences import DEPTH, Candidate, SentenceVectors, Weights, lexical_share, rank_sentences, units
from companion.text import WORD, content_terms, fold
from companion.types import Hit, Passage

RECALL_K = 5
MRR_K = 10
COVERAGE_K = 8


# ----------------------------------------------------------------------------- corpus and models


class MemoryStore:
    """The PassageStore calls the searchers make, answered by exact cosine over vectors held in memory."""

    def __init__(self, passages: Sequence[Passage], matrix: np.ndarray) -> None:
        self.passages = list(passages)
        self.matrix = matrix
        self.row = {p.id: i for i, p in enumerate(self.passages)}

    def query(self, vector: Sequence[float], k: int) -> list[Hit]:
        """Return the k passages closest to the vector, rounded as Chroma's distances are."""
        similarity = self.matrix @ np.asarray(vector, dtype=np.float32)
        order = np.argsort(-similarity, kind="stable")[:k]
        return [Hit(rank=r, passage=self.passages[i], score=round(float(similarity[i]), 6),
                    dense=round(float(similarity[i]), 6)) for r, i in enumerate(order, start=1)]

    def similarities(self, vector: Sequence[float], ids: Sequence[str]) -> dict[str, float]:
        """Return the cosine of the vector to each of these passages."""
        query = np.asarray(vector, dtype=np.float32)
        return {pid: round(float(self.matrix[self.row[pid]] @ query), 6) for pid in ids}


class CachedEmbedder:
    """An embedder whose vectors are kept on disk by text, so reruns on a busy machine skip the model."""

    def __init__(self, inner, folder: Path) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"{hashlib.sha256(self.model_id.encode()).hexdigest()[:16]}.pickle"
        self.vectors: dict[str, list[float]] = pickle.loads(self.path.read_bytes()) if self.path.is_file() else {}
        self.seconds = 0.0
        self.computed = 0

    def embed(self, texts: Sequence[str], progress=None) -> list[list[float]]:
        """Return cached vectors, embedding (and saving) the texts not seen before."""
        missing = sorted({t for t in texts if t not in self.vectors})
        if missing:
            started = time.perf_counter()
            self.vectors.update(zip(missing, self.inner.embed(missing)))
            self.seconds += time.perf_counter() - started
            self.computed += len(missing)
            self.path.write_bytes(pickle.dumps(self.vectors))
        return [self.vectors[t] for t in texts]


@dataclass
class Models:
    """One embedding model's view of the corpus: passage and unit vectors, and its query embedder."""

    name: str
    passages: np.ndarray
    sentences: SentenceVectors
    queries: object
    ingest_seconds: float
    units: np.ndarray  # every unit of the corpus, passage by passage
    unit_passage: np.ndarray  # the row of each unit's passage

    def unit_max(self, query: np.ndarray) -> np.ndarray:
        """Return, per passage, the best cosine of any of its units to the query."""
        best = np.full(len(self.passages), -1.0)
        np.maximum.at(best, self.unit_passage, self.units @ query)
        return best


def embed_corpus(name: str, location: str | None, passages: Sequence[Passage], cache: Path,
                 passage_text: Callable[[Passage], str] = lambda p: p.embedding_text) -> Models:
    """Embed passages (as ingest does) and sentence units with sentence-transformers; questions go torch-free."""
    from companion.retrieval.embedder import SentenceTransformerEmbedder
    from companion.retrieval.light import LightEmbedder

    reference = CachedEmbedder(SentenceTransformerEmbedder(location), cache)
    matrix = np.asarray(reference.embed([passage_text(p) for p in passages]), dtype=np.float32)
    passage_seconds = reference.seconds
    sentences = SentenceVectors.build(passages, reference)
    sentence_seconds = reference.seconds - passage_seconds
    print(f"[{name}] passages embedded in {passage_seconds:.2f} s; {len(sentences)} sentence units in "
          f"{sentence_seconds:.2f} s (0 when cached)", file=sys.stderr)
    rows = [(row, u.text(p)) for row, p in enumerate(passages) for u in units(p)]
    unit_matrix = sentences.lookup([text for _, text in rows], reference)
    return Models(name, matrix, sentences, CachedEmbedder(LightEmbedder(location), cache), sentence_seconds,
                  unit_matrix, np.asarray([row for row, _ in rows]))


# ----------------------------------------------------------------------------- query rewriting

# Chat words and framings of "what do the critics think": generic to chatting about reviews, not
# to any one question. The corpus is nothing but critics' essays, so naming them narrows nothing.
CHATTER = frozenset("lol lmao haha omg pls plz tbh idk btw um uh hmm ok okay wait like basically actually".split())
FRAMING = (
    r"\b(?:what|how|do|does|did|would)\s+(?:do\s+|does\s+|did\s+)?(?:the\s+|any\s+of\s+the\s+|one\s+of\s+the\s+)?"
    r"(?:critics?|reviewers?|reviews?|essays?|essayists?|writers?|bloggers?|they)\s+"
    r"(?:think|thinks|thought|say|says|said|feel|feels|felt)(?:\s+(?:of|about))?\b",
    r"\baccording\s+to\s+(?:the\s+)?(?:critics?|reviewers?|reviews?|essays?|writers?)\b",
    r"\bwhat\s+do\s+the\s+writers\s+think\b",
)


def drop_chatter(question: str) -> str:
    """Remove chat words and critic-framing phrases, keeping the words that say what is asked."""
    import re

    text = question
    for pattern in FRAMING:
        text = re.sub(pattern, " ", text, flags=re.IGNORECASE)
    kept = [w for w in text.split() if fold(w).strip("?!.,'\"") not in CHATTER]
    cleaned = " ".join(kept).strip(" ,-")
    return cleaned if len(content_terms(cleaned)) else question


def drop_unknown(question: str, vocabulary: set[str]) -> str:
    """Keep only words whose stem the corpus uses (or that carry no content), so chatter and noise fall away."""
    kept = []
    for word in question.split():
        terms = content_terms(word)
        if not terms or all(t in vocabulary for t in terms):
            kept.append(word)
    cleaned = " ".join(kept)
    return cleaned if content_terms(cleaned) else question


# ----------------------------------------------------------------------------- answer types (tried, not kept)

# What a wh-question asks for (the classic answer types of question answering), by its first wh-phrase.
WH = re.compile(
    r"\b(?P<person>who|whom|whose)\b|\b(?P<number>when|how (?:many|much|old|long|far|often)|what year|which year)\b",
    re.IGNORECASE,
)
# A person's full name: two or more capitalised words in a row.
FULL_NAME = re.compile(r"\b[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)+")
NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred hundreds "
    "thousand thousands million millions dozen decade decades year years month months week weeks day days hour hours "
    "minute minutes"
)
QUANTITY = re.compile(r"\b(?:\d[\d,.]*|" + "|".join(NUMBER_WORDS.split()) + r")\b", re.IGNORECASE)


def answer_type(question: str) -> str | None:
    """Return what the question's first wh-phrase asks for: "person", "number", or None."""
    match = WH.search(question)
    return match.lastgroup if match else None


def holds_answer_type(kind: str | None, text: str, question: str) -> bool:
    """Tell whether a sentence holds the kind of thing asked for: a name the question lacks, or a quantity."""
    if kind == "person":
        asked = set(WORD.findall(fold(question)))
        return any(not set(WORD.findall(fold(name))) <= asked for name in FULL_NAME.findall(text))
    if kind == "number":
        return bool(QUANTITY.search(text))
    return False



def typed(candidates: Sequence[Candidate], question: str, weight: float) -> list[Candidate]:
    """Raise the candidates holding what the question asks for (a name, a quantity) by weight, and re-sort."""
    kind = WH.search(question)
    if not kind or not weight:
        return list(candidates)
    raised = [replace(c, score=c.score + weight) if holds_answer_type(kind.lastgroup, c.text, question) else c
              for c in candidates]
    return sorted(raised, key=lambda c: (-c.score, c.hit_rank, c.start))


# ----------------------------------------------------------------------------- inverse cloze task (tried, not kept)

ICT_BATCH = 16
ICT_LEARNING_RATE = 2e-5
ICT_MIN_QUERY_WORDS = 5


def ict_pairs(passages: Sequence[Passage]) -> list[tuple[str, str]]:
    """Return (sentence, the rest of its passage) pairs: each sentence a question its own passage answers."""
    pairs = []
    for passage in passages:
        found = units(passage)
        if len(found) < 2:
            continue
        text = passage.text
        for unit in found:
            sentence = text[unit.start : unit.end]
            if len(sentence.split()) >= ICT_MIN_QUERY_WORDS:
                rest = " ".join(f"{text[: unit.start]} {text[unit.end :]}".split())
                pairs.append((sentence, f"{passage.speaker}: {rest}" if passage.speaker else rest))
    return pairs


def fine_tune(passages: Sequence[Passage], out_dir: Path) -> dict[str, float]:
    """Fine-tune MiniLM for one epoch on the corpus's inverse-cloze pairs (MultipleNegativesRankingLoss); save it."""
    import random
    import resource
    import shutil

    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    from companion.retrieval.embedder import packaged_model_dir

    pairs = ict_pairs(passages)
    started, cpu = time.perf_counter(), time.process_time()
    torch.manual_seed(0)
    location = packaged_model_dir()
    model = SentenceTransformer(str(location), device="cpu")
    loss = MultipleNegativesRankingLoss(model)
    order = list(range(len(pairs)))
    random.Random(0).shuffle(order)
    batches = [order[i : i + ICT_BATCH] for i in range(0, len(order), ICT_BATCH)]
    optimizer = torch.optim.AdamW(model.parameters(), lr=ICT_LEARNING_RATE)
    warmup = max(1, len(batches) // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (len(batches) - step) / (len(batches) - warmup)))
    )
    model.train()
    for batch in batches:
        queries = model.preprocess([pairs[i][0] for i in batch])
        contexts = model.preprocess([pairs[i][1] for i in batch])
        loss([dict(queries), dict(contexts)], labels=None).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
    model.eval()
    model.save(str(out_dir))
    # Pooling is unchanged; the base model's file is in the form LightEmbedder.usable reads (sentence-transformers
    # 6 writes {"pooling_mode": "mean"}, which it does not recognise).
    shutil.copyfile(location / "1_Pooling" / "config.json", out_dir / "1_Pooling" / "config.json")
    cost = {"pairs": len(pairs), "seconds": round(time.perf_counter() - started, 1),
            "cpu_seconds": round(time.process_time() - cpu, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    (out_dir / "cost.json").write_text(json.dumps(cost))
    return cost


# ----------------------------------------------------------------------------- the lab


@dataclass(frozen=True)
class Ranked:
    """One method's answer to one question: passages best first, and evidence sentences best first."""

    hits: tuple[Hit, ...]
    sentences: tuple[str, ...] = ()


class Lab:
    """Everything the methods share: passages, BM25, one Models per embedding model."""

    def __init__(self, passages: Sequence[Passage], lexical_text: Callable[[Passage], str] | None = None) -> None:
        self.passages = list(passages)
        self.by_id = {p.id: p for p in self.passages}
        self.lexical = LexicalSearcher.from_passages(self.passages)
        if lexical_text:
            # The same BM25, over other words per passage (the essay's own fields, say).
            import bm25s

            terms = [content_terms(lexical_text(p)) or ["\u2205"] for p in self.passages]
            index = bm25s.BM25()
            index.index(terms, show_progress=False)
            frequency: dict[str, int] = {}
            for words in terms:
                for term in set(words):
                    frequency[term] = frequency.get(term, 0) + 1
            self.lexical = LexicalSearcher([p.id for p in self.passages], index, frequency,
                                           lambda ids: [self.by_id[i] for i in ids])
        self.vocabulary = set(self.lexical.document_frequency)
        self.folded = {p.id: fold(p.text) for p in self.passages}
        self.row = {p.id: i for i, p in enumerate(self.passages)}

    def hybrid(self, models: Models) -> HybridSearcher:
        """Return the project's own hybrid searcher over an in-memory copy of the index."""
        dense = DenseSearcher(MemoryStore(self.passages, models.passages), models.queries)  # type: ignore[arg-type]
        return HybridSearcher(dense, self.lexical)

    def term_scores(self, terms: Sequence[str]) -> np.ndarray:
        """Return every passage's BM25 score for these (already folded, stemmed) terms."""
        if not terms:
            return np.zeros(len(self.passages))
        index = self.lexical._index
        known = [t for t in terms if t in index.vocab_dict]
        if not known:
            return np.zeros(len(self.passages))
        return np.asarray(index.get_scores(known), dtype=np.float64)

    def fuse(self, dense: np.ndarray, lexical: np.ndarray, k: int = CANDIDATES) -> list[Hit]:
        """Fuse per-passage dense and lexical scores exactly as HybridSearcher does (its top k of each)."""
        rounded = np.round(dense, 6)
        order = np.argsort(-rounded, kind="stable")[:k]
        dense_hits = [Hit(rank=r, passage=self.passages[i], score=float(rounded[i]), dense=float(rounded[i]))
                      for r, i in enumerate(order, start=1)]
        order = [i for i in np.argsort(-lexical, kind="stable")[:k] if lexical[i] > 0]
        lexical_hits = [Hit(rank=r, passage=self.passages[i], score=round(float(lexical[i]), 6),
                            lexical=float(lexical[i])) for r, i in enumerate(order, start=1)]
        fused = _fuse_scores(dense_hits, lexical_hits)
        lex = {h.passage.id: h.lexical for h in lexical_hits}
        ranked = sorted(fused, key=lambda pid: (-fused[pid], pid))
        return [Hit(rank=r, passage=self.by_id[pid], score=round(fused[pid], 6),
                    dense=float(rounded[self.row[pid]]), lexical=lex.get(pid))
                for r, pid in enumerate(ranked, start=1)]


# ----------------------------------------------------------------------------- passage methods


def rerank_by_sentences(hits: Sequence[Hit], query: np.ndarray, models: Models, weight: float) -> list[Hit]:
    """Add each candidate passage's best sentence cosine (scaled over the candidates) to its fused score."""
    if not hits or weight == 0:
        return list(hits)
    best = []
    for hit in hits:
        texts = [u.text(hit.passage) for u in units(hit.passage)]
        best.append(float((models.sentences.lookup(texts, models.queries) @ query).max()) if texts else 0.0)
    high, low = max(best), min(best)
    scored = [(h.score + weight * (b - low) / ((high - low) or 1.0), h) for h, b in zip(hits, best)]
    scored.sort(key=lambda pair: (-pair[0], pair[1].passage.id))
    return [replace(h, rank=r, score=round(s, 6)) for r, (s, h) in enumerate(scored, start=1)]


def rm3_terms(hits: Sequence[Hit], lab: Lab, question_terms: set[str], depth: int, count: int) -> dict[str, float]:
    """Pick expansion terms from the top passages (RM3): frequent there, rare in the corpus, weighted by rank score."""
    weights: dict[str, float] = {}
    top = list(hits[:depth])
    total = sum(h.score for h in top) or 1.0
    for hit in top:
        terms = content_terms(f"{hit.passage.title} {hit.passage.speaker or ''} {hit.passage.text}")
        for term in set(terms):
            weights[term] = weights.get(term, 0.0) + (hit.score / total) * terms.count(term) / len(terms)
    candidates = {t: w * lab.lexical.idf(t) for t, w in weights.items() if t not in question_terms}
    chosen = sorted(candidates, key=lambda t: (-candidates[t], t))[:count]
    norm = sum(candidates[t] for t in chosen) or 1.0
    return {t: candidates[t] / norm for t in chosen}


# ----------------------------------------------------------------------------- sentence methods


@functools.cache
def film_words():
    """Return the project's word lists (prompts/words.toml)."""
    from companion.words import load_words

    return load_words(REPO_ROOT / "prompts")


def todays_quotes(question: str, hits: Sequence[Hit], idf: Callable[[str], float]) -> list[str]:
    """Return the quotes today's extractive reply shows, in order: evidence selection, then best_quote per passage."""
    from companion.engine.decide import select_evidence
    from companion.engine.quotes import best_quote, term_weights
    from companion.engine.route import is_opinion
    from companion.policy import POLICY
    from companion.types import Evidence

    opinion = is_opinion(question, film_words())
    pool = list(hits[: max(5, POLICY.opinion_depth) if opinion else 5])
    evidence = tuple(Evidence(n, h.passage) for n, h in enumerate(select_evidence(pool, opinion=opinion), start=1))
    weights = term_weights(evidence, idf)
    quotes = [best_quote(e, question, weights).text for e in evidence]
    terms = set(content_terms(question))
    total = sum(weights.get(t, 1.0) for t in terms) or 1.0

    def share(text: str) -> float:
        return sum(weights.get(t, 1.0) for t in terms & set(content_terms(text))) / total

    strongest = max((share(q) for q in quotes), default=0.0)
    return [q for q in quotes if share(q) > 0 and share(q) >= POLICY.quote_share * strongest] or quotes[:1]


def sentence_ranking(
    question: str, hits: Sequence[Hit], models: Models, idf, weights: Weights, depth: int, query: np.ndarray,
    neighbours: bool = True, answer_type: float = 0.0,
) -> list[str]:
    """Rank the units of the top passages with rank_sentences; without neighbours, each sentence alone."""
    pool = list(hits[:depth])
    if neighbours:
        ranked = rank_sentences(question, pool, models.queries, models.sentences, idf, weights, query, depth)
        return [c.text for c in typed(ranked, question, answer_type)]
    # Ablation: the sentence alone, scored the same way.
    best = max(h.score for h in pool) or 1.0
    terms = set(content_terms(question))
    scored = []
    for hit in pool:
        spans = [hit.passage.text[u.start:u.end] for u in units(hit.passage)]
        if not spans:
            continue
        dense = models.sentences.lookup(spans, models.queries) @ query
        for text, d in zip(spans, dense):
            score = float(d) + weights.passage * hit.score / best + weights.lexical * lexical_share(terms, text, idf)
            scored.append((score, hit.rank, text))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [text for _, _, text in scored]


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
                rate(self.answer3), "—" if self.words1 is None else f"{self.words1:.0f}", f"{self.seconds * 1000:.1f}"]


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


Method = Callable[[Question], Ranked]


def run(method: Method, questions: Sequence[Question], lab: Lab) -> Figures:
    """Answer every question with the method, timing it, and score the answers."""
    started = time.perf_counter()
    results = [method(q) for q in questions]
    return figures(questions, results, lab, time.perf_counter() - started)


# ----------------------------------------------------------------------------- methods


class Methods:
    """The methods tried, each a function of a question built from shared parts."""

    def __init__(self, lab: Lab, models: Models) -> None:
        self.lab = lab
        self.models = models
        self.searcher = lab.hybrid(models)
        self.idf = lab.lexical.idf

    def embed(self, text: str) -> np.ndarray:
        return np.asarray(self.models.queries.embed([text])[0], dtype=np.float32)

    def hybrid(self, question: Question) -> Ranked:
        """Today's retrieval (the project's HybridSearcher) and today's quote choice."""
        hits = self.searcher.search(question.q, CANDIDATES)
        return Ranked(tuple(hits), tuple(todays_quotes(question.q, hits, self.idf)))

    def dense_only(self, question: Question) -> Ranked:
        """The project's DenseSearcher alone."""
        return Ranked(tuple(self.searcher.dense.search(question.q, CANDIDATES)))

    def bm25_only(self, question: Question) -> Ranked:
        """The project's BM25 alone."""
        return Ranked(tuple(self.lab.lexical.search(question.q, CANDIDATES)))

    def sentences(self, weights: Weights, depth: int, rerank: float = 0.0, neighbours: bool = True,
                  rewrite: Callable[[str], str] | None = None, prf: tuple[int, int, float] | None = None,
                  rocchio: tuple[int, float] | None = None, unit_dense: float = 0.0,
                  answer_type: float = 0.0) -> Method:
        """Build a method: hybrid retrieval (optionally rewritten, expanded, reranked), then ranked sentences.

        unit_dense mixes each passage's best sentence cosine into its dense score before fusion.
        """

        def dense_scores(query: np.ndarray) -> np.ndarray:
            scores = self.models.passages @ query
            if unit_dense:
                scores = (1 - unit_dense) * scores + unit_dense * self.models.unit_max(query)
            return scores

        def method(question: Question) -> Ranked:
            text = rewrite(question.q) if rewrite else question.q
            query = self.embed(text)
            lexical = self.lab.term_scores(content_terms(question.q))
            hits = self.lab.fuse(dense_scores(query), lexical)
            if prf:
                depth_prf, count, beta = prf
                extra = rm3_terms(hits, self.lab, set(content_terms(question.q)), depth_prf, count)
                expanded = lexical + beta * sum(w * self.lab.term_scores([t]) for t, w in extra.items())
                hits = self.lab.fuse(dense_scores(query), expanded)
            if rocchio:
                depth_r, alpha = rocchio
                rows = [self.lab.row[h.passage.id] for h in hits[:depth_r]]
                moved = query + alpha * self.models.passages[rows].mean(0)
                query = (moved / np.linalg.norm(moved)).astype(np.float32)
                hits = self.lab.fuse(dense_scores(query), lexical)
            hits = rerank_by_sentences(hits, query, self.models, rerank)
            sentences = sentence_ranking(question.q, hits, self.models, self.idf, weights, depth, query, neighbours,
                                         answer_type)
            return Ranked(tuple(hits), tuple(sentences))

        return method


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
    searcher = HybridSearcher(DenseSearcher(MemoryStore(lab.passages, matrix), light), lab.lexical)  # type: ignore[arg-type]
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
        return f"p50 {statistics.median(values) * 1000:.1f} ms, p95 {sorted(values)[int(0.95 * (len(values) - 1))] * 1000:.1f} ms"

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
    parser.add_argument("--timing", action="store_true", help="time the kept sentence method as the engine would run it")
    args = parser.parse_args()
    go_offline()
    import torch

    torch.set_num_threads(args.threads)
    questions = [q for q in load_questions(args.questions) if q.answerable]
    dev, test = in_split(questions, "dev"), in_split(questions, "test")
    passages = [p for essay in load_corpus(REPO_ROOT / "corpus") for p in split_essay(essay)]
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
        return " ".join(f for f in (essay.title, essay.author, essay.outlet, essay.form, essay.id.replace("-", " ")) if f)

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
        explore("ICT: ", Methods(lab, embed_corpus("MiniLM+ICT", str(args.ict), passages, args.cache)), lab, dev, record)

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
