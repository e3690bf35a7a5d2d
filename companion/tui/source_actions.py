"""Sources, help, copying and the command palette in the chat; mixed into CompanionApp, which holds the state."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from rich.text import Text
from textual import work
from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from companion.errors import CompanionError
from companion.text import printable
from companion.tui.help import HelpScreen
from companion.tui.sources import SourceScreen, excerpt, source_of
from companion.tui.streaming import ENGINE_WAIT


class SourceActions:
    """The chat app's sources, help, clipboard and palette commands."""

    def add_to_sources_panel(self, turn: int) -> None:
        panel = self.query_one("#all-sources", OptionList)
        for citation in self.shown[turn].citations:
            label = Text(f"reply {turn + 1} · [{citation.n}] ", style="bold")
            label.append(printable(excerpt(citation, self.shown[turn].answer)))
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
            self.focus_composer()

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
        if self._engine_lock.acquire(timeout=ENGINE_WAIT):
            try:
                switch_backend(self.engine, self.settings, name)
            except CompanionError as exc:
                self.call_from_thread(self.notify, str(exc), severity="error", markup=False, timeout=15)
            finally:
                self._engine_lock.release()
        else:
            self.call_from_thread(self.notify, "A reply is still being written; switch when it ends.", markup=False)
        self.call_from_thread(self.show_backend)
        self.call_from_thread(self.set_status, "ready")
