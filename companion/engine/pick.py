"""Decide, pick: the sentences a reply quotes, chosen by their fitted chance of holding the answer."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from companion.policy import POLICY, Policy
from companion.retrieval.embedder import Embedder
from companion.retrieval.sentences import Candidate, SentenceVectors, rank_sentences
from companion.types import Evidence, Hit

Idf = Callable[[str], float]


def pick_quotes(
    question: str, pool: Sequence[Hit], opinion: bool, embedder: Embedder, vectors: SentenceVectors,
    idf: Idf | None, policy: Policy = POLICY,
) -> tuple[Evidence, ...]:
    """Return the evidence to quote: the likeliest answer first, then others likely enough, one per passage.

    An opinion question hears one sentence per essay, so each critic with a view speaks once.
    """
    ranked = rank_sentences(question, pool, embedder, policy.sentence_ranker, vectors, idf)
    if not ranked:
        return ()
    cap = policy.opinion_quotes if opinion else policy.fact_quotes
    by_id = {hit.passage.id: hit.passage for hit in pool}
    chosen: list[Candidate] = [ranked[0]]
    for candidate in ranked[1:]:
        if len(chosen) >= cap or candidate.score < policy.quote_chance:
            break
        if candidate.passage_id in {c.passage_id for c in chosen}:
            continue
        essay = by_id[candidate.passage_id].essay_id
        if opinion and essay in {by_id[c.passage_id].essay_id for c in chosen}:
            continue
        chosen.append(candidate)
    return tuple(
        Evidence(n, by_id[c.passage_id], span=(c.start, c.end)) for n, c in enumerate(chosen, start=1)
    )
