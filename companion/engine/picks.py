"""Compose, picks: the sentences a quote-first reply shows, chosen across the evidence rather than one per passage."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from companion.engine.quotes import Quote, balanced, best_quote, speaker_at, term_weights
from companion.policy import POLICY, Policy
from companion.retrieval.embedder import Embedder
from companion.retrieval.sentences import (
    LABEL, Candidate, SentenceVectors, distinct, lexical_share, rank_sentences, units,
)
from companion.text import content_terms
from companion.types import Evidence, Hit

Idf = Callable[[str], float]
# Double quotation marks inside a passage: a quote shown in ours must not contain them.
QUOTE_MARK = re.compile(r"[“”\"]")
# Words the piece of a sentence cut at such a mark needs to be worth quoting.
MIN_QUOTE_WORDS = 4


@dataclass(frozen=True)
class Pick:
    """A quote to show, the evidence it comes from, and how well it answers (comparable within one reply)."""

    evidence: Evidence
    quote: Quote
    score: float


def pick_quotes(
    question: str,
    evidence: Sequence[Evidence],
    hits: Sequence[Hit] = (),
    embedder: Embedder | None = None,
    vectors: SentenceVectors | None = None,
    idf: Idf | None = None,
    opinion: bool = False,
    policy: Policy = POLICY,
) -> list[Pick]:
    """Return the quotes to show, best first: the answering sentence, then others only when close and new."""
    if not evidence:
        return []
    if embedder is None:
        return _by_words(question, evidence, idf, policy)
    known = {h.passage.id: h for h in hits}
    # Only the chosen evidence competes: the decision may have held passages back (the ending) on purpose.
    pool = [
        Hit(rank=known[e.passage.id].rank if e.passage.id in known else len(hits) + e.n, passage=e.passage,
            score=known[e.passage.id].score if e.passage.id in known else 0.0)
        for e in evidence
    ]
    by_id = {e.passage.id: e for e in evidence}
    terms = set(content_terms(question))
    picks = [
        pick for pick in (_pick(by_id[c.passage_id], c, terms, idf, policy)
                          for c in distinct(rank_sentences(question, pool, embedder, vectors, idf, depth=len(pool))))
        if pick is not None
    ]
    if not picks:
        return _by_words(question, evidence, idf, policy)
    best = picks[0].score
    ratio = policy.opinion_quote_ratio if opinion else policy.fact_quote_ratio
    most = policy.opinion_quotes if opinion else policy.fact_quotes
    chosen = [picks[0]]
    for pick in picks[1:]:
        if len(chosen) >= most or pick.score < ratio * best:
            break
        # A further quote must add a view: another critic's, never a weaker line from the same essay.
        if pick.evidence.passage.essay_id not in {c.evidence.passage.essay_id for c in chosen}:
            chosen.append(pick)
    return chosen


def _pick(item: Evidence, candidate: Candidate, terms: set[str], idf: Idf | None, policy: Policy) -> Pick | None:
    """Make a candidate sentence a quote that reads alone, or None when no part of it can be quoted."""
    text = item.passage.text
    span = _quotable(text, *balanced(text, candidate.start, _extended(item, candidate, policy)), terms, idf)
    if span is None:
        return None
    start, end = balanced(text, *span)
    who = speaker_at(item, start) or item.passage.author or "the writer"
    return Pick(item, Quote(text=text[start:end], who=who), candidate.score)


def _extended(item: Evidence, candidate: Candidate, policy: Policy) -> int:
    """Carry a fragment ("existence.") on to the end of the next sentence in the same speaker's turn."""
    text = item.passage.text
    if len(candidate.text.split()) >= policy.short_sentence or LABEL.match(text, candidate.end):
        return candidate.end
    following = [u for u in units(item.passage) if u.start >= candidate.end]
    return following[0].end if following else candidate.end


def _quotable(text: str, start: int, end: int, terms: set[str], idf: Idf | None) -> tuple[int, int] | None:
    """Return the span to quote: our quotation marks cannot hold the passage's, so cut at them if need be.

    Words the passage itself quotes are usually the point (a line of dialogue), so a quoted piece long enough
    to read alone is preferred; else the surrounding words that hold most of the question's.
    """
    if not QUOTE_MARK.search(text, start, end):
        return start, end
    pieces = []
    cut = start
    for index, mark in enumerate([*QUOTE_MARK.finditer(text, start, end), None]):
        stop = mark.start() if mark else end
        piece = text[cut:stop]
        a, b = cut + len(piece) - len(piece.lstrip()), cut + len(piece.rstrip())
        if len(text[a:b].split()) >= MIN_QUOTE_WORDS:
            pieces.append((index % 2, lexical_share(terms, text[a:b], idf), b - a, a, b))
        cut = mark.end() if mark else end
    return max(pieces)[3:] if pieces else None


def _by_words(question: str, evidence: Sequence[Evidence], idf: Idf | None, policy: Policy) -> list[Pick]:
    """Choose by shared rare words alone (no embedder, as with BM25 search): the best sentence of each passage."""
    weights = term_weights(tuple(evidence), idf)
    terms = set(content_terms(question))
    total = sum(weights.get(t, 1.0) for t in terms) or 1.0
    picks = []
    for item in evidence:
        quote = best_quote(item, question, weights, policy)
        share = sum(weights.get(t, 1.0) for t in terms & set(content_terms(quote.text))) / total
        picks.append(Pick(item, quote, share))
    strongest = max(p.score for p in picks)
    # A quote that shares only a common word with the question (a name, say) would only pad the reply.
    kept = [p for p in picks if p.score > 0 and p.score >= policy.quote_share * strongest] or picks[:1]
    return sorted(kept, key=lambda p: -p.score)


def renumbered(picks: Sequence[Pick]) -> list[Pick]:
    """Number the quoted passages 1, 2, … in the order they are shown: the reply cites only these."""
    numbers: dict[str, int] = {}
    result = []
    for pick in picks:
        n = numbers.setdefault(pick.evidence.passage.id, len(numbers) + 1)
        result.append(Pick(Evidence(n, pick.evidence.passage), pick.quote, pick.score))
    return result
