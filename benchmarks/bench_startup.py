"""Time from process start to the chat's input on screen and taking keys, vs a bare Textual app.

Each run starts the program in a fresh tmux session, polls the screen until the input's
placeholder is drawn, then types a character and waits until it shows. The baseline is a
minimal Textual app with one TextArea, measured the same way in the same run. Last, the chat's
peak RSS (VmHWM) after one reply from the local llama-cpp model.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASELINE = '''
from textual.app import App
from textual.widgets import TextArea
class Bare(App):
    def compose(self):
        yield TextArea(placeholder="Ask about Her")
    def on_mount(self):
        self.query_one(TextArea).focus()
Bare().run()
'''


def screen(session: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout


def measure(command: str, label: str) -> tuple[float, float]:
    """Return (seconds until the input is drawn, seconds until a typed key shows)."""
    session = f"bench-{label}-{time.monotonic_ns()}"
    start = time.perf_counter()
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "30", command], check=True)
    try:
        drawn = typed = None
        while time.perf_counter() - start < 60:
            shown = screen(session)
            if drawn is None and "Ask about Her" in shown:
                drawn = time.perf_counter() - start
                subprocess.run(["tmux", "send-keys", "-t", session, "Q"], check=True)
            elif drawn is not None and "Q" in shown.replace("^q Quit", "").replace("Quit", ""):
                typed = time.perf_counter() - start
                break
            time.sleep(0.005)
        if drawn is None or typed is None:
            raise SystemExit(f"{label}: the input never appeared; screen:\n{screen(session)}")
        return drawn, typed
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def chat_peak_rss(data: Path, companion: Path) -> float:
    """Return the chat's peak RSS in MB after one reply from the local model."""
    subprocess.run([str(companion), "ingest", "--data-dir", str(data)], check=True, capture_output=True)
    # The shipped model composes nothing by default; asked to frame the quotes, it is loaded and runs.
    config = data / "framing.toml"
    config.write_text("[backends.llama-cpp]\nquote_first = true\n", "utf-8")
    session = f"bench-rss-{time.monotonic_ns()}"
    command = f"exec env COMPANION_DATA_DIR={data} COMPANION_CONFIG={config} {companion} chat --backend llama-cpp"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "30", command], check=True)
    try:
        pid = subprocess.run(["tmux", "display", "-p", "-t", session, "#{pane_pid}"],
                             capture_output=True, text=True, check=True).stdout.strip()
        deadline = time.perf_counter() + 120
        while "Ask about Her" not in screen(session) and time.perf_counter() < deadline:
            time.sleep(0.1)
        subprocess.run(["tmux", "send-keys", "-t", session, "What did the critics think of the ending?", "Enter"],
                       check=True)
        while "tok/s" not in screen(session) and time.perf_counter() < deadline:
            time.sleep(0.1)
        if "tok/s" not in screen(session):
            raise SystemExit(f"the chat never finished a reply; screen:\n{screen(session)}")
        status = Path(f"/proc/{pid}/status").read_text("utf-8")
        return int(status.split("VmHWM:")[1].split()[0]) / 1024
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="companion-bench-"))
    bare = Path(data) / "bare.py"
    bare.write_text(BASELINE, "utf-8")
    companion = Path(sys.executable).parent / "companion"
    commands = {
        "bare textual": f"{sys.executable} {bare}",
        "companion chat": f"env COMPANION_DATA_DIR={data} {companion} chat --backend extractive",
    }
    results: dict[str, list[tuple[float, float]]] = {k: [] for k in commands}
    for _ in range(args.runs):
        for label, command in commands.items():
            results[label].append(measure(command, label.replace(" ", "-")))
    print(f"process start -> input drawn / typed key shown; median of {args.runs} runs (tmux, 100x30)")
    print(f"{'':16}{'drawn s':>10}{'key shown s':>14}")
    medians = {}
    for label, runs in results.items():
        medians[label] = (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
        print(f"{label:16}{medians[label][0]:10.3f}{medians[label][1]:14.3f}")
    ratio = medians["companion chat"][1] / medians["bare textual"][1]
    print(f"ratio companion/bare (key shown): {ratio:.2f}")
    print(f"peak RSS of the chat after one llama-cpp reply: {chat_peak_rss(data / 'rss', companion):.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
