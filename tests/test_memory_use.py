"""Memory in use: told in one session, recalled in the next, listed and forgotten in the chat and the CLI."""

from __future__ import annotations

import io
import time

from textual.widgets import Static

from companion.backends.extractive import ExtractiveBackend
from companion.cli import main
from companion.engine import Engine
from companion.memory import Memory
from companion.tui.app import CompanionApp
from companion.tui.widgets import Composer, Note
from tests.test_tui import loader_for, settle


def engine_with_memory(retrieval, prompts, path) -> Engine:
    engine = Engine(searcher=retrieval.searcher, backend=ExtractiveBackend(), prompts=prompts)
    engine.memory = Memory(path)
    engine.spoiler_care = lambda: engine.memory.seen_film() is False
    return engine


def test_told_in_one_session_recalled_in_the_next(retrieval, prompts, tmp_path):
    first = engine_with_memory(retrieval, prompts, tmp_path / "memory.sqlite3")
    first.ask("I loved Amy.")
    first.memory.close()
    later = engine_with_memory(retrieval, prompts, tmp_path / "memory.sqlite3")
    reply = later.ask("What do the critics think of Amy?")
    assert "you loved Amy" in reply.answer
    assert all("loved Amy" not in c.passage.text for c in reply.citations)
    assert "loved Amy" in later.remembered_summary() or "They loved Amy" in later.remembered_summary()


def test_not_seen_yet_turns_on_spoiler_care(retrieval, prompts, tmp_path):
    engine = engine_with_memory(retrieval, prompts, tmp_path / "memory.sqlite3")
    engine.ask("I haven't seen it yet.")
    assert engine.memory.seen_film() is False
    reply = engine.ask("How many others is Samantha talking to?")
    assert "641" not in reply.answer


async def test_welcome_back_and_slash_commands(retrieval, prompts, tmp_path):
    path = tmp_path / "memory.sqlite3"
    with Memory(path, clock=lambda: time.time() - 3 * 86400) as before:
        before.remember("My name is Ana")
        before.touch()
    engine = engine_with_memory(retrieval, prompts, path)
    app = CompanionApp(loader_for(engine))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        welcome = str(app.query_one("#welcome", Static).render())
        assert "a few days" in welcome and "Ana" in welcome
        composer = app.query_one(Composer)
        composer.load_text("/memory")
        await pilot.press("enter")
        await settle(app, pilot)
        assert "name: Ana" in str(app.query(Note).last().render())
        fact_id = engine.memory.facts()[0].id
        composer.load_text(f"/forget {fact_id}")
        await pilot.press("enter")
        await settle(app, pilot)
        assert engine.memory.facts() == []
        assert b"Ana" not in path.read_bytes()


def test_cli_memory_lists_and_forgets(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    with Memory(data / "memory.sqlite3") as memory:
        memory.remember("My name is Ana. I live in Lisbon.")
    out = io.StringIO()
    assert main(["memory", "--data-dir", str(data)], out=out) == 0
    listing = out.getvalue()
    assert "Ana" in listing and "Lisbon" in listing
    first_id = int(listing.split()[0])
    assert main(["memory", "--data-dir", str(data), "--forget", str(first_id)], out=io.StringIO()) == 0
    assert main(["memory", "--data-dir", str(data), "--forget", "999"], out=io.StringIO()) == 1
    assert "Nothing is remembered under 999" in capsys.readouterr().err
    assert main(["memory", "--data-dir", str(data), "--forget-all"], out=io.StringIO()) == 0
    out = io.StringIO()
    main(["memory", "--data-dir", str(data)], out=out)
    assert "don't remember anything" in out.getvalue()
    assert b"Lisbon" not in (data / "memory.sqlite3").read_bytes()


def test_a_one_shot_ask_is_remembered(private_index):
    data = private_index
    out = io.StringIO()
    assert main(["ask", "--data-dir", str(data), "--backend", "extractive", "I'm a photographer."], out=out) == 0
    with Memory(data / "memory.sqlite3") as memory:
        assert [f.text for f in memory.facts()] == ["is a photographer"]
        assert memory.last_seen() is not None
