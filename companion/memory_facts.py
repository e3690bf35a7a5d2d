"""Find what a person says about themselves: their name, whether they have seen Her, what they felt."""

from __future__ import annotations

import re
import unicodedata

from companion.text import QUOTE_MAP

MAX_MESSAGE = 2000
SEEN, NOT_SEEN = "has seen Her", "has not seen Her yet"

# Words that follow "I'm" without being a name: moods, states, nationalities, the film itself.
_NOT_NAMES = frozenset("""sad happy sorry fine not just so here back ok okay good great glad tired bored lonely alone
    sure new done home ready curious confused lost better worse well in out up down all excited afraid scared
    nervous angry upset crying lucky married single free busy late early still also only really very too human
    real serious honest interested listening there her him it that this what always never gay straight queer trans
    english british american canadian australian irish scottish welsh french german spanish italian portuguese
    brazilian mexican dutch swedish norwegian danish finnish polish russian greek turkish chinese japanese korean
    indian jewish muslim catholic buddhist hindu atheist maybe later crazy anyone nobody someone tomorrow tonight
    sometime anytime whenever when whatever anything""".split())
# Chat words a message may end on, which are no part of what it tells ("i'm a nurse btw").
_TRAILING = re.compile(r"(?:[\s,]+(?:btw|lol|lmao|haha+|tbh|honestly|though|xd|fyi))+$", re.I)
_CONTRACTIONS = [(re.compile(p, re.I), r) for p, r in (
    (r"\bI'm\b", "I am"), (r"\bI've\b", "I have"), (r"\bI'd\b", "I would"), (r"\bI'll\b", "I will"),
    (r"\bhaven't\b", "have not"), (r"\bdidn't\b", "did not"), (r"\bdon't\b", "do not"),
    (r"\bdidnt\b", "did not"), (r"\bdont\b", "do not"), (r"\bcan't\b", "cannot"),
    (r"\bname's\b", "name is"), (r"\bwasn't\b", "was not"), (r"\bim\b", "I am"),
)]
_QUOTED = re.compile(r'"[^"\n]*"')  # reported speech is someone else's, or not meant
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_CLAUSE = re.compile(r"\s*[,;]\s*|\s+(?:and|but|so|because|though|although|while)\s+(?=(?:I|my|the)\b)", re.I)
_LEAD_IN = re.compile(r"^(?:(?:oh|well|yeah|yes|no|hi|hello|hey|honestly|actually|also|and|but|so|um|uh|ok|okay"
                      r"|anyway|btw|plus|then|now)\b[\s!.]*)+", re.I)
_UNSURE = re.compile(r"\b(?:if|would|could|might|maybe|perhaps|imagine|suppose|pretend|wish|unless|should)\b", re.I)
_NEGATED = re.compile(r"\b(?:not|never|no longer|cannot)\b|n't\b", re.I)
_FILM = re.compile(r"\b(?:(?-i:Her)|film|movie|ending|beginning|opening|scenes?|music|score|soundtrack|songs?"
                   r"|letters?|voice|dialogue|script|screenplay|colou?rs|cinematography|costumes?|mustache"
                   r"|moustache|trousers|characters?|acting|performances?|plot|OS1?|amy|samantha|theodore|catherine"
                   r"|isabella|alan watts|jonze|joaquin|phoenix|scarlett|johansson|rooney mara|olivia wilde"
                   r"|arcade fire|karen o)\b", re.I)
_EMPTY_OBJECT = frozenset("it that this those these them you your yourself".split())
# "Her" is the film, and so is "her" ending what was watched ("i just watched her"): a chat is typed in lower case.
_FILM_OBJECT = r"(?:it|the (?:film|movie)|this (?:film|movie)|that (?:film|movie)|(?-i:Her)|her$)\b(?P<rest>.*)"
# A greeting before "I'm …" makes what follows a name however it is typed ("hi im alex").
_GREETED = re.compile(r"^\W*(?:hi|hello|hey|hiya|howdy)\b", re.I)
_NAME = r"(?P<name>[^\W\d_][\w'-]*(?:\s+[^\W\d_][\w'-]*)?)"
_PRONOUNS = re.compile(r"\b(?:i am|i was|i have|i|me|my|mine|myself)\b", re.I)
_THIRD = {"i am": "they are", "i was": "they were", "i have": "they have", "i": "they", "me": "them",
          "my": "their", "mine": "theirs", "myself": "themselves"}
