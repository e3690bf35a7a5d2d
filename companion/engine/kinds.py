"""Named kinds: a question asking which company, city, song or other thing a proper name calls, and a quote naming one.

"Which company makes the OS?" is answered by a name no person has ("Beautiful Hand-Written Letters"), not by
"Samantha's camera and mic" for "what camera was it shot on?".
"""

from __future__ import annotations

import re
from collections.abc import Callable

from companion.engine.names import FULL_NAME, POSSESSIVE, a_persons_name, mentions, names_in, naming_test, new_names
from companion.policy import POLICY
from companion.text import SENTENCE_END, WORD, content_terms, fold, stemmed_words
from companion.words import Words

# Words ending the few said between "what" and the kind of thing it asks after: "which film school" asks a school's
# name, "what does the book mean" no book's.
PHRASE_ENDS = frozenset({
    "the", "a", "an", "this", "that", "these", "those", "his", "her", "their", "its", "my", "your", "of", "is", "was",
    "are", "were", "be", "been", "do", "does", "did", "has", "have", "had", "can", "could", "would", "will", "should",
})
# How many words may stand between "what" and the kind ("what other movies", "which buster keaton film").
KIND_REACH = 3
# Someone's whole name in the possessive, before the name of what they own: the maker of a work.
OWNED_BY = FULL_NAME.pattern + r"(?<=['’]s)\s+"
# The words a place's name follows ("lives in Chicago", "a student at University of Missouri"), just before it.
AT_A_PLACE = re.compile(r"\b(?:in|at|from|to|near|outside|around|across)\s+(?:the\s+)?$", re.IGNORECASE)
# How many words after "where" may hold what it asks ("where did he go to film school": six).
WHERE_REACH = 6
# Words opening a description of one thing of a kind ("a video game that…").
INDEFINITE = frozenset({"a", "an", "another"})
# How many words may stand between "a" and the kind it describes ("a video game", "an old silent comedy film").
DESCRIBED_REACH = 4


def asks_for_a_named_kind(question: str, words: Words) -> bool:
    """Tell whether a question asks which company, city, game or other thing a proper name calls ([named_kinds])."""
    return bool(_kinds_asked(question, words))


def _kinds_asked(question: str, words: Words) -> list[str]:
    """Return the words of [named_kinds] and [described_kinds] a question asks "what" or "which" of ("company")."""
    said = WORD.findall(fold(question))
    kinds = words.named_kinds | words.described_kinds
    return [
        kind for at, word in enumerate(said) if word in {"what", "which"}
        for kind in _said_after(said, at, KIND_REACH, kinds, words.a_kind_of)
    ]


def _said_after(said: list[str], at: int, reach: int, kinds: frozenset[str], categories: frozenset[str] = frozenset()) -> list[str]:
    """Return the words of kinds among the reach words after said[at], up to an article, a verb or a word of categories."""
    found = []
    for after in said[at + 1 : at + 1 + reach]:
        stems = set(stemmed_words(after))
        if after in PHRASE_ENDS or stems & categories:
            break
        if stems & kinds:
            found.append(after)
    return found


def _kind_stems(question: str, words: Words) -> frozenset[str]:
    """Return the stems of the kinds a question asks of ("game" of "what video games…")."""
    return frozenset(stem for kind in _kinds_asked(question, words) for stem in stemmed_words(kind))


def asks_where_someone_is(question: str, words: Words) -> bool:
    """Tell whether a question asks where someone lives, comes from, studied or ended up ([asks_where_someone_is])."""
    said = WORD.findall(fold(question))
    return any(
        words.asks_where_someone_is.search(" ".join(said[at + 1 : at + 1 + WHERE_REACH]))
        for at, word in enumerate(said) if word in {"where", "where's"}
    )


def names_a_place(text: str, question: str, words: Words) -> bool:
    """Tell whether a text gives a new name that is no person's, after a word saying where, as a place or a school is called.

    Nor is it a character's other name ([also_called]), one or many: "her fellow OSs" is nowhere anyone studied. A place
    is said "in", "at" or "from" it ("a graduate student at University of Missouri"): "from Interview Magazine: Nicole
    Holofcener chats with Spike Jonze" says where an interview was printed, and "Had he wanted to, Writer/Director
    Spike Jonze…" nowhere at all.
    """
    others = {" ".join(parts) for parts, _ in words.also_called}
    return any(
        fold(name) not in others and fold(name).removesuffix("es").removesuffix("s") not in others
        for name in _things_named(text, question, words, lambda start, _: bool(AT_A_PLACE.search(text, 0, start)))
    )


def gives_the_kind(text: str, question: str, words: Words) -> bool:
    """Tell whether a text names a thing of the kind asked (a name no person has), or describes one when that answers it."""
    return bool(_things_named(text, question, words)) or _describes_one(text, question, words)


def _describes_one(text: str, question: str, words: Words) -> bool:
    """Tell whether a text says "a" or "an" before a kind of [described_kinds] the question asks of ("a video game")."""
    described = _kind_stems(question, words) & words.described_kinds
    return any(
        _said_after(said, at, DESCRIBED_REACH, described)
        for sentence in SENTENCE_END.split(text) for said in [WORD.findall(fold(sentence))]
        for at, word in enumerate(said) if word in INDEFINITE
    )


def the_thing_given(text: str, question: str, words: Words, reach: int = POLICY.name_reach) -> str | None:
    """Return the one name a text gives for the kind of thing asked, or None if it gives none or several.

    The name is one saying the kind ("Interview Magazine" for "which magazine…"), or one said within reach words of
    it ("‘Beautiful Hand-Written Letters,’ an internet company"): a name elsewhere may be anyone's ("Nicole
    Holofcener chats with Spike Jonze").
    """
    kinds = _kind_stems(question, words)
    saying = {m.group(0) for m in names_in(text) if set(stemmed_words(fold(m.group(0)))) & kinds}
    if not saying:
        saying = {
            name
            for sentence in SENTENCE_END.split(text) if (said := mentions(sentence, tuple(kinds)))
            for name in _things_named(sentence, question, words, naming_test(sentence, said, reach))
        }
    return saying.pop() if len(saying) == 1 else None


def _things_named(
    text: str, question: str, words: Words, near: Callable[[int, int], bool] | None = None,
) -> list[str]:
    """Return the new names no person has that a text gives (where near holds, if given); they may say the kind asked."""
    kinds = frozenset(content_terms(" ".join(_kinds_asked(question, words))))
    return [
        name for name in new_names(text, question, words, near, kinds)
        if not a_persons_name(name, words) and not a_work_or_its_maker(name, text) and not _a_title(name, words)
    ]


def _a_title(name: str, words: Words) -> bool:
    """Tell whether a capitalised name is only words for someone's work ("Writer/Director Spike Jonze"): no place or firm."""
    said = WORD.findall(fold(name))
    return bool(said) and all(set(stemmed_words(word)) & words.jobs for word in said)


def a_work_or_its_maker(name: str, text: str) -> bool:
    """Tell whether a name is someone's whole name owning a work the text names after it, or that work.

    "Nicholas Winding Refn’s ONLY GOD FORGIVES": whoever made a film, and the film, are no city, school or company
    anyone is from or anything is set in.
    """
    owner = POSSESSIVE.sub("", name)
    if owner != name:
        return bool(FULL_NAME.fullmatch(owner)) and bool(re.search(re.escape(name) + r"\s+[A-Z]", text))
    return re.search(OWNED_BY + re.escape(name), text) is not None
