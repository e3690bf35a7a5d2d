"""The real `companion chat` in a real terminal (tmux): ask a question, see a cited reply."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import install_plugin

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def screen(session: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout


def wait_for(session: str, text: str, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    shown = ""
    while time.monotonic() < deadline:
        shown = screen(session)
        if text in shown:
            return shown
        time.sleep(0.2)
    pytest.fail(f"{text!r} did not appear within {seconds} s; the screen was:\n{shown}")


def test_chat_in_a_terminal(private_index, tmp_path):
    session = f"companion-e2e-{os.getpid()}"
    companion = Path(sys.executable).parent / "companion"
    # COLUMNS/LINES as well: a pane created from a process without a terminal may report 80x24 at first.
    env = {"COMPANION_DATA_DIR": str(private_index), "COMPANION_CONFIG": str(tmp_path / "none.toml"),
           "COLUMNS": "100", "LINES": "32"}
    exports = " ".join(f"{k}={v}" for k, v in env.items())
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "32",
         f"env TERM=xterm-256color {exports} {companion} chat --backend extractive"],
        check=True,
    )
    try:
        wait_for(session, "ready · extractive", 120)
        subprocess.run(["tmux", "send-keys", "-t", session, "Is Samantha rational or emotional?", "Enter"], check=True)
        # A source reads as its quoted words, then who wrote them and where.
        shown = wait_for(session, "Jennifer Anise, What HER Tells Us About Ourselves", 60)
        assert "[1] “" in shown and "” [1]" in shown
        assert "rational" in shown
        subprocess.run(["tmux", "send-keys", "-t", session, "C-q"], check=True)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def test_a_reply_killed_midway_keeps_what_arrived(private_index, tmp_path):
    from companion.history import History

    site = install_plugin(tmp_path / "site", "companion_slow_backend", "slow")

    session = f"companion-kill-{os.getpid()}"
    companion = Path(sys.executable).parent / "companion"
    env = f"COMPANION_DATA_DIR={private_index} COMPANION_CONFIG={tmp_path / 'none.toml'} PYTHONPATH={site}"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "32",
                    f"env TERM=xterm-256color {env} {companion} chat --backend slow"], check=True)
    try:
        wait_for(session, "ready · slow", 120)
        subprocess.run(["tmux", "send-keys", "-t", session, "What did the critics think of the ending?", "Enter"],
                       check=True)
        wait_for(session, "word12", 60)
        subprocess.run(["pkill", "-KILL", "-f", f"{companion} chat --backend slow"], check=True)
        time.sleep(0.5)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    with History(private_index / "conversations.sqlite3") as history:
        (turn,) = history.turns(history.latest().id)
    assert turn.question == "What did the critics think of the ending?"
    assert turn.answer.startswith("The slow plugin says word0 word1") and not turn.complete
    assert "interrupted" in turn.error


def test_a_paste_with_an_escape_and_typed_joiners_arrive_whole(private_index, tmp_path):
    from companion.history import History

    session = f"companion-paste-{os.getpid()}"
    companion = Path(sys.executable).parent / "companion"
    env = f"COMPANION_DATA_DIR={private_index} COMPANION_CONFIG={tmp_path / 'none.toml'}"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "32",
                    f"env TERM=xterm-256color {env} {companion} chat --backend extractive"], check=True)
    family, persian = "👨\u200d👩\u200d👧", "می\u200cخواهم"
    try:
        wait_for(session, "ready · extractive", 120)
        # A bracketed paste (-p), as a terminal sends one, holding an escape sequence.
        subprocess.run(["tmux", "set-buffer", "-b", session, "one \x1b[31mtwo three"], check=True)
        subprocess.run(["tmux", "paste-buffer", "-p", "-d", "-b", session, "-t", session], check=True)
        wait_for(session, "one \\x1b[31mtwo three", 10)
        # Typed, not pasted: each character is a key, the joiners among them.
        subprocess.run(["tmux", "send-keys", "-t", session, "-l", f" {family} {persian}"], check=True)
        time.sleep(0.5)
        subprocess.run(["tmux", "send-keys", "-t", session, "Enter"], check=True)
        wait_for(session, "Samantha", 60)
        subprocess.run(["tmux", "send-keys", "-t", session, "C-q"], check=True)
        time.sleep(1)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    with History(private_index / "conversations.sqlite3") as history:
        (turn,) = history.turns(history.latest().id)
    assert turn.question == f"one \\x1b[31mtwo three {family} {persian}"
