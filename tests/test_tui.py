"""The chat window driven by Textual's pilot, with the real index and the extractive backend."""

from __future__ import annotations

import threading
import time

import pytest

from textual.widgets import Markdown, Static

from companion.backends.base import BaseBackend
from companion.errors import StoreError
from companion.text import fold_marks
from companion.tui.app import CompanionApp
from companion.tui.widgets import Composer, Reply, SourceList, UserMessage


def loader_for(engine, gate: threading.Event | None = None):
    def load(status):
        status("reading the essays…")
        if gate is not None:
            gate.wait(30)
        return engine

    return load


async def settle(app, pilot):
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def markdown_source(reply: Reply) -> str:
    return reply.query_one(Markdown).source


async def ask(app, pilot, text: str) -> None:
    composer = app.query_one(Composer)
    composer.focus()
    composer.load_text(text)
    await pilot.press("enter")
    await settle(app, pilot)


async def test_a_question_gets_a_cited_reply(engine):
    app = CompanionApp(loader_for(engine))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        assert "ready · extractive" in str(app.query_one("#status", Static).render())
        await ask(app, pilot, "What did the critics think of the ending?")
        (reply,) = app.query(Reply)
        source = markdown_source(reply)
        assert "[\\[1\\]](cite:0:1)" in source and "[\\[2\\]](cite:0:2)" in source
        sources = reply.query_one(SourceList)
        assert sources.option_count >= 2 and "[1]" in str(sources.get_option_at_index(0).prompt)
        assert app.query_one(Composer).text == ""


async def test_markup_and_escape_codes_are_shown_literally(engine):
    app = CompanionApp(loader_for(engine))
    typed = "[bold]is this bold?[/ \x1b[31mred[0m [0] what about the ending?"
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await ask(app, pilot, typed)
        (message,) = app.query(UserMessage)
        shown = str(message.render())
        assert "[bold]is this bold?[/" in shown
        assert "\x1b" not in shown and "\\x1b[31mred" in shown
        assert len(app.query(Reply)) == 1


async def test_a_question_typed_while_loading_is_answered_when_ready(engine):
    gate = threading.Event()
    app = CompanionApp(loader_for(engine, gate))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        app.query_one(Composer).load_text("Is Samantha rational or emotional?")
        await pilot.press("enter")
        await pilot.pause()
        assert len(app.query(UserMessage)) == 1 and len(app.query(Reply)) == 0
        gate.set()
        await settle(app, pilot)
        (reply,) = app.query(Reply)
        assert "(cite:0:1)" in markdown_source(reply)


async def test_an_uncovered_question_has_no_sources(engine):
    app = CompanionApp(loader_for(engine))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await ask(app, pilot, "How much money did Her make?")
        (reply,) = app.query(Reply)
        assert "essays" in markdown_source(reply)
        assert not reply.query(SourceList)


async def test_empty_input_sends_nothing(engine):
    app = CompanionApp(loader_for(engine))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await ask(app, pilot, "   ")
        assert not app.query(UserMessage)


async def test_a_failed_start_is_shown_not_raised():
    def broken(status):
        raise StoreError("Cannot open the index at /nowhere: move it aside.")

    app = CompanionApp(broken)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        assert "can't start" in str(app.query_one("#status", Static).render())
        assert "Cannot open the index" in str(app.query_one(".error", Static).render())


async def test_backends_can_be_switched_from_the_command_palette(engine, shared_settings):
    app = CompanionApp(loader_for(engine), settings=shared_settings)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Use backend: extractive" in titles and "Use backend: ollama" in titles
        app.use_backend("no-such-backend")
        await settle(app, pilot)
        assert app.engine.backend.name == "extractive"
        assert "ready · extractive" in str(app.query_one("#status", Static).render())
        app.use_backend("extractive")
        await settle(app, pilot)
        assert app.engine.backend.name == "extractive"


class SlowBackend(BaseBackend):
    """A scripted backend that writes slowly, or fails midway, like a real server can."""

    name = "scripted"
    model = "slow-1"
    context_size = None

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail

    def check(self):
        return None

    def stream(self, request):
        import time as clock

        from companion.errors import BackendError

        yield "Here is what "
        yield "the critics say: "
        if self.fail:
            raise BackendError("the server at http://127.0.0.1:9 went away: start it again")
        yield "they loved it. "
        # Short sentences, so the one-place cleanup of a written reply passes them on as they come.
        for _ in range(200):
            clock.sleep(0.05)
            yield "More. "


def scripted_engine(retrieval, prompts, backend):
    from companion.engine import Engine

    return Engine(searcher=retrieval.searcher, backend=backend, prompts=prompts, sentences=retrieval.sentences)


