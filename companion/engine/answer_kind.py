"""Answer kinds: a question asking for a number, an age, a size, a date or a name is answered only by a quote giving one.

One asking what someone said is answered first by a quote giving their words, when one is likely enough.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from companion.engine.credits import asked_character, calls, credits
from companion.policy import POLICY, Policy
from companion.text import SENTENCE_END, content_terms, fold, quote_spans
from companion.words import Words

# A numeral standing as a number ("8,316", "3", "1950s"), not inside a name ("OS1").
NUMERAL = re.compile(r"\b\d")
# A whole number in figures, as her first line may repeat it ("8,316", "2.5"): not "1950s", which NUMERAL counts.
FIGURE = re.compile(r"\b\d+(?:[.,]\d+)*\b")
# A year ("2013", "the 1950s").
YEAR = re.compile(r"\b(?:1[89]|20)\d\d(?:s|’s|'s)?\b")
# A person's full name: two or more capitalised words in a row ("Rooney Mara", "Nicole Holofcener"), only the last
# of them possessive ("Amy Adams’"): "It’s Theodore" opening a sentence names no one new.
FULL_NAME = re.compile(r"\b[A-Z][a-z][\w-]*(?:\s+[A-Z][a-z][\w-]*)*\s+[A-Z][a-z][\w’'-]*")
# Capitalised words in a row ("Theodore Twombly", "OS1"), or a word of letters and digits ("os1"). One capitalised word
# names something only inside a sentence: one opening a sentence or a quotation names nothing by itself.
CAPITALISED = re.compile(r"\b[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*|\b[a-z]+\d+[a-z\d]*\b")
# What comes before a name inside a sentence: a word in lower case, then a space (after a comma, perhaps).
INSIDE = re.compile(r"\b[a-z][\w’'-]*[,;:]?\s+$")
# What a name question opens with: "what's the song called?", "which name…".
ASKS_WHAT = re.compile(r"\b(?:what|which)(?:['’]?s)?\b")
# A number standing by itself at the end of a clause, as an age is said ("you're 20, and", "he was 39.").
BARE_NUMBER = re.compile(r"\s+(\d{1,3}|[a-z]+)(?=[,.;:!?)]|\s*$)", re.IGNORECASE)
# What a name question asks the name of: "the name of theodore's dog", "the little girl's name", "what's the song
# called". The first says it after "name of", the second before the name as its owner, the third before "called".
NAME_OF = re.compile(r"\bnames?\s+of\s+(.+)")
OWNERS_NAME = re.compile(r"([\w-]+)['’]s?\s+(?:\w+\s+)?names?\b")
# A phrase's words, a possessive's mark kept ("theodore's", "adams'"); owners are looked for among its first words.
SAID = re.compile(r"[\w-]+(?:['’]s?)?")
OWNER_REACH = 4
CALLED_SO = re.compile(r"\b(?:what|which)(?:['’]?s|\s+is|\s+was|\s+are|\s+were)?\s+(.+?)\s+(?:called|named|titled)\b")
# Whom an age question asks about: what follows "how old is" up to the clause saying when ("how old was joaquin
# phoenix when he made this": joaquin phoenix).
AGE_OF = re.compile(
    r"\b(?:how old|what age)\s+(?:(?:is|was|are|were|does|did|will)\s+)?(.+?)"
    r"(?=\s+(?:in|when|at|during|while|by|for|playing|get|gets|got|turn|turns|be|now)\b|[?.!,;]|$)"
)
# A speaker's turn inside a transcript quoted in an essay ("…we're talking? Samantha: Yes.").
TURN = re.compile(r"\b[A-Z][a-z]+: \S")
# A quotation the text holds only part of, its other mark in a sentence before or after ("Did anyone text me?”).
PART_QUOTED = re.compile(r"“[^”]{8,}$|^[^“]{8,}”", re.DOTALL)


def asks_for_a_number(question: str, words: Words) -> bool:
    """Tell whether a question asks how many, how old or tall, which year, or how much something cost."""
    kinds = (words.asks_for_a_number, words.asks_for_a_year, words.asks_for_an_age, words.asks_for_a_size)
    return any(asks.search(question) for asks in kinds) or asks_for_a_sum(question, words)


def asks_for_a_sum(question: str, words: Words) -> bool:
    """Tell whether a question asks how much money something made or cost ("how much was she paid?")."""
    return bool(words.asks_for_an_amount.search(question) and words.amounts.search(question))


def asks_for_a_date(question: str, words: Words) -> bool:
    """Tell whether a question asks when something happened that has a date: a birth, a release, a premiere."""
    return bool(words.asks_when.search(question) and words.dated_events.search(question))


def states_a_date(text: str, words: Words) -> bool:
    """Tell whether a text states a date: a year or a month ("in December 2013")."""
    return bool(YEAR.search(text) or words.months.search(text))


def states_an_age(text: str, words: Words, reach: int = POLICY.measure_reach) -> bool:
    """Tell whether a text gives an age: a number beside a word of age, or said of someone by itself ("you're 20,")."""
    return bool(_ages(text, words, reach))


def states_an_age_of(
    text: str, who: tuple[str, ...], words: Words, reach: int = POLICY.measure_reach, name_reach: int = POLICY.name_reach
) -> bool:
    """Tell whether a text gives the age of the one whose age is asked, or any age if no one is.

    The age stands within name_reach words of their name, or in a sentence naming no one else ("He was 39."):
    "How old is amy in the movie?" is not answered by "…we see Theodore publicly admit… it's to a four-year-old
    child", a sentence after one naming Amy.
    """
    if not who:
        return states_an_age(text, words, reach)
    for sentence in SENTENCE_END.split(text):
        ages = _ages(sentence, words, reach)
        if not ages:
            continue
        said = mentions(sentence, who)
        if not said and not _names_someone(sentence):
            return True
        near = _within(sentence, said, name_reach)
        if said and any(near(*age) for age in ages):
            return True
    return False


def _names_someone(sentence: str) -> bool:
    """Tell whether a sentence names anyone or anything: capitalised words inside it, or several in a row."""
    return any(" " in m.group(0) or INSIDE.search(sentence[: m.start()]) for m in CAPITALISED.finditer(sentence))


def aged_person(question: str, words: Words) -> tuple[str, ...]:
    """Return the stemmed words naming whom an age question asks about ("amy" of "how old is amy in the movie?"), or ().

    A writer's age counts from any age given: the essays speak of their writers as "I" and "you". A vague word for
    someone ("the guy", [vague_things]) is no name to look for.
    """
    asked = AGE_OF.search(fold(question))
    if asked is None:
        return ()
    who = content_terms(asked.group(1))
    writers = {t for word in words.the_writers for t in content_terms(word)} | words.about_the_essays
    if writers & set(who):
        return ()
    return tuple(t for t in who if t not in words.vague_things)


def _ages(text: str, words: Words, reach: int) -> list[tuple[int, int]]:
    """Return where a text gives an age: a number beside a word of age, or one said by itself after "you're", "at"…"""
    found = _beside_a_number(text, words.ages, words, reach)
    for before in words.before_an_age.finditer(text):
        bare = BARE_NUMBER.match(text, before.end())
        if bare and (bare.group(1).isdigit() or words.number_words.fullmatch(bare.group(1))):
            found.append(bare.span(1))
    return found


def states_a_size(text: str, words: Words, reach: int = POLICY.measure_reach) -> bool:
    """Tell whether a text gives a size: a number beside a unit of length or weight ("six feet")."""
    return bool(_beside_a_number(text, words.sizes, words, reach))


def _beside_a_number(text: str, units: re.Pattern[str], words: Words, reach: int) -> list[tuple[int, int]]:
    """Return the spans of the numbers a word of units stands within reach characters of."""
    numbers = [m.span() for m in (*NUMERAL.finditer(text), *words.number_words.finditer(text))]
    return [
        (start, end) for start, end in numbers
        if any(start - reach <= unit.end() and unit.start() <= end + reach for unit in units.finditer(text))
    ]


def states_a_number(text: str, words: Words) -> bool:
    """Tell whether a text states a number, in figures or in words ("8,316", "a third time")."""
    return bool(NUMERAL.search(text) or words.number_words.search(text))


def stated_number(text: str, question: str) -> str | None:
    """Return the one number a text states in figures that the question lacks, or None if it states none or several."""
    found = {m.group(0) for m in FIGURE.finditer(text)} - set(FIGURE.findall(question))
    return found.pop() if len(found) == 1 else None


def asks_for_a_person(question: str, words: Words) -> bool:
    """Tell whether a question asks who played a part or did a job on a film ("who edited her?")."""
    return bool(words.asks_for_cast.search(question) or words.asks_for_crew.search(question))


def names_someone_new(text: str, question: str, words: Words, reach: int = POLICY.name_reach) -> bool:
    """Tell whether a text gives a full name the question does not already hold, beside the part it asks about.

    The character a cast question asks about may share the actor's name (Amy Adams plays Amy). "Who voices the alien
    kid in theodore's video game?" is not answered by "Amy Adams' frump is in quiet despair at having to work on a
    video game": the name must stand within reach words of the part, as a credit does ("his wife (Rooney Mara)").
    """
    part = asked_character(question, words)
    asked = set(content_terms(question)) - {part}
    thing = tuple(content_terms(part)) if part and part not in words.the_whole_cast else ()
    if not thing or set(thing) <= words.vague_things:
        return bool(_new_names(text, asked))
    return any(
        near(*name.span())
        for sentence in SENTENCE_END.split(text)
        if (said := [m.span() for m in SAID.finditer(sentence) if any(calls(w, m.group(0)) for w in thing)])
        and (near := _within(sentence, said, reach))
        for name in FULL_NAME.finditer(sentence) if not _asked_already(name.group(0), asked)
    )


def names_someone_uncredited(text: str, question: str, words: Words) -> bool:
    """Tell whether a text gives a full name the question lacks that no credit in it names, as actor or as part."""
    credited = {fold(name) for credit in credits(text) for name in credit}
    return any(fold(name) not in credited for name in _new_names(text, set(content_terms(question))))


def _new_names(text: str, asked: set[str]) -> list[str]:
    """Return the full names a text gives that share no word with those asked."""
    return [name for name in FULL_NAME.findall(text) if not _asked_already(name, asked)]


def _asked_already(name: str, asked: set[str]) -> bool:
    """Tell whether a question's words already name someone or something, in full or by its start ("theo")."""
    return any(calls(word, name) for word in asked)


