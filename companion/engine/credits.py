"""Credits: the answer to a who-plays or who-made question, read word for word from a quote as film writing credits it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from companion.engine.grammar import ASKING, AUXILIARY, LEAD_IN
from companion.text import WORD, content_terms, fold, stemmed_words, weighty_terms
from companion.words import Words

_NAME = r"[A-Z][\w’'.-]+"
_NAMES = rf"{_NAME}(?:\s+{_NAME})+"
_WORD = r"[\w’'-]+"
# A character named with the actor in parentheses: "Theodore Twombly (Joaquin Phoenix)", "his wife (Rooney Mara)".
CREDIT = re.compile(rf"({_WORD}(?:\s+{_WORD})?)\s*\(({_NAMES})\)")
# A character named as the actor's: "Amy Adams’ conveniently named character Amy", "Joaquin Phoenix's character, Theodore".
# The actor is the two capitalised words before the possessive: a sentence may open just before them ("Take Amy Adams’").
ACTORS_CHARACTER = re.compile(rf"({_NAME}\s+{_NAME})[’']s?\s+(?:[\w-]+\s+){{0,3}}?character,?\s+({_NAME}(?:\s+{_NAME})?)")
# A character with the actor named after: "Samantha, played by Scarlett Johansson", "Amy (played by Amy Adams)",
# "Samantha (whose voice is rendered by Scarlett Johansson…)".
PLAYED_BY = re.compile(rf"({_NAME}(?:\s+{_NAME})?),?\s+\(?(?:played|voiced|whose voice is \w+) by\s+({_NAMES})")
# A film named as its maker's: "Paul Thomas Anderson’s The Master".
POSSESSIVE = re.compile(rf"({_NAMES})[’']s\s+(?=(\S[^.;!?]*))")
# How a question may open before its "who" ("so who is…", "ok who's…").
_OPENING = rf"^\W*(?:{LEAD_IN}\W+)*"
OPENING = re.compile(_OPENING)
# "Who is Samantha?", "who's amy in the movie": someone asked after by name, and nothing else about them.
WHO_IS = re.compile(_OPENING + r"who(?:'s|’s|s|\s+is|\s+was)\s+(.*)$")
# "Who does amy adams play?", "what part does rooney mara play in it?": who an actor is in the film, asked the other
# way round. An actor's name is a word to three ("what does amy do in the game she plays?" names none).
WHO_DOES_PLAY = re.compile(
    _OPENING + r"(?:who|what|which)(?:\s+(?:part|parts|role|roles|character|characters))?\s+(?:does|did|is|was)\s+"
    r"((?:\S+\s+){0,2}?\S+)\s+(?:play|plays|playing|voice|voices|voicing|portray|portraying)\b(.*)$"
)
# "Who are the main characters?": the same, asked of several.
WHO_ARE = re.compile(_OPENING + r"who(?:'s|’s|s|\s+is|\s+was|\s+are|\s+were|re|'re|’re)\s+(.*)$")
# What opens a question asking who plays a part it names before the cue ("who's theodore played by?").
PASSIVE_ASKER = re.compile(_OPENING + r"who(?:'s|’s|s)?\b", re.IGNORECASE)
# A follow-up searched after the question it leans on ("who is amy? and samantha?") asks the same of its own name;
# the last one counts.
_TURNING = r"(?:and|what about|how about|then)"
AND_THEN = re.compile(rf".*[?.!,;]\s*{_TURNING}\s+(.*)$")
# Words opening a question about something other than who someone is.
_OPENS = rf"(?:(?!who){ASKING}|{AUXILIARY})\b"
# A message's sentences, and a sentence that asks something: a question mark, or a question's opening word.
SENTENCE = re.compile(r"[^?.!;]+[?.!;]*")
CLAUSE_END = re.compile(r"[?.!;]")
ASKS = re.compile(rf"\?\s*$|^\W*(?:{ASKING}|{AUXILIARY})\b", re.I)
# A later sentence turning the question before it to something else ("and samantha?", "what about amy?").
TURN = re.compile(rf"^\W*{_TURNING}\b")
# Where a question asking after several parts passes to the next: "theodore and amy", "theodore, amy and samantha".
JOINED = re.compile(r"\s*(?:,|&|\band\b|\bplus\b)\s*")
# A part after the first that asks something else ("who plays theodore and what is his job?").
OTHER_QUESTION = re.compile(_OPENS)
# The film's own director named by role: "Writer/Director Spike Jonze", "directed by Spike Jonze".
ROLE = re.compile(rf"\b((?:[Ww]riter/)?[Dd]irector|[Dd]irected by)\s+({_NAMES})")
# Its writer named by role: "Writer/Director Spike Jonze", "written and directed by Spike Jonze", "screenplay by".
WRITER = re.compile(rf"\b((?:[Ss]creen)?[Ww]riter(?:/[Dd]irector)?|[Ww]ritten (?:and directed )?by|[Ss]creenplay by)\s+({_NAMES})")


@dataclass(frozen=True)
class Credit:
    """Who a quote credits, and the words of the quote that credit them."""

    name: str
    credit: str


def credited_people(texts: Iterable[str]) -> frozenset[str]:
    """Return the folded names texts credit: actors, the parts they play, and the film's makers ("Spike Jonze")."""
    return frozenset(
        fold(name) for text in texts
        for name in [name for credit in credits(text) for name in credit]
        + [m.group(2) for pattern in (ROLE, WRITER) for m in pattern.finditer(text)]
    )