async def test_esc_stops_a_reply_and_keeps_the_partial_text(retrieval, prompts, tmp_path):
    from companion.history import History

    history = History(tmp_path / "c.sqlite3")
    app = CompanionApp(loader_for(scripted_engine(retrieval, prompts, SlowBackend())), history=history)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        composer = app.query_one(Composer)
        composer.load_text("What did the critics think of the ending?")
        await pilot.press("enter")
        # Stopped once words have come, however long finding the evidence took on a busy machine.
        ends = time.monotonic() + 20
        while time.monotonic() < ends and not (app.query(Reply) and markdown_source(app.query_one(Reply))):
            await pilot.pause(0.1)
        await pilot.pause(0.3)
        await pilot.press("escape")
        await settle(app, pilot)
        (reply,) = app.query(Reply)
        assert markdown_source(reply).startswith("Here is what the critics say:")
        assert "Stopped" in str(reply.query_one(".note", Static).render())
        (turn,) = history.turns(history.latest().id)
        assert not turn.complete and turn.error == "stopped" and turn.answer.startswith("Here is what")
        composer.load_text("And Amy?")
        await pilot.press("enter")
        await pilot.pause(0.3)
        await pilot.press("escape")
        await settle(app, pilot)
        assert len(app.query(Reply)) == 2 and len(history.turns(history.latest().id)) == 2


@pytest.mark.parametrize("goes_first", ["#sources-panel", "#all-sources"])
async def test_a_reply_finishing_as_the_app_closes_is_saved_without_a_traceback(
    retrieval, prompts, tmp_path, monkeypatch, goes_first
):
    from companion.backends.extractive import ExtractiveBackend
    from companion.history import History

    finish = Reply.finish

    async def finish_as_the_app_closes(self, *args, **kwargs):
        # Closing removes the panels while the reply is still being finished (seen on a busy machine); once, in
        # CI, the list of sources went before its panel and the reply, as the test run was closing the app.
        await finish(self, *args, **kwargs)
        if goes_first == "#sources-panel":
            self.app.exit()
        await self.app.query_one(goes_first).remove()

    monkeypatch.setattr(Reply, "finish", finish_as_the_app_closes)
    history = History(tmp_path / "c.sqlite3")
    app = CompanionApp(loader_for(scripted_engine(retrieval, prompts, ExtractiveBackend())), history=history)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await ask(app, pilot, "who plays amy?")
        await settle(app, pilot)
    (turn,) = history.turns(history.latest().id)
    assert turn.complete and "Amy Adams" in turn.answer


async def test_a_backend_failure_is_shown_saved_and_survivable(retrieval, prompts, tmp_path):
    from companion.history import History

    history = History(tmp_path / "c.sqlite3")
    engine = scripted_engine(retrieval, prompts, SlowBackend(fail=True))
    app = CompanionApp(loader_for(engine), history=history)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await ask(app, pilot, "What did the critics think of the ending?")
        (reply,) = app.query(Reply)
        assert "went away" in str(reply.query_one(".note", Static).render())
        assert markdown_source(reply).startswith("Here is what the critics say:")
        (turn,) = history.turns(history.latest().id)
        assert not turn.complete and "went away" in turn.error
        await ask(app, pilot, "Is Samantha rational or emotional?")
        assert len(app.query(Reply)) == 2 and app.query_one(Composer).text == ""


async def test_a_quote_from_the_note_on_the_writers_opens_the_essay_at_the_note(engine, retrieval, shared_settings):
    from companion.session import shelve
    from companion.tui.sources import EssayScreen

    library = shelve(retrieval.store, shared_settings)
    engine.library = lambda: library
    app = CompanionApp(loader_for(engine), settings=shared_settings)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await ask(app, pilot, "what does the medium writer do for a living?")
        assert app.shown[0].citations[0].passage_id == "shared-experience:note"
        app.open_source(0, 1)
        await pilot.pause()
        shown = [str(w.render()) for w in app.screen.query(Static)]
        assert "the note on its writers (shared-experience:note)" in shown
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EssayScreen)
        (current,) = app.screen.query(".current")
        assert current.has_class("essay-note")
        assert str(current.render()).startswith("Usually a photographer")


async def test_opening_a_source_shows_the_quote_and_the_essay(engine, shared_settings):
    from companion.tui.sources import EssayScreen, SourceScreen

    app = CompanionApp(loader_for(engine), settings=shared_settings)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await ask(app, pilot, "What did the critics think of the ending?")
        source_list = app.query_one(SourceList)
        source_list.focus()
        source_list.highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SourceScreen)
        passage = app.screen.query_one("#passage", Static).render()
        assert any("bold" in str(span.style) for span in passage.spans)
        highlighted_text = passage.plain[passage.spans[0].start : passage.spans[0].end]
        # The essay's own quotation marks are double where the reply shows them single (text.nested).
        assert highlighted_text and fold_marks(highlighted_text) in fold_marks(app.shown[0].answer)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EssayScreen)
        assert len(app.screen.query(".current")) == 1
        await pilot.press("escape", "escape")
        assert not isinstance(app.screen, SourceScreen | EssayScreen)
        app.open_source(0, 2)
        await pilot.pause()
        assert isinstance(app.screen, SourceScreen) and app.screen.source.n == 2


