"""The pieces of the chat: the composer, the person's messages, and Samantha's cited replies."""

from __future__ import annotations

import re
import textwrap
import unicodedata

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Collapsible, Markdown, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from companion.engine import MAX_QUESTION_CHARS
from companion.grounding import Citation
from companion.text import printable
from companion.tui.sources import EXCERPT_CHARS, author_and_title, excerpt

MARKER = re.compile(r"\[(\d{1,3})\]")
# The composer shows how long the message is from this share of the engine's one limit on.
COUNT_FROM = 0.75
# The fewest characters of a quote a source's label keeps, however narrow the window: below it the words no longer
# tell passages apart, and wrapping is the lesser harm.
MIN_EXCERPT = 24


def linked_markers(answer: str, turn: int) -> str:
    """Make each [n] in a reply a link the chat can open (cite:<turn>:<n>)."""
    return MARKER.sub(lambda m: f"[\\[{m.group(1)}\\]](cite:{turn}:{m.group(1)})", answer)


class Composer(TextArea):
    """Where the person writes: Enter sends, Ctrl+J adds a line, Up and Down recall earlier messages."""

    BINDINGS = [
        Binding("ctrl+a", "select_all", "Select all", show=False),
        # A few lines of message have no pages to move through; the conversation above does.
        Binding("pageup", "app.scroll_chat(-1)", "Scroll up", show=False),
        Binding("pagedown", "app.scroll_chat(1)", "Scroll down", show=False),
    ]

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
        if event.character and len(event.character) == 1 and unicodedata.category(event.character) == "Cf":
            # Joiners and other format characters are not "printable" to TextArea, which would drop them,
            # breaking 👨‍👩‍👧 into three faces and Persian words at their ZWNJ.
            event.stop()
            event.prevent_default()
            self.replace(event.character, *self.selection)
        # Other keys fall through to TextArea's own handler: Textual calls each class's in turn.

    async def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()
        self.take_paste(event.text)

    def take_paste(self, pasted: str) -> None:
        """Insert pasted text as it was, control characters shown as visible escapes; refuse it past the limit."""
        text = printable(pasted.replace("\r\n", "\n").replace("\r", "\n"))
        start, end = sorted(self.selection)
        kept = len(self.text) - len(self.get_text_range(start, end))
        if kept + len(text) > MAX_QUESTION_CHARS:
            self.app.notify(
                f"That paste is {len(text):,} characters; a message can be up to {MAX_QUESTION_CHARS:,}. "
                "Paste the part you want to talk about.",
                severity="warning", markup=False,
            )
            return
        self.move_cursor(self.replace(text, start, end).end_location)
        self.focus()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        size = len(self.text)
        if size > MAX_QUESTION_CHARS:
            self.border_subtitle = f"{size:,} / {MAX_QUESTION_CHARS:,}: too long to send · Ctrl+A selects all"
        elif size >= COUNT_FROM * MAX_QUESTION_CHARS:
            self.border_subtitle = f"{size:,} / {MAX_QUESTION_CHARS:,}"
        else:
            self.border_subtitle = ""
        self.set_class(size > MAX_QUESTION_CHARS, "too-long")

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

    def __init__(self, turn: int, citations: tuple[Citation, ...] | list, answer: str = "") -> None:
        self.citations = tuple(citations)
        self.answer = answer
        self._width = 0
        super().__init__(*[self._option(c, answer) for c in self.citations])
        self.turn = turn

    def on_resize(self, event: events.Resize) -> None:
        # An excerpt longer than the list is wide wrapped under its marker; each is cut to one line instead.
        if event.size.width == self._width:
            return
        self._width = event.size.width
        highlighted = self.highlighted
        self.clear_options()
        self.add_options([self._option(c, self.answer, event.size.width) for c in self.citations])
        self.highlighted = highlighted

    @staticmethod
    def _option(citation, answer: str = "", width: int = 0) -> Option:
        label = Text()
        marker = f"[{citation.n}] "
        label.append(marker, style="bold")
        # The quoted words tell three passages of one essay apart; the byline alone cannot. Two columns are left
        # for a scrollbar.
        limit = min(EXCERPT_CHARS, width - len(marker) - 2) if width else EXCERPT_CHARS
        label.append(printable(excerpt(citation, answer, max(limit, MIN_EXCERPT))))
        byline = f"— {printable(author_and_title(citation))}"
        # A byline too long for the list goes on under itself, not back at the marker's column.
        lines = textwrap.wrap(byline, max(width - 8, MIN_EXCERPT), subsequent_indent="  ") if width else [byline]
        label.append("".join(f"\n    {line}" for line in lines), style="italic")
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
            await self.mount(SourceList(self.turn, citations, answer))

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
