"""Answer kinds: a question asking for a number, an age, a size, a date or a name is answered only by a quote giving one.

So is one asking after what critics' essays leave out (prizes, where it was filmed, its age rating, where to watch it, its music),
by a quote saying so.

One asking what someone said is answered first by a quote giving their words, when one is likely enough.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from companion.engine.compared import names_another_work
from companion.engine.given import names_what_is_asked
from companion.engine.names import asks_for_a_name, mentions, names_anyone, names_someone_new, names_someone_uncredited, within
from companion.engine.jobs import job_owner, says_the_job
from companion.engine.kinds import asks_for_a_named_kind, asks_where_someone_is, gives_the_kind, names_a_place
from companion.policy import POLICY, Policy
from companion.text import SENTENCE_END, content_terms, fold, quote_spans, stemmed_words
from companion.words import Words

# A numeral standing as a number ("8,316", "3", "1950s"), not inside a name ("OS1").
NUMERAL = re.compile(r"\b\d")
# A sum in a currency's sign ("$20", "£1.5m").
CURRENCY = re.compile(r"[$£€¥]\s?\d")
# A whole number in figures, as her first line may repeat it ("8,316", "2.5"): not "1950s", which NUMERAL counts.
FIGURE = re.compile(r"\b\d+(?:[.,]\d+)*\b")
# A year ("2013", "the 1950s").
YEAR = re.compile(r"\b(?:1[89]|20)\d\d(?:s|’s|'s)?\b")
# A number standing by itself at the end of a clause, as an age is said ("you're 20, and", "he was 39.").
BARE_NUMBER = re.compile(r"\s+(\d{1,3}|[a-z]+)(?=[,.;:!?)]|\s*$)", re.IGNORECASE)
# Whom an age question asks about: what follows "how old is" up to the clause saying when ("how old was joaquin
# phoenix when he made this": joaquin phoenix).
AGE_OF = re.compile(
    r"\b(?:how old|what age)\s+(?:(?:is|was|are|were|does|did|will)\s+)?(.+?)"
    r"(?=\s+(?:in|when|at|during|while|by|for|playing|get|gets|got|turn|turns|be|now)\b|[?.!,;]|$)"
)
# A speaker's turn inside a transcript quoted in an essay ("…we're talking? Samantha: Yes.").
# Only where a sentence could start: "from Interview Magazine: Nicole Holofcener chats with…" is a heading's colon.
TURN = re.compile(r"(?:^|[.!?…][\"”’]?\s+)[A-Z][a-z]+: \S")
# The sides of the film a topic test reads (topic_test), in the order it reads them.
TOPICS = ("award", "rating", "score", "watching", "box_office", "filming", "music", "family")
# The asker's own family ("i watched it with my sister") is no one's in the film.
THEIR_OWN = re.compile(r"\b(?:my|our|me and my|with my)\s+(?:little\s+|big\s+|older\s+|younger\s+)?\w+", re.IGNORECASE)
# Asked where (or at which location, or whether in a place: "was it shot in LA?") it was filmed.
WHERE = re.compile(r"\b(?:where|wh?ich locations?|what locations?|(?:filmed|shot)\s+(?:in|at))\b", re.IGNORECASE)
# A word of a message, as the words before another are read.
A_WORD = re.compile(r"[\w'’]+")
# A pronoun before a verb of speaking says someone speaks.
SPEAKER = re.compile(r"\b(?:he|she|they|i)\b", re.IGNORECASE)
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
    """Tell whether a question asks when something happened that has a date: a birth, a release, a premiere.

    A "when" just after a moment of the film tells which one ("at the end when they say farewell… what is that
    shot?"), as such a "where" does.
    """
    asks = any(not _tells_the_moment(question, match, words) for match in words.asks_when.finditer(question))
    return asks and bool(words.dated_events.search(question))


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
        if not said and not names_anyone(sentence):
            return True
        near = within(sentence, said, name_reach)
        if said and any(near(*age) for age in ages):
            return True
    return False


def aged_person(question: str, words: Words) -> tuple[str, ...]:
    """Return the stemmed words naming whom an age question asks about ("amy" of "how old is amy in the movie?"), or ().

    A writer's age counts from any age given: the essays speak of their writers as "I" and "you". A vague word for
    someone ("the guy", [vague_things]) is no name to look for.
    """
    asked = AGE_OF.search(fold(question))
    if asked is None:
        return ()
    who = content_terms(asked.group(1))
    if set(who) & (words.the_writers | words.about_the_essays):
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


def states_a_sum(text: str, words: Words, reach: int = POLICY.measure_reach) -> bool:
    """Tell whether a text gives a sum of money: a figure in a currency, or a number beside a word of money.

    "How much do people pay for one of his letters?" is not answered by "the thousands of love letters he's written".
    """
    return bool(CURRENCY.search(text) or _beside_a_number(text, words.amounts, words, reach))


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


@dataclass(frozen=True)
class AnswerKind:
    """What a question asks for (a number, an age, a name…) and the test a quote must pass to give it."""

    # What a refusal says none of the essays gives (prompts/no_detail.md), as [details] in prompts/words.toml calls
    # it: "a number", "an age", "a name".
    detail: str
    gives: Callable[[str], bool]
    # How likely the first sentence giving it must be to be quoted (Policy.kind_chance when None).
    chance: float | None = None

    def __call__(self, text: str) -> bool:
        """Tell whether a text gives what the question asks for."""
        return self.gives(text)


def answer_test(question: str, words: Words, policy: Policy = POLICY, known: frozenset[str] = frozenset()) -> AnswerKind | None:
    """Return what a quote must say to answer a question asking for a number, a date, a name or another detail, or None.

    known: the folded names the essays credit with a part or the film's making, none of them who did another job.
    """
    reach, called = policy.measure_reach, words.detail
    # "…the character, not the actress" asks for the part's name.
    question = words.not_the_actor.sub(" ", question)
    # "How old was he when he made this?" asks for an age: "when" there only says which age.
    if words.asks_for_an_age.search(question):
        who = aged_person(question, words)
        return AnswerKind(called("age"), lambda text: states_an_age_of(text, who, words, reach, policy.name_reach))
    if words.asks_for_a_size.search(question):
        return AnswerKind(called("measurement"), lambda text: states_a_size(text, words, reach))
    if words.asks_for_a_year.search(question):
        return AnswerKind(called("year"), lambda text: bool(YEAR.search(text)))
    if asks_for_a_sum(question, words):
        return AnswerKind(called("sum"), lambda text: states_a_sum(text, words, reach))
    if words.asks_for_a_number.search(question):
        if (family := topic_test(question, words, ("family",))) is not None:
            # "How many brothers and sisters does amy have?" is not answered by "two characters".
            return AnswerKind(family.detail, lambda text: states_a_number(text, words) and family(text))
        if words.durations.search(question):
            # "How many years has he worked there?" is not answered by "thousands of love letters".
            return AnswerKind(called("number"), lambda text: _counts_time(text, words))
        return AnswerKind(called("number"), lambda text: states_a_number(text, words))
    if words.asks_how_long.search(question):
        if any(_words_before(question, m.start(), 1) == "in" for m in words.durations.finditer(question)):
            # "How long was the shoot, in days?" asks a count of them, as "how many days" does: "a few weeks" is none.
            return AnswerKind(called("number"), lambda text: _counts_time(text, words))
        return AnswerKind(called("duration"), lambda text: bool(words.durations.search(text)))
    if asks_for_a_date(question, words):
        return AnswerKind(called("date"), lambda text: states_a_date(text, words))
    topic = topic_test(question, words, ("award", "rating", "watching", "box_office"))
    if topic is not None:
        return topic
    if words.asks_for_a_colour.search(question):
        return AnswerKind(called("colour"), lambda text: bool(words.colours.search(text)))
    if (topic := topic_test(question, words, ("filming",))) is not None:
        return topic
    if asks_for_a_person(question, words) and (words.casting_history.search(question) or not words.asks_for_cast.search(question)):
        # "Who was the original voice of samantha?" is not answered by who the film credits, nor "who designed the
        # costumes?" by an actor credited with a part ("whose voice is rendered by Scarlett Johansson").
        return AnswerKind(called("name"), lambda text: names_someone_uncredited(text, question, words, known))
    if asks_for_a_person(question, words):
        return AnswerKind(called("name"), lambda text: names_someone_new(text, question, words))
    if asks_for_a_name(question, words):
        return AnswerKind(called("name"), lambda text: names_what_is_asked(text, question, words, policy.name_reach))
    other_work = bool(words.asks_for_other_work.search(question))
    if asks_for_a_named_kind(question, words):
        # "What other movies has spike jonze directed?" is not answered by "Writer/Director Spike Jonze…", a name all the same.
        return AnswerKind(
            called("name"),
            lambda text: gives_the_kind(text, question, words) and (not other_work or names_another_work(text, question, words, known)),
        )
    if other_work:
        return AnswerKind(called("other_work"), lambda text: names_another_work(text, question, words, known))
    if asks_where_someone_is(question, words):
        return AnswerKind(called("place"), lambda text: names_a_place(text, question, words))
    owner = job_owner(question, words)
    if owner is not None:
        chance = policy.job_chance if owner else None
        return AnswerKind(called("job"), lambda text: says_the_job(text, owner, words), chance)
    # Last, as "which song is it?" asks a song's name, not only a word about songs ("This song is everything"), and
    # "what's the mom video game amy is designing called?" the game's.
    return topic_test(question, words, ("music", "family"))


def _counts_time(text: str, words: Words) -> bool:
    """Tell whether a text gives a number and a word for a length of time ("three years", "40 days")."""
    return states_a_number(text, words) and bool(words.durations.search(text))


def topic_test(question: str, words: Words, kinds: Sequence[str] = TOPICS) -> AnswerKind | None:
    """Return what a quote must speak of when a question asks about a side of the film the essays may never touch.

    Prizes, the age rating, a score, where to watch it, its box office, its music, where it was filmed, someone's family (of
    kinds, in order):
    the critics write about the film, and the sentence nearest "did her win any oscars?" praises it, reading as a
    yes. A view asked of one of these needs a sentence speaking of it as much as a fact does.
    """
    said_by = {
        "award": words.awards, "rating": words.content_ratings, "score": words.scores, "watching": words.where_to_watch,
        "box_office": words.box_office, "music": words.music, "filming": words.filming, "family": words.family,
    }
    for kind in kinds:
        said = said_by[kind]
        asked = THEIR_OWN.sub(" ", question) if kind == "family" else question
        if said.search(asked) and (kind != "filming" or _asks_where(question, words)):
            return AnswerKind(words.detail(kind), lambda text, said=said: bool(said.search(text)))
    return None


def _asks_where(question: str, words: Words) -> bool:
    """Tell whether a message asks where, not which moment it means ("the scene where…", [moments])."""
    return any(not _tells_the_moment(question, match, words) for match in WHERE.finditer(question))


def _tells_the_moment(question: str, match: re.Match[str], words: Words) -> bool:
    """Tell whether a "where" or "when" of a message opens a clause saying which moment a word before it means."""
    return match.group(0).casefold() in ("where", "when") and bool(
        words.moments.intersection(stemmed_words(_words_before(question, match.start(), 1)))
    )


def _words_before(question: str, at: int, count: int) -> str:
    """Return the few words of a message just before a place in it, folded."""
    return fold(" ".join(A_WORD.findall(question[:at])[-count:]))


def asks_for_words_said(question: str, words: Words) -> bool:
    """Tell whether a question asks what someone said ("what line does samantha say when…")."""
    return bool(words.asks_for_words_said.search(words.not_words_said.sub(" ", question)))


def the_essays_say(question: str, words: Words, named: bool = False) -> bool:
    """Tell whether a message gives its words to an essay or its writer ("one of the reviews says…, what's the exact line").

    Then the line asked for is the essay's own sentence, not someone's it quotes: a word for the essays or their writers
    stands at most two words before a verb of speaking. named: the message names an essay, so an everyday word for a
    person is its writer ("the techno lonely guy calls jonze a what").
    """
    writers = words.names_an_essay | words.the_writers | (words.someone if named else frozenset())
    return any(
        writers.intersection(stemmed_words(_words_before(question, said.start(), 3)))
        for said in words.speaking.finditer(question)
    )


def someone_speaks(question: str, words: Words) -> bool:
    """Tell whether a message asks for what someone it names says: a person or "he", "she", "they" just before a verb of speaking.

    "whats the exact line samantha says when she leaves" asks for Samantha's words; "right after calling her his fav
    movie of all time the medium writer adds a super short sentence. word for word pls" asks for the essay's own.
    """
    before = [_words_before(question, said.start(), 2) for said in words.speaking.finditer(question)]
    return any(words.called_she.search(b) or words.called_he.search(b) or SPEAKER.search(b) for b in before)


def quotes_someone(text: str) -> bool:
    """Tell whether a text gives someone's words: a quotation, or a speaker's turn in a transcript."""
    return bool(quote_spans(text) or TURN.search(text) or PART_QUOTED.search(text.strip()))