def among_credited(name: str, credited: frozenset[str] | set[str]) -> bool:
    """Tell whether a name holds one of the folded names credited: a title read into it stays outside ("Director Spike Jonze")."""
    folded = fold(name)
    return any(person in folded for person in credited)


def credits(text: str) -> list[tuple[str, str]]:
    """Return the (character, actor) pairs a sentence credits, in the ways film writing credits them."""
    found = [(m.start(), m.group(1), m.group(2)) for pattern in (CREDIT, PLAYED_BY) for m in pattern.finditer(text)]
    found += [(m.start(), m.group(2), m.group(1)) for m in ACTORS_CHARACTER.finditer(text)]
    return [(character, actor) for _, character, actor in sorted(found)]


def asked_character(question: str, words: Words) -> str | None:
    """Return the word naming the first character a cast question asks about (see asked_characters)."""
    return next(iter(asked_characters(question, words)), None)


def asked_characters(question: str, words: Words) -> tuple[str, ...]:
    """Return the words naming each character a cast question asks about: the first after its cue that is no modifier.

    "who plays theo's ex wife?" asks about the wife, "who plays the girl theodore meets?" about the girl, and
    "which actor turned down the role of theodore?" about nobody a credit names. Parts joined by "and" or a comma
    are asked about each: "who plays theodore and amy?", "who plays theodore and who plays amy?". A follow-up
    searched after it asks the same of its own words: "who plays theodore? and amy?" about amy alone. A compound
    is read part by part, as its parts are written apart: "his ex-wife" asks about the wife as "his ex wife" does.
    """
    cue = words.asks_for_cast.search(question)
    if cue is None:
        return ()
    asked = question[cue.end() :]
    if fold(cue.group(0)).endswith(" by") and not weighty_terms(CLAUSE_END.split(asked, maxsplit=1)[0]) - words.chatter:
        # "who is theodore played by?", "samantha is voiced by who", "amy is played by who again? the neighbour": the
        # part comes before a passive cue (what follows its sentence only describes it).
        asked = PASSIVE_ASKER.sub("", question[: cue.start()])
    then = AND_THEN.match(fold(asked))
    parts = [then.group(1)] if then else JOINED.split(fold(asked))
    found: list[str] = []
    for at, part in enumerate(parts):
        # "who plays theodore and what is his job?" goes on to ask something else.
        if at and OTHER_QUESTION.match(part):
            break
        character = _named_first(part, words)
        if character is not None and character not in found:
            found.append(character)
    return tuple(found)


def _asking(question: str) -> str:
    """Return what of a message a credit question is read from: the whole, or the last sentence asking anew.

    A follow-up is searched after the question it leans on. "who is amy? and samantha?" turns the first question
    to Samantha and is read whole, as is "who plays theodore? i forgot"; "who is amy? what does she do?" asks
    what its last sentence asks, not who Amy is again.
    """
    later = [s for s in SENTENCE.findall(question)[1:] if ASKS.search(s)]
    if not later or TURN.match(fold(later[-1])):
        return question
    return later[-1].strip()


def _named_first(part: str, words: Words) -> str | None:
    """Return the first word of a phrase that names a character rather than modifies one, if any."""
    # A sentence after the question only describes whom it asks about ("…amy's ex? the one who leaves her").
    said = [piece for compound in WORD.findall(CLAUSE_END.split(part, maxsplit=1)[0]) for piece in compound.split("-")]
    owned = False
    owned_role = None
    for at, word in enumerate(said):
        terms = content_terms(word)
        owner = _owner(word, said[at + 1 : at + 2])
        if owned and owned_role is None and terms and not owner:
            owned_role = terms[0]
        owned = owned or owner
        if owner or not terms or terms[0] in words.before_the_character:
            continue
        # "amy's os" is not the one called the OS, nor is "the OS1 setup guy".
        return (None if owned or _someone_else(said[at:], words) else also_called(said[at:], words)) or terms[0]
    # "Who was cast as amy's ex?" asks about the one she owns, though "ex" only comes before a part in "theo's ex wife".
    return owned_role


