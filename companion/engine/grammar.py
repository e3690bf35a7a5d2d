"""Hold the English words a question opens with, shared by every reader of a message.

English, not this film, so here rather than in prompts/words.toml.
"""

import re

# A word asking after something ("who", "what's", "why"), as a regular expression's group.
ASKING = r"(?:who|whom|whose|what|whats|which|why|how|when|where)"
# A verb opening a question asked yes or no ("is it sad?", "did boone like it?").
AUXILIARY = r"(?:is|are|was|were|does|did|do|can|could|would|should|will|has|have)"
# Chat words a question may open with before it asks ("so who plays amy?", "ok wait, why did she leave?").
LEAD_IN = r"(?:so|and|ok|okay|hey|hi|um|hmm|wait|but|also|lol|omg|honestly)"
OPENS_A_QUESTION = re.compile(rf"^(?:{LEAD_IN}\s+)*(?:{ASKING}|{AUXILIARY})\b")
# A clause asking yes or no: a verb before its subject, after any chat words ("ok so does theo ever…"); "can you give me
# the quote" asks for something, not whether.
WHETHER = re.compile(rf"^\W*(?:{LEAD_IN}[,:]?\s+)*{AUXILIARY}\b(?!\s+(?:you|u|ya)\b)")
# Someone described by what they did or thought ("the friend who thought it was about death"): the relative clause
# from "who" or "that" on, after a determiner and up to three words naming them.
DESCRIBED = re.compile(
    r"\b(?:the|a|an|this|that|his|her|their|my|your|some|one)\s+(?:[\w'’-]+\s+){0,2}?[\w'’-]+\s+((?:who|that)(?:['’]s)?\s.*)$"
)
# A clause: what stands between a sentence's end, a comma, a semicolon or a dash set apart by spaces.
CLAUSE = re.compile(r"[^?.!;,\s–—-](?:(?!\s[-–—]+\s)[^?.!;,])*")


def asking_clauses(message: str) -> tuple[str, ...]:
    """Return the clauses of a message that ask something: those opening as a question or ending in "?".

    "anise loved the production design - who was the production designer tho" asks only its second clause; a
    message of one clause asks in it, however it opens.
    """
    clauses = [(m.start(), m.end()) for m in CLAUSE.finditer(message)]
    asking = tuple(
        message[start:end].strip()
        for start, end in clauses
        if OPENS_A_QUESTION.match(message[start:end].strip().lower()) or message[end : end + 1] == "?"
    )
    return asking or (message.strip(),)


def asks_whether(message: str) -> bool:
    """Tell whether every clause of a message that asks something asks yes or no ("does theo get a new OS after?")."""
    return all(WHETHER.match(clause.lower()) for clause in asking_clauses(message))


def without_descriptions(clause: str) -> str:
    """Return a clause with the relative clause describing someone it names set aside.

    "whats the name of the friend who thought the ending was about death" asks a name, not a view: "thought" only
    says which friend.
    """
    found = DESCRIBED.search(clause.lower())
    return clause[: found.start(1)].rstrip() if found else clause


def description(message: str) -> str:
    """Return what a message says of someone it asks after to tell them apart ("who likes his gf's feet"), or ""."""
    found = [DESCRIBED.search(clause.lower()) for clause in (m.group(0) for m in CLAUSE.finditer(message))]
    return " ".join(m.group(1) for m in found if m)


# A sentence asking outright who, what, which or why ("what is his job?", "why didn't it?", "…another director -
# who?"): a guess beside it tagged "right?" only offers an answer to it, and is no claim to check.
ASKS_OUTRIGHT = re.compile(
    rf"^(?:{LEAD_IN}\s+)*{ASKING}\b|\b{ASKING}\s*$|\b{ASKING}(?:'s|\s+(?:is|are|was|were|does|did|do|didn'?t|doesn'?t|isn'?t|wasn'?t))\b"
)
# Alternatives offered ("is it about big moments or small ones?") ask which holds, not whether one does.
OFFERS_ALTERNATIVES = re.compile(r"\bor\b(?!\s+(?:not|nah|no|what|smth|something)\b)")
# A statement turned into a question by its tag ("…, right?", "didn't they", "is that true"): it asks to be checked.
TAGGED = re.compile(
    r"(?:\b(?:right|correct|true|yeah|or not)|\b(?:didn'?t|don'?t|doesn'?t|wasn'?t|isn'?t|weren'?t|aren'?t|hasn'?t|haven'?t)"
    r"\s+(?:he|she|they|it|you|we|that|one))\s*\??\s*$"
)
IS_IT_TRUE = re.compile(r"\b(?:is|was)\s+(?:that|it|this)\s+(?:true|right|correct)\b|\bis it true\b")
# A verb reporting what someone said; a claim follows it unless it asks what or whether they said at all ("did any
# critic say anything about her?" asks their views).
SAYING = (
    r"(?:say|says|said|claim|claims|claimed|mention|mentions|mentioned|call|calls|called|argue|argues|argued|write|"
    r"writes|wrote|complain|complains|complained|suggest|suggests|suggested|point out|points out|pointed out)"
)
NOT_A_CLAIM = r"(?:anything|something|much|about|what|how|if|whether|a lot|more|so)\b"
