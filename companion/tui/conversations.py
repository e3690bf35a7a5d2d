"""The saved conversations: resume one, delete one, or start anew."""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from companion.text import printable


def _label(conversation) -> Text:
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(conversation.updated_at))
    label = Text(printable(conversation.title or "(untitled)"), style="bold")
    turns = "turn" if conversation.turn_count == 1 else "turns"
    label.append(f"\n  {when} · {conversation.turn_count} {turns}", style="dim")
    return label


class ConversationsScreen(Screen[tuple[str, int | None] | None]):
    """Pick a saved conversation; dismisses with ("resume", id), ("new", None) or None."""

    CSS_PATH = "conversations.tcss"
    BINDINGS = [
        Binding("escape", "dismiss_none", "Back"),
        Binding("d,delete", "delete", "Delete"),
        Binding("n", "new", "New conversation"),
    ]

    def __init__(self, history) -> None:
        super().__init__()
        self.history = history

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Saved conversations · Enter resumes", id="conversations-title", markup=False)
        yield OptionList(id="conversations")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_list()
        self.query_one(OptionList).focus()

    def refresh_list(self) -> None:
        """Show the conversations, newest first."""
        options = self.query_one(OptionList)
        options.clear_options()
        found = self.history.conversations()
        options.add_options([Option(_label(c), id=str(c.id)) for c in found])
        if found:
            options.highlighted = 0
        else:
            options.add_option(Option(Text("No saved conversations yet.", style="italic"), disabled=True))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.dismiss(("resume", int(event.option.id)))

    def action_delete(self) -> None:
        """Delete the highlighted conversation for good."""
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return
        option = options.get_option_at_index(options.highlighted)
        if not option.id:
            return
        self.history.delete(int(option.id))
        self.notify("Conversation deleted.", markup=False)
        self.refresh_list()

    def action_new(self) -> None:
        """Start a new conversation."""
        self.dismiss(("new", None))

    def action_dismiss_none(self) -> None:
        """Go back without changing anything."""
        self.dismiss(None)