def _someone_else(said: list[str], words: Words) -> bool:
    """Tell whether a phrase's first words describe a person other than what they start with ("os1 setup guy")."""
    return any(word in words.someone for word in said[1:3])


def _owner(word: str, after: list[str]) -> bool:
    """Tell whether a word is a possessive: "theo's", or "theodores" typed without its apostrophe before a noun."""
    if word.endswith("'s"):
        return True
    # "who plays theodores wife?" asks about the wife; "the os and theodore", "the actress", "was cast" own nothing.
    return (
        word.endswith("s") and not word.endswith("ss") and bool(content_terms(word)) and bool(after)
        and bool(content_terms(after[0]))
    )


def also_called(said: list[str], words: Words) -> str | None:
    """Return the name that the words opening a question's phrase stand for ("operating system": samantha), if any."""
    return next((name for other, name in words.also_called if tuple(said[: len(other)]) == other), None)


def calls(word: str, name: str) -> bool:
    """Tell whether a word a question uses names someone: one of their names, or its start ("theo": Theodore)."""
    return any(term == word or (len(word) >= 3 and term.startswith(word)) for term in content_terms(name))


def asked_who_is(question: str, words: Words) -> frozenset[str] | None:
    """Return the name a who-is question asks after ("who is samantha?" asks after samantha), as folded words.

    A name is one or two words of weight once the words for the film and chatter are set aside ("in the
    movie", "lol"); "who is theodore's ex wife?" asks after someone it does not name, so it gives None, and "who
    was the casting director?" after whoever did a job ([asks_for_crew]), not someone the essays call that.
    """
    folded = fold(question).replace("’", "'")
    if words.asks_for_crew.search(folded):
        return None
    plays = WHO_DOES_PLAY.match(folded)
    asked = WHO_IS.match(folded)
    if plays is not None:
        after = f"{plays.group(1)} {plays.group(2)}"
    elif asked is not None:
        after = asked.group(1)
    else:
        # "tell me about amy" asks it too.
        cue = words.asks_about_someone.match(folded, OPENING.match(folded).end())
        if cue is None:
            return None
        after = folded[cue.end() :]
    then = AND_THEN.search(after)
    said = then.group(1) if then else after
    name = weighty_terms(said) - words.about_the_essays - words.chatter
    if "'s" in said or not 1 <= len(name) <= 2:
        return None
    # "who is the os?" asks after Samantha.
    called = next((c for other, c in words.also_called if weighty_terms(" ".join(other)) == name), None)
    return frozenset({called} if called else name)


def asks_for_the_leads(question: str, words: Words) -> bool:
    """Tell whether a question asks who the film's leads are, in words for a lead alone ("who's the main character?")."""
    asked = WHO_ARE.match(fold(question).replace("’", "'"))
    if asked is None:
        return False
    # "The main critic" asks after a writer, not a part.
    if set(stemmed_words(asked.group(1))) & words.names_an_essay:
        return False
    said = set(weighty_terms(asked.group(1))) - words.about_the_essays - words.chatter
    lead = words.the_whole_cast - words.about_the_essays
    return bool(said & lead) and said <= words.the_whole_cast | words.a_part


@dataclass(frozen=True)
class Work:
    """The film a who-made question asks about, folded ("the master"), and whether it asks who wrote it."""

    name: str
    writing: bool = False
    # The film asked about is this one: named as the film ("who directed her?"), or not named ("who wrote it?").
    itself: bool = False


def asked_work(question: str, words: Words) -> Work | None:
    """Return the film a who-made or who-wrote question asks about, or None if it asks no such thing.

    Asked with no film after it ("who is the director?", "who wrote the script?"), it asks about this one.
    """
    cue = words.asks_who_wrote.search(question)
    writing = cue is not None
    cue = cue or words.asks_who_made.search(question)
    if cue is None:
        return None
    name = " ".join(WORD.findall(fold(question[cue.end() :])))
    of = words.writing_of_a_film.match(name) if writing else None
    name = name[of.end() :].strip() if of else name
    return Work(name, writing, not name or bool(words.the_film_itself.fullmatch(name)))


