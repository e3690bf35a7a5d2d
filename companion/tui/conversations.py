"""The saved conversations: resume one, delete one, or start anew."""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from companion.errors import CompanionError
from companion.text import printable


def _label(conversation) -> Text:
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(conversation.updated_at))
    label = Text(printable(conversation.title or "(untitled)"), style="bold")
    turns = "turn" if conversation.turn_count == 1 else "turns"
    label.append(f"\n  {when} · {conversation.turn_count} {turns}", style="dim")
    return label


class ConversationsScreen(Screen[tuple[str, int | None] | None]):
    """Pick a saved conversation; dismisses with ("resume", id), ("new", None), ("deleted", None) or None.

    ("deleted", None) means the conversation open in the chat was deleted here, so the chat must start anew.
    """

    CSS_PATH = "conversations.tcss"
    BINDINGS = [
        Binding("escape", "dismiss_none", "Back"),
        Binding("d,delete", "delete", "Delete"),
        Binding("n", "new", "New conversation"),
    ]

    def __init__(self, history, current: int | None = None, deleted=lambda conversation_id: None) -> None:
        super().__init__()
        self.history = history
        self.current = current
        # Told at once, so a reply still being written to a deleted conversation is not saved anew.
        self.deleted = deleted
        self.deleted_current = False
        # The conversation a first d asked about; a second d on it deletes it.
        self.armed: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Saved conversations · Enter resumes · d twice deletes", id="conversations-title", markup=False)
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

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id != (str(self.armed) if self.armed is not None else None):
            self.armed = None

    def action_delete(self) -> None:
        """Ask to delete the highlighted conversation; asked again, delete it for good."""
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return
        option = options.get_option_at_index(options.highlighted)
        if not option.id:
            return
        chosen = int(option.id)
        if self.armed != chosen:
            self.armed = chosen
            which = "the conversation open in the chat" if chosen == self.current else "this conversation"
            self.notify(f"Delete {which} for good? Press d again to delete it.", markup=False, timeout=8)
            return
        self.armed = None
        try:
            self.history.delete(chosen)
        except CompanionError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.deleted(chosen)
        if chosen == self.current:
            self.deleted_current = True
            self.notify("Deleted. It was open in the chat, so a new conversation starts there.", markup=False)
        else:
            self.notify("Conversation deleted.", markup=False)
        self.refresh_list()

    def action_new(self) -> None:
        """Start a new conversation."""
        self.dismiss(("new", None))

    def action_dismiss_none(self) -> None:
        """Go back, to a new conversation if the open one was deleted."""
        self.dismiss(("deleted", None) if self.deleted_current else None)
