"""The chat window: ask about Her, read replies with their sources, keep the conversation."""

from __future__ import annotations

import asyncio
import threading
import time
from contextlib import suppress
from functools import partial

from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Markdown, OptionList, Static
from textual.worker import get_current_worker

from companion.config import Settings
from companion.engine import Engine, check_question
from companion.errors import CompanionError, InputError
from companion.memory_commands import CHAT, forget, show_memory
from companion.text import printable
from companion.tui.conversation_actions import ConversationActions
from companion.tui.source_actions import SourceActions
from companion.tui.executor import LeavableExecutor
from companion.tui.loader import EngineLoader
from companion.tui.paste import install as install_paste_parser
from companion.tui.sources import Shown
from companion.tui.streaming import (
    CLOSED, INTERRUPTED, STOPPED, Drafted, Ended, Streamed, Turn, run_turn,
)
from companion.tui.widgets import Composer, Note, Reply, SourceList, StatusBar, UserMessage

# Seconds quitting waits for a reply to stop and be saved; a backend hung longer keeps only its last draft.
QUIT_WAIT = 2.0

WELCOME = (
    "Hi, I'm Samantha. I've been reading what critics wrote about Her, and I'd love to talk about it with you. "
    "Ask me anything: what they thought of the ending, who Amy is, why it made you feel the way it did."
)


class ChatScreen(Screen):
    """The chat's own screen: whenever it is shown again, typing goes to the composer."""

    def on_screen_resume(self) -> None:
        # After Textual restores the focus it remembers, which may be a list that is no longer there.
        self.app.call_after_refresh(self.app.focus_composer)


