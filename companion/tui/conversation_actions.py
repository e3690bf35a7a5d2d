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
from companion.tui.widgets import Reply, UserMessage


class ConversationActions:
    """The chat app's conversation commands; mixed into CompanionApp, which provides the state."""

    def save(self, reply: EngineReply, draft: int | None = None) -> int | None:
        """Save a turn (over its draft, if one was saved while it streamed); return the turn's id."""
        if self.history is None:
            return None
        try:
            if self.conversation_id is None:
                self.conversation_id = self.history.new_conversation()
            return self.history.add_turn(self.conversation_id, reply, replace=draft).id
        except CompanionError as exc:
            self.notify(f"This turn could not be saved: {exc}", severity="error", markup=False)
            return None

    async def action_new_conversation(self) -> None:
        """Start a fresh conversation; the current one stays saved."""
        await self.clear_chat()
        self.conversation_id = None
        if self.engine is not None:
            self.engine.history.clear()
        self.notify("A new conversation. The last one is saved (Ctrl+O).", markup=False)

    async def clear_chat(self) -> None:
        self.action_stop()
        chat = self.query_one("#chat", VerticalScroll)
        await chat.query("UserMessage, Reply, .error").remove()
        self.query_one("#all-sources", OptionList).clear_options()
        self.shown = []

    def action_conversations(self) -> None:
        """List the saved conversations to resume or delete."""
        if self.history is None:
            self.notify("Conversations are not being saved in this session.", markup=False)
            return
        self.push_screen(ConversationsScreen(self.history), self.conversation_chosen)

    async def conversation_chosen(self, choice: tuple[str, int | None] | None) -> None:
        if choice is None:
            return
        action, conversation_id = choice
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
            self.engine.history[:] = [Exchange(t.question, t.answer) for t in turns if t.answer]
        chat.scroll_end(animate=False)

    def action_export(self) -> None:
        """Write this conversation to a Markdown file with its citations as footnotes."""
        if self.history is None or self.conversation_id is None:
            self.notify("Nothing to export yet: ask something first.", markup=False)
            return
        from companion.export import export_markdown, suggested_filename

        conversation = self.history.conversation(self.conversation_id)
        folder = (self.settings.data_dir if self.settings else Path.cwd()) / "exports"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / suggested_filename(conversation)
            path.write_text(export_markdown(conversation, self.history.turns(self.conversation_id)), "utf-8")
        except OSError as exc:
            self.notify(f"Cannot write the export ({exc.strerror}).", severity="error", markup=False)
            return
        self.notify(f"Saved to {path}", markup=False, timeout=10)