@dataclass(frozen=True)
class CreditQuestion:
    """A who-plays, who-is or who-made question read once, to be matched against many quotes."""

    # Who is in the film, naming no part ("who's in it?").
    cast: bool
    # The characters a cast question asks about, in the order asked ("who plays theo's ex wife?": wife).
    characters: tuple[str, ...]
    # The name a who-is question asks after, as folded words.
    who_is: frozenset[str] | None
    work: Work | None
    # The question's own words: an actor or maker it names is not the answer to it.
    terms: frozenset[str]

    @property
    def asks(self) -> bool:
        """Tell whether the question asks who plays someone, who is in the film, who someone is, or who made a film."""
        return self.cast or bool(self.characters) or any(asked is not None for asked in (self.who_is, self.work))

    @property
    def credit_alone(self) -> bool:
        """Tell whether a credit answers by itself: asked who plays a part or made the film, not who someone is.

        Asked who someone is, what the sentences beside the credit go on to say about them is the rest of the answer.
        """
        return self.who_is is None

    def parts(self) -> tuple[CreditQuestion, ...]:
        """Return the question asked of each character it names apart ("who plays theodore and amy?"), else itself."""
        if len(self.characters) < 2:
            return (self,)
        return tuple(replace(self, characters=(character,)) for character in self.characters)

    def credited(self, text: str) -> tuple[str, str] | None:
        """Return the (character, actor) a quote credits for a question asking who plays that character, if any.

        An actor the question already names is not the answer to it ("who was cast before Scarlett Johansson?"),
        though an actor may share a name with the character asked about (Amy Adams plays Amy).
        """
        if not self.characters:
            return None
        asked = self.terms - set(self.characters)
        return next(
            (
                (c, a) for c, a in credits(text)
                if any(calls(character, c) for character in self.characters) and not set(content_terms(a)) & asked
            ),
            None,
        )

    def introduced(self, text: str) -> tuple[str, str] | None:
        """Return the (character, actor) a quote credits for a question asking who someone it names is.

        Film writing brings a character in with the actor's name ("Samantha (Scarlett Johansson) sees the
        world…"): for "who is samantha?" that is the sentence a reader meets her in, and for "who is joaquin
        phoenix?" the one naming his part.
        """
        name = self.who_is
        if name is None:
            return None
        return next(
            ((c, a) for c, a in credits(text) if all(calls(n, c) for n in name) or all(calls(n, a) for n in name)),
            None,
        )

    def made_by(self, text: str) -> Credit | None:
        """Return the maker a quote credits for a question asking who made (or wrote) a film, if it does.

        Another film counts when the quote names it as its maker's ("Paul Thomas Anderson’s The Master"); this
        one when the quote gives its director's role ("Writer/Director Spike Jonze"), or its writer's for who
        wrote it.
        """
        work = self.work
        if work is None:
            return None
        if work.itself:
            role = WRITER if work.writing else ROLE
            found = [(m.group(2), m.group(0)) for m in role.finditer(text)]
        else:
            size = len(work.name.split())
            found = [
                (m.group(1), f"{m.group(1)}’s {' '.join(m.group(2).split()[:size]).rstrip(',;:')}")
                for m in POSSESSIVE.finditer(text)
                if (" ".join(WORD.findall(fold(m.group(2)))) + " ").startswith(work.name + " ")
            ]
        return next((Credit(name, credit) for name, credit in found if not set(content_terms(name)) & self.terms), None)

    @property
    def another_work(self) -> bool:
        """Tell whether the question asks who made or wrote a film other than this one."""
        return self.work is not None and not self.work.itself

    def names_a_maker(self, text: str) -> bool:
        """Tell whether a text gives someone the question does not name as a work's maker ("Charlie Kaufman’s script")."""
        return any(not set(content_terms(m.group(1))) & self.terms for m in POSSESSIVE.finditer(text))

    def answered_by(self, text: str) -> bool:
        """Tell whether a text credits, as film writing does, the actor or maker the question asks for."""
        if self.cast:
            return bool(credits(text))
        return bool(self.credited(text) or self.introduced(text) or self.made_by(text))


def read_credit_question(question: str, words: Words) -> CreditQuestion:
    """Read what a question asks a credit for: the whole cast, a character, someone by name, or a film's maker."""
    # "…the character, not the actress" asks for the part's name, not who plays it.
    question = words.not_the_actor.sub(" ", _asking(question))
    characters = asked_characters(question, words)
    cast = bool(words.asks_for_cast.search(question)) and not words.opinion.search(question) and (
        not characters or characters[0] in words.the_whole_cast) or asks_for_the_leads(question, words)
    return CreditQuestion(
        cast, characters, asked_who_is(question, words), asked_work(question, words),
        frozenset(content_terms(question)),
    )
