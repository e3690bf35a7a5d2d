"""The chat window: ask about Her and read replies with their sources."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator
from functools import partial

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.screen import Screen
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Input, Markdown, Static

from companion.config import Settings
from companion.engine import MAX_QUESTION_CHARS, Engine, Event
from companion.errors import CompanionError
from companion.text import printable
from companion.tui.loader import EngineLoader
from companion.tui.widgets import Reply, UserMessage

WELCOME = (
    "Hi, I'm Samantha. I've been reading what critics wrote about Her, and I'd love to talk about it with you. "
    "Ask me anything: what they thought of the ending, who Amy is, why it made you feel the way it did."
)


def _next(events: Iterator[Event]) -> Event | None:
    return next(events, None)


class CompanionApp(App):
    """Chat with Samantha about the film, grounded in critics' essays."""

    CSS_PATH = "app.tcss"
    TITLE = "companion"
    SUB_TITLE = "talking about Her (2013)"
    BINDINGS = [("ctrl+q", "quit", "Quit")]

    def __init__(self, load_engine: EngineLoader, settings: Settings | None = None) -> None:
        super().__init__()
        self._load_engine = load_engine
        self.settings = settings
        self.engine: Engine | None = None
        self.pending: list[str] = []

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
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
        self.call_from_thread(self.set_status, self._ready_status())

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="chat"):
            yield Static(Text(WELCOME), id="welcome", markup=False)
        yield Static("waking up…", id="status", markup=False)
        yield Input(placeholder="Ask about Her…  (Enter to send)", id="prompt", max_length=MAX_QUESTION_CHARS)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#chat", VerticalScroll).anchor()
        self.query_one("#prompt", Input).focus()
        self.load()

    def set_status(self, text: str) -> None:
        """Show what the companion is doing in the status line."""
        self.query_one("#status", Static).update(Text(printable(text)))

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
        self.set_status(self._ready_status())
        while self.pending:
            self.answer(self.pending.pop(0))

    def _ready_status(self) -> str:
        assert self.engine is not None
        model = f" · {self.engine.backend.model}" if self.engine.backend.model else ""
        return f"ready · {self.engine.backend.name}{model}"

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value
        if not text.strip():
            self.notify("Type a question or a thought first.", markup=False)
            return
        event.input.clear()
        await self.query_one("#chat", VerticalScroll).mount(UserMessage(text))
        if self.engine is None:
            self.pending.append(text)
            self.notify("I'm still waking up; I'll answer as soon as I'm ready.", markup=False)
            return
        self.answer(text)

    @work(exclusive=True, group="reply")
    async def answer(self, text: str) -> None:
        """Stream one reply into the chat, then list its sources."""
        assert self.engine is not None
        reply = Reply()
        await self.query_one("#chat", VerticalScroll).mount(reply)
        stream = Markdown.get_stream(reply.body)
        events = self.engine.turn(text)
        final = None
        try:
            while (event := await asyncio.to_thread(_next, events)) is not None:
                if event.kind == "status":
                    self.set_status(event.text)
                elif event.kind == "token":
                    await stream.write(printable(event.text))
                elif event.kind == "error":
                    self.notify(event.text, severity="error", markup=False)
                    reply.mark(event.text)
                elif event.kind == "done":
                    final = event.reply
        except CompanionError as exc:
            self.notify(str(exc), severity="error", markup=False)
            reply.mark(str(exc))
        finally:
            await stream.stop()
        if final is not None:
            await reply.body.update(printable(final.answer))
            reply.show_sources(final.citations)
            if not final.complete:
                reply.mark("This reply was cut short; what arrived is kept above.")
        self.set_status(self._ready_status())
