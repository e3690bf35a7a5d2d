"""Cut passages into the units quotes are made of: sentences, each with the neighbour it leans on."""

from __future__ import annotations

import re
from dataclasses import dataclass

from companion.text import SENTENCE_END, WORD, fold, quote_spans
from companion.types import Passage

# A speaker label inside a passage ("BOONE: ..."), matched where a sentence starts.
LABEL = re.compile(r"\s*([A-Z][A-Z.'’ -]{0,40}[A-Z]):\s")
# A speaker label after a line that ends in no stop, a heading's ("…chats with Spike Jonze HOLOFCENER: So tell me…"):
# the turn it opens is a sentence of its own, as it is after a stop.
UNENDED_LABEL = re.compile(r"(?<![A-Z.'’ -])\s+(?=[A-Z][A-Z.'’ -]{0,40}[A-Z]:\s)")
# Words that, opening a sentence, point back at the one before: English pronouns, demonstratives and
# connectives, not words taken from any question.
LEANING = frozenset(
    """he she it they him them his its their theirs this that these those such there here then
    but and so yet or nor not also still however instead otherwise thus hence therefore which both""".split()
)
# A sentence this short ("Exactly.", "Why?") cannot stand as a quote on its own.
FRAGMENT_WORDS = 5
# Bump when units or their embedding text change: saved vectors built the old way must not be reused.
UNITS_VERSION = 4


@dataclass(frozen=True)
class Unit:
    """A sentence of a passage, and where its quotable span starts when it leans on the sentence before."""

    passage_id: str
    start: int
    end: int
    lead: int

    def text(self, passage: Passage) -> str:
        """Return the quotable span: the sentence, preceded by its neighbour when it leans on it."""
        return passage.text[self.lead : self.end]

    def sentence(self, passage: Passage) -> str:
        """Return the sentence alone, without the neighbour it leans on: what its written questions are kept by."""
        return passage.text[self.start : self.end]


def sentence_spans(text: str) -> list[tuple[int, int, bool]]:
    """Cut a passage into sentences; each is (start, end, opens a speaker's turn), labels left out."""
    ends = {m.end() for m in SENTENCE_END.finditer(text)} | {m.end() for m in UNENDED_LABEL.finditer(text)}
    cuts = [0, *sorted(ends), len(text)]
    spans = []
    for a, b in zip(cuts, cuts[1:]):
        label = LABEL.match(text, a)
        start = label.end() if label else a
        end = a + len(text[a:b].rstrip())
        if end > start:
            spans.append((start, end, label is not None))
    return spans


def opening_sentence(text: str) -> str:
    """Return a passage's first sentence, a speaker's label left out."""
    spans = sentence_spans(text)
    start, end, _ = spans[0] if spans else (0, len(text), False)
    return text[start:end]


def leans(sentence: str) -> bool:
    """Tell whether a sentence needs the one before it to be understood."""
    words = WORD.findall(fold(sentence))
    # "It's" and "That's" lean as "It" and "That" do.
    return not words or words[0].split("'")[0] in LEANING or len(sentence.split()) < FRAGMENT_WORDS


def units(passage: Passage) -> list[Unit]:
    """Return a passage's sentences; one that leans on its neighbour (in the same turn) takes it along.

    A sentence that goes on with a quotation opened before it ("…like, “Did anyone text me? Is anyone thinking
    about me?”") takes along the sentence where the quotation opens: the words quoted are one unit.
    """
    spans = sentence_spans(passage.text)
    quoted = quote_spans(passage.text)
    found = []
    for i, (start, end, opens_turn) in enumerate(spans):
        lead = start
        opened = next((a for a, b in quoted if a < start < b), None)
        if i > 0 and not opens_turn and opened is not None:
            j = i - 1
            # Back to the sentence holding the opening mark, never past the start of this speaker's turn.
            while j > 0 and spans[j][0] > opened and not spans[j][2]:
                j -= 1
            lead = spans[j][0]
        elif i > 0 and not opens_turn and leans(passage.text[start:end]):
            lead = spans[i - 1][0]
        found.append(Unit(passage.id, start, end, lead))
    return found


def embedding_text(passage: Passage, unit: Unit) -> str:
    """Return the text embedded for a unit: its quotable span."""
    return unit.text(passage)
