"""The pieces of the chat: the composer, the person's messages, and Samantha's cited replies."""

from __future__ import annotations

import re

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Collapsible, Markdown, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from companion.grounding import Citation
from companion.text import printable

MARKER = re.compile(r"\[(\d{1,3})\]")
# A paste larger than this would only be refused at send time; refuse it at once instead.
MAX_PASTE_CHARS = 20_000


def linked_markers(answer: str, turn: int) -> str:
    """Make each [n] in a reply a link the chat can open (cite:<turn>:<n>)."""
    return MARKER.sub(lambda m: f"[\\[{m.group(1)}\\]](cite:{turn}:{m.group(1)})", answer)


class Composer(TextArea):
    """Where the person writes: Enter sends, Ctrl+J adds a line, Up and Down recall earlier messages."""

    class Submitted(Message):
        """The person sent a message."""

        def __init__(self, composer: Composer, text: str) -> None:
            super().__init__()
            self.composer = composer
            self.text = text

    def __init__(self, **kwargs) -> None:
        super().__init__(soft_wrap=True, show_line_numbers=False, tab_behavior="focus", **kwargs)
        self.sent: list[str] = []
        self._recall: int | None = None

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.post_message(self.Submitted(self, self.text))
            return
        if event.key in ("ctrl+j", "shift+enter", "alt+enter"):
            event.stop()
            event.prevent_default()
            self.insert("\n")
            return
        if event.key == "up" and self.cursor_location[0] == 0 and self.sent:
            event.stop()
            event.prevent_default()
            self._recall = len(self.sent) - 1 if self._recall is None else max(0, self._recall - 1)
            self.load_text(self.sent[self._recall])
            return
        if event.key == "down" and self._recall is not None and self.cursor_location[0] == self.document.line_count - 1:
            event.stop()
            event.prevent_default()
            self._recall += 1
            self.load_text(self.sent[self._recall] if self._recall < len(self.sent) else "")
            if self._recall >= len(self.sent):
                self._recall = None
        # Other keys fall through to TextArea's own handler: Textual calls each class's in turn.

    async def _on_paste(self, event: events.Paste) -> None:
        if len(event.text) > MAX_PASTE_CHARS:
            event.stop()
            event.prevent_default()
            self.app.notify(
                f"That paste is {len(event.text):,} characters; I can read up to {MAX_PASTE_CHARS:,} at once. "
                "Paste the part you want to talk about.",
                severity="warning", markup=False,
            )

    def remember(self, text: str) -> None:
        """Keep a sent message for Up/Down recall and clear the box."""
        if not self.sent or self.sent[-1] != text:
            self.sent.append(text)
        self._recall = None
        self.load_text("")


class UserMessage(Static):
    """What the person typed, shown exactly as typed."""

    def __init__(self, text: str) -> None:
        super().__init__(Text(printable(text)), markup=False)


class Note(Static):
    """A line from the companion that is not a reply: what she remembers, what she forgot."""

    def __init__(self, text: str) -> None:
        super().__init__(Text(printable(text)), markup=False)


class SourceList(OptionList):
    """The passages a reply cites; Enter (or a click) opens one."""

    class Picked(Message):
        """The person chose a source to read."""

        def __init__(self, turn: int, n: int) -> None:
            super().__init__()
            self.turn = turn
            self.n = n

    def __init__(self, turn: int, citations: tuple[Citation, ...] | list) -> None:
        super().__init__(*[self._option(c) for c in citations])
        self.turn = turn

    @staticmethod
    def _option(citation) -> Option:
        label = Text()
        label.append(f"[{citation.n}] ", style="bold")
        label.append(printable(citation.byline))
        if not citation.verified:
            label.append("  (quote not found in this passage)", style="italic")
        return Option(label, id=str(citation.n))

    def on_focus(self) -> None:
        if self.highlighted is None and self.option_count:
            self.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Picked(self.turn, int(event.option.id or 0)))


class Reply(Vertical):
    """Samantha's reply: Markdown that streams in, a note if it was cut, then its sources."""

    def __init__(self, turn: int) -> None:
        super().__init__()
        self.turn = turn
        self.border_title = "Samantha"

    def compose(self) -> ComposeResult:
        yield Markdown(classes="body", open_links=False)

    @property
    def body(self) -> Markdown:
        """Return the Markdown widget the reply streams into."""
        return self.query_one(Markdown)

    async def finish(self, answer: str, citations, note: str | None = None, thinking: str = "") -> None:
        """Show the final text with linked markers, any note, the list of sources, and her thinking folded above."""
        if thinking:
            # Folded: it is how she got there, not what she says, and it can run far longer than the reply.
            text = Static(Text(printable(thinking.strip())), markup=False, classes="thinking-text")
            folded = Collapsible(text, title="her thinking", collapsed=True, classes="thinking")
            await self.mount(folded, before=self.body)
        await self.body.update(linked_markers(printable(answer), self.turn))
        if note:
            await self.mount(Static(Text(printable(note)), classes="note", markup=False))
        if citations:
            await self.mount(Static(Text("Sources", style="bold"), classes="sources-title", markup=False))
            await self.mount(SourceList(self.turn, citations))

    def mark(self, note: str) -> None:
        """Add a visible note under the reply, such as an error."""
        self.mount(Static(Text(printable(note)), classes="note", markup=False))


class StatusBar(Static):
    """One line: the backend and model, whether she is ready, and the last reply's speed."""

    def __init__(self) -> None:
        super().__init__("waking up…", id="status", markup=False)
        self.backend = ""
        self.state = "waking up…"
        self.speed = ""

    def show(self, *, backend: str | None = None, state: str | None = None, speed: str | None = None) -> None:
        """Update any of the three parts and redraw."""
        self.backend = backend if backend is not None else self.backend
        self.state = state if state is not None else self.state
        self.speed = speed if speed is not None else self.speed
        parts = [p for p in (self.state, self.backend, self.speed) if p]
        self.update(Text(printable(" · ".join(parts))))
