"""Essay names: tell whether the words of a question name an essay by its title, its form or its short name."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from companion.text import STOPWORDS, WORD, content_terms, fold, stem

# What ends a clause: a title's words and a verb after it are one clause.
CLAUSE_END = re.compile(r"[?.!;,]")
# Words of emphasis between a subject and its verb ("techno lonely kinda says"). English, so here.
EMPHASIS = frozenset(
    "kinda sorta also even really actually basically literally just never always apparently specifically clearly".split()
)
# Words opening a noun phrase or a clause of their own: after a word for an essay's form, they start something else.
# English, so here.
OPENS_A_PHRASE = frozenset(stem(w) for w in "the a an this that these those which who whom where when".split())


def short_name(essay_id: str, title: set[str], shared: Counter) -> str | None:
    """Return the first word of an essay's id when it is a word of its title no other essay's name or title holds."""
    first = next(iter(content_terms(essay_id.split("-")[0])), None)
    return first if first in title and shared[first] == 1 else None


def right_before(said: list[str], name: str | None, nouns: frozenset[str]) -> bool:
    """Tell whether a name stands right before one of the nouns ("the sad blogger", "the techno review")."""
    return name is not None and any(word == name and said[i + 1 : i + 2] and said[i + 1] in nouns for i, word in enumerate(said))


def before_a_noun(said: list[str], form: frozenset[str], nouns: frozenset[str]) -> bool:
    """Tell whether a word for an essay's form comes before a word for an essay, at most one word between.

    "the dialogue review", "the conversation-style review"; not "the dialogue the blogger quotes", where the word
    between opens another noun phrase.
    """
    for i, word in enumerate(said):
        after = said[i + 1 : i + 3]
        if word in form and after and (after[0] in nouns or (after[1:] and after[0] not in OPENS_A_PHRASE and after[1] in nouns)):
            return True
    return False


def beside_a_noun(sequence: list[str], title: frozenset[str], nouns: frozenset[str]) -> bool:
    """Tell whether a run of the title's words (two, or all of a one-word title) stands next to a word for an essay.

    "the techno-lonely review", "the sad in the best way post": a title's words alone are often everyday
    words ("sad", "best", "way"), so they must be said as a name is.
    """
    needed = min(2, len(title))
    start = 0
    while needed and start < len(sequence):
        if sequence[start] not in title:
            start += 1
            continue
        end = start
        while end < len(sequence) and sequence[end] in title:
            end += 1
        if end - start >= needed and (
            (start > 0 and sequence[start - 1] in nouns) or (end < len(sequence) and sequence[end] in nouns)
        ):
            return True
        start = end
    return False


def trades(notes: dict[str, frozenset[str]], jobs: frozenset[str], writers: frozenset[str]) -> dict[str, frozenset[str]]:
    """Return, for each essay, the words of work the note on its writers (its stemmed words) gives them and no other note.

    "Usually a photographer…" makes "photographer" a word for the Medium essay's writer; the words every essay's
    writer shares ("critic", "writer": writers) name none of them.
    """
    said = {essay_id: (note & jobs) - writers for essay_id, note in notes.items()}
    shared = Counter(word for words in said.values() for word in words)
    return {essay_id: frozenset(w for w in words if shared[w] == 1) for essay_id, words in said.items()}


def clauses(question: str) -> list[tuple[str, list[tuple[str, int]]]]:
    """Return a question's clauses, each with its words that are no stopword, stemmed, and where each ends in it."""
    return [
        (clause, [(stem(m.group(0)), m.end()) for m in WORD.finditer(clause) if m.group(0) not in STOPWORDS])
        for clause in CLAUSE_END.split(fold(question).replace("-", " "))
    ]


def title_says(said: list[tuple[str, list[tuple[str, int]]]], title: frozenset[str], saying: Callable[[str], bool]) -> bool:
    """Tell whether a run of the title's words is the one saying something: a verb of saying right after it.

    said: the question's clauses (clauses). "techno lonely says the characters find their spirits again in what kind of
    world", "shared experience brings up amy's divorce": said alone, a title's words are often everyday words, but
    saying is what an essay does. A word of emphasis may come between ("techno lonely kinda says"); a clause's end
    may not ("is it sad? the best way to say it"). The run needs two of its words, or all of a one-word title.
    """
    needed = min(2, len(title))
    for clause, tokens in said:
        run = 0
        for i, (word, end) in enumerate(tokens):
            run = run + 1 if word in title else 0
            if not needed or run < needed or (i + 1 < len(tokens) and tokens[i + 1][0] in title):
                continue
            rest = clause[end:].lstrip()
            first, _, after = rest.partition(" ")
            if saying(rest) or (first in EMPHASIS and saying(after)):
                return True
    return False