def asks_for_a_name(question: str, words: Words) -> bool:
    """Tell whether a question asks what someone or something is called ("what's the little girl's name?")."""
    folded = fold(question)
    asks = ASKS_WHAT.search(folded)
    return bool(asks and words.asks_for_a_name.search(folded[asks.end() :]))


def names_something_new(text: str, question: str, words: Words, near: Callable[[int, int], bool] | None = None) -> bool:
    """Tell whether a text gives a name the question lacks that is neither an actor a credit names nor the film's.

    near, given, must also hold of where the name stands (its start and end in the text).
    """
    return bool(new_names(text, question, words, near))


def new_names(text: str, question: str, words: Words, near: Callable[[int, int], bool] | None = None) -> list[str]:
    """Return the names a text gives that the question lacks, that are neither an actor a credit names nor the film's.

    near, given, must also hold of where a name stands (its start and end in the text).
    """
    asked = set(content_terms(question))
    given = credits(text)
    # The part played by an actor the question names is the name it asks for, words shared or not ("what's amy adams'
    # character called?": Amy).
    parts = [
        part for part, actor in given
        if CAPITALISED.fullmatch(part) and (set(content_terms(actor)) - set(content_terms(part))) & asked
    ]
    if parts:
        return parts
    actors = {fold(actor) for _, actor in given}
    found = [m for m in CAPITALISED.finditer(text) if " " in m.group(0) or INSIDE.search(text[: m.start()])]
    other = _names_of_the_other_kind(question, words)
    return [
        m.group(0) for m in found
        if not _asked_already(m.group(0), asked) and fold(m.group(0)) not in actors
        and not words.names_the_film.fullmatch(m.group(0)) and not (other and other.fullmatch(m.group(0)))
        and (near is None or near(*m.span()))
    ]


