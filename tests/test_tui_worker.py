"""A reply streams on a thread worker: a new message, Esc and quit stop it without a crash, keeping what arrived."""

from __future__ import annotations

import asyncio
import threading
import time

from textual.widgets import Static

from companion.engine import Engine, check_question
from companion.errors import InputError
from companion.history import History
from companion.tui.app import QUIT_WAIT, CompanionApp
from companion.tui.streaming import CLOSED
from companion.tui.widgets import Composer, Reply
from tests.test_tui import SlowBackend, loader_for, markdown_source, settle

QUESTION = "What did the critics think of the ending?"


class HangingSearcher:
    """The real searcher behind a gate, like an index that stops answering until released."""

    def __init__(self, searcher, gate: threading.Event) -> None:
        self.searcher = searcher
        self.gate = gate
        self.entered = threading.Event()

    def search(self, query, k):
        self.entered.set()
        self.gate.wait(30)
        return self.searcher.search(query, k)

    def __getattr__(self, name):
        return getattr(self.searcher, name)


def slow_app(retrieval, prompts, tmp_path, searcher=None) -> tuple[CompanionApp, History]:
    engine = Engine(searcher=searcher or retrieval.searcher, backend=SlowBackend(), prompts=prompts)
    history = History(tmp_path / "c.sqlite3")
    return CompanionApp(loader_for(engine), history=history), history


async def send(app, pilot, text: str) -> None:
    composer = app.query_one(Composer)
    composer.focus()
    composer.load_text(text)
    await pilot.press("enter")


def words(text: str) -> int:
    return text.lower().count("more")


