"""The values every layer passes around: passages, hits, evidence, citations, replies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from companion.text import SPEAKER_LABEL


# The note on an essay's writers (its front matter's `about`) is passage `<essay id>:note`: searched and cited like
# the passages of its body, but no piece of it (its start and end are 0). A saved citation knows it by its id alone.
NOTE_ID = ":note"


def is_note(passage_id: str) -> bool:
    """Tell whether a passage id names the note on an essay's writers rather than a passage of its body."""
    return passage_id.endswith(NOTE_ID)


@dataclass(frozen=True)
class Passage:
    """A retrievable piece of an essay, with where it sits in the essay's body."""

    id: str
    essay_id: str
    n: int
    title: str
    author: str | None
    text: str
    start: int
    end: int
    speaker: str | None = None

    @property
    def note(self) -> bool:
        """Tell whether this is the note on the essay's writers rather than a passage of its body."""
        return is_note(self.id)

    @property
    def byline(self) -> str:
        """Return the essay's title with its author when the text names one."""
        return f"{self.title} — {self.author}" if self.author else self.title

    @property
    def embedding_text(self) -> str:
        """Return the text to embed: a continued turn keeps its speaker's name."""
        if self.speaker and not SPEAKER_LABEL.match(self.text):
            return f"{self.speaker}: {self.text}"
        return self.text


@dataclass(frozen=True)
class Hit:
    """A passage found for a query, best first; each retriever says what its score means.

    ``dense`` is the cosine similarity to the query and ``lexical`` the BM25 score, when known; ``chance`` is the
    fitted chance that the passage's best sentence answers, when a reranking search ordered the hits by it
    (retrieval/rerank.py: then ``rank`` and ``score`` are the first search's).
    """

    rank: int
    passage: Passage
    score: float
    dense: float | None = None
    lexical: float | None = None
    chance: float | None = None


@dataclass(frozen=True)
class Evidence:
    """A passage handed to the composer under its citation marker ``[n]``, and the span chosen to quote, if any."""

    n: int
    passage: Passage
    # (start, end) in passage.text: the sentence picked as the answer; None lets the composer choose.
    span: tuple[int, int] | None = None
    # The sentence ranker's chance that the span holds the answer; None when no ranker picked it.
    chance: float | None = None

    @property
    def text(self) -> str:
        """Return the span picked to quote, or the whole passage when none was."""
        return self.passage.text[self.span[0] : self.span[1]] if self.span else self.passage.text


@dataclass(frozen=True)
class Citation:
    """A marker in a reply and the passage it stands for."""

    n: int
    passage: Passage
    verified: bool

    @property
    def byline(self) -> str:
        """Return the cited essay's title and author."""
        return self.passage.byline

    @property
    def passage_id(self) -> str:
        """Return the cited passage's id."""
        return self.passage.id

    @property
    def essay_id(self) -> str:
        """Return the cited essay's id."""
        return self.passage.essay_id

    @property
    def title(self) -> str:
        """Return the cited essay's title."""
        return self.passage.title

    @property
    def author(self) -> str | None:
        """Return the cited essay's author, if its text names one."""
        return self.passage.author

    @property
    def text(self) -> str:
        """Return the cited passage's text."""
        return self.passage.text


class Cited(Protocol):
    """A citation as a reader sees it, live (Citation) or saved (history.StoredCitation)."""

    @property
    def n(self) -> int: ...
    @property
    def passage_id(self) -> str: ...
    @property
    def essay_id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def author(self) -> str | None: ...
    @property
    def text(self) -> str: ...
    @property
    def verified(self) -> bool: ...
    @property
    def byline(self) -> str: ...


@dataclass(frozen=True)
class Reply:
    """A finished turn: what was said, what backs it, and how it ended."""

    question: str
    answer: str
    grounded: bool
    citations: tuple[Citation, ...]
    backend: str
    model: str | None
    complete: bool = True
    error: str | None = None
    route: str = "film"
    # What the essays were searched with when that was more than the question: a follow-up's, with what it leaned on.
    query: str = ""
    dropped: int = 0
    # The model's reasoning, kept only when the profile shows it (show_thinking); never part of the answer.
    thinking: str = ""
    # Sentences a model wrote that state something about the film with no verified marker (shown marked).
    uncited: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reasoning:
    """A piece of a thinking model's reasoning: streamed beside the answer, never part of it."""

    text: str


@dataclass(frozen=True)
class Exchange:
    """One earlier question and answer, for the model's context."""

    question: str
    answer: str
    # How it was answered: a follow-up to small talk is searched without the small talk.
    route: str = "film"
    # What the essays were searched with, when that was more than the question: a follow-up's includes the
    # question it leaned on, so one after it can lean on both.
    query: str = ""
