"""Covering: whether the passages found speak to a question at all, from how near they come and how much they hold."""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from companion.policy import POLICY, Policy
from companion.retrieval.embedder import Embedder
from companion.retrieval.lexical import unseen
from companion.retrieval.sentence_vectors import SentenceVectors
from companion.retrieval.sentences import sentence_features
from companion.text import content_terms
from companion.types import Hit

Idf = Callable[[str], float]
# The decision was fit with the closest sentence of the best 5 passages: measure it the same way.
SIGNAL_DEPTH = 5


def coverage(question: str, hits: Sequence[Hit], idf: Idf) -> float:
    """Return the largest idf-weighted share of the question's words that one passage holds."""
    terms = set(content_terms(question))
    if not terms:
        return 0.0
    weights = {t: idf(t) for t in terms}
    total = sum(weights.values())
    best = 0.0
    for hit in hits:
        found = terms & set(content_terms(f"{hit.passage.title} {hit.passage.text}"))
        best = max(best, sum(weights[t] for t in found) / total)
    return best


def unseen_share(
    question: str, hits: Sequence[Hit], idf: Idf, meta: Collection[str] = frozenset(), chatter: Collection[str] = frozenset(),
) -> float:
    """Return the idf-weighted share of the question's words that no passage holds at all.

    Words about the essays themselves ("critics", "review") are left out: a question may use them whether or not the
    essays answer it. So is chatter no passage holds ("lol", "smth"): it asks nothing of them.
    """
    terms = set(content_terms(question)) - set(meta)
    if not terms:
        return 0.0
    weights = {t: idf(t) for t in terms}
    # A word no passage holds has the largest idf there is (that of a word no text can contain), and is
    # in none of the hits; the second test keeps an idf that ranks no word above another from counting all.
    found = {t for hit in hits for t in content_terms(f"{hit.passage.title} {hit.passage.text}")}
    missing = {t for t in weights if unseen(t, idf) and t not in found}
    weights = {t: w for t, w in weights.items() if not (t in missing and t in chatter)}
    if not weights:
        return 0.0
    return sum(w for t, w in weights.items() if t in missing) / sum(weights.values())


@dataclass(frozen=True)
class Signals:
    """What the evidence decision weighs: how close the best match is and how much of the question it holds."""

    cosine: float  # the best passage's cosine, or a sentence's when sentences were ranked and one is closer
    coverage: float  # idf-weighted share of the question's words the best passage holds
    unseen: float  # idf-weighted share of the question's words found in no passage at all
    sentences: bool  # whether cosine is a sentence's (the model fitted with sentence scores applies)


def signals(
    question: str, hits: Sequence[Hit], idf: Idf, meta: Collection[str] = frozenset(),
    embedder: Embedder | None = None, vectors: SentenceVectors | None = None, chatter: Collection[str] = frozenset(),
) -> Signals:
    """Measure the hits against the question; with an embedder, a sentence closer than any passage counts.

    Chatter the essays never use ("lol", "smth") is no word they lack: it asks nothing of them.
    """
    cosine = max((h.dense or 0.0) for h in hits) if hits else 0.0
    ranked = bool(embedder is not None and hits)
    if ranked:
        # A caller keeping no sentence vectors (the engine keeps the index's) has them embedded for this call alone.
        _, features = sentence_features(question, hits[:SIGNAL_DEPTH], embedder, vectors if vectors is not None else SentenceVectors(), idf)
        cosine = max([cosine, *(round(float(c), 6) for c in features[:, 0])])
    return Signals(cosine, coverage(question, hits, idf), unseen_share(question, hits, idf, meta, chatter), ranked)


def answer_probability(found: Signals, policy: Policy = POLICY) -> float:
    """Return the fitted chance that the essays answer the question (a logistic model over the signals)."""
    bias, cosine, cover, unseen = policy.sentence_model if found.sentences else policy.passage_model
    z = bias + cosine * found.cosine + cover * found.coverage + unseen * found.unseen
    return 1.0 / (1.0 + math.exp(-z))


def overview(question: str, meta: Collection[str]) -> bool:
    """Tell whether a question asks about the film as a whole: it has no word but words about the essays and film."""
    return not set(content_terms(question)) - set(meta)


def covers(
    question: str, hits: Sequence[Hit], idf: Idf | None = None, policy: Policy = POLICY,
    meta: Collection[str] = frozenset(), embedder: Embedder | None = None, vectors: SentenceVectors | None = None,
    whole: bool = False, chatter: Collection[str] = frozenset(),
) -> bool:
    """Decide whether the passages found speak to the question at all; whole: it asks about the film as a whole."""
    if not hits:
        return False
    # Every essay is about the film as a whole, so a question about it ("what are the main themes?") is theirs
    # to answer, though it may share no rarer word with them.
    if whole:
        return True
    dense = max((h.dense or 0.0) for h in hits)
    if idf is None:
        return dense >= policy.strong_score
    # A question whose only words are about the film as a whole ("what is the movie about?") can share no
    # rarer word with a passage: its meaning alone decides.
    if not any((h.lexical or 0.0) > 0 for h in hits) and not overview(question, meta):
        return False
    if all(h.dense is None for h in hits):
        return coverage(question, hits, idf) >= policy.lexical_only_coverage
    found = signals(question, hits, idf, meta, embedder, vectors, chatter)
    return answer_probability(found, policy) >= policy.answer_probability