def named_thing(question: str, words: Words) -> tuple[str, ...]:
    """Return the stemmed words for what a name question asks the name of ("dog" of "what's theodore's dog called?"), or ().

    A hyphenated thing is also its last part ("ex-wife": "wife"). A thing too vague to be said beside its name
    ("the guy with the girlfriend", [vague_things]) counts as none.
    """
    folded = fold(question)
    owner = OWNERS_NAME.search(folded)
    if owner is not None and content_terms(owner.group(1)) and not NAME_OF.search(folded[: owner.start()]):
        said = [owner.group(1)]
    else:
        phrase = NAME_OF.search(folded) or CALLED_SO.search(folded)
        if phrase is None:
            return ()
        said = _thing_after_owners(SAID.findall(phrase.group(1)))
    if not said or set(content_terms(said[0])) <= words.vague_things:
        return ()
    parts = [said[0], *said[0].split("-")[1:]]
    return tuple(dict.fromkeys(t for part in parts for t in content_terms(part)))


def _thing_after_owners(said: list[str]) -> list[str]:
    """Return the first word of weight after the owners a phrase opens with ("amy adams' character": "character")."""
    owners = [at for at, word in enumerate(said[:OWNER_REACH]) if word.endswith(("'", "’", "'s", "’s"))]
    after = said[owners[-1] + 1 :] if owners else said
    return [w for w in after if content_terms(w)][:1]


