"""What the essays never speak of though a question says it: a film none of them names, an actor they only credit.

The critics compare the film with other films (Eternal Sunshine, Annie Hall, The Navigator) and Phoenix's roles with
his others. Asked to set it beside something none of them names ("does anyone compare her to lars and the real
girl?"), the nearest sentence only brushes the question. Asked what they made of an actor they name only in a
credit ("his wife (Rooney Mara)"), the nearest sentence speaks of someone else. Asked what else someone made or
played in, only a sentence naming another work answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from companion.engine.credits import among_credited, credits
from companion.engine.names import FULL_NAME
from companion.retrieval.lexical import unseen
from companion.text import SENTENCE_END, content_terms, fold, stemmed_words
from companion.words import Words

Idf = Callable[[str], float]
# What a comparison names ends where its clause does, or where the question goes on to ask something else ("…to ex
# machina? who thinks its better", "…to lars and the real girl, feels like the same idea").
THING_END = re.compile(r"[?!,;:]|\.(?:\s|$)|\s(?:did|do|does|is|was|and|or|right|who|which|tho|though|lol|at all)\b")
# Words standing for the film or the one compared, and the word joining them, before the thing compared with.
COMPARED_SIDE = re.compile(r"^\s*(?:(?:it|her|this|them|him|the (?:film|movie))\s+)?(?:to|with|as)?\s*", re.IGNORECASE)
# The film itself after the cue ("…than this?", "…compared to it", "…than her lol", "titanic vs this one — which…"):
# the thing set beside it is before the cue. Chatter may follow it before its clause ends (_film_after).
FILM_AFTER = re.compile(r"^\s*(?:to|with|as)?\s*(?:this one|this movie|this film|this|it|her|the (?:film|movie))\b", re.IGNORECASE)
# Where the words after the film end their clause: a stop, a comma, or a dash standing apart.
FILM_CLAUSE_END = re.compile(r"[?!.,;:]|\s[-–—]|[–—]")
# Films described rather than named ("…to films where the city comes off nightmarish"): no work of its own is set
# beside the film, only a kind of them, whatever words describe it.
DESCRIBED_WORKS = re.compile(
    r"^(?:(?:other|some|those|the)\s+)?(?:films?|movies?|ones|stories)\s+(?:where|that|which|whose|in which|about|when)\b",
    re.IGNORECASE,
)
CLAUSE_START = re.compile(r"[?!.;,:]")
# "Than" after these sets nothing beside the film: "something other than her" is anything but it, "rational thinking
# rather than feelings" one thing instead of another. English, so here.
NOT_SET_BESIDE = re.compile(r"\b(?:other|rather)\s+$", re.IGNORECASE)
# The fewest letters a word must have to name something: "ai" and "os" are the essays' own words whatever they mean.
SHORTEST = 3


def _hyphened(text: str, start: int, end: int) -> bool:
    """Tell whether a span of a text is joined to a word before or after it by a hyphen."""
    return text[start - 1 : start] == "-" or text[end : end + 1] == "-"


def compared_with(question: str, words: Words, naming: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """Return the stemmed words naming what a question compares the film with, or () if it asks no comparison.

    When the film stands after the cue ("is titanic a better love story than this?"), what it is set beside stands
    before it, in the same clause. naming: the words of the question naming an essay or its writer; what it sets
    beside them is another essay, not another work ("medium essay vs techno lonely on how final the hurt is").
    """
    # A cue inside a hyphened compound names two sides of something else: "boone and anise's necessity-versus-choice
    # debate" compares nothing with the film; nor does "than" meaning "but" or "instead of".
    cue = next((
        m for m in words.compares_with.finditer(question)
        if not _hyphened(question, m.start(), m.end()) and not NOT_SET_BESIDE.search(question, 0, m.start())
    ), None)
    if cue is None:
        return ()
    after = question[cue.end() :]
    after = after[COMPARED_SIDE.match(after).end() :]
    plain = words.chatter | words.vague_things | words.about_the_essays | words.the_writers
    thing = THING_END.split(after, maxsplit=1)[0]
    if naming & set(stemmed_words(thing.replace("-", " "))) or DESCRIBED_WORKS.match(thing):
        return ()
    named = tuple(t for t in content_terms(thing) if len(t) >= SHORTEST and t not in plain)
    if named or not _film_after(question[cue.end() :], words):
        return named
    before = CLAUSE_START.split(question[: cue.start()])[-1]
    return tuple(t for t in content_terms(before) if len(t) >= SHORTEST and t not in plain)


def _film_after(rest: str, words: Words) -> bool:
    """Tell whether the words after a comparison's cue are the film itself, at most chatter after it in their clause."""
    film = FILM_AFTER.match(rest)
    if film is None:
        return False
    tail = FILM_CLAUSE_END.split(rest[film.end() :], maxsplit=1)[0]
    return set(stemmed_words(tail)) <= words.chatter


def compares_with_the_unnamed(question: str, words: Words, idf: Idf | None, naming: frozenset[str] = frozenset()) -> bool:
    """Tell whether a question asks a comparison with something holding a word no passage uses.

    naming: the words of the question naming an essay or its writer.
    """
    if idf is None:
        return False
    return any(unseen(term, idf) for term in compared_with(question, words, naming))


def only_credited(question: str, texts: Iterable[str]) -> str | None:
    """Return the actor a question names (by surname) whom the texts name only in a bare credit ("(Rooney Mara)"), if any.

    A credit saying more is a word about them ("whose voice is rendered by Scarlett Johansson with a beautiful
    allure"), and so is any mention outside a credit ("Joaquin Phoenix's performance").
    """
    texts = list(texts)
    asked = set(content_terms(question))
    actors = {actor for text in texts for sentence in SENTENCE_END.split(text) for _, actor in credits(sentence)}
    for actor in sorted(actors):
        if not set(content_terms(actor)[-1:]) <= asked:
            continue
        said = sum(text.count(actor) for text in texts)
        if said and said == sum(text.count(f"({actor})") for text in texts):
            return actor
    return None


def names_another_work(text: str, question: str, words: Words, known: frozenset[str] = frozenset()) -> bool:
    """Tell whether a text names a work other than this film: a name the question lacks that is no one the essays credit.

    known: the folded names credited with a part or the film's making. "What else is amy adams known for?" is not
    answered by "Take Amy Adams’ conveniently named character Amy…", and is by "…starring roles in Paul Thomas
    Anderson’s The Master and Inherent Vice".
    """
    credited = known | {fold(name) for credit in credits(text) for name in credit}
    asked = set(content_terms(question))
    return any(
        not among_credited(name, credited) and not set(content_terms(name)) <= asked
        for name in FULL_NAME.findall(text)
    )
