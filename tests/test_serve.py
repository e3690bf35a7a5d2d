"""`companion serve`: the command each tab runs, the loopback guard, and the chat used from a real Chromium."""

from __future__ import annotations

import fcntl
import json
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from companion.cli import _parser, _settings, main
from companion.config import REPO_ROOT
from companion.serve import chat_command, check_host, is_loopback
from tests.conftest import CORPUS, PROMPTS
from tests.helpers import free_port

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
# Everything a browser would fetch or phone home for is switched off: only the loopback page loads.
# Ctrl+C tells each tab's chat to quit (2 s at most) and waits 5 s for them; without that it took 18 s.
STOP_SECONDS = 10.0
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ANSI = re.compile(rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|[@-Z\\-_])")


def test_each_tab_runs_the_chat_with_the_same_settings_quoted_safely(tmp_path):
    data = tmp_path / "it's a \"data\" dir; rm -rf ~"
    args = _parser().parse_args(["serve", "--data-dir", str(data), "--corpus", str(CORPUS), "--prompts", str(PROMPTS),
                                 "--backend", "extractive", "--base-url", "http://127.0.0.1:9/v1 $(touch x)"])
    settings = _settings(args)

    words = shlex.split(chat_command(settings))

    assert words[:4] == [sys.executable, "-m", "companion", "chat"]
    again = _settings(_parser().parse_args(words[3:]))
    assert again.data_dir == data and again.corpus_dir == CORPUS and again.prompts_dir == PROMPTS
    assert again.backend == "extractive" and again.base_url == "http://127.0.0.1:9/v1 $(touch x)"


def test_a_relative_data_dir_stays_the_same_folder_for_every_tab(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = _settings(_parser().parse_args(["serve", "--data-dir", "here"]))

    words = shlex.split(chat_command(settings))

    assert words[words.index("--data-dir") + 1] == str(tmp_path / "here")


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("0.0.0.0", False), ("::", False), ("192.168.1.20", False), ("my-laptop.local", False),
])
def test_only_loopback_addresses_count_as_this_machine(host, loopback):
    assert is_loopback(host) is loopback


def test_a_reachable_host_is_refused_without_allow_remote(capsys):
    assert main(["serve", "--host", "0.0.0.0", "--backend", "extractive"]) == 1

    err = capsys.readouterr().err
    assert "no login" in err and "--allow-remote" in err


def test_allow_remote_serves_a_reachable_host_with_a_warning():
    assert check_host("127.0.0.1", allow_remote=False) is None
    warning = check_host("0.0.0.0", allow_remote=True)
    assert warning.startswith("warning: serving on 0.0.0.0") and "no login" in warning


def _serve(data_dir: Path, port: int, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "companion", "serve", "--data-dir", str(data_dir), "--backend", "extractive",
         "--port", str(port), *extra],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _stop(process: subprocess.Popen) -> tuple[str, str]:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    try:
        return process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()


def test_a_port_in_use_is_a_message_not_a_traceback(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        process = _serve(tmp_path / "data", taken.getsockname()[1])
        out, err = process.communicate(timeout=60)

    assert process.returncode == 1
    assert "choose another --port" in err and "Traceback" not in err + out


class Tab:
    """One browser tab on the served chat, keeping the terminal output its websocket received."""

    def __init__(self, browser, url: str) -> None:
        self.page = browser.new_page(viewport={"width": 1200, "height": 800})
        # The page asks Google for a font; nothing but the loopback server may be reached.
        self.page.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
        self.received: list[bytes] = []
        self.rows = 24
        self.page.on("websocket", self._watch)
        self.page.goto(url)

    def _watch(self, socket_) -> None:
        socket_.on("framereceived", lambda data: self.received.append(data if isinstance(data, bytes) else data.encode()))
        socket_.on("framesent", self._sent)

    def _sent(self, data) -> None:
        if isinstance(data, str) and data.startswith('["resize"'):
            self.rows = json.loads(data)[1]["height"]

    def text(self, since: int = 0) -> str:
        """Return what the terminal was sent, escape sequences removed."""
        return ANSI.sub(b"", b"".join(self.received[since:])).decode("utf-8", "replace")

    def wait_for(self, pattern: str, since: int = 0, seconds: float = 120.0) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            text = self.text(since)
            if re.search(pattern, text):
                return text
            self.page.wait_for_timeout(250)
        raise AssertionError(f"the page never showed {pattern!r}; it showed:\n{self.text(since)[-3000:]}")

    def ask(self, question: str) -> int:
        """Click the message box, as a person would, type the question and send it; return where its reply starts."""
        box = self.page.locator(".xterm-screen").bounding_box()
        row = box["height"] / self.rows
        # The message box's text line is the third row from the bottom, above its border and the key bar.
        self.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] - 2.5 * row)
        self.page.keyboard.type(question)
        start = len(self.received)
        self.page.keyboard.press("Enter")
        return start


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium "
                                                   "(make setup installs it when run as root with apt-get)")
def test_the_chat_in_a_real_browser_answers_with_citations_and_keeps_the_history(private_index):
    from playwright.sync_api import sync_playwright

    from companion.history import History

    port = free_port()
    server = _serve(private_index, port)
    try:
        first_line = server.stdout.readline()
        assert f"http://127.0.0.1:{port}" in first_line, first_line + server.stderr.read()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            tab = Tab(browser, f"http://127.0.0.1:{port}/")
            tab.wait_for(r"ready · extractive")
            start = tab.ask("What did the critics think of the ending?")
            tab.wait_for(r"\[1\]", since=start)
            tab.wait_for(r"ready · extractive", since=start)
            ARTIFACTS.mkdir(exist_ok=True)
            shot = ARTIFACTS / "serve-chat.png"
            tab.page.screenshot(path=str(shot))
            print(f"screenshot of the served chat: {shot}")

            second = Tab(browser, f"http://127.0.0.1:{port}/")
            second.wait_for(r"Another companion \(pid \d+\) is using")

            # Ctrl+C with both tabs open: their chats quit, and nothing is left holding the index.
            asked_to_stop = time.monotonic()
            out, err = _stop(server)
            stopped_in = time.monotonic() - asked_to_stop
            browser.close()
    finally:
        _stop(server)
    assert server.returncode == 0 and "Traceback" not in out + err, out + err
    assert stopped_in < STOP_SECONDS, f"Ctrl+C took {stopped_in:.1f} s"
    with open(private_index / "chroma" / ".companion.lock", "rb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)

    with History(private_index / "conversations.sqlite3") as history:
        turns = history.turns(history.latest().id)
    assert turns[-1].question == "What did the critics think of the ending?"
    assert "[1]" in turns[-1].answer and turns[-1].citations
