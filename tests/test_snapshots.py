"""Snapshots of the main screens, compared with accepted SVGs (update with --snapshot-update)."""

from __future__ import annotations

import sqlite3

from companion.history import History
from companion.tui.app import CompanionApp
from companion.tui.widgets import SourceList, StatusBar
from tests.test_tui import loader_for

SIZE = (100, 32)


async def settled(pilot) -> None:
    # A blinking cursor is drawn or not depending on when the screen is taken; keep it drawn.
    pilot.app.query_one("#composer").cursor_blink = False
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def asked(pilot) -> None:
    await settled(pilot)
    composer = pilot.app.query_one("#composer")
    composer.load_text("What did the critics think of the ending?")
    await pilot.press("enter")
    await settled(pilot)
    # The speed figures change from run to run; everything else on screen must not.
    pilot.app.query_one(StatusBar).show(speed="0.4 s · 200 tok/s")
    composer.focus()
    await pilot.pause()


def test_main_screen_with_a_reply_and_sources(snap_compare, engine):
    assert snap_compare(CompanionApp(loader_for(engine)), terminal_size=SIZE, run_before=asked)


def test_source_viewer(snap_compare, engine, shared_settings):
    async def open_first_source(pilot):
        await asked(pilot)
        sources = pilot.app.query_one(SourceList)
        sources.focus()
        sources.highlighted = 0
        await pilot.press("enter")
        await pilot.pause()

    app = CompanionApp(loader_for(engine), settings=shared_settings)
    assert snap_compare(app, terminal_size=SIZE, run_before=open_first_source)


def test_conversation_list(snap_compare, engine, tmp_path, monkeypatch):
    import time

    from companion.engine import Reply

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()

    history = History(tmp_path / "c.sqlite3")
    for number, question in enumerate(["Is Samantha rational or emotional?", "What does Amy work on?"]):
        conversation = history.new_conversation()
        for _ in range(number + 1):
            history.add_turn(conversation, Reply(question, "An answer.", True, (), "extractive", None))
    with sqlite3.connect(history.path) as raw:
        raw.execute("UPDATE conversations SET created_at = 1700000000 + id * 3600, updated_at = 1700000000 + id * 3600")

    async def open_list(pilot):
        await settled(pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()

    app = CompanionApp(loader_for(engine), history=history)
    assert snap_compare(app, terminal_size=SIZE, run_before=open_list)


def test_help_screen(snap_compare, engine):
    async def open_help(pilot):
        await settled(pilot)
        await pilot.press("f1")
        await pilot.pause()

    assert snap_compare(CompanionApp(loader_for(engine)), terminal_size=SIZE, run_before=open_help)


def test_narrow_screen_keeps_help_in_the_footer(snap_compare, engine):
    assert snap_compare(CompanionApp(loader_for(engine)), terminal_size=(60, 15), run_before=settled)
