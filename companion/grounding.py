"""Citation markers, verbatim quotes, and whether the essays hold evidence at all."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from companion.backends.base import Evidence
from companion.passages import Passage
from companion.retrieval.store import Hit
from companion.text import content_terms, fold

MARKER = re.compile(r"\[(\d{1,3})\]")
QUOTED = re.compile(r"[“\"]([^“”\"]{8,}?)[”\"]")

# Calibrated on shared/eval/questions.jsonl plus off-topic questions of our own
# (tests/test_grounding.py): MiniLM cosine of the closest passage, and how much of the
# question's rarer vocabulary the top passages share (idf-weighted).
STRONG_SCORE = 0.45
MIN_SCORE = 0.25
MIN_COVERAGE = 0.40
# Passages this far below the best one are not evidence for the same question.
RELATIVE_MARGIN = 0.12

Idf = Callable[[str], float]


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


def covers(question: str, hits: Sequence[Hit], idf: Idf | None = None) -> bool:
    """Decide whether the passages found speak to the question at all."""
    if not hits:
        return False
    dense = max((h.dense or 0.0) for h in hits)
    if idf is None:
        return dense >= STRONG_SCORE
    if not any((h.lexical or 0.0) > 0 for h in hits):
        return False
    if all(h.dense is None for h in hits):
        return coverage(question, hits, idf) >= MIN_COVERAGE + 0.1
    return dense >= STRONG_SCORE or (dense >= MIN_SCORE and coverage(question, hits, idf) >= MIN_COVERAGE)


OPINION = re.compile(
    r"\b(critics?|reviewers?|essay(?:s|ist|ists)?|writers?|opinions?|think|thinks|thought|feel|feels|felt|"
    r"agree|disagree|view|views|take on|react(?:ed|ion)?|like|liked|love|loved|say about)\b",
    re.IGNORECASE,
)


# What gives away how Her ends: found by content, since no essay labels its spoilers.
ENDING = re.compile(
    r"\b(end of the (film|movie)|the ending|an ending|ending|ends with|at the end|how the story ends|goodbye|"
    r"farewell|leaves theodore|leaving theodore|transcends?|transcendence|parting|dusk|rooftop|afterlife|641|"
    r"8,316|last scene|final scene|she leaves|the oss leave|other people|talking (to|with) someone else)\b",
    re.IGNORECASE,
)
ASKS_FOR_ENDING = re.compile(
    r"\b(ending|endings|end|ends|spoil\w*|last scene|final scene|goodbye|what happens (at|in) the end)\b", re.IGNORECASE
)


def spoils_ending(passage: Passage) -> bool:
    """Tell whether a passage gives away how the film ends."""
    return bool(ENDING.search(passage.text))


def asks_for_ending(question: str) -> bool:
    """Tell whether the person asks about the ending outright (then spoilers are wanted)."""
    return bool(ASKS_FOR_ENDING.search(question))


def is_opinion(question: str) -> bool:
    """Tell whether a question asks what the writers think rather than for a fact."""
    return bool(OPINION.search(question))


def select_evidence(hits: Sequence[Hit], limit: int = 3, opinion: bool = False) -> list[Hit]:
    """Pick the strongest passages; for opinions, one per essay first so every critic with a view speaks."""
    if not hits:
        return []
    if opinion:
        limit = max(limit, len({h.passage.essay_id for h in hits}))
    best_dense = max((h.dense or 0.0) for h in hits)
    best_lexical = max((h.lexical or 0.0) for h in hits)
    candidates = [
        h for h in hits
        if (h.dense is not None and h.dense >= best_dense - RELATIVE_MARGIN)
        or (best_lexical > 0 and (h.lexical or 0.0) >= 0.6 * best_lexical)
        or h.rank == 1
    ]
    if not opinion:
        return candidates[:limit]
    chosen: list[Hit] = []
    for hit in candidates:
        if hit.passage.essay_id not in {c.passage.essay_id for c in chosen}:
            chosen.append(hit)
    for hit in candidates:
        if len(chosen) >= limit:
            break
        same_essay = sum(c.passage.essay_id == hit.passage.essay_id for c in chosen)
        if hit not in chosen and (same_essay < 2 or len({c.passage.essay_id for c in candidates}) == 1):
            chosen.append(hit)
    return sorted(chosen[:limit], key=lambda h: h.rank)


UNVERIFIED_NOTE = " *(quote not found in the cited passage)*"
REMOVABLE_MARKER = re.compile(r"\s?\[(\d{1,3})\]")
# A sentence ends at . ! ? or a line break, after any closing quote and its markers.
SENTENCE_SPLIT = re.compile(r"(?<=[.!?…])(?:[”\"’)]*)(?:\s*\[\d{1,3}\])*[.,;:!?]?(?:\s+|$)|\n+")


@dataclass(frozen=True)
class Verified:
    """An answer after its citations were checked."""

    answer: str
    citations: tuple[Citation, ...]
    dropped: int


def _sentences(text: str) -> list[str]:
    """Split into sentences, each with the markers after it; a sentence end inside a quote does not split."""
    quoted = [m.span() for m in QUOTED.finditer(text)]
    pieces, start = [], 0
    for match in SENTENCE_SPLIT.finditer(text):
        if match.start() < start or any(a < match.end() < b for a, b in quoted):
            continue
        pieces.append(text[start : match.end()])
        start = match.end()
    pieces.append(text[start:])
    return [p for p in pieces if p]


def _supports(sentence: str, passage: Passage) -> bool:
    """Tell whether a sentence shares substantive words with the passage it cites."""
    own = set(content_terms(MARKER.sub("", sentence)))
    return not own or bool(own & set(content_terms(passage.text)))


def verify(answer: str, evidence: Sequence[Evidence]) -> Verified:
    """Check every [n]: it must name a passage given, its quotes must be verbatim, its sentence on topic."""
    by_n = {e.n: e.passage for e in evidence}
    dropped = 0
    text = answer
    # Removing a marker can expose another ("[[9]9]" leaves "[9]"): repeat until nothing changes.
    for _ in range(len(MARKER.findall(answer)) + 1):
        removed = 0
        kept = []
        for sentence in _sentences(text):

            def keep(match: re.Match, sentence: str = sentence) -> str:
                nonlocal removed
                passage = by_n.get(int(match.group(1)))
                if passage is None or not _supports(sentence, passage):
                    # A marker for a passage never given, or for one the sentence does not draw on, goes.
                    removed += 1
                    return ""
                return match.group(0)

            kept.append(REMOVABLE_MARKER.sub(keep, sentence))
        text = "".join(kept)
        dropped += removed
        if not removed:
            break
    failed: set[int] = set()
    flagged = []
    for sentence in _sentences(text):
        bad = [n for n in markers(sentence) if not all(quote_in(q, by_n[n]) for q in quotes(sentence))]
        failed.update(bad)
        if bad:
            sentence = re.sub(r"(\[\d{1,3}\])(?!.*\[\d{1,3}\])", lambda m: m.group(1) + UNVERIFIED_NOTE, sentence, count=1)
        flagged.append(sentence)
    text = "".join(flagged)
    # Number the surviving citations 1, 2, 3 in reading order, whatever the evidence order was.
    order = markers(text)
    number = {old: new for new, old in enumerate(order, start=1)}
    text = MARKER.sub(lambda m: f"[{number[int(m.group(1))]}]", text)
    citations = tuple(Citation(n=number[n], passage=by_n[n], verified=n not in failed) for n in order)
    return Verified(answer=text, citations=citations, dropped=dropped)


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
