"""Jobs: a question asking what someone does for a living, answered only by a quote saying it of them.

"What does Theodore's ex-wife do for a living?" met "He works at BeautifulHandwrittenLetters.com", which is his
job, not hers; "whats amy's job" is answered by "This is the Amy who exists now; tired, consigned to continue
working at a job she planned to leave".
"""

from __future__ import annotations

import re
from itertools import takewhile

from companion.engine.names import ASKS_WHAT, POSSESSIVE, SAID, mentions, names_in
from companion.text import SENTENCE_END, STOPWORDS, content_terms, fold, stemmed_words
from companion.words import Words

# "what does theodore's ex-wife do for a living", "what does she do for work", "what does he do professionally": whose
# job is asked stands between "what does" and "do" (or "work as").
DOES_WHAT = re.compile(
    r"\bwhat\s+(?:does|did|do|is|was)\s+(?P<owner>(?:[\w'-]+\s+){0,3}?[\w'-]+)\s+"
    r"(?:do\s+(?:for\s+(?:a\s+living|work|money)|professionally)|work\s+as)\b"
)
# A job asked after "about" is what is spoken of, not what is asked.
ABOUT = re.compile(r"\babout\b")
# "who's steven boone, like what does he do?": "do" ending its clause asks a job only of a person said before.
DOES_HE = re.compile(r"\bwhat\s+(?:does|did|do)\s+(?P<owner>he|she|they)\s+do\s*(?:$|[?.!,;])")
# How many words before the word asking a job may say whose it is ("what's rooney mara's character's job").
OWNER_WORDS = 3
# How many words may stand between the one asked about (their whole name) and the word saying their work, in one
# sentence: "Joaquin Phoenix, in the middle of an incredible three-year run that includes starring roles" has ten.
JOB_REACH = 10
# How many words may stand between a title and the name it comes before ("Writer/Director Spike Jonze": none).
TITLE_REACH = 1
PRONOUNS = frozenset({"he", "she", "they", "him", "her", "them"})
# A sentence opening with one of these says what follows of whom the sentence before opens with ("Theodore Twombly
# (Joaquin Phoenix) has been separated… He works at BeautifulHandwrittenLetters.com").
OPENING_PRONOUN = re.compile(r"\W*(?P<pronoun>he|she)\b", re.IGNORECASE)
# "who's steven boone", "who is joaquin pheonix": someone asked after, however their name is spelt.
ASKS_WHO = re.compile(r"\bwho(?:'s|’s|s|\s+is|\s+was)\s")


def job_owner(question: str, words: Words) -> tuple[str, ...] | None:
    """Return the stemmed words naming whose job a question asks, () for anyone's or a writer's, or None if it asks none.

    A writer's job may be said in their own "I", and a question asking "what does he do?" looks to whom it names
    before it ("who's steven boone, like what does he do").
    """
    folded = fold(question)
    does = DOES_WHAT.search(folded) or DOES_HE.search(folded)
    if does is not None:
        phrase, before = does.group("owner"), folded[: does.start()]
    else:
        asked = words.asks_for_a_job.search(folded)
        what = ASKS_WHAT.search(folded[: asked.start()]) if asked is not None else None
        # "what does amy say about her job?" asks her words on it, not what it is.
        if what is None or ABOUT.search(folded[what.end() : asked.start()]):
            return None
        said = SAID.findall(folded[: asked.start()])
        # The owner's mark stands just before the word, or before one word describing it ("theo's actual job").
        owned = [at for at in range(max(0, len(said) - 2), len(said)) if POSSESSIVE.search(said[at])]
        if not owned:
            return ()
        phrase, before = " ".join(said[max(0, owned[-1] + 1 - OWNER_WORDS) : owned[-1] + 1]), ""
    if set(SAID.findall(phrase)) <= PRONOUNS:
        if does is not None and does.re is DOES_HE and not _someone_named(before, words):
            # "…and she messes with him, what does she do" asks what she does then.
            return None
        phrase = before
        # "paul's girlfriend at the beach, what does she do for a living?" asks hers, not Paul's.
        if (owned := _owned(before)) is not None:
            phrase = owned
    terms = [t for t in content_terms(POSSESSIVE.sub("", phrase)) if t not in STOPWORDS and t not in words.chatter]
    if set(terms) & (words.the_writers | words.about_the_essays):
        return ()
    terms = [t for t in terms if t not in words.vague_things]
    if not terms:
        return ()
    # The last word is whose job it is ("theodore's ex-wife": the ex-wife), unless the owner was only named before a
    # pronoun: then any word of that name says them.
    return tuple(terms) if phrase == before else (terms[-1],)


