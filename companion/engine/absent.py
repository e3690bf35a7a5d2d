"""Absent: a question asking what the critics make of something no essay has a word for."""

from __future__ import annotations

from collections.abc import Callable, Collection

from companion.engine.claims import ANYONE
from companion.retrieval.lexical import unseen
from companion.text import WORD, content_terms, fold, stemmed_words
from companion.words import Words

# Words before the critics in a question asking what they do ("does any critic…", "what did the her 2013 reviewer…").
YES_NO = frozenset({"do", "does", "did", "has", "have"})
# How many words may stand between the opener and the word for the critics ("do any of the critics", "did the techno
# lonely reviewer").
CRITICS_REACH = 5


def asks_of_the_critics(question: str, words: Words) -> bool:
    """Tell whether a question asks what the critics, an essay or anyone writing do: bring something up, think of it."""
    # "one" names an essay only as "the sad one": after "does" it opens anything ("does one of them wear a hat").
    critics = (words.the_writers | words.names_an_essay) - {"one"}
    said = WORD.findall(fold(question))
    stems = stemmed_words(question)
    return any(
        word in YES_NO and any(w in ANYONE or s in critics for w, s in zip(said[at + 1 : at + 1 + CRITICS_REACH], stems[at + 1 :]))
        for at, word in enumerate(said)
    )


def absent_run(question: str, idf: Callable[[str], float], meta: Collection[str], chatter: Collection[str]) -> int:
    """Return the most words in a row no passage holds, the words about the essays skipped and chatter breaking a run.

    "Laura Mulvey's theory of the male gaze" is five such words: a thing of its own that no essay names.
    """
    run = longest = 0
    for term in content_terms(question):
        if term in meta:
            continue
        run = run + 1 if unseen(term, idf) and term not in chatter else 0
        longest = max(longest, run)
    return longest


def takes_up_the_absent(question: str, words: Words, idf: Callable[[str], float] | None, reach: int) -> bool:
    """Tell whether a question asks what the critics make of a thing of reach or more words no essay uses."""
    if idf is None or not asks_of_the_critics(question, words):
        return False
    return absent_run(question, idf, words.about_the_essays, words.chatter) >= reach
