"""The real `companion chat` in a real terminal (tmux): ask a question, see a cited reply."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

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
    env = {"COMPANION_DATA_DIR": str(private_index), "COMPANION_CONFIG": str(tmp_path / "none.toml")}
    exports = " ".join(f"{k}={v}" for k, v in env.items())
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "32",
         f"env TERM=xterm-256color {exports} {companion} chat --backend extractive"],
        check=True,
    )
    try:
        wait_for(session, "ready · extractive", 120)
        subprocess.run(["tmux", "send-keys", "-t", session, "Is Samantha rational or emotional?", "Enter"], check=True)
        shown = wait_for(session, "[1] What HER Tells Us About Ourselves", 60)
        assert "Is Samantha rational or emotional?" in shown
        assert "“" in shown and "” [1]" in shown
        subprocess.run(["tmux", "send-keys", "-t", session, "C-q"], check=True)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
