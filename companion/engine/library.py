"""The library: which essays she has read and who wrote them, answered from their titles and bylines.

"Who are the critics you read?" or "who wrote the techno-lonely piece?" asks about the essays, not about
anything in them: searching their text for it quotes whatever sentence mentions a review. Such a question is
answered from what the essays say of themselves (title, byline, outlet, the note on their writers), each cited
by how it begins.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from companion.corpus import Essay
from companion.engine.essay_names import before_a_noun, beside_a_noun, clauses, right_before, short_name, title_says, trades
from companion.engine.mentions import Mentions, never_named
from companion.passages import note_passage
from companion.prompts import Prompts
from companion.retrieval.sentences import named_writers, spoken_of, writers
from companion.retrieval.units import opening_sentence, sentence_spans
from companion.text import listed as list_phrases
from companion.text import (
    MARKER, MARKER_PATTERN, STOPWORDS, WORD, content_terms, fold, nested, number_word, short_form, stem, stemmed_words,
)
from companion.types import Evidence, Passage
from companion.words import Words

# Words asking who wrote something: said of an essay that names no writer, the answer is that it names none.
# English, not this film, so here rather than in prompts/words.toml.
ASKS_WHO = frozenset(stem(w) for w in "who whom whose wrote write written writer author byline name".split())
# Other words for a form an essay may take (corpus FORMS); like the form, a name only beside a word for an essay:
# "the dialogue review" is the one written as a conversation, while "did the critics like the dialogue?" asks about
# the film's.
# English, not this film, so here.
FORM_WORDS = {"conversation": "dialogue discussion"}
# Words pointing back at what was just shown: "who wrote them?", "who wrote that?" ask after the essays just quoted.
# Not "it": "who wrote it?" may ask after the film's writer, and is read so unless the question before named an essay.
# English, so here.
THEM = frozenset(stem(w) for w in "they them those these that this".split())
# Words asking who said what was just quoted: "who said that?" asks after the essays the reply before quoted.
SAYING = frozenset(stem(w) for w in "say says said saying".split())
# Words pointing at one of the quotes just shown by its place: "who wrote the second one?", "who said [2]?". English.
PLACES = {
    **{word: n for n, word in enumerate("first second third fourth fifth sixth seventh eighth ninth tenth".split(), 1)},
    "1st": 1, "2nd": 2, "3rd": 3, **{f"{n}th": n for n in range(4, 11)}, "last": -1,
}
POINTING = frozenset([*PLACES, *(stem(w) for w in "one quote number".split())])
# A quote's marker or number said as such: "[2]", "quote 2", "number 2".
MARKED = re.compile(rf"{MARKER_PATTERN}|\b(?:quote|number|no)\.?\s*#?(\d+)\b")


def _words(text: str | None) -> list[str]:
    # Hyphens split: "techno-lonely" and "sad-in-the-best-way" are asked for word by word.
    return stemmed_words((text or "").replace("-", " "))


def _own(text: str | None) -> set[str]:
    return set(content_terms((text or "").replace("-", " ")))


@dataclass(frozen=True)
class Shelved:
    """One essay as the library knows it: its title and byline, and its first passage to cite."""

    essay_id: str
    title: str
    author: str | None
    outlet: str | None
    first: Passage
    # Words that name this essay alone: its writers' and outlet's names, and its form when not an essay's.
    names: frozenset[str]
    # Words of its title (and id) that no other title shares: a name only beside a word for an essay.
    title_words: frozenset[str]
    # Other words for its form, when it is no plain essay: a name only right before a word for an essay.
    form_words: frozenset[str] = frozenset()
    # The first word of its id when that is a title word of its own ("sad", "techno"): the short name people give it,
    # a name right before a word for a piece of writing ("the sad blogger"), where one title word alone is not.
    short_name: str | None = None
    # The note on its writers as a passage to cite (passages.note_passage), when it has one.
    note: Passage | None = None

    @property
    def about(self) -> str | None:
        """Return the note on its writers, when it has one."""
        return self.note.text if self.note is not None else None

    @cached_property
    def note_words(self) -> frozenset[str]:
        """Return the stemmed words of the note on its writers, none without one."""
        return frozenset(content_terms((self.about or "").replace("-", " ")))

    @property
    def naming_words(self) -> frozenset[str]:
        """Return every word that may name this essay: its names, its title's own words, its form's."""
        return self.names | self.title_words | self.form_words

    @property
    def shown_title(self) -> str:
        """Return the title as a reply shows it, in italics, with the outlet after it when there is one."""
        return f"*{self.title}* (on {self.outlet})" if self.outlet else f"*{self.title}*"

    def opening(self) -> str:
        """Return the essay's first sentence, speaker label left out."""
        return opening_sentence(self.first.text)


