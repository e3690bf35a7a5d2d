"""One conversational turn: retrieve, decide, compose, cite; told as a stream of events."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from companion.backends.base import Backend, Evidence, GenerationRequest, Message
from companion.errors import CompanionError, InputError
from companion.grounding import (
    Citation,
    acceptable_framing,
    asks_for_ending,
    covers,
    is_opinion,
    select_evidence,
    spoils_ending,
    verify,
)
from companion.prompts import Prompts
from companion.quoting import opener_for, quote_paragraphs
from companion.retrieval.search import Searcher
from companion.routing import route
from companion.text import content_terms, fold

MAX_QUESTION_CHARS = 4000
FRAMING_TOKENS = 48
SENTENCE = re.compile(r"\s*[^.!?]+[.!?]+(?=\s)")
EventKind = Literal["status", "token", "citations", "done", "error"]


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
    dropped: int = 0


@dataclass(frozen=True)
class Event:
    """Something that happened during a turn, for a surface to render."""

    kind: EventKind
    text: str = ""
    citations: tuple[Citation, ...] = ()
    reply: Reply | None = None


@dataclass(frozen=True)
class Exchange:
    """One earlier question and answer, for the model's context."""

    question: str
    answer: str


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


def format_evidence(evidence: Sequence[Evidence]) -> str:
    """Lay out the evidence for a prompt, one marked passage each."""
    blocks = []
    for item in evidence:
        who = f" by {item.passage.author}" if item.passage.author else ""
        blocks.append(f"[{item.n}] From \"{item.passage.title}\"{who}:\n{item.passage.text}")
    return "\n\n".join(blocks)


class TurnRun:
    """One turn in progress: an iterator of events that can be stopped, keeping what arrived."""

    def __init__(self, engine: Engine, text: str) -> None:
        self.engine = engine
        self.text = text
        self.question = text.strip()
        self.grounded = True
        self.route = "film"
        self.told: set[int] = set()
        self.evidence: tuple[Evidence, ...] = ()
        self.pieces: list[str] = []
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
            question=self.question, answer=answer, grounded=self.grounded, citations=(), backend=self.engine.backend.name,
            model=self.engine.backend.model, complete=False, error=reason, route=self.route,
        )

    def stop(self, reason: str = "stopped") -> Reply:
        """End the turn now and return the partial reply, marked incomplete."""
        if self.reply is None:
            checked = verify("".join(self.pieces).strip(), self.evidence)
            self.reply = self.engine.record(self, checked.answer, checked.citations, reason, checked.dropped)
        return self.reply


