"""Pick the sentence of each passage that speaks to a question, and lay out quotes."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from companion.backends.base import Evidence
from companion.passages import SENTENCE_END
from companion.prompts import Prompts
from companion.text import content_terms, fold

SHORT_SENTENCE = 8
COMFORTABLE = range(8, 46)
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


def _speaker_at(evidence: Evidence, position: int) -> str | None:
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


def best_quote(evidence: Evidence, question: str, weights: dict[str, float]) -> Quote:
    """Choose the sentence of a passage that speaks most to the question."""
    text = evidence.passage.text
    spans = _spans(text) or [(0, len(text))]
    terms = set(content_terms(question))

    def score(index: int) -> tuple[float, int]:
        a, b = spans[index]
        sentence_terms = set(content_terms(text[a:b]))
        overlap = sum(weights.get(t, 1.0) for t in terms & sentence_terms)
        comfortable = 1 if len(text[a:b].split()) in COMFORTABLE else 0
        return (overlap + 0.5 * comfortable, -index)

    best = max(range(len(spans)), key=score)
    start, end = spans[best]
    if len(text[start:end].split()) < SHORT_SENTENCE and best + 1 < len(spans):
        end = spans[best + 1][1]
    passage = evidence.passage
    who = _speaker_at(evidence, start) or passage.author or "the writer"
    return Quote(text=text[start:end], who=who)


def term_weights(evidence: tuple[Evidence, ...]) -> dict[str, float]:
    """Weight words by how rare they are among the evidence's sentences."""
    sentences = [set(content_terms(e.passage.text[a:b])) for e in evidence for a, b in _spans(e.passage.text)]
    counts: dict[str, int] = {}
    for terms in sentences:
        for term in terms:
            counts[term] = counts.get(term, 0) + 1
    return {t: math.log(1 + len(sentences) / c) for t, c in counts.items()}


def quote_paragraphs(prompts: Prompts, question: str, evidence: tuple[Evidence, ...]) -> list[str]:
    """Return one attributed, verbatim, marked quote per useful passage."""
    key = fold(question)
    weights = term_weights(evidence)
    quotes = [(e, best_quote(e, question, weights)) for e in evidence]
    terms = set(content_terms(question))
    on_topic = [(e, q) for e, q in quotes if terms & set(content_terms(q.text))]
    paragraphs = []
    # A passage whose best sentence shares no word with the question would only pad the reply.
    for item, quote in on_topic or quotes[:1]:
        intro = prompts.choose("attributions", f"{key}:{item.n}", title=item.passage.title, who=quote.who)
        paragraphs.append(f"{intro[0].upper()}{intro[1:]} “{quote.text}” [{item.n}]")
    return paragraphs
