"""Saved conversations in the chat: save each turn, start anew, resume, export."""

from __future__ import annotations

from pathlib import Path

from textual.containers import VerticalScroll
from textual.widgets import OptionList

from companion.engine import Exchange
from companion.engine import Reply as EngineReply
from companion.errors import CompanionError
from companion.tui.conversations import ConversationsScreen
from companion.tui.sources import Shown
from companion.tui.streaming import INTERRUPTED, Turn
from companion.tui.widgets import Reply, UserMessage

# Seconds a new or resumed conversation waits for the reply being written to stop.
STOP_WAIT = 2.0


class ConversationActions:
    """The chat app's conversation commands; mixed into CompanionApp, which provides the state."""

    def open_conversation(self) -> int | None:
        """Return the conversation new turns are saved in, starting one if needed; None when nothing is saved."""
        if self.history is None:
            return None
        if self.conversation_id is None:
            try:
                self.conversation_id = self.history.new_conversation()
            except CompanionError as exc:
                self.notify(f"This conversation cannot be saved: {exc}", severity="error", markup=False)
        return self.conversation_id

    def save(self, turn: Turn, reply: EngineReply) -> None:
        """Save a reply in its turn's conversation, over the draft saved while it streamed."""
        if self.history is None:
            return
        for attempt in (1, 2):
            if turn.conversation_id is None:
                turn.conversation_id = self.open_conversation()
                if turn.conversation_id is None:
                    return
            try:
                turn.draft_id = self.history.add_turn(turn.conversation_id, reply, replace=turn.draft_id).id
                return
            except CompanionError as exc:
                if turn.conversation_id in self.deleted_here:
                    return  # the person deleted it, this reply with it
                if attempt == 2 or not self.was_deleted(turn.conversation_id):
                    self.notify(f"This turn could not be saved: {exc}", severity="error", markup=False)
                    return
            # Its conversation was deleted elsewhere while it was open: carry on in a new one, never lose a turn.
            if turn.conversation_id == self.conversation_id:
                self.conversation_id = None
                self.notify("This conversation was deleted; from here on it is saved as a new one.", markup=False)
            turn.conversation_id = turn.draft_id = None

    def was_deleted(self, conversation_id: int) -> bool:
        """Say whether a conversation is no longer saved (deleted here or by another window)."""
        try:
            return all(c.id != conversation_id for c in self.history.conversations())
        except CompanionError:
            return False

    async def action_new_conversation(self, said: str = "A new conversation. The last one is saved (Ctrl+O).") -> None:
        """Start a fresh conversation; the current one stays saved."""
        await self.clear_chat()
        self.conversation_id = None
        if self.engine is not None:
            self.engine.history.clear()
        self.focus_composer()
        self.notify(said, markup=False)

    async def clear_chat(self) -> None:
        # Waited for so that the stopped turn records its exchange before the engine's history is replaced.
        await self.stop_reply(INTERRUPTED, wait=STOP_WAIT)
        chat = self.query_one("#chat", VerticalScroll)
        await chat.query("UserMessage, Reply, Note, .error").remove()
        self.query_one("#all-sources", OptionList).clear_options()
        self.shown = []

    def action_conversations(self) -> None:
        """List the saved conversations to resume or delete."""
        if self.history is None:
            self.notify("Conversations are not being saved in this session.", markup=False)
            return
        screen = ConversationsScreen(self.history, self.conversation_id, self.deleted_here.add)
        self.push_screen(screen, self.conversation_chosen)

    async def conversation_chosen(self, choice: tuple[str, int | None] | None) -> None:
        if choice is None:
            return
        action, conversation_id = choice
        if action == "deleted":
            await self.action_new_conversation("You deleted the open conversation; this is a new one.")
            return
        if action == "new" or conversation_id is None:
            await self.action_new_conversation()
            return
        await self.resume(conversation_id)

    async def resume(self, conversation_id: int) -> None:
        """Show a saved conversation and carry on from it."""
        try:
            turns = self.history.turns(conversation_id)
        except CompanionError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        await self.clear_chat()
        self.conversation_id = conversation_id
        chat = self.query_one("#chat", VerticalScroll)
        for turn in turns:
            await chat.mount(UserMessage(turn.question))
            reply = Reply(len(self.shown))
            await chat.mount(reply)
            note = None if turn.complete else f"This reply was cut short: {turn.error or 'stopped'}"
            await reply.finish(turn.answer, turn.citations, note)
            self.shown.append(Shown(turn.answer, turn.citations))
            self.add_to_sources_panel(len(self.shown) - 1)
        if self.engine is not None:
            self.engine.history[:] = [Exchange(t.question, t.answer, t.route, t.query) for t in turns if t.answer]
        self.tab_to_newest_sources()
        chat.scroll_end(animate=False)
        self.focus_composer()

    def action_export(self) -> None:
        """Write this conversation to a Markdown file with its citations as footnotes."""
        if self.history is None or self.conversation_id is None:
            self.notify("Nothing to export yet: ask something first.", markup=False)
            return
        from companion.export import export_markdown, suggested_filename

        folder = (self.settings.data_dir if self.settings else Path.cwd()) / "exports"
        try:
            conversation = self.history.conversation(self.conversation_id)
            turns = self.history.turns(self.conversation_id)
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / suggested_filename(conversation)
            path.write_text(export_markdown(conversation, turns), "utf-8")
        except CompanionError as exc:
            self.notify(f"Cannot export this conversation: {exc}", severity="error", markup=False)
            return
        except OSError as exc:
            self.notify(f"Cannot write the export ({exc.strerror}).", severity="error", markup=False)
            return
        self.notify(f"Saved to {path}", markup=False, timeout=10)

