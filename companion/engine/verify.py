"""Verify: every [n] names a passage given, its sentence draws on it, and its quotes are verbatim."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from companion.text import MARKER, MARKER_PATTERN, content_terms, fold, markers, quotes, reply_sentences
from companion.types import Citation, Evidence, Passage

UNVERIFIED_NOTE = " *(quote not found in the cited passage)*"
# A marker with the space before it, so removing it leaves no double space.
REMOVABLE_MARKER = re.compile(r"\s?" + MARKER_PATTERN)
# The last marker on a line, where a failed quote's note goes.
_NO_GROUP = MARKER_PATTERN.replace("(", "(?:")
LAST_MARKER = re.compile(f"({_NO_GROUP})(?!.*{_NO_GROUP})")


@dataclass(frozen=True)
class Verified:
    """An answer after its citations were checked."""

    answer: str
    citations: tuple[Citation, ...]
    dropped: int


def quote_in(quote: str, passage: Passage) -> bool:
    """Tell whether a quote appears verbatim in a passage, after normalising quotes and spaces."""
    return fold(quote).strip(" .,;:") in fold(passage.text)


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
        for sentence in reply_sentences(text):

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
    for sentence in reply_sentences(text):
        bad = [n for n in markers(sentence) if not all(quote_in(q, by_n[n]) for q in quotes(sentence))]
        failed.update(bad)
        if bad:
            sentence = LAST_MARKER.sub(lambda m: m.group(1) + UNVERIFIED_NOTE, sentence, count=1)
        flagged.append(sentence)
    text = "".join(flagged)
    # Number the surviving citations 1, 2, 3 in reading order, whatever the evidence order was.
    order = markers(text)
    number = {old: new for new, old in enumerate(order, start=1)}
    text = MARKER.sub(lambda m: f"[{number[int(m.group(1))]}]", text)
    citations = tuple(Citation(n=number[n], passage=by_n[n], verified=n not in failed) for n in order)
    return Verified(answer=text, citations=citations, dropped=dropped)