_PRESENT = {"love": "loves", "adore": "adores", "like": "likes", "enjoy": "enjoys", "hate": "hates", "care": "cares",
            "work": "works", "live": "lives", "study": "studies", "teach": "teaches"}
PLURAL = {"is": "are", "has": "have", "was": "were", "does": "do"} | {v: k for k, v in _PRESENT.items()}
# Past forms a remembered fact may open with that do not end in "-ed".
_PAST = frozenset({"wept", "felt", "grew", "did"})
_AGO = re.compile(r"\s*(?:since|in (?:years|ages|a while|a long time)|for (?:years|ages|a while))\b", re.I)
_ADVERB = r"(?:(?:really|absolutely|truly|just|totally|also|deeply|so|very|kind of)\s+)?"
_LIKES = r"^i\s+" + _ADVERB + r"(?P<verb>love|adore|like|enjoy{})\s+(?P<rest>.{{1,80}})$"
# (kind, whether the topic must be the film: None when it does not matter, pattern, template)
_RULES = [(kind, film, re.compile(pattern, re.I), template) for kind, film, pattern, template in (
    ("name", None, r"^(?:my name is|i am called)\s+" + _NAME + "$", "lax"),
    ("name", None, r"^(?:people |you can |please |just )*call me\s+" + _NAME + "$", "lax"),
    ("name", None, r"^i am\s+" + _NAME + "$", "strict"),
    ("seen", None, r"^(?:i\s+)?(?:still\s+)?(?:have\s+(?:still\s+)?(?:not|never)\s+(?:yet\s+|actually\s+|even\s+)?"
                   r"(?:seen|watched)|(?:did\s+not|never)\s+(?:get\s+to\s+|actually\s+)?(?:see|saw|watch|watched|seen)"
                   r"|have\s+yet\s+to\s+(?:see|watch))\s+" + _FILM_OBJECT, NOT_SEEN),
    ("seen", None, r"^i\s+(?:have\s+)?(?:(?:just|finally|already|recently|also|first|only)\s+)?"
                   r"(?:saw|seen|watched|rewatched|re-watched|finished(?:\s+watching)?)\s+" + _FILM_OBJECT, SEEN),
    ("feeling", True, r"^(?P<subj>the\s+[\w' -]{1,40}?|this\s+(?:film|movie)|(?-i:Her))"
                      r"(?P<rest>\s+(?:made|makes|left|leaves)\s+me\s+[\w' -]{1,60})$", "{subj}{rest}"),
    ("feeling", True, r"^i\s+" + _ADVERB + r"(?P<verb>loved|hated|adored|liked|disliked|enjoyed|felt"
                      r"|(?:cried|wept|sobbed|laughed)(?=\s+(?:at|during|when|over|through|after|because|about)\b)"
                      r"|was (?:moved|bored|annoyed|touched|disturbed|heartbroken|devastated|confused) by)\s+"
                      r"(?P<rest>.{1,80})$", "{verb} {rest}"),
    ("feeling", True, _LIKES.format("|hate"), "{verb} {rest}"),
    # Disliking is a feeling too ("i didn't like the ending though"); its "not" is what it tells, not a denial.
    ("feeling", True, r"^i\s+" + _ADVERB + r"(?P<verb>did not|do not)\s+(?:really\s+|much\s+)?(?P<what>like|love|enjoy"
                      r"|care for|get)\s+(?P<rest>.{1,80})$", "negated"),
    ("cares", None, _LIKES.format(""), "{verb} {rest}"),
    ("cares", None, r"^i\s+" + _ADVERB + r"care\s+(?:(?:a lot|deeply|so much|very much)\s+)?about\s+"
                    r"(?P<rest>.{1,80})$", "cares about {rest}"),
    ("cares", None, r"^i am\s+" + _ADVERB + r"(?P<tail>(?:interested in|into|passionate about|obsessed with"
                    r"|fascinated by|(?:a|an)\s+(?:(?:big|huge)\s+)?(?:fan of|sucker for))\s+(?P<rest>.{1,80}))$",
     "is {tail}"),
    ("about", None, r"^i am\s+(?P<tail>(?:a|an)\s+(?!(?:bit|little|lot|tad|fan|sucker|mess|wreck|kind|sort|big|huge)"
                    r"\b)[\w'-]+(?:\s+[\w'-]+){0,4}|(?:originally\s+)?from\s+[\w' .-]{2,40}"
                    r"|based in\s+[\w' .-]{2,40})$", "is {tail}"),
    ("about", None, r"^i\s+(?P<verb>work|live|grew up)\s+(?P<rest>(?:as|in|at|for|on|with)\s+.{2,60})$",
     "{verb} {rest}"),
    ("about", None, r"^i\s+(?P<verb>study|teach)\s+(?P<rest>[\w' -]{2,40})$", "{verb} {rest}"),
)]