@dataclass(frozen=True)
class WhoWrote:
    """What a question asking who wrote something means by the turn before: the essays, or how many it showed."""

    essays: tuple[Shelved, ...] = ()
    # How many quotes (or essays, in a list of them) the reply before showed, when the question points past them.
    shown: int | None = None


@dataclass(frozen=True)
class Library:
    """The essays she has read, in a fixed order, and how a question names one of them."""

    essays: tuple[Shelved, ...]
    # The names the essays give and the words of each, read from every passage the index holds, when it was given them.
    mentions: Mentions | None = None

    @property
    def name_words(self) -> frozenset[str]:
        """Return every word that names one of the essays: its writers', its outlet's, its title's, its form's."""
        return frozenset(w for e in self.essays for w in e.naming_words)

    @classmethod
    def of(cls, first_passages: Sequence[Passage], essays: Sequence[Essay] = (), passages: Sequence[Passage] = ()) -> Library:
        """Shelve the essays whose first passages the index holds; the corpus's essays add outlet and note.

        passages, every one the index holds, tell which names each essay gives (engine/mentions.py).
        """
        known = {e.id: e for e in essays}
        firsts = sorted(first_passages, key=lambda p: p.essay_id)
        names = {}
        titles = {}
        forms = {}
        for p in firsts:
            essay = known.get(p.essay_id)
            # A form other than the essay's names it beside a word for an essay: "the conversation review" is the one
            # written as one, while "why is he so bad at difficult conversations?" asks about the film.
            form = essay.form if essay and essay.form != "essay" else None
            names[p.essay_id] = _own(p.author) | _own(essay.outlet if essay else None)
            titles[p.essay_id] = _own(p.title) | _own(p.essay_id)
            forms[p.essay_id] = _own(form) | _own(FORM_WORDS.get(form or "", ""))
        shared = Counter(w for i in names for w in names[i] | titles[i])
        shelved = []
        for p in firsts:
            essay = known.get(p.essay_id)
            shelved.append(Shelved(
                essay_id=p.essay_id, title=p.title, author=p.author, outlet=essay.outlet if essay else None,
                first=p,
                # A word in two essays' names or titles ("her") names neither.
                names=frozenset(w for w in names[p.essay_id] if shared[w] == 1),
                title_words=frozenset(w for w in titles[p.essay_id] if shared[w] == 1),
                short_name=short_name(p.essay_id, titles[p.essay_id], shared),
                form_words=frozenset(forms[p.essay_id]),
                note=note_passage(essay) if essay else None,
            ))
        return cls(tuple(shelved), Mentions.of(passages) if passages else None)

    def written_out(self, question: str, words: Words) -> str:
        """Return a question with each short form of a word naming an essay written out ("the convo piece")."""
        names = self.name_words
        for parts, long in words.short_forms:
            if set(_words(long)) & names:
                question = short_form(parts).sub(long, question)
        return question

    def named(self, question: str, words: Words) -> tuple[Shelved, ...]:
        """Return the essays a question names: by a writer's or outlet's name, or by its title said as a name."""
        return self._named(self.written_out(question, words), words)

    def _named(self, question: str, words: Words) -> tuple[Shelved, ...]:
        """Return the essays a question, its short forms already written out, names."""
        nouns = words.names_an_essay
        # Common words fall out between a title's words ("sad in the best way"); the words for an essay stay.
        said = _words(question)
        sequence = [w for w in said if w in nouns or w not in STOPWORDS]
        asked = set(sequence)
        # Beside its title's words, a word for a person names the writer ("the techno lonely guy"), and a word setting
        # two things against each other names what it compares ("techno lonely vs boone").
        beside = nouns | words.someone | words.sets_against
        # Its short name alone, only before a word for a piece of writing or its writer: "the sad one" may be a scene.
        writing = nouns - words.someone - {"one"}

        def saying(rest: str) -> bool:
            # Opening and closing on something are what an essay does too: "techno lonely opens by calling jonze a…".
            edges = words.asks_how_an_essay_opens, words.asks_how_an_essay_ends
            return bool(words.speaking.match(rest) or words.discussing.match(rest) or any(e.match(rest) for e in edges))

        # Read once for every essay's title.
        parts = clauses(question)
        # What a note says its writer does names them before a word for a person or a piece: "the photographer guy",
        # "the photographer's essay"; "jonze as a filmmaker" and "some other filmmaker's style" name no critic.
        work = trades({e.essay_id: e.note_words for e in self.essays}, words.jobs, words.the_writers)
        someone_or_writing = nouns | words.someone
        return tuple(
            e for e in self.essays
            if e.names & asked or beside_a_noun(sequence, e.title_words, beside) or before_a_noun(said, e.form_words, nouns)
            or right_before(said, e.short_name, writing) or title_says(parts, e.title_words, saying)
            or any(right_before(said, trade, someone_or_writing) for trade in work.get(e.essay_id, ()))
        )

    def who_wrote(
        self, question: str, before: str, answered: str, words: Words, listed: bool = False
    ) -> WhoWrote | None:
        """Return what a question asking only who wrote something means by the turn before, or None if it asks not that.

        "Who wrote it?" or "who's the author?" after "what did the medium writer think of the ending?" asks after the
        essays that question named (before); "who wrote them?" after a reply quoting three critics, or "who said
        that?", after the essays it quoted (answered, where each title shows in italics). A question naming an essay
        itself asks its own. "Who wrote the second one?" asks after the second quote's essay, or the second essay when
        the reply listed them (listed); "who wrote the fifth one?" after three quotes points past them.
        """
        said = self._asks_who_wrote(question, words)
        if said is None:
            return None
        quoted = self._quoted(answered, listed)
        place = _place(question, said)
        if place is not None:
            n = len(quoted) if place == -1 else place
            if 0 < n <= len(quoted):
                return WhoWrote((quoted[n - 1],))
            return WhoWrote(shown=len(quoted)) if quoted else None
        if (THEM | SAYING) & set(said):
            essays = tuple(dict.fromkeys(quoted))
        else:
            essays = self.named(before, words)
        return WhoWrote(essays) if essays else None

    def _asks_who_wrote(self, question: str, words: Words) -> list[str] | None:
        """Return a question's words when it asks only who wrote something, naming no essay; else None."""
        said = _words(question)
        if not ASKS_WHO & set(said) or self.named(question, words):
            return None
        if not _only_about_the_essays([w for w in said if not w.isdigit()], words, THEM | SAYING | POINTING):
            return None
        return said

    def _quoted(self, answered: str, listed: bool = False) -> list[Shelved]:
        """Return the essay of each quote a reply shows, by its number: the title last shown before its marker.

        A marker may come first in a line naming the critics ("Jennifer Anise [1] hears something hopeful…"); the
        quote it marks ends with its last one. In a list of the essays (listed), an essay's opening and the note on
        its writers are one place in the list.
        """
        titles = sorted((m.start(), e) for e in self.essays for m in re.finditer(re.escape(f"*{e.title}*"), answered))
        last = {int(m.group(1)): m.start() for m in MARKER.finditer(answered)}
        quoted = []
        for n in sorted(last):
            before = [e for at, e in titles if at < last[n]]
            if before and not (listed and quoted and quoted[-1] is before[-1]):
                quoted.append(before[-1])
        return quoted

    def naming(self, question: str, words: Words) -> tuple[tuple[str, ...], frozenset[str]]:
        """Return the ids of the essays a question names and the words of it naming them ("anise", "techno")."""
        question = self.written_out(question, words)
        named = self._named(question, words)
        said = _own(question)
        return tuple(e.essay_id for e in named), frozenset(
            w for e in named for w in e.naming_words if w in said
        )

    def never_named(self, question: str, named: Sequence[str]) -> dict[str, str] | None:
        """Return what fills prompts/never_named.md when the essays a question names (by id) never name what it asks about."""
        if self.mentions is None:
            return None
        found = never_named(self.mentions, question, named, self.name_words)
        if found is None:
            return None
        return {"essays": self.titles(named), "name": found.name, "elsewhere": self.titles(found.elsewhere)}

    def titles(self, named: Sequence[str]) -> str:
        """Return the titles of the essays named (by id) as a reply lists them, in italics."""
        shown = {e.essay_id: e.shown_title for e in self.essays}
        return list_phrases(shown[e] for e in named if e in shown)

    def asked_about(self, question: str, words: Words) -> bool:
        """Tell whether a question asks only which essays there are or who wrote them, nothing in them.

        Every word must be a word for the essays, a word of asking after them (prompts/words.toml) or a name
        of one; and it must name the essays, by a word for them ("critics", "review") or by one's name.
        """
        # A pause ("who wrote it? like what's their name") asks nothing; a year ("the her (2013) review") and a word
        # for a person ("the guy who wrote the medium essay") point at the essay or its writer.
        question = self.written_out(question, words)
        sequence = [w for w in _words(words.not_an_opinion.sub(" ", question)) if not w.isdigit()]
        if not sequence or not self.essays:
            return False
        named = self._named(question, words)
        names = {w for e in named for w in e.naming_words}
        nouns = words.names_an_essay
        if not (named or nouns & set(sequence)):
            return False
        return _only_about_the_essays(sequence, words, names | words.someone)


