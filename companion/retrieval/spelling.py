"""Spelling: write a question's word the essays never use the way the essays spell it.

People ask about "the OSes" and "the theatre"; the essays write "OSs" and "theater". Stemming leaves such pairs
apart ("ose" and "oss"), so the word counts as one no passage holds, which both loses the passages that hold it
and weighs toward refusing. A word the passages never use is tried in the other spellings English gives it (a
plural's "-es" or "-s", British and American endings) and written as the first one they do use. A word they
already use is never touched, so a question the essays can be searched with as asked is searched as asked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from companion.retrieval.lexical import unseen
from companion.text import content_terms, short_form

Idf = Callable[[str], float]
WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
# Spellings English gives one word, either way round: "colour"/"color", "realise"/"realize", "analyse"/"analyze".
# English, not this film, so here rather than in prompts/words.toml.
SWAPS = (("our", "or"), ("or", "our"), ("ise", "ize"), ("ize", "ise"), ("yse", "yze"), ("yze", "yse"))
# Endings written either way round: "theatre"/"theater", "centre"/"center".
END_SWAPS = (("re", "er"), ("er", "re"))


def spellings(word: str) -> Iterator[str]:
    """Yield the other spellings of a word worth trying, likeliest first."""
    lower = word.lower()
    if lower.endswith("es"):
        yield word[:-2] + "s"
    elif lower.endswith("s") and not lower.endswith("ss"):
        yield word[:-1] + "es"
    for old, new in SWAPS:
        at = lower.find(old)
        # Not at the start: "or" and "our" open words of their own ("order", "ourselves").
        if at > 0:
            yield word[:at] + new + word[at + len(old) :]
    for old, new in END_SWAPS:
        if lower.endswith(old) and len(lower) > len(old) + 2:
            yield word[: -len(old)] + new


def in_essays_spelling(query: str, idf: Idf | None) -> str:
    """Return the query with each word no passage uses written in a spelling the passages do use, if one exists."""
    if idf is None:
        return query
    def used(word: str) -> bool:
        terms = content_terms(word)
        return len(terms) == 1 and not unseen(terms[0], idf)

    def mend(match: re.Match[str]) -> str:
        word = match.group(0)
        if len(content_terms(word)) != 1 or used(word):
            return word
        return next((other for other in spellings(word) if used(other)), word)

    return WORD.sub(mend, query)


def written_out(query: str, forms: Sequence[tuple[tuple[str, ...], str]], idf: Idf | None) -> str:
    """Return the query with each short form no passage uses ("sci-fi") written out in words the passages use."""
    if idf is None:
        return query
    def used(text: str) -> bool:
        terms = content_terms(text)
        return bool(terms) and not any(unseen(term, idf) for term in terms)

    for parts, long in forms:
        short = short_form(parts)
        if short.search(query) and not used(" ".join(parts)) and not used("".join(parts)) and used(long):
            query = short.sub(long, query)
    return query
