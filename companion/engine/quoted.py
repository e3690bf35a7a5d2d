"""Quoted: the words a message sets in quote marks, which the sentence holding them answers."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from companion.text import content_terms, fold_marks
from companion.types import Hit

# A phrase set in quote marks (folded, every mark a straight single one): the opening mark after a space or the
# start, the closing one before a space, a stop or the end, so an apostrophe inside ("why wouldn't we?") stays in it.
QUOTED = re.compile(r"(?:^|(?<=[\s(]))'(.{3,160}?)'(?=[\s?.!,;:)]|$)")
# What may close a quoted phrase without being part of what the essay says.
TRAILING = " ?.!,;:"


def quoted_phrases(message: str) -> tuple[str, ...]:
    """Return the phrases of two words or more a message sets in quote marks, folded as quotes are matched."""
    found = (m.group(1).strip(TRAILING) for m in QUOTED.finditer(fold_marks(message)))
    return tuple(phrase for phrase in found if len(phrase.split()) >= 2)


def holding_the_quoted(
    message: str, pool: Sequence[Hit], idf: Callable[[str], float] | None, words: int, rare: float
) -> Callable[[str], bool] | None:
    """Return a test for a sentence holding words the message quotes from a passage of the pool, or None.

    Only a phrase of `words` words or more, or holding a word at least as rare as `rare`, tells a line apart:
    "samantha is 'in love' with 641 people" quotes everyday words. A phrase an essay's title holds ("the 'Her (2013)'
    review") names the essay instead.
    """
    texts = [fold_marks(h.passage.text) for h in pool]
    titles = " ".join(fold_marks(h.passage.title) for h in pool)

    def telling(phrase: str) -> bool:
        return len(phrase.split()) >= words or (idf is not None and any(idf(t) >= rare for t in content_terms(phrase)))

    phrases = [p for p in quoted_phrases(message) if p not in titles and telling(p) and any(p in t for t in texts)]
    if not phrases:
        return None
    return lambda sentence: any(p in fold_marks(sentence) for p in phrases)