def _owned(before: str) -> str | None:
    """Return the words owned by the last owner named before a pronoun ("ex wife" of "theo's ex wife at lunch"), if any."""
    said = SAID.findall(before)
    # "who's steven boone" is no one's.
    marks = [at for at, word in enumerate(said[:-1]) if POSSESSIVE.search(word) and POSSESSIVE.sub("", word) not in STOPWORDS]
    if not marks:
        return None
    owned = list(takewhile(lambda word: word not in STOPWORDS, said[marks[-1] + 1 : marks[-1] + 1 + OWNER_WORDS]))
    return " ".join(owned) or None


def _someone_named(before: str, words: Words) -> bool:
    """Tell whether a message names someone before its "what does he do?": one of the people, or whoever it asks after."""
    return bool(words.called_she.search(before) or words.called_he.search(before) or ASKS_WHO.search(before))


def says_the_job(text: str, owner: tuple[str, ...], words: Words, reach: int = JOB_REACH) -> bool:
    """Tell whether a text says what the one asked about does for work, in a sentence naming them (any job without one).

    A sentence opening "He" or "She" names whom the sentence before it opens with, as a quote leaning on its
    neighbour carries it along.
    """
    before = ""
    for sentence in SENTENCE_END.split(text):
        work = [m.span() for m in SAID.finditer(sentence) if set(stemmed_words(m.group(0))) & words.jobs]
        if work and not owner:
            return True
        if work:
            said = mentions(sentence, owner, by_start=True) or _carried(sentence, before, owner, words)
            if any(_theirs(sentence, who, job, reach) for who in said for job in work):
                return True
        before = sentence
    return False


def _carried(sentence: str, before: str, owner: tuple[str, ...], words: Words) -> list[tuple[int, int]]:
    """Return where a sentence's opening "he" or "she" stands for the one asked about, whom the sentence before opens with."""
    opening = OPENING_PRONOUN.match(sentence)
    first = names_in(before)[:1]
    if opening is None or not first or not mentions(first[0].group(0), owner, by_start=True):
        return []
    # "He" is no one [called_she] lists, nor "she" anyone [called_he] does.
    other = words.called_she if opening.group("pronoun").lower() == "he" else words.called_he
    return [] if other.search(fold(first[0].group(0))) else [opening.span("pronoun")]


def _theirs(sentence: str, who: tuple[int, int], job: tuple[int, int], reach: int) -> bool:
    """Tell whether a word of work is said of the one at who: after them, no one else named between, or as their title."""
    (a, b), (c, d) = who, job
    if c < a:
        return len(SAID.findall(sentence[d:a])) <= TITLE_REACH
    # "Theodore’s ex-wife says…" speaks of someone of Theodore's, unless his job is what follows ("Theodore's job").
    if POSSESSIVE.search(sentence[a:b]) and SAID.findall(sentence[b:c]):
        return False
    names = names_in(sentence)
    # The words between count from the end of their whole name ("Joaquin Phoenix, in the middle of… starring roles").
    b = max([b, *(m.end() for m in names if m.start() <= a < m.end() and m.end() <= c)])
    between = SAID.findall(sentence[b:c])
    others = [m for m in names if b <= m.start() and m.end() <= c]
    return len(between) <= reach and not others