def extract_facts(message: str) -> list[tuple[str, str]]:
    """Return (kind, text) for what a message says about the person who wrote it, in the third person."""
    if len(message) > MAX_MESSAGE:
        return []
    text = _QUOTED.sub(" \u2026 ", unicodedata.normalize("NFKC", message).translate(QUOTE_MAP))
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    found: list[tuple[str, str]] = []
    greeted = False
    for sentence in _SENTENCE.split(text):
        if "?" in sentence or _UNSURE.match(_LEAD_IN.sub("", sentence.strip())):
            greeted = False
            continue  # questions and hypotheticals are not facts, even in the clauses after the comma
        greeted = greeted or bool(_GREETED.match(sentence))
        for clause in _CLAUSE.split(sentence):
            clause = _TRAILING.sub("", " ".join(_LEAD_IN.sub("", clause.strip()).split()).rstrip(" .!…-"))
            if not clause:
                # A greeting alone ("hi,", "hello!") greets the words after it: "hi, im maya", "hello! im maya".
                continue
            fact = _fact(clause, greeted) if not _UNSURE.search(clause) else None
            greeted = False
            if fact and fact not in found:
                found.append(fact)
    return found


def _fact(clause: str, greeted: bool = False) -> tuple[str, str] | None:
    for kind, film, pattern, template in _RULES:
        m = pattern.match(clause)
        if m is None:
            continue
        parts = {key: value or "" for key, value in m.groupdict().items()}
        rest = parts.get("rest", "").strip()
        if kind == "name":
            name = _name(parts["name"], strict=template == "strict" and not greeted)
            if name:
                return kind, name
            continue
        if kind == "seen":
            if re.match(r"(?:coming|like|as|that way)\b", rest, re.I):
                return None  # "I didn't see it coming" is not about the film
            return kind, SEEN if template == SEEN or _AGO.match(rest) else NOT_SEEN
        if template == "negated" and not _NEGATED.search(rest) and rest.split()[0].lower() not in _EMPTY_OBJECT:
            if not _FILM.search(rest):
                continue
            does = "did not" if parts["verb"].lower() == "did not" else "does not"
            return kind, _third(f"{does} {parts['what'].lower()} {rest}")
        if _NEGATED.search(clause) or (rest and rest.split()[0].lower() in _EMPTY_OBJECT):
            return None
        if film and not _FILM.search(parts.get("subj") or rest):
            continue
        parts["verb"] = _PRESENT.get(parts.get("verb", "").lower(), parts.get("verb", "").lower())
        text = _third(template.format(**parts))
        return kind, text if text.startswith("Her ") else text[:1].lower() + text[1:]
    return None


def _name(words: str, strict: bool) -> str | None:
    parts = words.split()
    for part in parts:
        if part.casefold() in _NOT_NAMES or (len(part) > 1 and part.isupper()):
            return None
        if strict and not part[0].isupper():
            return None
    name = " ".join(p[:1].upper() + p[1:] for p in parts)
    return name if len(name) <= 40 else None


def _third(text: str) -> str:
    return _PRONOUNS.sub(lambda m: _THIRD[m.group().lower()], text)


_TO_YOU = ((r"\bthemselves\b", "yourself"), (r"\bthem\b", "you"), (r"\btheir\b", "your"), (r"\btheirs\b", "yours"),
           (r"\bthey're\b", "you're"), (r"\bthey\b", "you"))


def with_subject(text: str, subject: str) -> str | None:
    """Give a fact opening with its verb ("loved Amy", "does not like Theodore") a plural subject, else None."""
    first, _, rest = text.partition(" ")
    if first in PLURAL or first.endswith("ed") or first in _PAST:
        return f"{subject} {PLURAL.get(first, first)} {rest}".rstrip()
    return None


def second_person(text: str) -> str:
    """Turn a remembered fact ("loved Amy", "the ending made them hopeful") into words said to the person."""
    for pattern, replacement in _TO_YOU:
        text = re.sub(pattern, replacement, text)
    return with_subject(text, "you") or text
