"""Tell a film question from small talk and from questions about the companion herself."""

from __future__ import annotations

import re
from typing import Literal

from companion.text import content_terms, fold

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
# Words that small talk uses; what is left after removing them decides whether a film question hides inside.
CHATTER = set(content_terms(
    "hi hello hey good morning afternoon evening thanks thank appreciate bye goodbye night see later feel felt sad "
    "happy lonely alone tired cry cried depressed anxious heartbroken moved hopeful upset angry great okay fine bad "
    "awful rough long hard lovely terrible day week just watched saw finished today tonight again much lot so you "
    "ok cool nice wow lol haha yes yeah yep nope sure alright right interesting"
))


FOLLOW_UP_START = re.compile(r"^(and|but|so|also|then|what about|how about|and what|why|why not|really|same for)\b")
PRONOUN = re.compile(r"\b(he|she|they|him|them|his|hers|their|it|its|that|this|those|these|there)\b")


def is_follow_up(text: str) -> bool:
    """Tell whether a film question leans on the conversation before it ("and what about Amy?")."""
    folded = fold(text).replace("’", "'")
    few_words = len(_film_words(folded)) <= 2
    return bool(FOLLOW_UP_START.match(folded)) and few_words or (few_words and bool(PRONOUN.search(folded)))


def _film_words(text: str) -> list[str]:
    return [t for t in content_terms(text) if t not in CHATTER]


def route(text: str, has_history: bool = False) -> Route:
    """Decide how to answer a message: from the essays, or as a companion making conversation."""
    kind = _route(text)
    if kind == "film" and has_history and is_follow_up(text):
        return "follow_up"
    return kind


def _route(text: str) -> Route:
    folded = fold(text).replace("’", "'")
    asks = "?" in folded
    film_words = _film_words(folded)
    if ABOUT_HER.search(folded) and len(film_words) <= 3:
        return "about_her"
    if ACKNOWLEDGE.match(folded.strip()):
        return "acknowledge"
    if asks and film_words:
        return "film"
    for kind, pattern in (("thanks", THANKS), ("farewell", FAREWELL), ("feeling", FEELING), ("greeting", GREETING)):
        if pattern.search(folded) and len(film_words) <= 2:
            return kind
    if not film_words and not asks:
        return "greeting" if len(folded.split()) <= 3 else "feeling"
    return "film"
