"""A turn in progress: the events a surface renders, the check on what a person typed, and the run they stream from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from companion.engine.recall import Remembered
from companion.errors import InputError
from companion.types import Citation, Evidence, Reply

if TYPE_CHECKING:
    from companion.engine.turn import Engine

MAX_QUESTION_CHARS = 4000
# "thinking" carries a piece of a thinking model's reasoning: shown as such, never a token of the answer.
EventKind = Literal["status", "thinking", "token", "citations", "done", "error"]


@dataclass(frozen=True)
class Event:
    """Something that happened during a turn, for a surface to render."""

    kind: EventKind
    text: str = ""
    citations: tuple[Citation, ...] = ()
    reply: Reply | None = None


def check_question(text: str) -> str:
    """Return the question stripped, or raise InputError saying what is wrong."""
    question = text.strip()
    if not question:
        raise InputError("Type a question or a thought first: the message is empty.")
    if len(question) > MAX_QUESTION_CHARS:
        raise InputError(
            f"That message is {len(question):,} characters; I can take up to {MAX_QUESTION_CHARS:,}. "
            "Try asking about one part of it."
        )
    return question


class TurnRun:
    """One turn in progress: an iterator of events that can be stopped, keeping what arrived."""

    def __init__(self, engine: Engine, text: str) -> None:
        self.engine = engine
        self.text = text
        self.question = text.strip()
        # The question as every stage reads it, its chat spellings written out ("wat" as "what"): the history keeps
        # it, so a follow-up leans on it.
        self.read = self.question
        self.grounded = True
        self.route = "film"
        self.query = ""
        self.evidence: tuple[Evidence, ...] = ()
        # The person as known at the turn's start: their remembered name is no film claim in a reply.
        self.remembered = Remembered()
        # The model's reply gave way to words that need no model: there is no claim of a model's to check.
        self.fell_back = False
        self.pieces: list[str] = []
        self.thinking: list[str] = []
        self.reply: Reply | None = None
        self._events = engine._run(self)

    def __iter__(self) -> TurnRun:
        return self

    def __next__(self) -> Event:
        return next(self._events)

    def close(self) -> None:
        """Stop the event stream (and the backend's generation with it)."""
        self._events.close()

    def draft(self, reason: str) -> Reply:
        """Return the reply so far, marked incomplete, without ending the turn (for saving as it streams)."""
        answer = "".join(self.pieces).strip()
        return Reply(
            question=self.question, answer=answer, grounded=self.grounded and bool(answer), citations=(),
            backend=self.engine.backend.name, model=self.engine.backend.model, complete=False, error=reason,
            route=self.route, query=self.query,
        )

    def stop(self, reason: str = "stopped") -> Reply:
        """End the turn now and return the partial reply, marked incomplete."""
        if self.reply is None:
            self.reply = self.engine.record(self, self.engine.check(self), reason)
        return self.reply


