"""The methods tried: query rewriting, feedback, sentence scores in passage ranking, sentence ranking.

Part of benchmarks/retrieval_experiments.py (run that).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from retrieval_lab import Lab, Method, Models, Ranked

from companion.config import REPO_ROOT
from companion.evaluation import Question
from companion.retrieval.search import CANDIDATES
from companion.retrieval.sentences import Candidate, lexical_share, sentence_features
from companion.retrieval.units import units
from companion.text import WORD, content_terms, fold
from companion.types import Hit

# ----------------------------------------------------------------------------- hand-weighted sentence ranking


@dataclass(frozen=True)
class Weights:
    """The sentence score before the fitted ranker: cosine + passage * fused score + lexical * word share."""

    passage: float = 0.15
    lexical: float = 0.8


# Passages whose sentences competed under the hand weights (tuned with them on dev).
DEPTH = 5


def rank_sentences(question: str, hits: Sequence[Hit], embedder, vectors, idf, weights: Weights = Weights(),
                   query_vector=None, depth: int = DEPTH) -> list[Candidate]:
    """Rank the units of the top `depth` hits by the hand weights (the method companion used before its fitted ranker)."""
    pool, features = sentence_features(question, list(hits[:depth]), embedder, vectors, idf, query_vector)
    scores = features[:, 0] + weights.passage * features[:, 2] + weights.lexical * features[:, 5] if pool else []
    ranked = [
        Candidate(passage_id=hit.passage.id, text=unit.text(hit.passage), start=unit.lead, end=unit.end,
                  sentence_start=unit.start, score=round(float(score), 6), dense=round(float(row[0]), 6),
                  lexical=round(float(row[5]), 6), hit_rank=hit.rank)
        for (hit, unit), row, score in zip(pool, features, scores)
    ]
    return sorted(ranked, key=lambda c: (-c.score, c.hit_rank, c.start))


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
