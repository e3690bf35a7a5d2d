"""The chat window driven by Textual's pilot, with the real index and the extractive backend."""

from __future__ import annotations

import threading

from textual.widgets import Input, Markdown, Static

from companion.errors import StoreError
from companion.tui.app import CompanionApp
from companion.tui.widgets import Reply, UserMessage


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
    app.query_one("#prompt", Input).value = text
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
        assert "[1]" in source and "[2]" in source
        sources = str(reply.query_one(".sources", Static).render())
        assert "Sources" in sources and "[1]" in sources
        assert app.query_one("#prompt", Input).value == ""


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
        app.query_one("#prompt", Input).value = "Is Samantha rational or emotional?"
        await pilot.press("enter")
        await pilot.pause()
        assert len(app.query(UserMessage)) == 1 and len(app.query(Reply)) == 0
        gate.set()
        await settle(app, pilot)
        (reply,) = app.query(Reply)
        assert "[1]" in markdown_source(reply)


async def test_an_uncovered_question_has_no_sources(engine):
    app = CompanionApp(loader_for(engine))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await ask(app, pilot, "How much money did Her make?")
        (reply,) = app.query(Reply)
        assert "essays" in markdown_source(reply)
        assert reply.query_one(".sources", Static).display is False


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
