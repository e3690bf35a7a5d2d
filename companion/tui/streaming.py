"""One reply on its way: the worker thread iterates the turn, and the window hears of it through messages."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future

from textual.message import Message
from textual.timer import Timer
from textual.widgets.markdown import MarkdownStream

from companion.engine import Engine, Event
from companion.engine import Reply as EngineReply
from companion.errors import CompanionError
from companion.tui.widgets import Reply

# Seconds between saves of a reply that is still streaming: a killed process loses at most this much.
DRAFT_EVERY = 0.5
# Seconds a new reply waits for the one before it to let go of the engine; a stopped turn lets go at its
# next token, so this only runs out when a backend hangs past its own timeout.
ENGINE_WAIT = 30.0
# Why a reply ended early, as saved with it.
STOPPED = "stopped"
INTERRUPTED = "interrupted"
CLOSED = "interrupted: the app closed during this reply"
NOTES = {
    STOPPED: "Stopped — what arrived is kept above.",
    INTERRUPTED: "Interrupted by your next message — what arrived is kept above.",
    CLOSED: "Interrupted when the app closed — what arrived is kept above.",
}
# The same, for a reply stopped before its first word: there is nothing above to keep.
EMPTY_NOTES = {
    STOPPED: "Stopped before any words arrived.",
    INTERRUPTED: "Interrupted by your next message before any words arrived.",
    CLOSED: "Interrupted when the app closed, before any words arrived.",
}


class Turn:
    """One reply on screen, shared by the window (which draws it) and its worker (which alone runs it)."""

    def __init__(self, text: str, widget: Reply, stream: MarkdownStream, conversation_id: int | None) -> None:
        self.text = text
        self.widget = widget
        self.stream = stream
        self.conversation_id = conversation_id
        # Set by the window before it cancels the worker; a cancel without one comes from the app closing.
        self.stop_reason = CLOSED
        self.stopping = False
        # Set by the worker when the turn has ended, so the window can wait for it without the message queue.
        self.outcome: Future[EngineReply] = Future()
        self.draft_id: int | None = None
        self.started = time.perf_counter()
        self.first = 0.0
        self.tokens = 0
        # When a thinking model began reasoning, for the status line's "thinking… N s"; None once it answers.
        self.thinking_since: float | None = None
        self.thinking_timer: Timer | None = None

    @property
    def index(self) -> int:
        """Return this reply's place in the conversation, as its citation links name it."""
        return self.widget.turn

    @property
    def ended(self) -> bool:
        """Return whether the worker has finished with this turn."""
        return self.outcome.done()


class Streamed(Message):
    """A status line, a piece of reasoning, a token or an error arrived for a reply."""

    def __init__(self, turn: Turn, event: Event) -> None:
        super().__init__()
        self.turn = turn
        self.event = event


class Drafted(Message):
    """The reply so far, to save in case the process dies."""

    def __init__(self, turn: Turn, draft: EngineReply) -> None:
        super().__init__()
        self.turn = turn
        self.draft = draft


class Ended(Message):
    """The reply is final: complete, cut short by an error, or stopped."""

    def __init__(self, turn: Turn, reply: EngineReply, note: str | None) -> None:
        super().__init__()
        self.turn = turn
        self.reply = reply
        self.note = note


def run_turn(
    engine: Engine, turn: Turn, engine_lock: threading.Lock, cancelled: Callable[[], bool],
    post: Callable[[Message], object],
) -> None:
    """Run one turn to its end in the calling thread, telling the window through post; stop when cancelled."""
    run = engine.turn(turn.text)
    if not _acquire(engine_lock, cancelled):
        reason = turn.stop_reason if cancelled() else "the previous reply did not stop in time"
        note = EMPTY_NOTES.get(reason, "I couldn't start this reply: the previous one has not stopped. Send it again.")
        _end(turn, run.draft(reason), note, post)
        return
    try:
        final, note = _iterate(run, turn, cancelled, post)
        # Ended before the lock is let go: the window hears of this reply's end before the next one's first token.
        _end(turn, final, note, post)
    finally:
        engine_lock.release()


def _acquire(lock: threading.Lock, cancelled: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + ENGINE_WAIT
    while not lock.acquire(timeout=0.05):
        if cancelled() or time.monotonic() > deadline:
            return False
    return True


def _iterate(run, turn: Turn, cancelled: Callable[[], bool], post) -> tuple[EngineReply, str | None]:
    # Saved before anything arrives, so the question is kept even if the first token never comes.
    post(Drafted(turn, run.draft(CLOSED)))
    saved_at = time.monotonic()
    error: str | None = None
    arrived = False
    try:
        for event in run:
            if event.kind == "done" and event.reply is not None:
                return event.reply, _cut_short(error)
            if cancelled():
                return run.stop(turn.stop_reason), stop_note(turn.stop_reason, arrived)
            if event.kind == "error":
                error = event.text
            if event.kind in ("status", "thinking", "token", "error"):
                post(Streamed(turn, event))
            arrived = arrived or (event.kind == "token" and bool(event.text))
            if event.kind == "token" and time.monotonic() - saved_at > DRAFT_EVERY:
                post(Drafted(turn, run.draft(CLOSED)))
                saved_at = time.monotonic()
        # A turn that ends without a reply (refused input) still ends with one, so the window is never left waiting.
        return run.stop(error or STOPPED), _cut_short(error) or stop_note(STOPPED, arrived)
    except CompanionError as exc:
        post(Streamed(turn, Event("error", text=str(exc))))
        return run.stop(str(exc)), _cut_short(str(exc))
    finally:
        run.close()


def stop_note(reason: str, arrived: bool) -> str | None:
    """Return the note under a reply that ended early, saying whether any of it arrived."""
    return (NOTES if arrived else EMPTY_NOTES).get(reason)


def _cut_short(error: str | None) -> str | None:
    return f"This reply was cut short: {error}" if error else None


def _end(turn: Turn, final: EngineReply, note: str | None, post) -> None:
    # Posted before the outcome is set: a window waiting on the outcome finds the message already queued.
    post(Ended(turn, final, note))
    turn.outcome.set_result(final)
