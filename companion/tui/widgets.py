"""The pieces of the chat: the person's messages and Samantha's cited replies."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Markdown, Static

from companion.grounding import Citation
from companion.text import printable


class UserMessage(Static):
    """What the person typed, shown exactly as typed."""

    def __init__(self, text: str) -> None:
        super().__init__(Text(printable(text)), markup=False)


class Reply(Vertical):
    """Samantha's reply: Markdown that streams in, then the sources it cites."""

    def __init__(self) -> None:
        super().__init__()
        self.border_title = "Samantha"

    def compose(self) -> ComposeResult:
        yield Markdown(classes="body")
        yield Static("", classes="sources", markup=False)

    @property
    def body(self) -> Markdown:
        """Return the Markdown widget the reply streams into."""
        return self.query_one(Markdown)

    def show_sources(self, citations: tuple[Citation, ...]) -> None:
        """List the cited passages under the reply, or hide the list when there are none."""
        sources = self.query_one(".sources", Static)
        if not citations:
            sources.display = False
            return
        text = Text()
        text.append("Sources\n", style="bold")
        for c in citations:
            text.append(f"[{c.n}] ", style="bold")
            text.append(printable(c.passage.byline))
            text.append(f"  ({c.passage.id})", style="dim")
            if not c.verified:
                text.append("  quote not found in this passage", style="italic")
            text.append("\n")
        text.rstrip()
        sources.update(text)
        sources.display = True

    def mark(self, note: str) -> None:
        """Add a visible note under the reply, such as why it stopped early."""
        self.mount(Static(Text(printable(note)), classes="note", markup=False))
