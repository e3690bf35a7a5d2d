"""Pronouns: a follow-up's "she", "her" or "his" read as the one person the message before it named."""

from __future__ import annotations

import re

from companion.text import STOPWORDS, fold
from companion.words import Words

# The pronouns for each list of people, and which of them stand before what is theirs ("her job", "his wife").
# English, so here rather than in prompts/words.toml.
SHE = re.compile(r"\b(she|her|hers|herself)\b", re.IGNORECASE)
HE = re.compile(r"\b(he|him|his|himself)\b", re.IGNORECASE)
OWNING = frozenset({"her", "his", "hers"})
# A word after "her" that makes it the object ("tell her about", "like her so much"), not an owner ("her job").
_FOLLOWING = re.compile(r"\s*([\w’'-]+)")


def resolve(question: str, before: str, words: Words) -> str | None:
    """Return the question with its pronouns written as the person the message before named, if there is one.

    "Tell me about amy" then "what's her job?" asks "what's amy's job?"; "what did boone think of the ending?"
    then "did he cry?" asks "did boone cry?". A question naming someone itself, or following one naming nobody
    or more than one person the pronoun could stand for, is left to be searched with the message before (None).
    "Her" written with its capital inside a question is the film, not a woman.
    """
    if _people(question, words.called_she) or _people(question, words.called_he):
        return None
    resolved = question
    for pronoun, people in ((SHE, words.called_she), (HE, words.called_he)):
        found = [m for m in pronoun.finditer(resolved) if not _the_film(m, resolved)]
        named = _people(before, people)
        if not found or len({fold(n) for n in named}) != 1:
            continue
        resolved = _written_as(resolved, found, named[0])
    return resolved if resolved != question else None


def _people(text: str, people: re.Pattern[str]) -> list[str]:
    return [m.group() for m in people.finditer(text)]


def _the_film(match: re.Match[str], text: str) -> bool:
    """Tell whether a "Her" is the film's title: capitalised, not opening the message."""
    return match.group() == "Her" and bool(text[: match.start()].strip())


def _written_as(text: str, found: list[re.Match[str]], name: str) -> str:
    """Write each pronoun found as the name, as the owner's ("amy's job") where it stands before what is theirs."""
    pieces, at = [], 0
    for match in found:
        pronoun = match.group().casefold()
        after = _FOLLOWING.match(text, match.end())
        owning = pronoun in ("his", "hers") or pronoun == "her" and after is not None and after.group(1).casefold() not in STOPWORDS
        pieces += [text[at : match.start()], f"{name}'s" if owning else name]
        at = match.end()
    return "".join(pieces) + text[at:]