def mentions(text: str, thing: tuple[str, ...]) -> list[tuple[int, int]]:
    """Return where a text says the thing, or a name made of it and a number ("OS1" for "the OS")."""
    return [
        m.span() for m in SAID.finditer(text)
        if any(t == w or (t.startswith(w) and t[len(w) :].isdigit()) for t in content_terms(m.group(0)) for w in thing)
    ]


def names_what_is_asked(text: str, question: str, words: Words, reach: int = POLICY.name_reach) -> bool:
    """Tell whether a text gives a new name within reach words of the thing the question asks the name of.

    "What's the name of theodore's dog?" is not answered by "He works at BeautifulHandwrittenLetters.com", which
    names something, but not a dog, nor "…the ex-wife" by "Samantha's admission that she feels inferior to
    Theodore's ex-wife", which names someone else. Without a thing to look for, any new name answers.
    """
    return bool(names_given(text, question, words, reach))


def names_given(text: str, question: str, words: Words, reach: int = POLICY.name_reach) -> list[str]:
    """Return the new names a text gives within reach words of the thing the question asks the name of, in order."""
    thing = named_thing(question, words)
    if not thing:
        return new_names(text, question, words)
    return [
        name
        for sentence in SENTENCE_END.split(text) if (said := mentions(sentence, thing))
        for name in new_names(sentence, question, words, _within(sentence, said, reach))
    ]


def the_name_given(text: str, question: str, words: Words, reach: int = POLICY.name_reach) -> str | None:
    """Return the one new name a text gives for the thing a name question asks about, or None if it gives none or several.

    A name said just before the thing describes it ("the British philosopher Alan Watts"): another name there is the one
    asked for.
    """
    names = list(dict.fromkeys(names_given(text, question, words, reach)))
    thing = named_thing(question, words)
    if len(names) > 1 and thing:
        names = [name for name in names if not _describes(name, text, thing)]
    return names[0] if len(names) == 1 else None


