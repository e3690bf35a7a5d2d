"""Endings: a question asking what an essay ends on, answered only from an essay's last passage.

"what's that line from the english thinker that one reviewer closes on" was refused: the essays' sentences on
Alan Watts are many, and the one closing the techno-lonely review came nowhere near the top.
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


def asks_how_an_essay_ends(question: str, words: Words) -> bool:
    """Tell whether a message asks what an essay ends on: a word for ending, a word for an essay, a clause asking what."""
    folded = fold(question)
    if not words.asks_how_an_essay_ends.search(folded) or QUOTED.search(question):
        return False
    if not set(stemmed_words(folded)) & (words.names_an_essay - {"one"}):
        return False
    # It asks for the line ("what's…", "which…"), not whether there is one.
    return any(ASKS_WHAT.search(fold(clause)) for clause in asking_clauses(question))


def last_passages(hits: Sequence[Hit], named: Sequence[str] = ()) -> tuple[Hit, ...]:
    """Return each essay's last passage of its body among the hits (of the essays named, when any are)."""
    last: dict[str, Hit] = {}
    for hit in hits:
        passage = hit.passage
        if passage.note or (named and passage.essay_id not in named):
            continue
        if passage.essay_id not in last or passage.n > last[passage.essay_id].passage.n:
            last[passage.essay_id] = hit
    return tuple(last.values())
