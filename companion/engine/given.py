"""Given names: the name a text gives for the thing a name question asks about ("what's the AI's name?")."""

from __future__ import annotations

import re

from companion.engine.names import a_persons_name, mentions, named_thing, naming_test, new_names
from companion.policy import POLICY
from companion.text import SENTENCE_END
from companion.words import Words

# A sentence giving a name by a pronoun: "Her name is Samantha.", "His name's Paul."
NAME_IS = re.compile(r"^\W*(?:[Hh]er|[Hh]is|[Ii]ts|[Tt]heir)\s+name(?:'s|’s|\s+is|\s+was)\s")


def names_what_is_asked(text: str, question: str, words: Words, reach: int = POLICY.name_reach) -> bool:
    """Tell whether a text gives a new name within reach words of the thing the question asks the name of.

    "What's the name of theodore's dog?" is not answered by "He works at BeautifulHandwrittenLetters.com", which
    names something, but not a dog, nor "…the ex-wife" by "Samantha's admission that she feels inferior to
    Theodore's ex-wife", which names someone else. Without a thing to look for, any new name answers.
    """
    return bool(names_given(text, question, words, reach))


def names_given(text: str, question: str, words: Words, reach: int = POLICY.name_reach) -> list[str]:
    """Return the new names a text gives within reach words of the thing the question asks the name of, in order.

    A sentence giving a name by a pronoun ("Her name is Samantha.") names what the sentence before it brought in:
    "…decides to bring home OS1, a personally-tailored, artificially intelligent operating system." answers "whats
    the AI's name?", the AI being the operating system by another name ([also_called]).
    """
    thing = named_thing(question, words)
    if not thing:
        return new_names(text, question, words)
    sentences = SENTENCE_END.split(text)
    # A person asked by a short name ("what's theo's full name") is said in full: "Theodore Twombly".
    short = a_persons_name(" ".join(thing), words)
    names = []
    for at, sentence in enumerate(sentences):
        if said := mentions(sentence, thing, by_start=short):
            names += new_names(sentence, question, words, naming_test(sentence, said, reach))
        elif at and NAME_IS.match(sentence) and any(mentions(sentences[at - 1], other) for other in _other_names(thing, words)):
            names += new_names(sentence, question, words)
    return names


def _other_names(thing: tuple[str, ...], words: Words) -> list[tuple[str, ...]]:
    """Return the thing asked about and what else it is called, as the characters' other names say ("ai": "os"…)."""
    called = {name for parts, name in words.also_called if tuple(parts) == tuple(thing)}
    return [thing, *(tuple(parts) for parts, name in words.also_called if name in called), *((name,) for name in called)]


def the_name_given(text: str, question: str, words: Words, reach: int = POLICY.name_reach) -> str | None:
    """Return the one new name a text gives for the thing a name question asks about, or None if it gives none or several.

    A name said just before the thing describes it ("the British philosopher Alan Watts"): another name there is the one
    asked for.
    """
    names = list(dict.fromkeys(names_given(text, question, words, reach)))
    thing = named_thing(question, words)
    if len(names) > 1 and thing:
        names = [name for name in names if not _describes(name, text, thing)]
    return names[0] if len(names) == 1 else None


def _describes(name: str, text: str, thing: tuple[str, ...]) -> bool:
    """Tell whether a name stands just before the thing wherever a text says it, as a word describing it does."""
    after = [text[at + len(name) :].lstrip() for at in (m.start() for m in re.finditer(re.escape(name), text))]
    return bool(after) and all(any(start == 0 for start, _ in mentions(rest, thing)) for rest in after)