async def test_conversations_are_saved_resumed_and_exported(engine, shared_settings, tmp_path):
    from companion.history import History
    from companion.tui.conversations import ConversationsScreen

    history = History(tmp_path / "c.sqlite3")
    settings = shared_settings.with_overrides(data_dir=tmp_path)
    app = CompanionApp(loader_for(engine), settings=settings, history=history)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await ask(app, pilot, "Is Samantha rational or emotional?")
        await ask(app, pilot, "What did the critics think of the ending?")
        await ask(app, pilot, "and amy?")
        asked = engine.history[-1]
        first = app.conversation_id
        await pilot.press("ctrl+s")
        exported = list((tmp_path / "exports").glob("*.md"))
        assert len(exported) == 1 and "[^t2-1]:" in exported[0].read_text("utf-8")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert not app.query(Reply) and app.conversation_id is None and not engine.history
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, ConversationsScreen)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.conversation_id == first and len(app.query(Reply)) == 3
        # A reopened follow-up leans as it did: "keep going" goes on with Amy, not with the ending.
        assert asked.query == "What did the critics think of amy?" and engine.history[-1] == asked
        assert app.query(SourceList)


async def test_help_lists_every_binding(engine):
    from companion.tui.help import HelpScreen

    app = CompanionApp(loader_for(engine))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(f"{key} {what}" for key, what in app.screen.rows)
        for needed in ["Esc", "Stop reply", "F2", "Ctrl+N", "Ctrl+O", "Ctrl+S", "F3", "F1 / ?", "Enter", "Ctrl+J",
                       "Shift+Tab", "Ctrl+A", "PgUp", "/memory", "/forget ID", "/forget all"]:
            assert needed in text, needed


async def test_up_recalls_and_a_huge_paste_is_refused(engine):
    from textual import events

    app = CompanionApp(loader_for(engine))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await ask(app, pilot, "Is Samantha rational or emotional?")
        composer = app.query_one(Composer)
        await pilot.press("h", "i", "ctrl+j", "t", "h", "e", "r", "e")
        assert composer.text == "hi\nthere"
        composer.load_text("")
        await pilot.press("up")
        assert composer.text == "Is Samantha rational or emotional?"
        await pilot.press("down")
        assert composer.text == ""
        app.post_message(events.Paste("x" * 100_000))
        await pilot.pause()
        assert composer.text == ""
        app.post_message(events.Paste("a short paste"))
        await pilot.pause()
        assert composer.text == "a short paste"


class HostileBackend(BaseBackend):
    """A backend whose text is full of markup, escapes and a bogus marker."""

    name = "hostile"
    model = None
    context_size = None

    def check(self):
        return None

    def stream(self, request):
        yield "[bold]not bold[/] [/ \x1b[31mred\x1b[0m \x00 [0] "
        yield f"“{request.evidence[0].passage.text[:30]}” [1]"


async def test_model_text_with_markup_and_escapes_is_shown_literally(retrieval, prompts):
    app = CompanionApp(loader_for(scripted_engine(retrieval, prompts, HostileBackend())))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await ask(app, pilot, "What did the critics think of the ending?")
        (reply,) = app.query(Reply)
        source = markdown_source(reply)
        assert "[bold]not bold[/]" in source and "\\x1b[31mred" in source and "\x1b" not in source
        assert "\\x00" in source
        app.open_source(0, 0)
        await pilot.pause()
        assert app.screen is app.screen_stack[0]


async def test_memory_commands_in_the_chat_say_what_happened(engine, tmp_path):
    from companion.memory import Memory
    from companion.tui.widgets import Note

    engine.memory = Memory(tmp_path / "memory.sqlite3")
    [name] = engine.memory.remember("My name is Ana")
    app = CompanionApp(loader_for(engine))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        for typed in ("/forget 99", "/forget Ana"):
            app.clear_notifications()
            await ask(app, pilot, typed)
            [said] = [n.message for n in app._notifications]
            assert said == {"/forget 99": "Nothing is remembered under 99: /memory lists the ids.",
                            "/forget Ana": "Say /forget ID (the ids are in /memory) or /forget all."}[typed]
        await ask(app, pilot, "/memory")
        assert str(app.query(Note).last().render()).startswith(f"{name.id:>4}  name: Ana")
        await ask(app, pilot, "/forget all")
        assert str(app.query(Note).last().render()) == "I forgot the one thing I remembered. It's gone from disk."
        assert engine.memory.facts() == [] and not app.query(Reply)
    engine.memory.close()
