"""Endings: a question asking what an essay ends or opens on, answered only from an essay's last or first passage.

"what's that line from the english thinker that one reviewer closes on" was refused: the essays' sentences on
Alan Watts are many, and the one closing the techno-lonely review came nowhere near the top. "techno lonely opens by
calling jonze a ... what" met sentences on Jonze from every passage but the first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from companion.engine.grammar import asking_clauses
from companion.engine.names import ASKS_WHAT
from companion.text import fold, stemmed_words
from companion.types import Hit
from companion.words import Words

# A message quoting the ending itself ("the blog ends with 'this song is everything'") asks something else of it.
# People chat in single quotes, which text.quote_spans leaves alone (in the essays they are apostrophes).
QUOTED = re.compile(r"(?:^|\s)['‘\"“][^'’\"”]{3,}['’\"”](?=[\s?.!,;:-]|$)")
ASKS_HOW = re.compile(r"\bhow\b")


def asks_how_an_essay_ends(question: str, words: Words) -> bool:
    """Tell whether a message asks what an essay ends on: a word for ending, a word for an essay, a clause asking what."""
    folded = fold(question)
    if not words.asks_how_an_essay_ends.search(folded) or QUOTED.search(question):
        return False
    if not set(stemmed_words(folded)) & (words.names_an_essay - {"one"}):
        return False
    # It asks for the line ("what's…", "which…"), not whether there is one.
    return any(ASKS_WHAT.search(fold(clause)) for clause in asking_clauses(question))


def asks_how_an_essay_opens(question: str, words: Words, named: bool = False) -> bool:
    """Tell whether a message asks what an essay opens on: a word for opening, an essay named or a word for one, asking.

    "how does the techno lonely guy describe spike jonze in the very first line" asks how it opens as "what" would.
    """
    folded = fold(question)
    if not words.asks_how_an_essay_opens.search(folded) or QUOTED.search(question):
        return False
    if not named and not set(stemmed_words(folded)) & (words.names_an_essay - {"one"}):
        return False
    return any(ASKS_WHAT.search(fold(clause)) or ASKS_HOW.search(fold(clause)) for clause in asking_clauses(question))


def edge_passages(hits: Sequence[Hit], named: Sequence[str] = (), first: bool = False) -> tuple[Hit, ...]:
    """Return each essay's last passage of its body among the hits, or its first (of the essays named, when any are)."""
    edge: dict[str, Hit] = {}
    for hit in hits:
        passage = hit.passage
        if passage.note or (named and passage.essay_id not in named):
            continue
        kept = edge.get(passage.essay_id)
        if kept is None or (passage.n < kept.passage.n if first else passage.n > kept.passage.n):
            edge[passage.essay_id] = hit
    return tuple(edge.values())

