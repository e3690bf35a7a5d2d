"""The chat window: ask about Her, read replies with their sources, keep the conversation."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from functools import partial

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Markdown, OptionList, Static
from textual.widgets.option_list import Option

from companion.config import Settings
from companion.engine import MAX_QUESTION_CHARS, Engine, Event, TurnRun
from companion.engine import Reply as EngineReply
from companion.errors import CompanionError
from companion.text import printable
from companion.tui.conversation_actions import ConversationActions
from companion.tui.help import HelpScreen
from companion.tui.loader import EngineLoader
from companion.tui.sources import Shown, SourceScreen, source_of
from companion.tui.widgets import Composer, Reply, SourceList, StatusBar, UserMessage

# Seconds between saves of a reply that is still streaming.
DRAFT_EVERY = 0.5

WELCOME = (
    "Hi, I'm Samantha. I've been reading what critics wrote about Her, and I'd love to talk about it with you. "
    "Ask me anything: what they thought of the ending, who Amy is, why it made you feel the way it did."
)


def _next(run: TurnRun) -> Event | None:
    return next(run, None)


class CompanionApp(ConversationActions, App):
    """Chat with Samantha about the film, grounded in critics' essays."""

    CSS_PATH = "app.tcss"
    TITLE = "companion"
    SUB_TITLE = "talking about Her (2013)"
    BINDINGS = [
        Binding("escape", "stop", "Stop reply"),
        Binding("f2", "toggle_sources", "Sources"),
        Binding("ctrl+n", "new_conversation", "New chat"),
        Binding("ctrl+o", "conversations", "Conversations"),
        Binding("ctrl+s", "export", "Export"),
        Binding("f3", "copy_reply", "Copy reply"),
        Binding("f1,question_mark", "help", "Help"),
        Binding("ctrl+q", "quit", "Quit"),
    ]

    def __init__(self, load_engine: EngineLoader, settings: Settings | None = None, history=None) -> None:
        super().__init__()
        self._load_engine = load_engine
        self.settings = settings
        self.history = history
        self.engine: Engine | None = None
        self.pending: list[str] = []
        self.conversation_id: int | None = None
        self.shown: list[Shown] = []
        self._stop = asyncio.Event()

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            with VerticalScroll(id="chat"):
                yield Static(Text(WELCOME), id="welcome", markup=False)
            with Vertical(id="sources-panel"):
                yield Static("Sources", id="sources-title", markup=False)
                yield OptionList(id="all-sources")
        yield StatusBar()
        yield Composer(id="composer", placeholder="Ask about Her…  (Enter sends · Ctrl+J new line · F1 help)")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#chat", VerticalScroll).anchor()
        self.query_one("#sources-panel").display = False
        self.query_one(Composer).focus()
        if self.history is not None and self.history.notice:
            self.notify(self.history.notice, severity="warning", markup=False, timeout=20)
        self.load()

    # -- loading -------------------------------------------------------------------------------

    def set_status(self, text: str) -> None:
        """Show what the companion is doing in the status line."""
        self.query_one(StatusBar).show(state=text)

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        """Open the index and wake the models without blocking the window."""
        try:
            engine = self._load_engine(lambda text: self.call_from_thread(self.set_status, text))
        except CompanionError as exc:
            self.call_from_thread(self.engine_failed, str(exc))
            return
        self.call_from_thread(self.engine_ready, engine)

    def engine_failed(self, message: str) -> None:
        self.set_status("I can't start: see the message above.")
        self.query_one("#chat", VerticalScroll).mount(Static(Text(printable(message)), classes="error", markup=False))
        self.notify(message, severity="error", markup=False, timeout=30)

    def engine_ready(self, engine: Engine) -> None:
        self.engine = engine
        self.show_backend()
        self.set_status("ready")
        for notice in engine.notices:
            self.notify(notice, severity="warning", markup=False, timeout=20)
        self.welcome_back()
        if self.pending:
            self.answer(self.pending.pop(0))

    def welcome_back(self) -> None:
        """Greet a returning person with how long it has been, and note this visit."""
        memory = self.engine.memory if self.engine else None
        if memory is None:
            return
        from companion.memory import describe_gap

        if memory.notice:
            self.notify(memory.notice, severity="warning", markup=False, timeout=20)
        previous = memory.touch()
        gap = describe_gap(time.time() - previous) if previous else None
        if gap:
            name = memory.name()
            text = self.engine.prompts.choose("welcome_back", gap, gap=gap, name=f", {name}" if name else "")
            self.query_one("#welcome", Static).update(Text(printable(text)))

    def show_backend(self) -> None:
        """Name the active backend and model in the status line."""
        assert self.engine is not None
        model = f" · {self.engine.backend.model}" if self.engine.backend.model else ""
        self.query_one(StatusBar).show(backend=f"{self.engine.backend.name}{model}")

    # -- asking --------------------------------------------------------------------------------

    @on(Composer.Submitted)
    async def send(self, event: Composer.Submitted) -> None:
        text = event.text
        if not text.strip():
            self.notify("Type a question or a thought first.", markup=False)
            return
        if len(text.strip()) > MAX_QUESTION_CHARS:
            self.notify(
                f"That message is {len(text.strip()):,} characters; I can take up to {MAX_QUESTION_CHARS:,}. "
                "Try asking about one part of it.", severity="warning", markup=False,
            )
            return
        event.composer.remember(text)
        if text.strip().startswith("/"):
            await self.command(text.strip())
            return
        await self.query_one("#chat", VerticalScroll).mount(UserMessage(text))
        if self.engine is None:
            self.pending.append(text)
            self.notify("I'm still waking up; I'll answer as soon as I'm ready.", markup=False)
            return
        self.answer(text)

    async def command(self, text: str) -> None:
        """Run a slash command: /memory lists what she remembers, /forget ID or /forget all erases it."""
        from companion.tui.widgets import Note

        memory = self.engine.memory if self.engine else None
        chat = self.query_one("#chat", VerticalScroll)
        name, _, argument = text.partition(" ")
        if name not in ("/memory", "/forget"):
            self.notify("Commands: /memory shows what I remember about you; /forget ID or /forget all.", markup=False)
            return
        if memory is None:
            self.notify("I'm still waking up; try again in a moment.", markup=False)
            return
        if name == "/memory":
            facts = memory.facts()
            lines = [f"{f.id}. {f.kind}: {f.text}" for f in facts] or ["I don't remember anything about you yet."]
            await chat.mount(Note("What I remember about you (/forget ID or /forget all to erase):\n" + "\n".join(lines)))
            return
        argument = argument.strip().lower()
        if argument == "all":
            await chat.mount(Note(f"I forgot all {memory.forget_all()} things I remembered. They're gone from disk."))
        elif argument.isdigit() and memory.forget(int(argument)):
            await chat.mount(Note(f"I forgot item {argument}. It's gone from disk."))
        else:
            self.notify("Say /forget ID (from /memory) or /forget all.", markup=False)

    @work(exclusive=True, group="reply")
    async def answer(self, text: str) -> None:
        """Stream one reply into the chat, then list its sources and save the turn."""
        assert self.engine is not None
        self._stop.clear()
        reply = Reply(len(self.shown))
        await self.query_one("#chat", VerticalScroll).mount(reply)
        stream = Markdown.get_stream(reply.body)
        run = self.engine.turn(text)
        started, first, count = time.perf_counter(), 0.0, 0
        final: EngineReply | None = None
        note: str | None = None
        draft: int | None = None
        saved_at = 0.0
        try:
            while final is None:
                pending = asyncio.ensure_future(asyncio.to_thread(_next, run))
                stopper = asyncio.ensure_future(self._stop.wait())
                done, _ = await asyncio.wait({pending, stopper}, return_when=asyncio.FIRST_COMPLETED)
                stopper.cancel()
                if pending not in done:
                    # The backend is mid-token: end the turn now and close it once that token arrives.
                    pending.add_done_callback(lambda _: asyncio.get_running_loop().run_in_executor(None, run.close))
                    final, note = run.stop("stopped"), "Stopped — what arrived is kept above."
                    break
                event = pending.result()
                if event is None:
                    break
                if event.kind == "status":
                    self.set_status(event.text)
                elif event.kind == "token":
                    count += 1
                    first = first or time.perf_counter()
                    await stream.write(printable(event.text))
                    if time.perf_counter() - saved_at > DRAFT_EVERY:
                        # Saved as it grows: if the process dies now, what arrived is kept.
                        draft = self.save(run.draft("interrupted: the app closed during this reply"), draft)
                        saved_at = time.perf_counter()
                elif event.kind == "error":
                    self.notify(event.text, severity="error", markup=False, timeout=15)
                    note = f"This reply was cut short: {event.text}"
                elif event.kind == "done":
                    final = event.reply
        except asyncio.CancelledError:
            run.close()
            final, note = run.stop("interrupted"), "Interrupted — what arrived is kept above."
            raise
        except CompanionError as exc:
            self.notify(str(exc), severity="error", markup=False, timeout=15)
            final, note = run.stop(str(exc)), f"This reply was cut short: {exc}"
        finally:
            await stream.stop()
            if final is not None:
                await self.finish(reply, final, note, started, first, count, draft)

    async def finish(
        self, reply: Reply, final: EngineReply, note, started: float, first: float, count: int, draft: int | None
    ) -> None:
        """Show the final reply once, remember it, save it over its draft, and report its speed."""
        await reply.finish(final.answer, final.citations, note)
        self.shown.append(Shown(final.answer, final.citations))
        self.add_to_sources_panel(len(self.shown) - 1)
        self.save(final, draft)
        elapsed = time.perf_counter() - started
        rate = f" · {(count - 1) / (time.perf_counter() - first):.0f} tok/s" if count > 1 and first else ""
        self.query_one(StatusBar).show(state="ready", speed=f"{elapsed:.1f} s{rate}")

    def action_stop(self) -> None:
        """Stop the reply being written, keeping what has arrived."""
        if any(w.group == "reply" and w.is_running for w in self.workers):
            self._stop.set()

    # -- sources -------------------------------------------------------------------------------

    def add_to_sources_panel(self, turn: int) -> None:
        panel = self.query_one("#all-sources", OptionList)
        for citation in self.shown[turn].citations:
            label = Text(f"reply {turn + 1} · [{citation.n}] ", style="bold")
            label.append(printable(citation.byline))
            panel.add_option(Option(label, id=f"{turn}:{citation.n}"))

    def action_toggle_sources(self) -> None:
        """Show or hide the panel of every source cited in this conversation."""
        panel = self.query_one("#sources-panel")
        panel.display = not panel.display
        if panel.display:
            sources = self.query_one("#all-sources", OptionList)
            if sources.highlighted is None and sources.option_count:
                sources.highlighted = 0
            sources.focus()
        else:
            self.query_one(Composer).focus()

    @on(OptionList.OptionSelected, "#all-sources")
    def panel_picked(self, event: OptionList.OptionSelected) -> None:
        turn, n = (int(part) for part in (event.option.id or "0:0").split(":"))
        self.open_source(turn, n)

    @on(SourceList.Picked)
    def list_picked(self, event: SourceList.Picked) -> None:
        self.open_source(event.turn, event.n)

    @on(Markdown.LinkClicked)
    def marker_clicked(self, event: Markdown.LinkClicked) -> None:
        if event.href.startswith("cite:"):
            _, turn, n = event.href.split(":")
            self.open_source(int(turn), int(n))

    def open_source(self, turn: int, n: int) -> None:
        """Open the passage behind marker n of a reply."""
        if not 0 <= turn < len(self.shown):
            return
        shown = self.shown[turn]
        for citation in shown.citations:
            if citation.n == n:
                corpus = self.settings.corpus_dir if self.settings else None
                self.push_screen(SourceScreen(source_of(shown, citation), corpus))
                return
        self.notify(f"Marker [{n}] has no source in that reply.", markup=False)

    # -- comfort -------------------------------------------------------------------------------

    def action_copy_reply(self) -> None:
        """Copy the last reply to the clipboard."""
        if not self.shown:
            self.notify("No reply to copy yet.", markup=False)
            return
        self.copy_to_clipboard(self.shown[-1].answer)
        self.notify("Copied the last reply.", markup=False)

    def action_help(self) -> None:
        """Show every key binding."""
        self.push_screen(HelpScreen([b for b in self.BINDINGS if isinstance(b, Binding)]))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("New conversation", "Start afresh; this one stays saved", self.action_new_conversation)
        yield SystemCommand("Conversations", "Resume or delete a saved conversation", self.action_conversations)
        yield SystemCommand("Export conversation", "Save it as Markdown with footnotes", self.action_export)
        yield SystemCommand("Toggle sources", "Show or hide every cited passage", self.action_toggle_sources)
        yield SystemCommand("Copy last reply", "To the clipboard", self.action_copy_reply)
        if self.settings is None:
            return
        for name in self.settings.backend_names():
            spec = self.settings.backend_spec(name)
            model = f", {spec.model}" if spec.model else ""
            yield SystemCommand(
                f"Use backend: {name}", f"Compose replies with {name} ({spec.type}{model})", partial(self.use_backend, name)
            )

    @work(thread=True, exclusive=True, group="load")
    def use_backend(self, name: str) -> None:
        """Switch the engine to another backend profile without blocking the window."""
        from companion.session import switch_backend

        if self.engine is None or self.settings is None:
            self.call_from_thread(self.notify, "Still waking up; try again in a moment.", markup=False)
            return
        self.call_from_thread(self.set_status, f"switching to {name}…")
        try:
            switch_backend(self.engine, self.settings, name)
        except CompanionError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error", markup=False, timeout=15)
        self.call_from_thread(self.show_backend)
        self.call_from_thread(self.set_status, "ready")