@dataclass
class Engine:
    """Run turns against one searcher, one backend and one set of prompts."""

    searcher: Searcher
    backend: Backend
    prompts: Prompts
    k: int = 5
    history_turns: int = 3
    max_tokens: int = 400
    temperature: float = 0.7
    history: list[Exchange] = field(default_factory=list)
    # Returns True while the person has said they have not seen the film.
    spoiler_care: Callable[[], bool] | None = None
    # What she remembers of the person (companion.memory.Memory); never evidence, never cited.
    memory: Any = None
    # Things a person should hear about once, such as an unreadable index moved aside.
    notices: tuple[str, ...] = ()

    def messages(self, question: str, evidence: Sequence[Evidence]) -> tuple[Message, ...]:
        """Build the chat messages a language model sees for this turn."""
        persona = self.prompts.render("persona")
        remembered = self.remembered_summary()
        messages = [Message("system", f"{persona}\n\n{remembered}" if remembered else persona)]
        for exchange in self.history[-self.history_turns :]:
            messages.append(Message("user", exchange.question))
            messages.append(Message("assistant", exchange.answer))
        # Small models drift out of character over a long history; a reminder just before the turn helps.
        if self.history:
            messages.append(Message("system", self.prompts.render("reminder")))
        user = self.prompts.render("answer", evidence=format_evidence(evidence), question=question)
        messages.append(Message("user", user))
        return tuple(messages)

    def remembered_summary(self) -> str:
        """Return what she remembers of the person, for a model's system prompt."""
        if self.memory is None:
            return ""
        from companion.memory import summary_for_prompt

        return summary_for_prompt(self.memory.facts())

    def recall_line(self, question: str, told_now: set[int] | frozenset[int] = frozenset()) -> str | None:
        """Return a sentence recalling something said in an earlier turn that fits this question, if any."""
        if self.memory is None:
            return None
        from companion.memory_facts import second_person

        terms = set(content_terms(question))
        for fact in reversed(self.memory.facts()):
            if fact.id not in told_now and fact.kind in ("feeling", "cares") and terms & set(content_terms(fact.text)):
                return self.prompts.choose("recall", fold(question), fact=second_person(fact.text))
        return None

    def fit(self, question: str, evidence: tuple[Evidence, ...], max_tokens: int) -> tuple[Evidence, ...]:
        """Drop history, then the weakest evidence, until the prompt fits the model's context."""
        size = getattr(self.backend, "context_size", None)
        count = getattr(self.backend, "count_tokens", None)
        if not size or count is None:
            return evidence
        while count(self.messages(question, evidence)) + max_tokens > size:
            if self.history_turns and self.history:
                self.history.pop(0)
            elif len(evidence) > 1:
                evidence = evidence[:-1]
            else:
                break
        return evidence

    def turn(self, text: str) -> TurnRun:
        """Start answering one message; iterate the result for status, tokens, citations and done."""
        return TurnRun(self, text)

    def _run(self, run: TurnRun) -> Iterator[Event]:
        try:
            question = check_question(run.text)
        except InputError as exc:
            yield Event("error", text=str(exc))
            return
        run.question = question
        if self.memory is not None:
            run.told = {fact.id for fact in self.memory.remember(question)}
        run.route = route(question, has_history=bool(self.history))
        if run.route not in ("film", "follow_up"):
            yield from self._say(run, run.route, question)
            return
        yield Event("status", text="looking through the essays…")
        query = question
        if run.route == "follow_up":
            # "And what about Amy?" means little alone: search with the question it follows.
            query = f"{self.history[-1].question} {question}"
        opinion = is_opinion(query)
        # Opinions look deeper so that every essay with a view can be heard.
        hits = self.searcher.search(query, max(self.k, 8) if opinion else self.k)
        idf = getattr(self.searcher, "idf", None)
        if self.spoiler_care and self.spoiler_care() and not asks_for_ending(question):
            # When the best answer itself gives the ending away, say so rather than answer around it.
            if hits and spoils_ending(hits[0].passage) and covers(query, hits, idf):
                yield from self._say(run, "spoiler", question)
                return
            hits = [h for h in hits if not spoils_ending(h.passage)]
        if not covers(query, hits, idf):
            yield from self._say(run, "no_evidence", question)
            return
        chosen = select_evidence(hits, opinion=opinion)
        run.evidence = tuple(Evidence(n, hit.passage) for n, hit in enumerate(chosen, start=1))
        yield Event("status", text="thinking…")
        # Quotes are chosen for the query (a follow-up carries its context); the model sees the question as asked.
        if getattr(self.backend, "quote_first", False):
            error = yield from self._quote_first(query, run.evidence, run.pieces)
        else:
            run.evidence = self.fit(question, run.evidence, self.max_tokens)
            request = GenerationRequest(
                messages=self.messages(question, run.evidence), question=query, evidence=run.evidence,
                max_tokens=self.max_tokens, temperature=self.temperature, idf=getattr(self.searcher, "idf", None),
            )
            error = yield from self._generate(request, run.pieces)
        recall = self.recall_line(question, run.told)
        if recall and (getattr(self.backend, "quote_first", False) or getattr(self.backend, "composes_quotes", False)):
            # Quote-composing replies have no model to weave the memory in; it goes after the first paragraph.
            opener, sep, rest = "".join(run.pieces).partition("\n\n")
            run.pieces[:] = [f"{opener}\n\n{recall}{sep}{rest}"]
        checked = verify("".join(run.pieces).strip(), run.evidence)
        if error:
            yield Event("error", text=error)
        yield from self._finish(run, checked.answer, citations=checked.citations, error=error, dropped=checked.dropped)

    def _say(self, run: TurnRun, prompt: str, question: str) -> Iterator[Event]:
        """Answer with one of a prompt file's replies, citing nothing."""
        run.grounded = False
        answer = self.prompts.choose(prompt, fold(question))
        run.pieces.append(answer)
        yield Event("token", text=answer)
        yield from self._finish(run, answer, citations=())

    def _generate(self, request: GenerationRequest, pieces: list[str]) -> Iterator[Event]:
        """Stream the backend's reply into pieces; return the error that cut it, if any."""
        stream = self.backend.stream(request)
        try:
            for piece in stream:
                pieces.append(piece)
                yield Event("token", text=piece)
        except CompanionError as exc:
            return str(exc)
        finally:
            close = getattr(stream, "close", None)
            if close:
                close()
        return None

    def _quote_first(self, question: str, evidence: tuple[Evidence, ...], pieces: list[str]) -> Iterator[Event]:
        """Let the model write only the framing; the quotes and markers are placed by code."""
        messages = (
            Message("system", self.prompts.render("persona")),
            Message("user", self.prompts.render("framing", question=question)),
        )
        request = GenerationRequest(messages=messages, question=question, max_tokens=FRAMING_TOKENS,
                                    temperature=self.temperature)
        error = None
        first = ""
        stream = self.backend.stream(request)
        try:
            buffer = ""
            for piece in stream:
                buffer += piece
                match = SENTENCE.match(buffer)
                if match:
                    first = match.group()
                    break
            else:
                first = buffer
        except CompanionError as exc:
            error = str(exc)
        finally:
            close = getattr(stream, "close", None)
            if close:
                close()
        # Only the first sentence, and only if it is a reaction rather than an invented fact.
        framing = " ".join(first.split())
        if not acceptable_framing(framing, question):
            framing = self.prompts.choose(opener_for(question), fold(question))
        pieces.append(framing)
        yield Event("token", text=framing)
        closer = self.prompts.choose("closers", fold(question))
        idf = getattr(self.searcher, "idf", None)
        for paragraph in [*quote_paragraphs(self.prompts, question, evidence, idf), closer]:
            pieces.append("\n\n" + paragraph)
            yield Event("token", text="\n\n" + paragraph)
        return error

    def _finish(
        self, run: TurnRun, answer: str, *, citations: tuple[Citation, ...], error: str | None = None, dropped: int = 0
    ) -> Iterator[Event]:
        if run.reply is not None:
            return
        run.reply = self.record(run, answer, citations, error, dropped)
        yield Event("citations", citations=citations)
        yield Event("done", reply=run.reply)

    def record(
        self, run: TurnRun, answer: str, citations: tuple[Citation, ...], error: str | None, dropped: int = 0
    ) -> Reply:
        """Turn what a run produced into a reply and remember it for the next turns."""
        reply = Reply(
            question=run.question,
            answer=answer,
            grounded=run.grounded,
            citations=citations,
            backend=self.backend.name,
            model=self.backend.model,
            complete=error is None,
            error=error,
            route=run.route,
            dropped=dropped,
        )
        if answer:
            self.history.append(Exchange(run.question, answer))
        return reply

    def ask(self, text: str) -> Reply:
        """Run one turn to the end and return its reply; bad input raises InputError."""
        check_question(text)
        replies = [event.reply for event in self.turn(text) if event.kind == "done"]
        return replies[-1]
