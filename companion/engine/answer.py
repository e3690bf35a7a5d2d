"""Compose, answer: find the answer to a factual question inside the sentence quoted for it, verbatim.

A "who" question wants a name, a "when" or "how many" question a number or a date, a "where" question a
place. The span is taken from the quoted sentence itself, so the line that leads with it can only say
what the quote shows; when no such span is there, the reply opens as it always did.
"""

from __future__ import annotations

import re
from typing import Literal

from companion.text import WORD, content_terms, fold
from companion.words import Words

Kind = Literal["who", "number", "where"]
# A run of capitalised words ("Joaquin Phoenix", "Spike Jonze"), joined by single spaces.
NAME = re.compile(r"\b[A-Z][\w'’.-]*[\w](?: [A-Z][\w'’.-]*[\w])*")
DIGITS = re.compile(r"\b\d[\d,.]*(?:s|st|nd|rd|th)?\b")
# Name words shorter than this are read as initials or noise rather than a name.
NAME_CHARS = 2
# Words after a number that say what it counts ("twenty or so years from now").
MEASURE_WORDS = 5


def answer_kind(question: str, words: Words) -> Kind | None:
    """Tell what kind of span answers a factual question, or None when no one span can."""
    text = fold(question)
    if words.asks_who.search(text):
        return "who"
    if words.asks_number.search(text):
        return "number"
    if words.asks_where.search(text):
        return "where"
    return None


def _shares_stem(word: str, asked: set[str]) -> bool:
    """Tell whether a word is (a form of) one the question used: "Director" when it asked who directed."""
    terms = content_terms(word)
    if not terms:
        return True  # a stopword capitalised at a sentence start ("The", "Her") is no name
    term = terms[0]
    return any(term == a or (min(len(term), len(a)) >= 4 and (term.startswith(a) or a.startswith(term))) for a in asked)


def _names(sentence: str, asked: set[str]) -> list[str]:
    found = []
    for match in NAME.finditer(sentence):
        tokens = match.group().split(" ")
        # A run holding a word of the question is what was asked about ("Theodore Twombly"), not the answer;
        # leading words of the question ("Director Spike Jonze") are dropped.
        while tokens and _shares_stem(tokens[0], asked):
            tokens = tokens[1:]
        if not tokens or any(_shares_stem(t, asked) for t in tokens) or len(tokens[0]) < NAME_CHARS:
            continue
        # One capitalised word opening the sentence is usually just the sentence's first word.
        if len(tokens) == 1 and match.start() == 0:
            continue
        found.append(" ".join(tokens))
    # Full names first: "Joaquin Phoenix" says more than a lone "Jonze".
    return sorted(found, key=lambda n: -min(len(n.split()), 2))


def _supported(question: str, sentence: str, name: str) -> bool:
    """Tell whether the sentence ties the name to what was asked, not merely mentions both.

    It must hold a word the question asks with ("directed" -> "Director"), names in the question aside,
    or give the name in brackets after what was asked about, as a cast list does: "Theodore (Joaquin Phoenix)".
    """
    asking = set(content_terms(" ".join(w for w in question.split() if not w[:1].isupper())))
    said = set(content_terms(sentence.replace(name, " ")))
    if any(_shares_stem(word, asking) for word in said if content_terms(word)):
        return True
    before = sentence[: sentence.find(name)].rstrip()
    return before.endswith("(") and any(_shares_stem(w, set(content_terms(question))) for w in before.split()[-3:])


def _numbers(sentence: str, words: Words) -> list[str]:
    found = [m.group().rstrip(".,") for m in DIGITS.finditer(sentence)]
    found += [m.group() for m in words.number_words.finditer(sentence)]
    return found


def _with_what(sentence: str, number: str) -> str:
    """Carry a number on to what it counts, up to the next comma or stop: "twenty or so years from now"."""
    start = sentence.find(number)
    tail = re.match(r"[^,.;:!?()\[\]—–]{0,40}", sentence[start + len(number) :])
    words = tail.group().split()[:MEASURE_WORDS] if tail else []
    return sentence[start : start + len(number)] + (" " + " ".join(words) if words else "")


def _places(sentence: str, words: Words) -> list[str]:
    found = []
    for match in words.place_words.finditer(sentence):
        rest = WORD.findall(fold(sentence[match.end() : match.end() + 60]))
        following = NAME.match(sentence, match.end() + 1)
        if following:
            found.append(sentence[match.start() : following.end()])
        elif len(rest) >= 2 and rest[0] in ("a", "an", "the"):
            tail = re.match(r"\s+\S+\s+[\w'’-]+", sentence[match.end() :])
            if tail:
                found.append(sentence[match.start() : match.end() + tail.end()])
    return found


def answer_span(question: str, sentence: str, words: Words) -> str | None:
    """Return the words of the sentence that answer the question (a name, a number, a place), or None."""
    kind = answer_kind(question, words)
    asked = set(content_terms(question))
    if kind == "who":
        spans = [n for n in _names(sentence, asked) if _supported(question, sentence, n)]
    elif kind == "number":
        spans = [_with_what(sentence, n) for n in _numbers(sentence, words)]
    elif kind == "where":
        spans = _places(sentence, words)
    else:
        return None
    # The span is shown as the answer only because the quote holds it word for word.
    spans = [s.strip(" ,;:") for s in spans if s.strip(" ,;:") and s.strip(" ,;:") in sentence]
    return spans[0] if spans else None
