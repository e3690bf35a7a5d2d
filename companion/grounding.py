"""Citation markers, verbatim quotes, and whether the essays hold evidence at all."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from companion.backends.base import Evidence
from companion.passages import Passage
from companion.retrieval.store import Hit
from companion.text import content_terms, fold

MARKER = re.compile(r"\[(\d{1,3})\]")
QUOTED = re.compile(r"[“\"]([^“”\"]{8,}?)[”\"]")

# Calibrated on shared/eval/questions.jsonl (see tests/test_grounding.py): MiniLM cosine
# of the best passage, and how many of the question's content words the evidence shares.
MIN_SCORE = 0.30
STRONG_SCORE = 0.45
# Passages this far below the best one are not evidence for the same question.
RELATIVE_MARGIN = 0.12


@dataclass(frozen=True)
class Citation:
    """A marker in a reply and the passage it stands for."""

    n: int
    passage: Passage
    verified: bool

    @property
    def byline(self) -> str:
        """Return the cited essay's title and author."""
        return self.passage.byline


def markers(text: str) -> list[int]:
    """Return the citation numbers in a text, in order of first appearance."""
    seen: list[int] = []
    for match in MARKER.finditer(text):
        n = int(match.group(1))
        if n not in seen:
            seen.append(n)
    return seen


def quotes(text: str) -> list[str]:
    """Return the spans a text puts in double quotes."""
    return [m.group(1) for m in QUOTED.finditer(text)]


def quote_in(quote: str, passage: Passage) -> bool:
    """Tell whether a quote appears verbatim in a passage, after normalising quotes and spaces."""
    return fold(quote).strip(" .,;:") in fold(passage.text)


def covers(question: str, hits: Sequence[Hit]) -> bool:
    """Decide whether the best passages speak to the question."""
    if not hits:
        return False
    best = hits[0].score
    if best >= STRONG_SCORE:
        return True
    if best < MIN_SCORE:
        return False
    terms = set(content_terms(question))
    if not terms:
        return True
    near = [h for h in hits if h.score >= best - RELATIVE_MARGIN]
    found = set().union(*(content_terms(h.passage.text) for h in near))
    return bool(terms & found)


def select_evidence(hits: Sequence[Hit], limit: int = 3) -> list[Hit]:
    """Pick the strongest passages, one per essay first, so several critics get a say."""
    if not hits:
        return []
    floor = hits[0].score - RELATIVE_MARGIN
    candidates = [h for h in hits if h.score >= floor]
    chosen: list[Hit] = []
    for hit in candidates:
        if hit.passage.essay_id not in {c.passage.essay_id for c in chosen}:
            chosen.append(hit)
    for hit in candidates:
        if len(chosen) >= limit:
            break
        if hit not in chosen:
            chosen.append(hit)
    return sorted(chosen[:limit], key=lambda h: h.rank)


def cite(answer: str, evidence: Sequence[Evidence]) -> tuple[Citation, ...]:
    """Match the reply's markers to the evidence; a quote that is not verbatim is not verified."""
    by_n = {e.n: e.passage for e in evidence}
    citations = []
    for n in markers(answer):
        passage = by_n.get(n)
        if passage is None:
            continue
        own_quotes = _quotes_cited_by(answer, n)
        verified = all(quote_in(q, passage) for q in own_quotes)
        citations.append(Citation(n=n, passage=passage, verified=verified))
    return tuple(citations)


def _quotes_cited_by(answer: str, n: int) -> list[str]:
    """Return the quotes in the sentences that end with marker n."""
    found = []
    for line in re.split(r"(?<=\])\s+|\n+", answer):
        if f"[{n}]" in line:
            found.extend(quotes(line))
    return found


# A framing sentence from an untrusted model must be a reaction, not a claim about the film.
_PERSONAL = re.compile(r"\b(i|i'm|i've|i'd|me|my|you|you're|your|let's|let me|we)\b")
_CLAIMS = re.compile(
    r"\b(film|movie|director|directed|wrote|written|ending|scene|plot|story|critics? (?:said|say|liked|loved|thought)|"
    r"actor|actress|box office|money|million|billion|award|oscar)\b"
)


def acceptable_framing(sentence: str, question: str) -> bool:
    """Tell whether a model's framing sentence is safe to show: personal, short, and free of facts."""
    text = sentence.strip()
    words = text.split()
    if not 3 <= len(words) <= 22 or re.search(r"[\d\[\]:\"“”]", text):
        return False
    folded = fold(text)
    if not _PERSONAL.search(folded) or _CLAIMS.search(folded):
        return False
    asked = set(fold(question).split())
    names = [w.strip(".,!?;'’") for w in words[1:] if w[:1].isupper() and w.strip(".,!?;'’") not in ("I", "I'm", "I’m")]
    return all(fold(name) in asked for name in names)
