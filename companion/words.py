"""Load the film-specific word lists from prompts/words.toml, checked the way the prompts are."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from companion.errors import PromptError
from companion.text import WORD, content_terms, fold, stemmed_words

FILENAME = "words.toml"
# list name -> used as a pattern (matched in text), as a set of content words (compared after stemming), or as a
# set of every word, the common ones too ("who", "are", "the"), compared after stemming
PATTERNS = (
    "ending", "asks_for_ending", "opinion", "framing_claims", "releases_spoilers", "framing_shapes", "asks_for_cast",
    "says_what_the_film_is", "asks_who_made", "asks_who_wrote", "writing_of_a_film", "the_film_itself",
    "asks_for_a_number", "asks_for_a_year", "asks_for_an_age", "ages", "before_an_age", "asks_for_a_size", "sizes", "asks_for_an_amount",
    "amounts", "number_words", "asks_for_crew", "asks_when", "dated_events", "months", "asks_for_words_said",
    "not_an_opinion",
    "asks_about_someone", "not_words_said", "called_she", "called_he", "casting_history", "asks_for_a_name",
    "asks_her_name", "asks_his_name", "disputes", "awards", "filming", "content_ratings", "scores", "where_to_watch",
    "not_the_actor",
    "box_office", "asks_for_a_colour", "colours", "asks_where_someone_is", "asks_for_a_job", "asks_how_an_essay_ends",
    "asks_how_an_essay_opens",
    "asks_for_exact_words", "music", "compares_with", "asks_why", "gives_a_reason", "asks_how_long", "durations",
    "asks_for_other_work", "family", "speaking", "discussing",
)
LEXICONS = (
    "warm", "cool", "chatter", "about_the_essays", "film_as_a_whole", "before_the_character", "asks_for_a_verdict",
    "the_whole_cast", "a_part", "people_in_general", "reactions", "glad", "fillers",
    "vague_things", "about_a_writer",
)
WORD_SETS = (
    "names_an_essay", "about_the_library", "before_a_topic", "the_writers", "someone", "named_kinds", "described_kinds",
    "a_kind_of", "jobs", "moments", "sets_against",
)
# Lists of whole sentences, kept as written: examples compared by meaning.
SENTENCES = ("verdicts",)
# Patterns matched with case as written: the film's title is also a pronoun ("Her" the film, "her" Samantha).
CASED_PATTERNS = ("names_the_film",)
# Tables of a name and what else it is called (`samantha = ["os", "operating system", …]`), kept as folded words.
ALIASES = ("also_called", "short_forms", "chat_spellings")
# A table naming each kind of detail a question may ask for, as a refusal says it lacks one (`age = "an age"`).
DETAILS = "details"
DETAIL_KINDS = (
    "number", "year", "age", "measurement", "sum", "date", "name", "place", "colour", "award", "filming", "rating", "score", "watching",
    "box_office", "job", "ending", "opening", "words", "music", "comparison", "duration", "credited", "claim", "other_work", "family",
)


@dataclass(frozen=True)
class Words:
    """The word lists, ready to match: phrases as patterns, lexicons as sets of stemmed words."""

    ending: re.Pattern[str]
    asks_for_ending: re.Pattern[str]
    opinion: re.Pattern[str]
    framing_claims: re.Pattern[str]
    framing_shapes: re.Pattern[str]
    releases_spoilers: re.Pattern[str]
    asks_for_cast: re.Pattern[str]
    says_what_the_film_is: re.Pattern[str]
    asks_who_made: re.Pattern[str]
    asks_who_wrote: re.Pattern[str]
    writing_of_a_film: re.Pattern[str]
    the_film_itself: re.Pattern[str]
    asks_for_a_number: re.Pattern[str]
    asks_for_a_year: re.Pattern[str]
    asks_for_an_age: re.Pattern[str]
    ages: re.Pattern[str]
    before_an_age: re.Pattern[str]
    asks_for_a_size: re.Pattern[str]
    sizes: re.Pattern[str]
    asks_for_an_amount: re.Pattern[str]
    amounts: re.Pattern[str]
    number_words: re.Pattern[str]
    asks_for_crew: re.Pattern[str]
    asks_when: re.Pattern[str]
    dated_events: re.Pattern[str]
    months: re.Pattern[str]
    asks_for_words_said: re.Pattern[str]
    speaking: re.Pattern[str]
    discussing: re.Pattern[str]
    asks_for_exact_words: re.Pattern[str]
    compares_with: re.Pattern[str]
    asks_why: re.Pattern[str]
    gives_a_reason: re.Pattern[str]
    asks_how_long: re.Pattern[str]
    durations: re.Pattern[str]
    asks_for_other_work: re.Pattern[str]
    family: re.Pattern[str]
    music: re.Pattern[str]
    not_an_opinion: re.Pattern[str]
    asks_about_someone: re.Pattern[str]
    not_words_said: re.Pattern[str]
    called_she: re.Pattern[str]
    called_he: re.Pattern[str]
    casting_history: re.Pattern[str]
    asks_for_a_name: re.Pattern[str]
    asks_her_name: re.Pattern[str]
    asks_his_name: re.Pattern[str]
    disputes: re.Pattern[str]
    awards: re.Pattern[str]
    filming: re.Pattern[str]
    content_ratings: re.Pattern[str]
    scores: re.Pattern[str]
    where_to_watch: re.Pattern[str]
    box_office: re.Pattern[str]
    asks_for_a_colour: re.Pattern[str]
    colours: re.Pattern[str]
    asks_where_someone_is: re.Pattern[str]
    asks_for_a_job: re.Pattern[str]
    asks_how_an_essay_ends: re.Pattern[str]
    asks_how_an_essay_opens: re.Pattern[str]
    not_the_actor: re.Pattern[str]
    warm: frozenset[str]
    cool: frozenset[str]
    chatter: frozenset[str]
    about_the_essays: frozenset[str]
    film_as_a_whole: frozenset[str]
    before_the_character: frozenset[str]
    asks_for_a_verdict: frozenset[str]
    the_whole_cast: frozenset[str]
    a_part: frozenset[str]
    people_in_general: frozenset[str]
    reactions: frozenset[str]
    glad: frozenset[str]
    fillers: frozenset[str]
    vague_things: frozenset[str]
    about_a_writer: frozenset[str]
    names_an_essay: frozenset[str]
    about_the_library: frozenset[str]
    before_a_topic: frozenset[str]
    the_writers: frozenset[str]
    someone: frozenset[str]
    moments: frozenset[str]
    sets_against: frozenset[str]
    named_kinds: frozenset[str]
    described_kinds: frozenset[str]
    a_kind_of: frozenset[str]
    jobs: frozenset[str]
    verdicts: tuple[str, ...]
    names_the_film: re.Pattern[str]
    # Each other name, as folded words, with the name it stands for; the longest first.
    also_called: tuple[tuple[tuple[str, ...], str], ...]
    short_forms: tuple[tuple[tuple[str, ...], str], ...]
    chat_spellings: tuple[tuple[tuple[str, ...], str], ...]
    # Each kind of detail (DETAIL_KINDS) with what a refusal calls it: ("age", "an age").
    details: tuple[tuple[str, str], ...]

    def detail(self, kind: str) -> str:
        """Return what a refusal calls a kind of detail ("an age")."""
        return dict(self.details)[kind]


def _phrase(entry: str, cased: bool = False) -> str:
    """Turn one listed phrase into a pattern: literal words, a trailing * for any ending."""
    stem = entry.removesuffix("*")
    # People type "who's" as "who’s" (smart quotes) or "whos" (chat): an apostrophe listed matches either or none.
    parts = (re.escape(part) for part in re.split(r"['’]", stem if cased else stem.casefold()))
    return "['’]?".join(parts) + (r"\w*" if entry.endswith("*") else "")


def phrases_pattern(entries: list[str], cased: bool = False) -> re.Pattern[str]:
    """Return a pattern matching any of the phrases as whole words, ignoring case unless cased."""
    phrases = "|".join(_phrase(e, cased) for e in entries)
    return re.compile(r"\b(?:" + phrases + r")\b", 0 if cased else re.IGNORECASE)


def _entries(path: Path, data: dict, name: str) -> list[str]:
    table = data.get(name)
    if not isinstance(table, dict) or "words" not in table:
        raise PromptError(f"{path}: the [{name}] table with a `words = [...]` list is missing; copy it from prompts/.")
    entries = table["words"]
    if not isinstance(entries, list) or not entries:
        raise PromptError(f"{path}: [{name}] words must be a non-empty list of quoted words or phrases.")
    for entry in entries:
        if not isinstance(entry, str) or not entry.strip() or "*" in entry.rstrip("*") or entry.count("*") > 1:
            raise PromptError(
                f"{path}: [{name}] has {entry!r}; each entry must be a word or phrase in quotes, "
                "with at most one * at its end."
            )
    return entries


def _aliases(path: Path, data: dict, name: str) -> tuple[tuple[tuple[str, ...], str], ...]:
    """Read a table of names and what else each is called, or raise PromptError naming what is wrong in it."""
    table = data.get(name)
    if not isinstance(table, dict) or not table:
        raise PromptError(
            f"{path}: the [{name}] table (a name = [\"what else it is called\", ...]) is missing or empty; "
            "copy it from prompts/."
        )
    found = []
    for called, others in table.items():
        if not isinstance(others, list) or not others or not all(isinstance(o, str) and WORD.findall(o) for o in others):
            raise PromptError(f"{path}: [{name}] {called} must be a non-empty list of quoted words or phrases.")
        found += [(tuple(WORD.findall(fold(other))), fold(called)) for other in others]
    # The longest first, so that a name opening a longer one does not cut it short.
    return tuple(sorted(found, key=lambda pair: -len(pair[0])))


def _details(path: Path, data: dict) -> tuple[tuple[str, str], ...]:
    """Read the table naming each kind of detail, or raise PromptError naming what is wrong in it."""
    table = data.get(DETAILS)
    kinds = ", ".join(DETAIL_KINDS)
    if not isinstance(table, dict) or set(table) != set(DETAIL_KINDS):
        raise PromptError(f"{path}: the [{DETAILS}] table must name each of {kinds} once; copy it from prompts/.")
    for kind, called in table.items():
        if not isinstance(called, str) or not called.strip():
            raise PromptError(f"{path}: [{DETAILS}] {kind} must be what she calls it, in quotes (\"an age\").")
    return tuple((kind, " ".join(table[kind].split())) for kind in DETAIL_KINDS)


def read_prompt_file(path: Path, folder: str = "prompts/") -> str:
    """Read one prompt file as UTF-8, or raise PromptError naming it and where to restore it from."""
    try:
        return path.read_text("utf-8")
    except FileNotFoundError:
        raise PromptError(f"{path} is missing: copy it from the project's {folder} directory.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PromptError(f"{path} cannot be read as UTF-8 text ({exc}).") from None


def load_words(directory: Path) -> Words:
    """Read prompts/words.toml, or raise PromptError naming the file and what is wrong in it."""
    path = Path(directory) / FILENAME
    text = read_prompt_file(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PromptError(f"{path} is not valid TOML ({exc}): check the quotes and brackets there.") from None
    lists = PATTERNS + LEXICONS + WORD_SETS + SENTENCES + CASED_PATTERNS + ALIASES + (DETAILS,)
    unknown = sorted(set(data) - set(lists))
    if unknown:
        known = ", ".join(lists)
        raise PromptError(f"{path}: unknown list [{unknown[0]}]; the lists are {known}.")
    patterns = {name: phrases_pattern(_entries(path, data, name)) for name in PATTERNS}
    lexicons = {name: frozenset(content_terms(" ".join(_entries(path, data, name)))) for name in LEXICONS}
    # Fillers are chatter that names no feeling: read wherever chatter is.
    lexicons["chatter"] |= lexicons["fillers"]
    every = {name: frozenset(stemmed_words(" ".join(_entries(path, data, name)))) for name in WORD_SETS}
    sentences = {name: tuple(" ".join(e.split()) for e in _entries(path, data, name)) for name in SENTENCES}
    cased = {name: phrases_pattern(_entries(path, data, name), cased=True) for name in CASED_PATTERNS}
    aliases = {name: _aliases(path, data, name) for name in ALIASES}
    return Words(**patterns, **lexicons, **every, **sentences, **cased, **aliases, details=_details(path, data))
