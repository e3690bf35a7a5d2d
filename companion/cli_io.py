"""The command line's input and output: flag values, question lines, progress on stderr, JSON shapes."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TextIO

from companion.text import printable

SURROGATE = re.compile("[\ud800-\udfff]")
# progress(done, total, essay titles), and a function that ends the display
ProgressDisplay = tuple[Callable[[int, int, str], None], Callable[[], None]]


def path_arg(value: str) -> Path:
    """Refuse an empty path, which would silently mean the current directory."""
    return Path(text_arg(value))


def text_arg(value: str) -> str:
    """Refuse an empty value, which would silently mean the default."""
    if not value.strip():
        raise argparse.ArgumentTypeError("is empty: give a value, or leave the option out to use the default")
    return value


def progress_lines(doing: str = "embedding", units: str = "passages") -> ProgressDisplay:
    """Return a progress callback that prints a line at the start, each tenth and the end, for a log or a pipe."""
    last = -1

    def update(done: int, total: int, title: str) -> None:
        nonlocal last
        tenth = 10 * done // total if total else 10
        if tenth > last:
            last = tenth
            names = title if len(title) <= 60 else title[:59] + "…"
            print(printable(f"companion: {doing} {done}/{total} {units} ({names})"), file=sys.stderr, flush=True)

    return update, lambda: None


def ingest_progress(doing: str = "embedding", units: str = "passages") -> ProgressDisplay:
    """Return a progress callback that draws a bar on stderr (or prints lines when it is no terminal), and an end."""
    if not sys.stderr.isatty():
        return progress_lines(doing, units)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn(doing), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.description}", markup=False),
        console=Console(stderr=True), transient=True,
    )
    task = None

    def update(done: int, total: int, title: str) -> None:
        nonlocal task
        if task is None:
            progress.start()
            task = progress.add_task(title, total=total)
        progress.update(task, completed=done, description=title[:40])

    return update, progress.stop


def readable(text: str, where: str) -> str:
    """Show bytes that were not UTF-8 as U+FFFD, saying so once on stderr."""
    # Python hands undecodable argv and stdin bytes on as lone surrogates, which no model or encoder accepts.
    text, bad = SURROGATE.subn("\ufffd", text)
    if bad:
        print(f"companion: {where} is not valid UTF-8; {bad} unreadable byte(s) are read as \ufffd.", file=sys.stderr)
    return text


def let_bad_bytes_through(stream: TextIO | None) -> None:
    """Make a strict locale's stdin hand on bad bytes as surrogates too, instead of raising mid-loop."""
    try:
        stream.reconfigure(errors="surrogateescape")  # type: ignore[union-attr]
    except (AttributeError, OSError, ValueError):
        pass  # not a real text stream (None, or one a caller built): it decodes its own way


def input_lines(args_text: Sequence[str], use_stdin: bool, stdin: TextIO) -> Iterable[tuple[str, str]]:
    """Yield (where, text) for each non-blank input line, or for the arguments joined."""
    if not use_stdin:
        yield "the argument", readable(" ".join(args_text), "the argument")
        return
    for number, line in enumerate(stdin, start=1):
        if line.strip():
            where = f"line {number}"
            yield where, readable(line.rstrip("\n"), where)


def hit_json(hit, position: int) -> dict:
    """Shape one search hit, listed at position, for --json output; score is the first search's."""
    p = hit.passage
    return {"rank": position, "id": p.id, "essay_id": p.essay_id, "title": p.title, "author": p.author,
            "text": p.text, "score": hit.score, "chance": hit.chance}


def reply_json(reply) -> dict:
    """Shape one reply for --json output."""
    citations = [
        {"n": c.n, "id": c.passage.id, "essay_id": c.passage.essay_id, "title": c.passage.title,
         "author": c.passage.author, "text": c.passage.text, "verified": c.verified}
        for c in reply.citations
    ]
    shaped = {"question": reply.question, "answer": reply.answer, "grounded": reply.grounded,
              "citations": citations, "dropped": reply.dropped, "uncited": list(reply.uncited), "route": reply.route,
              "backend": reply.backend, "model": reply.model}
    if reply.error:
        shaped["error"] = reply.error
    # Present only when the profile shows thinking (the engine keeps it only then), and never inside "answer".
    if reply.thinking:
        shaped["thinking"] = reply.thinking
    return shaped
