"""One conversational turn as a pipeline of stages, told as a stream of events.

check -> read memory -> route -> retrieve -> decide -> compose -> verify -> record. Each stage is a
function that takes what it needs and returns what it made; the engine only orchestrates them,
reads memory once at the start, writes history once at the end, and emits events.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field, replace

from companion.backends.base import Backend, Message
from companion.engine.compose import Composed, Composition, Job, compose
from companion.engine.converse import ABOUT_PERSON, canned, facts_about, releases_spoilers, search_query, talk, talk_messages
from companion.engine.decide import Judge, decide
from companion.engine.library import Library, Shelved, describe
from companion.engine.prompting import Prompt, build_messages, fit
from companion.engine.recall import Remembered, read_memory
from companion.engine.retrieve import retrieve
from companion.engine.run import Event, TurnRun, check_question
from companion.engine.route import FILM_ROUTES, LEANED_ON, route_turn, tells_a_view
from companion.engine.router import Router
from companion.engine.unmet import GREETING, read_as, unmet
from companion.engine.verify import Verified, mark_uncited, uncited, verify
from companion.errors import InputError
from companion.memory import Memory
from companion.policy import POLICY, Policy
from companion.prompts import Prompts
from companion.retrieval.misspelt import english_words, foreign, misspelt, respelt
from companion.retrieval.search import Searcher
from companion.retrieval.sentence_vectors import SentenceVectors
from companion.retrieval.sentences import Reader
from companion.text import fold, number_word, spelled_out
from companion.types import Evidence, Exchange, Reasoning, Reply


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
    # What she remembers of the person; never evidence, never cited.
    memory: Memory | None = None
    # Things a person should hear about once, such as an unreadable index moved aside.
    notices: tuple[str, ...] = ()
    policy: Policy = POLICY
    # The person let her tell the ending ("spoilers are fine"): kept for the rest of this conversation,
    # not in memory, so a later session asks again while they still haven't seen it.
    spoilers_released: bool = False
    # Tells a film question from small talk by meaning; when none is given, one is made on first use
    # from the searcher's query embedder (session.open_engine gives one that caches its examples).
    router: Router | None = None
    # Keep a thinking model's reasoning on the reply (the profile's show_thinking); it is never the answer.
    show_thinking: bool = False
    # The essays' sentences embedded once, for the evidence decision's closest-sentence cosine: loaded from the
    # index by session.open_engine, else filled as questions need them and kept for the engine's life.
    sentences: SentenceVectors = field(default_factory=SentenceVectors)
    # The stronger model reading those sentences for the quote ranker (retrieval/reader.py); without it the
    # ranker reads MiniLM's cosine in its place.
    reader: Reader | None = None
    # Reads the essays' titles and bylines, for questions about the essays themselves (engine/library.py); called
    # at the first film question. None: such questions are searched like any other.
    library: Callable[[], Library] | None = None
    _shelf: Library | None = field(default=None, init=False, repr=False)

    def routing(self) -> Router:
        """Return the router, making it from the prompts' examples and the searcher's embedder at first use."""
        if self.router is None:
            self.router = Router(self.prompts.routes, self.searcher.embedder, self.policy)
        return self.router

    def judge(self) -> Judge:
        """Return what the evidence decision reads by: the searcher's weights and embedder, the reader, the lists."""
        shelf = self.shelf()
        credited = shelf.mentions.credited if shelf is not None and shelf.mentions is not None else frozenset()
        return Judge(
            self.prompts.words, self.searcher.idf, self.policy, self.searcher.embedder, self.sentences, self.reader, credited,
        )

    def turn(self, text: str) -> TurnRun:
        """Start answering one message; iterate the result for status, tokens, citations and done."""
        return TurnRun(self, text)

    def ask(self, text: str) -> Reply:
        """Run one turn to the end and return its reply; bad input raises InputError."""
        check_question(text)
        replies = [event.reply for event in self.turn(text) if event.kind == "done"]
        return replies[-1]

    def window(self) -> tuple[Exchange, ...]:
        """Return the recent exchanges a model that writes is shown."""
        return tuple(self.history[-self.history_turns :]) if self.history_turns > 0 else ()

    def remembered_summary(self) -> str:
        """Return what she remembers of the person, for a model's system prompt."""
        return Remembered(facts=tuple(self.memory.facts())).summary if self.memory is not None else ""

    def messages(self, question: str, evidence: Sequence[Evidence]) -> tuple[Message, ...]:
        """Build the chat messages a model that writes would see for this question now."""
        return build_messages(self.prompts, question, evidence, self.window(), self.remembered_summary())

    def fit(self, question: str, evidence: tuple[Evidence, ...], max_tokens: int) -> Prompt:
        """Trim a prompt to the backend's context; the history itself is never changed."""
        return fit(self.backend, self.prompts, question, evidence, self.window(), self.remembered_summary(), max_tokens)

    def _run(self, run: TurnRun) -> Iterator[Event]:
        try:
            question = check_question(run.text)
        except InputError as exc:
            yield Event("error", text=str(exc))
            return
        run.question = question
        remembered = run.remembered = read_memory(self.memory, question, self.spoiler_care)
        # "wat did the critics think": every stage after this reads the question as "what did…".
        question = run.read = spelled_out(question, self.prompts.words.chat_spellings)
        released = releases_spoilers(question, self.prompts.words)
        self.spoilers_released = self.spoilers_released or released
        if self.spoilers_released:
            remembered = replace(remembered, careful=False)
        routed = route_turn(
            question, self.history, self.routing(), self.prompts.words, self.policy, self._writers, self._names_an_essay
        )
        run.route = routed.route
        if released and routed.route not in FILM_ROUTES:
            yield from self._say(run, "spoilers_released")
            return
        if routed.route not in FILM_ROUTES:
            yield from self._converse(run, routed.route, remembered)
            return
        # "whta did the critcs thnk": read as the essays' words before anything reads it, and said so in the reply.
        # Another language is searched as written: its words are no slips ("filme" is not "filmed").
        typos = misspelt(routed.query, self.searcher.idf, english_words())
        other_language = foreign(question, self.searcher.idf, english_words(), typos)
        typos = () if other_language else typos
        routed = replace(routed, query=respelt(routed.query, typos))
        shelf = self.shelf()
        # After the list of essays, "who wrote the second one?" asks after the second essay listed.
        before = self.history[-1] if self.history and self.history[-1].route in LEANED_ON else None
        listed = before is not None and before.route == "essays"
        who = shelf.who_wrote(question, before.query or before.question, before.answer, self.prompts.words, listed) if (
            shelf is not None and before is not None
        ) else None
        if who is not None and who.essays:
            # "Who wrote it?" after "what did the medium writer think of the ending?" asks who wrote that essay.
            yield from self._describe(run, shelf, remembered.careful, question, who.essays)
            return
        if who is not None and who.shown is not None:
            # "Who wrote the fifth one?" after three quotes points at none of them: searching it would say the
            # essays never speak of it.
            unit = "essay" if listed else "quote"
            shown = who.shown
            yield from self._say(run, "no_such_quote", shown=f"{number_word(shown)} {unit}{'s' if shown > 1 else ''}")
            return
        if shelf is not None and shelf.asked_about(routed.query, self.prompts.words):
            if routed.route == "follow_up" and self.history and routed.query == self.history[-1].question:
                # "Tell me more" after the list of essays: which of them to hear from is theirs to say. A follow-up
                # asking of its own ("who is steven boone?" then "and anise?") is answered as it was asked.
                yield from self._say(run, "library_invite")
            else:
                yield from self._describe(run, shelf, remembered.careful, routed.query)
            return
        routed = replace(routed, query=search_query(question, routed.query, self.history, self.prompts.words))
        run.query = routed.query if routed.query != question else ""
        yield Event("status", text="looking through the essays…")
        named, naming = shelf.naming(routed.query, self.prompts.words) if shelf is not None else ((), frozenset())
        if named and (unnamed_there := shelf.never_named(routed.query, named)) is not None:
            yield from self._say(run, "never_named", **unnamed_there)
            return
        found = retrieve(self.searcher, routed, self.k, self.prompts.words, self.policy, named, naming)
        # A stop asked for while the index was slow to answer takes effect now, not after the sentences are read.
        yield Event("status", text="reading what they wrote…")
        decision = decide(found, question, remembered.careful, self.judge())
        if decision.verdict != "answer":
            met = unmet(
                decision.verdict, question, released=released, told=remembered.told, tells_a_view=tells_a_view(question),
                other_language=other_language, typos=typos, lacking=decision.lacking,
                quiet_in=shelf.titles(named) if decision.quiet and shelf is not None else None,
            )
            if met.prompt == GREETING:
                yield from self._converse(run, GREETING, remembered)
            else:
                yield from self._say(run, met.prompt, **dict(met.values))
            return
        run.evidence = decision.evidence
        if typos:
            note = self.prompts.choose("read_as", fold(question), **read_as(typos)) + "\n\n"
            run.pieces.append(note)
            yield Event("token", text=note)
        yield Event("status", text="thinking…")
        job = Job(
            question=question, query=routed.query, evidence=decision.evidence, remembered=remembered,
            window=self.window(), idf=self.searcher.idf, max_tokens=self.max_tokens, temperature=self.temperature,
            policy=self.policy, asked=found.asked,
        )
        composed = yield from self._tokens(compose(job, self.backend, self.prompts), run)
        run.evidence, run.fell_back = composed.evidence, composed.fell_back
        checked = self.check(run)
        if decision.held and checked.answer and not composed.error:
            note = "\n\n" + self.prompts.choose("held_back", fold(question))
            run.pieces.append(note)
            yield Event("token", text=note)
            checked = replace(checked, answer=checked.answer + note)
        if composed.error:
            yield Event("error", text=composed.error)
        yield from self._finish(run, checked, composed.error)

    def check(self, run: TurnRun) -> Verified:
        """Verify what a run said against its evidence; a film answer a model wrote freely has its uncited claims marked."""
        checked = verify("".join(run.pieces).strip(), run.evidence)
        # Only a film reply a model wrote can make a claim the essays should back: small talk, answers from memory
        # and her lines from prompts/ (all of which set grounded False) speak of the person or of her.
        writer = self.backend.capabilities.writes == "freely" and not run.fell_back
        if not writer or not run.grounded or run.route not in FILM_ROUTES:
            return checked
        person = [fact.text for fact in run.remembered.facts if fact.kind == "name"]
        claims = uncited(checked.answer, checked.citations, run.evidence, self.searcher.idf, self.policy, person)
        return replace(checked, answer=mark_uncited(checked.answer, claims), uncited=claims)

    def _converse(self, run: TurnRun, route: str, remembered: Remembered) -> Iterator[Event]:
        """Answer small talk or a question about the person: the model if it writes freely, else prompts/."""
        run.grounded = False
        run.route = route
        unknown = route == ABOUT_PERSON and not facts_about(run.question, remembered.facts)
        if self.backend.capabilities.writes != "freely" or unknown:
            yield from self._say(run, None, remembered)
            return
        yield Event("status", text="thinking…")
        messages = talk_messages(self.prompts, route, run.question, self.window(), remembered)
        composed = yield from self._tokens(
            talk(self.backend, messages, run.question, self.max_tokens, self.temperature), run
        )
        checked = self.check(run)
        if composed.error:
            yield Event("error", text=composed.error)
        yield from self._finish(run, checked, composed.error)

    def _writers(self) -> frozenset[str]:
        """Return the words naming the essays, or none when the engine cannot read the library."""
        shelf = self.shelf()
        return shelf.name_words if shelf is not None else frozenset()

    def _names_an_essay(self, question: str) -> bool:
        """Tell whether a message names an essay or its writer, by the library's names for them."""
        shelf = self.shelf()
        return shelf is not None and bool(shelf.named(question, self.prompts.words))

    def shelf(self) -> Library | None:
        """Return the library of essays, read at first use; None when the engine was given no way to read it."""
        if self._shelf is None and self.library is not None:
            self._shelf = self.library()
        return self._shelf

    def _describe(
        self, run: TurnRun, library: Library, careful: bool, question: str, named: tuple[Shelved, ...] = (),
    ) -> Iterator[Event]:
        """Answer a question about the essays themselves from their titles and bylines, citing how each begins."""
        described = describe(question, library, self.prompts, careful, named)
        run.route = "essays"
        run.evidence = described.evidence
        run.grounded = bool(described.evidence)
        run.pieces.append(described.answer)
        yield Event("token", text=described.answer)
        yield from self._finish(run, verify(described.answer, described.evidence), None)

    def _say(
        self, run: TurnRun, prompt: str | None, remembered: Remembered | None = None, **values: str
    ) -> Iterator[Event]:
        """Answer with one of a prompt file's replies (None: the lines for the run's route), citing nothing."""
        run.grounded = False
        if prompt is None:
            answer = canned(self.prompts, run.route, run.question, remembered or Remembered(), self.prompts.words)
        else:
            answer = self.prompts.choose(prompt, fold(run.question), **values)
        run.pieces.append(answer)
        yield Event("token", text=answer)
        yield from self._finish(run, Verified(answer=answer, citations=(), dropped=0), None)

    def _tokens(self, composition: Composition, run: TurnRun) -> Generator[Event, None, Composed]:
        """Pass a composer's pieces on as token events (reasoning as thinking events), keeping them in the run."""
        with closing(composition):
            while True:
                try:
                    piece = next(composition)
                except StopIteration as end:
                    return end.value
                if isinstance(piece, Reasoning):
                    run.thinking.append(piece.text)
                    yield Event("thinking", text=piece.text)
                    continue
                run.pieces.append(piece)
                yield Event("token", text=piece)

    def _finish(self, run: TurnRun, checked: Verified, error: str | None) -> Iterator[Event]:
        if run.reply is not None:
            return
        run.reply = self.record(run, checked, error)
        yield Event("citations", citations=run.reply.citations)
        yield Event("done", reply=run.reply)

    def record(self, run: TurnRun, checked: Verified, error: str | None) -> Reply:
        """Turn what a run produced into a reply, and write it to the history for the next turns."""
        reply = Reply(
            question=run.question,
            answer=checked.answer,
            # Nothing said is nothing grounded, even when the evidence was there (a failure before any words);
            # nor is a film reply without one verified citation, whatever it claims.
            grounded=run.grounded and bool(checked.answer) and any(c.verified for c in checked.citations),
            citations=checked.citations,
            backend=self.backend.name,
            model=self.backend.model,
            complete=error is None,
            error=error,
            route=run.route,
            query=run.query,
            dropped=checked.dropped,
            uncited=checked.uncited,
            thinking="".join(run.thinking) if self.show_thinking else "",
        )
        if checked.answer:
            self.history.append(Exchange(run.read, checked.answer, run.route, run.query))
        return reply

