"""Compose, quotes: pick the sentence of each passage that speaks to a question, and lay the quotes out."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from companion.engine.route import is_opinion
from companion.policy import POLICY, Policy
from companion.prompts import Prompts
from companion.text import SENTENCE_END, content_terms, fold
from companion.types import Evidence
from companion.words import Words

if TYPE_CHECKING:
    from companion.engine.picks import Pick

Idf = Callable[[str], float]
# A speaker label inside a passage ("BOONE: ..."), matched at any position.
LABEL = re.compile(r"\s*([A-Z][A-Z.'’ -]{0,40}[A-Z]):\s")


@dataclass(frozen=True)
class Quote:
    """A verbatim span of a passage and who says it."""

    text: str
    who: str


def _spans(text: str) -> list[tuple[int, int]]:
    cuts = [0] + [m.end() for m in SENTENCE_END.finditer(text)] + [len(text)]
    spans = []
    for a, b in zip(cuts, cuts[1:]):
        label = LABEL.match(text, a)
        start = label.end() if label else a
        end = a + len(text[a:b].rstrip())
        if end > start:
            spans.append((start, end))
    return spans


def speaker_at(evidence: Evidence, position: int) -> str | None:
    text = evidence.passage.text
    labels = [m for m in LABEL.finditer(text) if m.end() <= position and (m.start() == 0 or text[m.start()] == " ")]
    if labels:
        name = labels[-1].group(1).strip()
        # Use the fuller form the passage metadata knows ("Boone" -> "Steven Boone").
        speaker = evidence.passage.speaker
        if speaker and speaker.lower().endswith(name.lower()):
            return speaker
        return name.title()
    return evidence.passage.speaker


def best_quote(evidence: Evidence, question: str, weights: dict[str, float], policy: Policy = POLICY) -> Quote:
    """Choose the sentence of a passage that speaks most to the question."""
    text = evidence.passage.text
    spans = _spans(text) or [(0, len(text))]
    terms = set(content_terms(question))
    shortest, longest = policy.comfortable_words

    def score(index: int) -> tuple[float, int]:
        a, b = spans[index]
        sentence_terms = set(content_terms(text[a:b]))
        overlap = sum(weights.get(t, 1.0) for t in terms & sentence_terms)
        comfortable = 1 if shortest <= len(text[a:b].split()) <= longest else 0
        return (overlap + policy.comfortable_bonus * comfortable, -index)

    best = max(range(len(spans)), key=score)
    start, end = spans[best]
    if len(text[start:end].split()) < policy.short_sentence and best + 1 < len(spans):
        end = spans[best + 1][1]
    start, end = balanced(text, start, end)
    passage = evidence.passage
    who = speaker_at(evidence, start) or passage.author or "the writer"
    return Quote(text=text[start:end], who=who)


def balanced(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim a quotation mark the span opens or closes without its partner, so our own quotes read cleanly."""
    span = text[start:end]
    if (span.startswith("“") and span.count("“") > span.count("”")) or (
        span.startswith('"') and span.count('"') % 2
    ):
        start += 1
    span = text[start:end]
    if (span.endswith("”") and span.count("”") > span.count("“")) or (span.endswith('"') and span.count('"') % 2):
        end -= 1
    return start, end


def term_weights(evidence: tuple[Evidence, ...], idf: Idf | None = None) -> dict[str, float]:
    """Weight words by how rare they are in the corpus, or else among the evidence's sentences."""
    if idf is not None:
        words = {t for e in evidence for t in content_terms(e.passage.text)}
        return {t: idf(t) for t in words}
    sentences = [set(content_terms(e.passage.text[a:b])) for e in evidence for a, b in _spans(e.passage.text)]
    counts: dict[str, int] = {}
    for terms in sentences:
        for term in terms:
            counts[term] = counts.get(term, 0) + 1
    return {t: math.log(1 + len(sentences) / c) for t, c in counts.items()}


def lean(text: str, words: Words, policy: Policy = POLICY) -> int:
    """Return +1 for a clearly warm quote, -1 for a clearly cool one, 0 otherwise."""
    terms = content_terms(text)
    warm = sum(t in words.warm for t in terms)
    cool = sum(t in words.cool for t in terms)
    if warm >= policy.lean_words and cool == 0:
        return 1
    if cool >= policy.lean_words and warm == 0:
        return -1
    return 0


def opener_for(question: str, words: Words) -> str:
    """Name the prompt file whose openers fit the question: opinions and facts are framed differently."""
    return "openers" if is_opinion(question, words) else "openers_fact"


def quote_paragraphs(prompts: Prompts, question: str, picks: Sequence[Pick]) -> list[str]:
    """Return each pick as an attributed, verbatim, marked quote."""
    key = fold(question)
    paragraphs = []
    for position, pick in enumerate(picks):
        intro = prompts.choose_nth(
            "attributions", key, position, title=pick.evidence.passage.title, who=pick.quote.who
        )
        paragraphs.append(f"{intro[0].upper()}{intro[1:]} “{pick.quote.text}” [{pick.evidence.n}]")
    return paragraphs


def view_line(prompts: Prompts, question: str, picks: Sequence[Pick], policy: Policy = POLICY) -> str | None:
    """Say in one line where the critics quoted agree or differ, or None when only one essay speaks."""
    key = fold(question)
    first = {}
    for pick in picks:
        first.setdefault(pick.evidence.passage.essay_id, pick)
    if len(first) < 2:
        return None
    leaning = {essay: lean(pick.quote.text, prompts.words, policy) for essay, pick in first.items()}
    warm = [first[e] for e, side in leaning.items() if side > 0]
    cool = [first[e] for e, side in leaning.items() if side < 0]
    if warm and cool:
        return prompts.choose("contrast", key, warmer=_named(warm[0]), cooler=_named(cool[0]))
    critics = _listed([_named(p) for p in first.values()])
    if len(warm) + len(cool) >= 2:
        return prompts.choose("agree", key, critics=critics)
    return prompts.choose("each", key, critics=critics)


def _named(pick: Pick) -> str:
    """Name a critic: the writer when known, else their essay (their quote below carries the marker)."""
    return pick.quote.who if pick.quote.who != "the writer" else f"*{pick.evidence.passage.title}*"


def _listed(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
