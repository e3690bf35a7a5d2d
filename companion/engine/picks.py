"""Compose, picks: the sentences a quote-first reply shows, chosen across the evidence rather than one per passage."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from companion.engine.answer import answer_kind, answer_span
from companion.engine.quotes import Quote, balanced, best_quote, speaker_at, term_weights
from companion.policy import POLICY, Policy
from companion.retrieval.embedder import Embedder
from companion.retrieval.sentences import (
    LABEL, Candidate, SentenceVectors, distinct, lexical_share, rank_sentences, units,
)
from companion.text import content_terms
from companion.types import Evidence, Hit
from companion.words import Words

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
    # Where the quote sits in its passage's text.
    start: int = 0
    end: int = 0


def pick_quotes(
    question: str,
    evidence: Sequence[Evidence],
    hits: Sequence[Hit] = (),
    embedder: Embedder | None = None,
    vectors: SentenceVectors | None = None,
    idf: Idf | None = None,
    opinion: bool = False,
    policy: Policy = POLICY,
    words: Words | None = None,
) -> list[Pick]:
    """Return the quotes to show, best first: the answering sentence, then others only when close and new."""
    picks = ranked_picks(question, evidence, hits, embedder, vectors, idf, opinion, policy, words)
    if not picks:
        return []
    best = picks[0].score
    ratio = policy.opinion_quote_ratio if opinion else policy.fact_quote_ratio
    most = policy.opinion_quotes if opinion else policy.fact_quotes
    chosen = [_joined(picks[0], picks[1:], best, policy)]
    for pick in picks[1:]:
        if len(chosen) >= most or pick.score < ratio * best:
            break
        # A further quote must add a view: another critic's, never a weaker line from the same essay.
        if pick.evidence.passage.essay_id not in {c.evidence.passage.essay_id for c in chosen}:
            chosen.append(pick)
    return chosen


def _joined(first: Pick, others: Sequence[Pick], best: float, policy: Policy) -> Pick:
    """Quote the best sentence together with the one right beside it when that one answers nearly as well.

    The sentence that names the question's subject is often followed (or preceded) by the one holding the
    answer: "Spike Jonze is a high-brow nut ... ." then what he made and with whom.
    """
    text = first.evidence.passage.text
    for other in others:
        if other.score < policy.neighbour_ratio * best:
            break
        if other.evidence.passage.id != first.evidence.passage.id:
            continue
        a, b = (first, other) if first.start < other.start else (other, first)
        if text[a.end : b.start].strip() or len(text[a.start : b.end].split()) > policy.joined_words:
            continue
        return replace(first, quote=replace(first.quote, text=text[a.start : b.end]), start=a.start, end=b.end)
    return first


def ranked_picks(
    question: str,
    evidence: Sequence[Evidence],
    hits: Sequence[Hit] = (),
    embedder: Embedder | None = None,
    vectors: SentenceVectors | None = None,
    idf: Idf | None = None,
    opinion: bool = False,
    policy: Policy = POLICY,
    words: Words | None = None,
) -> list[Pick]:
    """Return every quotable sentence of the evidence as a pick, best answer first."""
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
    if words is not None and not opinion and answer_kind(question, words):
        # A who, when or where question is answered by a sentence holding a name, a number or a place.
        picks = sorted(
            (replace(p, score=p.score + policy.answer_bonus) if answer_span(question, p.quote.text, words) else p
             for p in picks),
            key=lambda p: -p.score,
        )
    return picks


def _pick(item: Evidence, candidate: Candidate, terms: set[str], idf: Idf | None, policy: Policy) -> Pick | None:
    """Make a candidate sentence a quote that reads alone, or None when no part of it can be quoted."""
    text = item.passage.text
    span = _quotable(text, *balanced(text, candidate.start, _extended(item, candidate, policy)), terms, idf)
    if span is None:
        return None
    start, end = balanced(text, *span)
    who = speaker_at(item, start) or item.passage.author or "the writer"
    return Pick(item, Quote(text=text[start:end], who=who), candidate.score, start, end)


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
        result.append(replace(pick, evidence=Evidence(n, pick.evidence.passage)))
    return result
