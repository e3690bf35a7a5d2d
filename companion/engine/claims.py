"""Claims: tell a message asking to check a statement ("one of the reviews says he cheated, right?")."""

from __future__ import annotations

import re

from companion.engine.grammar import ASKS_OUTRIGHT, IS_IT_TRUE, NOT_A_CLAIM, OFFERS_ALTERNATIVES, SAYING, TAGGED
from companion.text import fold, stem
from companion.words import Words

SENTENCE = re.compile(r"[^?.!;]+")
# Anyone at all may be said to have said it ("someone said it rips off electric dreams").
ANYONE = frozenset({"anyone", "anybody", "someone", "somebody"})
# A word, then a verb of saying with no question of what or whether after it: the word may say who said it.
REPORTED = re.compile(rf"\b([\w'-]+)\s+(?:ever\s+)?{SAYING}\b(?!\s+{NOT_A_CLAIM})")
# "Which critic calls it a masterpiece?": which one, then the word for them, then what they are said to do.
WHICH_ONE = re.compile(r"\bwhich\s+(one\s+)?(of\s+(?:the|them|these|those)\s+)?([\w'-]+)\s+([\w'-]+)")
# After the word for a critic these ask what they are or have, not what they said ("which reviewer is a student?").
NOT_A_DEED = frozenset({"is", "was", "are", "were", "has", "have", "had", "do", "does", "did", "'s", "of"})


def checks_a_claim(question: str, words: Words) -> bool:
    """Tell whether a message asks whether a statement holds, rather than asking what, who or why.

    A statement tagged "right?" or "is that true", or one a critic is said to have made ("one of the reviews says he
    cheated", "did any critic say it's too long?"): a sentence only near it neither bears it out nor corrects it. A
    sentence asking outright ("what is his job? something about letters, right") is what is asked, but one asking which
    critic did something ("which critic calls it a masterpiece?") takes the deed as done: a claim all the same. One
    offering alternatives ("does the medium writer say it's about big moments or small ones?") asks which holds.
    """
    text = fold(question)
    sentences = [s.strip() for s in SENTENCE.findall(text) if s.strip()]
    if any(_whose_claim(s, words) and not OFFERS_ALTERNATIVES.search(s) for s in sentences):
        return True
    if any(ASKS_OUTRIGHT.search(s) or OFFERS_ALTERNATIVES.search(s) for s in sentences):
        return False
    return any(TAGGED.search(s) for s in sentences) or bool(IS_IT_TRUE.search(text)) or _reported(text, words)


def _reported(text: str, words: Words) -> bool:
    """Tell whether a text reports a statement as someone's: a critic, a writer or anyone, then a verb of saying."""
    sayers = words.about_the_essays | words.someone | words.the_writers | ANYONE
    return any(stem(said.group(1)) in sayers for said in REPORTED.finditer(text))


def _whose_claim(text: str, words: Words) -> bool:
    """Tell whether a text asks which one critic or essay did something: it takes as said what it asks who said."""
    critics = words.the_writers | words.names_an_essay
    for asked in WHICH_ONE.finditer(text):
        one, of, noun, deed = asked.groups()
        if one and not of and stem(noun) not in critics:
            # "…which one said that": "one" is who is asked of.
            noun, deed = "one", noun
        # "Which critics treat change as built into love?" asks for every view there is; one critic is asked a deed
        # ("which of the critics calls it…" by its verb).
        single = bool(one) or not noun.endswith("s") or bool(of and deed.endswith("s") and not deed.endswith("ss"))
        if single and stem(noun) in critics and deed not in NOT_A_DEED:
            return True
    return False