def _place(question: str, said: list[str]) -> int | None:
    """Return the place of the quote a question points at ("the second one": 2, "[3]": 3, "the last one": -1), if any."""
    places = [PLACES[w] for w in said if w in PLACES] + [int(a or b) for a, b in MARKED.findall(fold(question))]
    return next((n for n in places if n == -1 or 0 < n < 100), None)


def _only_about_the_essays(said: list[str], words: Words, also: frozenset[str] | set[str]) -> bool:
    """Tell whether every word is a word for the essays, one asking after them, or one of also."""
    return all(w in words.names_an_essay or w in words.about_the_library or w in also for w in said)


def asks_about_a_writer(question: str, words: Words, naming: frozenset[str]) -> bool:
    """Tell whether a question naming an essay or its writer asks about the writer as a person ("what's boone's job?")."""
    if not naming:
        return False
    asked = [w for w in WORD.findall(fold(unnamed(question, naming)).replace("-", " ")) if stem(w) not in words.names_an_essay]
    if words.opinion.search(" ".join(asked)):
        # "What does anise think of her job?" asks a view; "the medium writer" alone asks none.
        return False
    said = {stem(w) for w in asked} - STOPWORDS
    # "The medium guy" is its writer: a vague word for someone names no one else.
    other = said - words.about_a_writer - words.names_an_essay - words.about_the_library - words.chatter - words.vague_things
    return bool(said & words.about_a_writer) and not other