def _describes(name: str, text: str, thing: tuple[str, ...]) -> bool:
    """Tell whether a name stands just before the thing wherever a text says it, as a word describing it does."""
    after = [text[at + len(name) :].lstrip() for at in (m.start() for m in re.finditer(re.escape(name), text))]
    return bool(after) and all(any(start == 0 for start, _ in mentions(rest, thing)) for rest in after)


def _within(sentence: str, said: list[tuple[int, int]], reach: int) -> Callable[[int, int], bool]:
    """Return a test of whether a name's span stands within reach words of any span of the thing."""

    def near(start: int, end: int) -> bool:
        # Words between the name and the thing, either way round: "the British philosopher Alan Watts" has none.
        return any(len(SAID.findall(sentence[end:a] if a >= end else sentence[b:start])) <= reach for a, b in said)

    return near


def _names_of_the_other_kind(question: str, words: Words) -> re.Pattern[str] | None:
    """Return the names that cannot answer a question asking a woman's name or a man's, or None if it asks neither."""
    hers, his = words.asks_her_name.search(question), words.asks_his_name.search(question)
    if hers and not his:
        return words.called_he
    if his and not hers:
        return words.called_she
    return None


@dataclass(frozen=True)
class AnswerKind:
    """What a question asks for (a number, an age, a name…) and the test a quote must pass to give it."""

    # What a refusal says none of the essays gives (prompts/no_detail.md), as [details] in prompts/words.toml calls
    # it: "a number", "an age", "a name".
    detail: str
    gives: Callable[[str], bool]

    def __call__(self, text: str) -> bool:
        """Tell whether a text gives what the question asks for."""
        return self.gives(text)


def answer_test(question: str, words: Words, policy: Policy = POLICY) -> AnswerKind | None:
    """Return what a quote must say to answer a question asking for a number, a date, a person or a name, or None."""
    reach, called = policy.measure_reach, words.detail
    # "How old was he when he made this?" asks for an age: "when" there only says which age.
    if words.asks_for_an_age.search(question):
        who = aged_person(question, words)
        return AnswerKind(called("age"), lambda text: states_an_age_of(text, who, words, reach, policy.name_reach))
    if words.asks_for_a_size.search(question):
        return AnswerKind(called("measurement"), lambda text: states_a_size(text, words, reach))
    if words.asks_for_a_year.search(question):
        return AnswerKind(called("year"), lambda text: bool(YEAR.search(text)))
    if asks_for_a_sum(question, words):
        return AnswerKind(called("sum"), lambda text: states_a_number(text, words))
    if words.asks_for_a_number.search(question):
        return AnswerKind(called("number"), lambda text: states_a_number(text, words))
    if asks_for_a_date(question, words):
        return AnswerKind(called("date"), lambda text: states_a_date(text, words))
    if asks_for_a_person(question, words) and words.casting_history.search(question):
        # "Who was the original voice of samantha?" is not answered by who the film credits.
        return AnswerKind(called("name"), lambda text: names_someone_uncredited(text, question, words))
    if asks_for_a_person(question, words):
        return AnswerKind(called("name"), lambda text: names_someone_new(text, question, words))
    if asks_for_a_name(question, words):
        return AnswerKind(called("name"), lambda text: names_what_is_asked(text, question, words, policy.name_reach))
    return None


def asks_for_words_said(question: str, words: Words) -> bool:
    """Tell whether a question asks what someone said ("what line does samantha say when…")."""
    return bool(words.asks_for_words_said.search(words.not_words_said.sub(" ", question)))


def quotes_someone(text: str) -> bool:
    """Tell whether a text gives someone's words: a quotation, or a speaker's turn in a transcript."""
    return bool(quote_spans(text) or TURN.search(text) or PART_QUOTED.search(text.strip()))