async def streamed(app, pilot, at_least: int) -> int:
    """Wait until the newest reply shows at_least words (well past its first half-second draft)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        await pilot.pause(0.1)
        replies = app.query(Reply)
        if replies and words(markdown_source(replies.last())) >= at_least:
            return words(markdown_source(replies.last()))
    raise AssertionError(f"the reply did not reach {at_least} words in 20 s: {markdown_source(app.query(Reply).last())!r}")


async def exited(app, seconds: float) -> float:
    """Wait for the app to stop running; return how long it took."""
    began = time.monotonic()
    while app.is_running and time.monotonic() - began < seconds:
        await asyncio.sleep(0.05)
    return time.monotonic() - began


def note_of(reply: Reply) -> str:
    return str(reply.query_one(".note", Static).render())


async def test_a_new_message_mid_reply_keeps_the_first_reply_and_answers_the_second(retrieval, prompts, tmp_path):
    app, history = slow_app(retrieval, prompts, tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await send(app, pilot, QUESTION)
        # Well past the first half-second draft: what is kept must be what arrived, not that draft.
        shown = await streamed(app, pilot, 20)
        await send(app, pilot, "And what about Amy?")
        await streamed(app, pilot, 3)
        assert app.is_running and app.return_code is None
        first, second = app.query(Reply)
        assert "Interrupted" in note_of(first)
        # The second reply has words of its own (a sentence the first reply said is not said again).
        assert words(markdown_source(second)) >= 3
        await pilot.press("escape")
        await settle(app, pilot)
        assert "Stopped" in note_of(second)
    kept, stopped = history.turns(history.latest().id)
    assert kept.question == QUESTION and not kept.complete and kept.error == "interrupted"
    assert kept.answer.startswith("Here is what the critics say:") and words(kept.answer) >= shown
    assert stopped.question == "And what about Amy?" and stopped.error == "stopped"
    assert words(stopped.answer) >= 3


async def test_quit_mid_reply_exits_cleanly_and_saves_what_arrived(retrieval, prompts, tmp_path):
    app, history = slow_app(retrieval, prompts, tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await send(app, pilot, QUESTION)
        shown = await streamed(app, pilot, 20)
        await pilot.press("ctrl+q")
        took = await exited(app, 10)
        assert not app.is_running and took < QUIT_WAIT
    assert app.return_code == 0
    (turn,) = history.turns(history.latest().id)
    assert turn.question == QUESTION and not turn.complete and turn.error == CLOSED
    assert turn.answer.startswith("Here is what the critics say:") and words(turn.answer) >= shown


async def test_quit_while_the_index_hangs_exits_promptly_and_keeps_the_question(retrieval, prompts, tmp_path):
    gate = threading.Event()
    searcher = HangingSearcher(retrieval.searcher, gate)
    app, history = slow_app(retrieval, prompts, tmp_path, searcher)
    try:
        async with app.run_test(size=(100, 40)) as pilot:
            await settle(app, pilot)
            await send(app, pilot, QUESTION)
            assert await asyncio.to_thread(searcher.entered.wait, 90)  # the first turn embeds the route examples
            await pilot.pause(0.2)
            await pilot.press("ctrl+q")
            took = await exited(app, 10)
            assert not app.is_running and took < QUIT_WAIT + 1
        assert app.return_code == 0
        (turn,) = history.turns(history.latest().id)
        assert turn.question == QUESTION and not turn.complete and turn.error == CLOSED and turn.answer == ""
    finally:
        gate.set()


async def test_esc_while_the_index_hangs_stops_once_it_answers(retrieval, prompts, tmp_path):
    gate = threading.Event()
    searcher = HangingSearcher(retrieval.searcher, gate)
    app, history = slow_app(retrieval, prompts, tmp_path, searcher)
    try:
        async with app.run_test(size=(100, 40)) as pilot:
            await settle(app, pilot)
            await send(app, pilot, QUESTION)
            assert await asyncio.to_thread(searcher.entered.wait, 90)  # the first turn embeds the route examples
            await pilot.press("escape")
            await pilot.pause(0.2)
            assert "stopping" in str(app.query_one("#status", Static).render())
            gate.set()
            await settle(app, pilot)
            # The stopped worker lets go once the index answers; its last message may come a moment after.
            deadline = time.monotonic() + 10
            while not app.query_one(Reply).query(".note") and time.monotonic() < deadline:
                await pilot.pause(0.05)
            # Nothing had arrived, so there is nothing "kept above" to point at.
            assert note_of(app.query_one(Reply)) == "Stopped before any words arrived."
            assert "ready" in str(app.query_one("#status", Static).render())
        (turn,) = history.turns(history.latest().id)
        assert turn.error == "stopped" and not turn.complete
    finally:
        gate.set()


async def test_input_is_checked_by_the_engines_own_rule(engine):
    app = CompanionApp(loader_for(engine))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        for typed in ("   ", "love " * 1000):
            with_reason = None
            try:
                check_question(typed)
            except InputError as exc:
                with_reason = str(exc)
            assert with_reason
            app.clear_notifications()
            await send(app, pilot, typed)
            await pilot.pause()
            assert [n.message for n in app._notifications] == [with_reason]
        assert not app.query(Reply)


QUIT_WHILE_HUNG = '''
import sys, time
from pathlib import Path
from companion.config import load_settings
from companion.engine import Engine
from companion.history import History
from companion.prompts import load_prompts
from companion.tui.app import CompanionApp


class Hanging:
    embedder = None
    idf = None

    def search(self, query, k):
        time.sleep(30)
        return []


class Backend:
    name, model, context_size = "none", None, None

    def check(self):
        return None

    def stream(self, request):
        yield "never reached"


async def script(pilot):
    await pilot.pause(0.5)
    pilot.app.query_one("#composer").load_text(sys.argv[2])
    await pilot.press("enter")
    await pilot.pause(0.5)
    print(time.monotonic(), flush=True)
    await pilot.press("ctrl+q")


engine = Engine(searcher=Hanging(), backend=Backend(), prompts=load_prompts(load_settings().prompts_dir))
with History(Path(sys.argv[1])) as history:
    app = CompanionApp(lambda status: engine, history=history)
    app.run(headless=True, auto_pilot=script)
sys.exit(app.return_code)
'''


def test_the_real_app_process_exits_promptly_while_the_index_hangs(tmp_path):
    import subprocess
    import sys

    saved = tmp_path / "c.sqlite3"
    done = subprocess.run([sys.executable, "-c", QUIT_WHILE_HUNG, str(saved), QUESTION],
                          capture_output=True, text=True, timeout=120)
    ended = time.monotonic()
    assert done.returncode == 0, done.stderr[-2000:]
    quit_at = float(done.stdout.strip().splitlines()[-1])
    # The index answers only after 30 s; the process must not wait for it.
    assert ended - quit_at < QUIT_WAIT + 2
    with History(saved) as history:
        (turn,) = history.turns(history.latest().id)
    assert turn.question == QUESTION and turn.error == CLOSED