def unnamed(question: str, naming: frozenset[str]) -> str:
    """Return a question without the words naming an essay, which say whose sentences answer it, not what they say.

    "Where does the medium guy say he feels it" is read as "where does the guy say he feels it" among the Medium
    essay's sentences.
    """
    if not naming:
        return question
    return " ".join(w for w in WORD.findall(fold(question).replace("-", " ")) if stem(w) not in naming)


@dataclass(frozen=True)
class Described:
    """What the library says to a question: the answer, and the passages it cites (none when it can tell nothing)."""

    answer: str
    evidence: tuple[Evidence, ...]


def describe(
    question: str, library: Library, prompts: Prompts, careful: bool = False, named: tuple[Shelved, ...] = (),
) -> Described:
    """Say which essays there are (or the ones the question names): title, writers, the note on them, how each opens.

    careful: the person has not seen the film, so an opening that gives the ending away is not quoted. named: the
    essays asked about when the question leans on the one before for them ("who wrote it?").
    """
    key = fold(question)
    named = named or library.named(question, prompts.words)
    shown = named or library.essays
    asks_who = bool(ASKS_WHO & set(_words(question)))
    if named and asks_who and all(e.author is None and e.about is None for e in named):
        # Nothing to tell of who wrote them: say so, and cite nothing.
        lines = [prompts.choose_nth("library_nobody", key, i, title=e.shown_title) for i, e in enumerate(named)]
        return Described(" ".join(lines), ())
    paragraphs = [] if named else [prompts.choose("library", key, count=number_word(len(shown)))]
    asked = _own(question)
    evidence: list[Evidence] = []
    for i, essay in enumerate(shown, start=1):
        if essay.author:
            line = prompts.choose_nth("library_signed", key, i, title=essay.shown_title, author=essay.author)
        else:
            line = prompts.choose_nth("library_unsigned", key, i, title=essay.shown_title)
        opening = essay.opening()
        if not (careful and prompts.words.ending.search(opening)):
            line += " " + prompts.choose_nth("library_opens", key, i, opening=nested(opening)) + f" [{len(evidence) + 1}]"
            evidence.append(Evidence(len(evidence) + 1, essay.first))
        if essay.note is not None:
            about = of_the_writer(essay.note, asked)
            line += " " + prompts.choose_nth("library_about", key, i, about=nested(about)) + f" [{len(evidence) + 1}]"
            evidence.append(Evidence(len(evidence) + 1, essay.note))
        paragraphs.append(line)
    if not named:
        paragraphs.append(prompts.choose("library_invite", key))
    return Described("\n\n".join(paragraphs), tuple(evidence))


def of_the_writer(note: Passage, asked: set[str]) -> str:
    """Return the part of a note on several writers about the one a question names, else the whole note.

    "Who is steven boone?" hears "Steven Boone is a film critic… He writes a column…", not first what the note says
    of Jennifer Anise: the sentences the note speaks of them in (retrieval.sentences.spoken_of).
    """
    wanted = named_writers(note, asked)
    if not wanted or len(wanted) == len(writers(note)):
        return note.text
    spans = [(a, b) for a, b, _ in sentence_spans(note.text) if spoken_of(note, a) in wanted]
    return note.text[spans[0][0] : spans[-1][1]] if spans else note.text