class CompanionApp(ConversationActions, SourceActions, App):
    """Chat with Samantha about the film, grounded in critics' essays."""

    CSS_PATH = "app.tcss"
    TITLE = "companion"
    SUB_TITLE = "talking about Her (2013)"
    # Help first: a narrow footer cuts off the last bindings, and Help is the one that explains the others.
    BINDINGS = [
        Binding("f1,question_mark", "help", "Help"),
        Binding("escape", "stop", "Stop reply"),
        Binding("f2", "toggle_sources", "Sources"),
        Binding("ctrl+n", "new_conversation", "New chat"),
        Binding("ctrl+o", "conversations", "Conversations"),
        Binding("ctrl+s", "export", "Export"),
        Binding("f3", "copy_reply", "Copy reply"),
        Binding("ctrl+q", "quit", "Quit"),
    ]

    def __init__(self, load_engine: EngineLoader, settings: Settings | None = None, history=None) -> None:
        super().__init__()
        install_paste_parser()
        self._load_engine = load_engine
        self.settings = settings
        self.history = history
        self.engine: Engine | None = None
        self.pending: list[str] = []
        self.conversation_id: int | None = None
        self.shown: list[Shown] = []
        self._turn: Turn | None = None
        # Conversations deleted from this window: their late replies are let go, not saved anew.
        self.deleted_here: set[int] = set()
        # Held by whichever thread is using the engine, so one turn never overlaps another or a backend switch.
        self._engine_lock = threading.Lock()

    def get_default_screen(self) -> Screen:
        return ChatScreen(id="_default")

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            with VerticalScroll(id="chat"):
                yield Static(Text(WELCOME), id="welcome", markup=False)
            with Vertical(id="sources-panel"):
                yield Static("Sources", id="sources-title", markup=False)
                yield OptionList(id="all-sources")
        yield StatusBar()
        with Horizontal(id="composer-row"):
            yield Composer(id="composer", placeholder="Ask about Her…  (Enter sends · Ctrl+J new line · F1 help)")
        yield Footer()

    def on_mount(self) -> None:
        # Before any worker starts: quitting must not wait on a worker stuck in a hung backend or index.
        asyncio.get_running_loop().set_default_executor(LeavableExecutor())
        self.query_one("#chat", VerticalScroll).anchor()
        self.query_one("#sources-panel").display = False
        self.query_one("#chat", VerticalScroll).can_focus = False
        self.focus_composer()
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

    async def engine_ready(self, engine: Engine) -> None:
        self.engine = engine
        self.show_backend()
        self.set_status("ready")
        for notice in engine.notices:
            self.notify(notice, severity="warning", markup=False, timeout=20)
        self.welcome_back()
        if self.pending:
            await self.start_reply(self.pending.pop(0))

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
        # The last reply's speed belonged to the backend that wrote it.
        self.query_one(StatusBar).show(backend=f"{self.engine.backend.name}{model}", speed="")

    # -- asking --------------------------------------------------------------------------------

    @on(Composer.Submitted)
    async def send(self, event: Composer.Submitted) -> None:
        try:
            text = check_question(event.text)
        except InputError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        event.composer.remember(event.text)
        if text.startswith("/"):
            await self.command(text)
            return
        chat = self.query_one("#chat", VerticalScroll)
        await chat.mount(UserMessage(event.text))
        # Scrolling to the end re-anchors the chat, so the reply is followed as it streams even after reading back.
        chat.scroll_end(animate=False)
        if self.engine is None:
            self.pending.append(event.text)
            self.notify("I'm still waking up; I'll answer as soon as I'm ready.", markup=False)
            return
        await self.start_reply(event.text)

    async def command(self, text: str) -> None:
        """Run a slash command: /memory lists what she remembers, /forget ID or /forget all erases it."""
        name, _, argument = text.partition(" ")
        if name not in ("/memory", "/forget"):
            self.notify("Commands: /memory shows what I remember about you; /forget ID or /forget all.", markup=False)
            return
        memory = self.engine.memory if self.engine else None
        if memory is None:
            self.notify("I'm still waking up; try again in a moment.", markup=False)
            return
        try:
            shown = show_memory(memory, CHAT) if name == "/memory" else forget(memory, argument, CHAT)
        except CompanionError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        chat = self.query_one("#chat", VerticalScroll)
        await chat.mount(Note(shown))
        chat.scroll_end(animate=False)

    async def start_reply(self, text: str) -> None:
        """Stop any reply still being written, then stream a new one below the question."""
        await self.stop_reply(INTERRUPTED)
        assert self.engine is not None
        widget = Reply(len(self.shown))
        # The slot is taken now: a reply that ends after a newer one started still links to its own sources.
        self.shown.append(Shown("", ()))
        chat = self.query_one("#chat", VerticalScroll)
        await chat.mount(widget)
        chat.scroll_end(animate=False)
        self._turn = Turn(text, widget, Markdown.get_stream(widget.body), self.open_conversation())
        self.answer(self._turn)

    @work(thread=True, exclusive=True, group="reply")
    def answer(self, turn: Turn) -> None:
        """Run one turn in this thread, the only one that touches it; the window hears of it through messages."""
        assert self.engine is not None
        worker = get_current_worker()
        run_turn(self.engine, turn, self._engine_lock, lambda: worker.is_cancelled, self._post)

    def _post(self, message: Message) -> None:
        # A worker that outlives the app (a backend hung past quitting) has no one left to tell.
        with suppress(RuntimeError):
            self.post_message(message)

    async def stop_reply(self, reason: str, wait: float = 0.0) -> None:
        """Ask the reply being written to stop for reason, waiting up to wait seconds for it to end."""
        turn = self._turn
        if turn is None or turn.ended:
            return
        if not turn.stopping:
            # The first reason stands: Esc then Ctrl+Q is a reply that was stopped.
            turn.stop_reason, turn.stopping = reason, True
            self.workers.cancel_group(self, "reply")
            self.set_status("stopping…")
        if wait > 0:
            with suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(turn.outcome)), wait)

    @on(Streamed)
    async def streamed(self, message: Streamed) -> None:
        turn, event = message.turn, message.event
        if event.kind == "error":
            self.notify(event.text, severity="error", markup=False, timeout=15)
        elif event.kind == "status" and turn is self._turn and not turn.stopping:
            self.set_status(event.text)
        elif event.kind == "thinking":
            self.thinking(turn)
        elif event.kind == "token" and turn.widget.is_attached:
            self.done_thinking(turn)
            turn.tokens += 1
            turn.first = turn.first or time.perf_counter()
            await turn.stream.write(printable(event.text))

    def thinking(self, turn: Turn) -> None:
        """Say she is thinking, with the time it has taken, while a thinking model's reasoning streams."""
        if turn.thinking_since is None:
            turn.thinking_since = time.monotonic()
            # Reasoning can pause between pieces, so the seconds also tick on their own.
            turn.thinking_timer = self.set_interval(1.0, partial(self.show_thinking, turn))
        self.show_thinking(turn)

    def show_thinking(self, turn: Turn) -> None:
        """Show how long she has been thinking, if this reply is still the one thinking."""
        if turn.thinking_since is None or turn.ended or turn.stopping or turn is not self._turn:
            if turn.thinking_timer is not None:
                turn.thinking_timer.stop()
            return
        self.set_status(f"thinking… {time.monotonic() - turn.thinking_since:.0f} s")

    def done_thinking(self, turn: Turn) -> None:
        """Stop the thinking clock at the first word of the answer, saying how long she thought."""
        if turn.thinking_since is None:
            return
        if turn.thinking_timer is not None:
            turn.thinking_timer.stop()
        if turn is self._turn and not turn.stopping:
            self.set_status(f"thought for {time.monotonic() - turn.thinking_since:.0f} s")
        turn.thinking_since = None

    @on(Drafted)
    def drafted(self, message: Drafted) -> None:
        self.save(message.turn, message.draft)

    @on(Ended)
    async def ended(self, message: Ended) -> None:
        """Show the final reply once, save it over its draft, list its sources and report its speed."""
        turn, final = message.turn, message.reply
        if turn.thinking_timer is not None:
            turn.thinking_timer.stop()
        await turn.stream.stop()
        self.save(turn, final)
        if not turn.widget.is_attached:
            return  # the chat was cleared while this reply was stopping; it is saved in its own conversation
        await turn.widget.finish(final.answer, final.citations, message.note, thinking=final.thinking)
        if not (turn.widget.is_attached and self.query("#all-sources")):
            # The app began to close while the reply was finishing: its panels are going (the sources list may
            # go before the reply), and the reply is saved.
            return
        self.shown[turn.index] = Shown(final.answer, final.citations)
        self.add_to_sources_panel(turn.index)
        self.tab_to_newest_sources()
        if turn is self._turn:
            elapsed = time.perf_counter() - turn.started
            rate = f" · {(turn.tokens - 1) / (time.perf_counter() - turn.first):.0f} tok/s" if turn.tokens > 1 else ""
            self.query_one(StatusBar).show(state="ready", speed=f"{elapsed:.1f} s{rate}")

    async def action_stop(self) -> None:
        """Stop the reply being written, keeping what has arrived, and go back to the composer."""
        await self.stop_reply(STOPPED)
        self.focus_composer()

    # -- focus ---------------------------------------------------------------------------------

    def focus_composer(self) -> None:
        """Put the cursor back where the person types."""
        if self.screen is self.screen_stack[0]:
            self.query_one(Composer).focus()

    def tab_to_newest_sources(self) -> None:
        """Keep only the newest reply's sources in the Tab order, so Tab never wanders through old replies."""
        lists = list(self.query_one("#chat", VerticalScroll).query(SourceList))
        for source_list in lists:
            source_list.can_focus = source_list is lists[-1]

    def on_key(self, event: events.Key) -> None:
        # A typed message must never vanish: keys that only the composer would take go there from anywhere in
        # the chat. "?" stays Help while something else has focus. A key that reaches here while the composer
        # has focus was typed in the same burst as one that moved the focus there, so it is text too.
        composer = self.query_one(Composer) if self.screen is self.screen_stack[0] else None
        # self.focused, not has_focus: the latter only follows once the Focus event has been handled.
        if composer is None or not event.is_printable or (event.character == "?" and self.focused is not composer):
            return
        event.stop()
        event.prevent_default()
        if self.focused is not composer:
            # At once, not after a refresh: the rest of a fast burst must find the composer focused.
            self.screen.set_focus(composer)
        composer.replace(event.character, *composer.selection)

    def on_paste(self, event: events.Paste) -> None:
        composer = self.query_one(Composer) if self.screen is self.screen_stack[0] else None
        if composer is not None and not composer.has_focus:
            event.stop()
            composer.take_paste(event.text)

    def action_scroll_chat(self, pages: int) -> None:
        """Scroll the conversation by pages while the cursor stays in the composer."""
        chat = self.query_one("#chat", VerticalScroll)
        if pages < 0:
            chat.scroll_page_up()
        else:
            chat.scroll_page_down()

    async def action_quit(self) -> None:
        """Quit, letting a reply being written stop and be saved, but never waiting on a hung backend."""
        await self.stop_reply(CLOSED, wait=QUIT_WAIT)
        self.exit()

    # -- sources (the rest is in SourceActions) ----------------------------------------------

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
