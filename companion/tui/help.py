"""A screen that lists every key the chat understands."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

# Keys the composer handles itself (they are not bindings, so Textual cannot list them).
COMPOSER_KEYS = [
    ("Enter", "send the message"),
    ("Ctrl+J", "new line in the message"),
    ("Up / Down", "recall earlier messages"),
    ("Ctrl+A", "select the whole message (Delete then clears it)"),
    ("PgUp / PgDn", "scroll the conversation"),
    ("Tab / Shift+Tab", "move between the message and the newest reply's sources"),
]
# What the person can type instead of a question.
COMMANDS = [
    ("/memory", "list what I remember about you"),
    ("/forget ID", "forget one thing (the ids are in /memory)"),
    ("/forget all", "forget everything I remember"),
]


# While the message box has focus, ? is a character of the message.
QUESTION_MARK = " (? when the message box is not focused)"

KEY_NAMES = {
    "escape": "Esc", "question_mark": "?", "delete": "Del", "f1": "F1", "f2": "F2", "f3": "F3",
}


def key_name(binding: Binding) -> str:
    """Show a binding's keys the way a person types them."""
    names = []
    for key in binding.key.split(","):
        modifier, _, base = key.rpartition("+")
        base = KEY_NAMES.get(base, base.upper() if len(base) == 1 else base)
        names.append(f"{modifier.title()}+{base}" if modifier else base)
    return " / ".join(names)


class HelpScreen(ModalScreen):
    """Every binding, in one table; any key closes it."""

    CSS_PATH = "help.tcss"
    BINDINGS = [Binding("escape,f1,q", "app.pop_screen", "Close")]

    def __init__(self, bindings: list[Binding]) -> None:
        super().__init__()
        self.rows = [
            *COMPOSER_KEYS,
            *((key_name(b), b.description + (QUESTION_MARK if "question_mark" in b.key else "")) for b in bindings),
            ("Ctrl+P", "command palette: switch backend, export, theme…"),
            *COMMANDS,
        ]

    def compose(self) -> ComposeResult:
        table = Table(show_header=True, header_style="bold", box=None, padding=(0, 2))
        table.add_column("Key")
        table.add_column("What it does")
        for key, what in self.rows:
            table.add_row(key, what)
        with VerticalScroll(id="help-box"):
            yield Static("Keys", id="help-title", markup=False)
            yield Static(table, id="help-table")
            yield Static("In a source: E opens the whole essay, Esc goes back.", id="help-foot", markup=False)
