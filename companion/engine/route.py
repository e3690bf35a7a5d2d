"""Route: tell a film question from small talk, from a follow-up, and from questions about her."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from companion.policy import POLICY, Policy
from companion.text import content_terms, fold
from companion.types import Exchange
from companion.words import Words

Route = Literal["film", "follow_up", "greeting", "thanks", "farewell", "feeling", "acknowledge", "about_her"]

ABOUT_HER = re.compile(
    r"\b(who|what) are you\b|\bare you (real|alive|human|a person|an? (ai|os|bot|computer|program|machine)|samantha|"
    r"conscious|happy|sad|lonely|okay|ok|like (samantha|her))\b|\byour name\b|\btell me about (yourself|you)\b|\bdo you (feel|have "
    r"feelings|love|dream|remember|get lonely|like|ever)\b|\bhow do you (work|feel|know)\b|\bwhat do you (do|like|love)\b"
)
GREETING = re.compile(
    r"^(hi|hello|hey|hiya|howdy|yo|good (morning|afternoon|evening)|greetings)\b|\bhow are you\b|\bhow's it going\b|"
    r"\bwhat's up\b|\bhow do you do\b"
)
ACKNOWLEDGE = re.compile(r"^(ok|okay|cool|nice|wow|lol|haha|hm+|oh|ah|yes|yeah|yep|no|nope|sure|alright|right|i see|interesting)\W*$")
THANKS = re.compile(r"\b(thank you|thanks|thank u|thx|ty|cheers|appreciate it|much appreciated)\b")
FAREWELL = re.compile(r"\b(bye|goodbye|good night|goodnight|see you|see ya|talk (to you )?later|gotta go|farewell)\b")
FEELING = re.compile(
    r"\bi(?: am|'m| feel| felt|'ve been| was| just)\b.*\b(sad|happy|lonely|alone|tired|down|cry|cried|crying|"
    r"depressed|anxious|heartbroken|moved|hopeful|upset|angry|good|great|okay|ok|fine|bad|awful|watched|saw|"
    r"finished)\b|\b(rough|bad|long|hard|great|good|lovely|terrible) (day|week|night)\b"
)
FOLLOW_UP_START = re.compile(r"^(and|but|so|also|then|what about|how about|and what|why|why not|really|same for)\b")
PRONOUN = re.compile(r"\b(he|she|they|him|them|his|hers|their|it|its|that|this|those|these|there)\b")


# Routes answered from the essays; every other one is answered in her voice from prompts/.
FILM_ROUTES = frozenset({"film", "follow_up"})


@dataclass(frozen=True)
class Routed:
    """How to answer a message, and what to search the essays with."""

    route: Route
    query: str


def is_opinion(question: str, words: Words) -> bool:
    """Tell whether a question asks what the writers think rather than for a fact."""
    return bool(words.opinion.search(question))


def is_follow_up(text: str, words: Words, policy: Policy = POLICY) -> bool:
    """Tell whether a film question leans on the conversation before it ("and what about Amy?")."""
    folded = fold(text).replace("’", "'")
    few_words = len(_film_words(folded, words)) <= policy.follow_up_film_words
    return bool(FOLLOW_UP_START.match(folded)) and few_words or (few_words and bool(PRONOUN.search(folded)))


def _film_words(text: str, words: Words) -> list[str]:
    return [t for t in content_terms(text) if t not in words.chatter]


def route(text: str, words: Words, has_history: bool = False, policy: Policy = POLICY) -> Route:
    """Decide how to answer a message: from the essays, or as a companion making conversation."""
    kind = _route(text, words, policy)
    if kind == "film" and has_history and is_follow_up(text, words, policy):
        return "follow_up"
    return kind


def route_turn(question: str, history: Sequence[Exchange], words: Words, policy: Policy = POLICY) -> Routed:
    """Route a checked question; a follow-up is searched together with the question before it."""
    kind = route(question, words, has_history=bool(history), policy=policy)
    # "And what about Amy?" means little alone: search with the question it follows.
    query = f"{history[-1].question} {question}" if kind == "follow_up" else question
    return Routed(route=kind, query=query)


def _route(text: str, words: Words, policy: Policy) -> Route:
    folded = fold(text).replace("’", "'")
    asks = "?" in folded
    film_words = _film_words(folded, words)
    if ABOUT_HER.search(folded) and len(film_words) <= policy.about_her_film_words:
        return "about_her"
    if ACKNOWLEDGE.match(folded.strip()):
        return "acknowledge"
    if asks and film_words:
        return "film"
    for kind, pattern in (("thanks", THANKS), ("farewell", FAREWELL), ("feeling", FEELING), ("greeting", GREETING)):
        if pattern.search(folded) and len(film_words) <= policy.small_talk_film_words:
            return kind
    if not film_words and not asks:
        return "greeting" if len(folded.split()) <= policy.greeting_words else "feeling"
    return "film"
