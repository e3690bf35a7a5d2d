"""Turning a follow-up: the question before asked of whom or what a follow-up names ("and anise?", "what about amy?")."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from companion.engine.pronouns import person_turned
from companion.text import WORD, content_terms, fold, stem, stemmed_words, weighty_terms
from companion.words import Words

PRONOUN = re.compile(r"\b(he|she|they|him|them|his|hers|their|it|its|that|this|those|these|there|others)\b")
# "And his wife?", "what about Amy?": a follow-up turning to something it names, however like "keep going" it reads.
TURNS_TO = re.compile(r"^(?:(?:and|also)\s+(?:what about|how about)|and|also|what about|how about)\b")
# A word before the subject that goes with it: "the ending" gives way to "the music" or to "Amy" whole.
DETERMINER = frozenset({"the", "a", "an", "his", "her", "their", "its"})
# Words as written, capitals kept.
WRITTEN = re.compile(WORD.pattern, re.IGNORECASE)
# A follow-up turning from the critic asked to the rest of them ("and the others?", "what about everyone else?").
# English, so here rather than in prompts/words.toml.
THE_OTHERS = frozenset({"others", "other", "rest", "everyone", "everybody", "else", "remaining"})
# What the question before is then asked of, in place of the critic it named.
OTHER_CRITICS = "the other critics"
# Words a follow-up may turn to and still be asked in the question before it ("and the techno-lonely guy?" is not).
TURNING_WORDS = 3
# Words asking a writer what they made of something, around the writer's name: "and what did anise say?" asks the
# question before of Anise, as "and anise?" does. English, so here.
ASKED_OF_A_WRITER = frozenset(
    "what how did does do say says said think thinks thought feel feels felt make made of about it that this".split()
)


def _subject(question: str, words: Words) -> set[str]:
    """Return what a question asks about, as stemmed words: its words of weight but those asking how or whom."""
    folded = fold(question)
    for cue in (words.opinion, words.asks_for_cast, words.asks_who_made, words.asks_who_wrote):
        folded = cue.sub(" ", folded)
    asking = words.about_the_essays | words.chatter | words.film_as_a_whole | words.before_the_character
    return weighty_terms(folded) - asking - words.asks_for_a_verdict


def asked_of(
    leaned: str, question: str, words: Words, writers: Callable[[], frozenset[str]] = frozenset
) -> str | None:
    """Return the question a follow-up leans on, asked of what the follow-up names instead, if it can be.

    "What did Boone think of the film?" then "and Anise?" asks "what did Anise think of the film?"; "who plays
    Theodore?" then "what about Amy?", "who plays Amy?"; "did Boone like it?" then "what about the medium
    writer?", "did the medium writer like it?". A follow-up with a pronoun ("and his wife?"), naming an essay
    after a question not asked of one's writer, or a question whose subject is not one word or a name as long
    as its own, is searched beside it instead (None).
    """
    folded = fold(question).replace("’", "'")
    turn = TURNS_TO.match(folded)
    if turn is None:
        return None
    # The words after the turn, as the person wrote them: "what about Amy?" asks "who plays Amy?".
    named = WRITTEN.findall(question.replace("’", "'"))[len(turn.group().split()) :]
    found = list(WRITTEN.finditer(leaned))
    if to_the_others(question, words):
        # "What did Boone think of the ending?" then "and the others?" asks the other critics the same.
        marked = _naming_a_writer(found, writers, words)
        return _replaced(leaned, found, marked, OTHER_CRITICS.split()) if marked else None
    writer = [w for w in named if fold(w) not in ASKED_OF_A_WRITER]
    if writer != named and writer and set(content_terms(" ".join(writer))) <= writers():
        marked = _naming_a_writer(found, writers, words)
        if marked:
            return _replaced(leaned, found, marked, writer)
    if PRONOUN.search(folded):
        return None
    turned = person_turned(leaned, " ".join(named), words)
    if turned is not None:
        return turned
    own = weighty_terms(" ".join(named)) - words.chatter
    if not own or len(named) > TURNING_WORDS:
        return None
    if own <= writers():
        # A writer named takes the place of the writer the question before named, however many words each takes:
        # "who is steven boone?" then "and anise?" asks "who is anise?".
        marked = _naming_a_writer(found, writers, words)
        if marked:
            return _replaced(leaned, found, marked, named)
    if own & words.about_the_essays:
        # Naming an essay, it turns only a question asked of another's writer: "what do the critics think of
        # amy?" then "and the techno-lonely guy?" asks that writer about Amy, beside the question.
        marked = _naming_writers(found, writers)
    else:
        subject = _subject(leaned, words)
        marked = [i for i, m in enumerate(found) if (terms := content_terms(m.group())) and set(terms) <= subject]
    # One word, or a name as long as the follow-up's ("joaquin phoenix" for "scarlett johansson"): a longer subject
    # ("samantha leave" in "why did samantha leave?") holds more than the name a follow-up replaces.
    if not marked or len(marked) not in (1, len(named)):
        return None
    return _replaced(leaned, found, marked, named)


def to_the_others(question: str, words: Words) -> bool:
    """Tell whether a follow-up turns to the rest of the critics ("and the others?", "what about everyone else?")."""
    folded = fold(question).replace("’", "'")
    turn = TURNS_TO.match(folded)
    if turn is None:
        return False
    named = WRITTEN.findall(folded[turn.end() :])
    own = weighty_terms(" ".join(named)) - words.chatter - words.about_the_essays - words.names_an_essay
    return bool(set(named) & THE_OTHERS) and own <= {stem(w) for w in THE_OTHERS}


def _for_an_essay(word: str, words: Words) -> bool:
    """Tell whether a word is one for an essay or its writer ("writer", "review", "guy")."""
    # Every word stemmed: "writer" is too common a word to carry meaning elsewhere.
    terms = set(stemmed_words(word))
    return bool(terms) and terms <= words.about_the_essays | words.names_an_essay


def _naming_writers(found: Sequence[re.Match[str]], writers: Callable[[], frozenset[str]]) -> list[int]:
    """Return the places of the words naming an essay's writer among a question's words."""
    names = writers()
    return [i for i, m in enumerate(found) if (terms := content_terms(m.group().replace("-", " "))) and set(terms) <= names]


def _naming_a_writer(found: Sequence[re.Match[str]], writers: Callable[[], frozenset[str]], words: Words) -> list[int]:
    """Return the places of the words naming an essay's writer, with the words for the essay after the name.

    "The medium writer", "the techno-lonely guy": turned to another writer, the whole of it gives way.
    """
    marked = _naming_writers(found, writers)
    while marked and marked[-1] + 1 < len(found) and _for_an_essay(found[marked[-1] + 1].group(), words):
        marked.append(marked[-1] + 1)
    return marked


def _replaced(leaned: str, found: Sequence[re.Match[str]], marked: list[int], named: Sequence[str]) -> str | None:
    """Return the question with its marked words (and a determiner before them) written as named, if they run on."""
    if marked != list(range(marked[0], marked[-1] + 1)):
        return None
    first = marked[0] - 1 if marked[0] and found[marked[0] - 1].group().casefold() in DETERMINER else marked[0]
    return leaned[: found[first].start()] + " ".join(named) + leaned[found[marked[-1]].end() :]
