"""People in follow-ups: a pronoun read as the one person the message before named, or a person put in their place."""

from __future__ import annotations

import re

from companion.text import STOPWORDS, WORD, fold
from companion.words import Words

# The pronouns for each list of people (prompts/words.toml's [called_she] and [called_he]). English, so here.
SHE = re.compile(r"\b(she|her|hers|herself)\b", re.IGNORECASE)
HE = re.compile(r"\b(he|him|his|himself)\b", re.IGNORECASE)
# A word after "her" that makes it the object ("tell her about", "like her so much"), not an owner ("her job").
_FOLLOWING = re.compile(r"\s*([\w’'-]+)")


def resolve(question: str, before: str, words: Words, answer: str = "") -> str | None:
    """Return the question with its pronouns written as the person the message before named, if there is one.

    "Tell me about amy" then "what's her job?" asks "what's amy's job?"; "what did boone think of the ending?"
    then "did he cry?" asks "did boone cry?". After asking who played a part or made the film, the pronoun is
    the one the answer's first line named (the first of several): "who plays samantha?" then "what else has she been
    in?" asks after Scarlett Johansson. A pronoun in a question naming someone it could stand for, or following one naming nobody or
    more than one person it could stand for, is left to be searched with the message before (None). "Her" written with its
    capital inside a question is the film, not a woman. Only a kind's first pronoun is written out: "does he
    get over his divorce?" asks "does theodore get over his divorce?".
    """
    asked_who = any(cue.search(fold(before)) for cue in (words.asks_for_cast, words.asks_who_made, words.asks_for_crew))
    resolved = question
    for pronoun, people in ((SHE, words.called_she), (HE, words.called_he)):
        if _people(question, people):
            # "What does amy think of her?" may mean Amy herself; "what does samantha learn from him?" names no man.
            continue
        found = [m for m in pronoun.finditer(resolved) if not _the_film(m, resolved)]
        before_named = _people(before, people)
        named = _one(before_named)
        if asked_who:
            # The answer's first line gives who was asked for, beside the part or film the question named; of several,
            # the first, as it names each actor before their part ("who plays the lead?": "That's Joaquin Phoenix as
            # Theodore Twombly, …", so "is he good in it?" asks after Joaquin Phoenix).
            told = {w for n in before_named for w in fold(n).split()}
            new = [n for n in _people(answer.split("\n\n")[0], people) if not told & set(fold(n).split())]
            named = new[0] if new else named
        if found and named:
            resolved = _written_as(resolved, found[0], named)
    return resolved if resolved != question else None


def _one(named: list[str]) -> str | None:
    """Return the one person named, however often, or None for nobody or several."""
    return named[0] if len({fold(n) for n in named}) == 1 else None


def _people(text: str, people: re.Pattern[str]) -> list[str]:
    return [m.group() for m in people.finditer(text)]


def _the_film(match: re.Match[str], text: str) -> bool:
    """Tell whether a "Her" is the film's title: capitalised, not opening the message."""
    return match.group() == "Her" and bool(text[: match.start()].strip())


def _written_as(text: str, match: re.Match[str], name: str) -> str:
    """Write a pronoun as the name, as the owner's ("amy's job") where it stands before what is theirs."""
    pronoun = match.group().casefold()
    after = _FOLLOWING.match(text, match.end())
    owning = pronoun in ("his", "hers") or pronoun == "her" and after is not None and after.group(1).casefold() not in STOPWORDS
    return text[: match.start()] + (f"{name}'s" if owning else name) + text[match.end() :]


def pronouns_written_out(question: str, query: str, words: Words) -> bool:
    """Tell whether a query is its question with pronouns written as a person ("is she good?": "is amy good?")."""
    said, searched = (set(WORD.findall(fold(text).replace("’", "'"))) for text in (question, query))
    gone, added = said - searched, searched - said
    named = {w for m in (*words.called_she.finditer(query), *words.called_he.finditer(query)) for w in WORD.findall(fold(m.group()))}
    return bool(gone) and all(SHE.fullmatch(w) or HE.fullmatch(w) for w in gone) and bool(added) and all(
        w in named or w.removesuffix("'s") in named for w in added)


def person_turned(before: str, named: str, words: Words) -> str | None:
    """Return the question before asked of the person a follow-up turns to, in place of the one it named.

    "Is theodore a good person?" then "what about amy?" asks "is amy a good person?"; "why did samantha leave?"
    then "and amy?", "why did amy leave?". Only when the follow-up names one person and nothing else, and the
    question before named exactly one (None otherwise).
    """
    everyone = [*words.called_she.finditer(before), *words.called_he.finditer(before)]
    people = [*words.called_she.finditer(named), *words.called_he.finditer(named)]
    if len(people) != 1 or people[0].group().strip() != named.strip() or len({fold(m.group()) for m in everyone}) != 1:
        return None
    first = min(everyone, key=lambda m: m.start())
    return before[: first.start()] + named.strip() + before[first.end() :]
