"""Index faults end in a message or a repair: a server that never answers, a damaged index page, a cut BM25 file."""

from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from companion.cli import main
from companion.errors import StoreError, StoreTimeout
from companion.retrieval import connect
from companion.retrieval.connect import open_client
from companion.retrieval.lexical import LexicalSearcher
from companion.retrieval.store import PassageStore
from companion.passages import Passage
from tests.conftest import CORPUS
from tests.helpers import free_port, wait_until_up

# The CLI with a 1 s answer bound, so a hang shows as a message in seconds rather than in ANSWER_SECONDS.
ASK_WITH_SHORT_BOUND = (
    "import sys\n"
    "from companion.retrieval import connect\n"
    "connect.ANSWER_SECONDS = 1.0\n"
    "from companion.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


@pytest.fixture
def silent_server():
    """Listen on loopback and never answer: the kernel completes each connection, as for a paused server."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def within(seconds: float, call):
    """Return call()'s result or exception, failing the test if it has not returned after seconds."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except Exception as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        pytest.fail(f"still waiting after {seconds} s")
    return outcome.get("error", outcome.get("value"))


def test_ask_against_a_server_that_never_answers_ends_with_a_message(silent_server, tmp_path):
    started = time.monotonic()
    try:
        result = subprocess.run(
            [sys.executable, "-c", ASK_WITH_SHORT_BOUND, "ask", "--backend", "extractive", "--chroma-url",
             silent_server, "what about the ending?"],
            capture_output=True, text=True, timeout=90,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("companion ask still waiting on a silent server after 90 s")
    seconds = time.monotonic() - started
    assert result.returncode == 1, result.stderr
    assert f"The Chroma server at {silent_server} did not answer within 1 s" in result.stderr
    assert "drop --chroma-url" in result.stderr and "Traceback" not in result.stderr
    print(f"ask gave up on the silent server after {seconds:.1f} s (bound 1 s plus start-up)")


def test_opening_a_silent_server_is_bounded_in_process(silent_server, tmp_path, monkeypatch):
    monkeypatch.setattr(connect, "ANSWER_SECONDS", 0.5)
    error = within(30, lambda: open_client(tmp_path, silent_server))
    assert isinstance(error, StoreTimeout) and silent_server in str(error)


def test_a_server_paused_mid_session_times_out_and_recovers(tmp_path, monkeypatch):
    chroma = Path(sys.executable).parent / "chroma"
    if not chroma.exists():
        pytest.skip("the chroma command is not installed")
    monkeypatch.setattr(connect, "ANSWER_SECONDS", 1.0)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path / "srv"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        if not wait_until_up(f"{url}/api/v2/heartbeat", 60, server):
            pytest.fail("chroma run did not start")
        store = PassageStore(open_client(tmp_path, url), "test-model")
        assert store.count() == 0
        server.send_signal(signal.SIGSTOP)
        for read in (store.count, lambda: store.query([0.1] * 8, 3), lambda: store.delete_essay("gone")):
            started = time.monotonic()
            error = within(30, read)
            assert isinstance(error, StoreTimeout), error
            assert f"The Chroma server at {url} did not answer within 1 s" in str(error)
            assert "the next question will try again" in str(error)
            assert time.monotonic() - started < 10
        server.send_signal(signal.SIGCONT)
        assert within(30, store.count) == 0
    finally:
        server.send_signal(signal.SIGCONT)
        server.terminate()
        server.wait(10)


@pytest.fixture
def small_corpus(tmp_path) -> Path:
    """One short essay, so a rebuild embeds a few passages rather than the whole corpus."""
    target = tmp_path / "small-corpus"
    target.mkdir()
    shutil.copy(CORPUS / "her-2013.md", target)
    return target


def _damage(sqlite_file: Path, start: int, end: int) -> None:
    with sqlite_file.open("r+b") as file:
        file.seek(start)
        file.write(b"\x5a" * (end - start))


def _aside(data: Path) -> list[Path]:
    return sorted(p for p in data.iterdir() if p.name.startswith("chroma.corrupt-"))


@pytest.mark.parametrize("command", ["search", "ingest"])
def test_an_embedded_index_with_its_middle_third_overwritten_is_rebuilt(private_index, small_corpus, capsys, command):
    index = private_index / "chroma" / "chroma.sqlite3"
    size = index.stat().st_size
    _damage(index, size // 3, 2 * size // 3)
    where = ["--data-dir", str(private_index), "--corpus", str(small_corpus)]
    assert main([command, *where] + (["--json", "rain"] if command == "search" else []), out=io.StringIO()) == 0
    err = capsys.readouterr().err
    assert f"The index at {private_index / 'chroma'} could not be read" in err and "rebuilt from the corpus" in err
    assert "Chroma server" not in err
    [aside] = _aside(private_index)
    assert (aside / "chroma.sqlite3").stat().st_size == size
    assert main(["search", *where, "--json", "rain"], out=io.StringIO()) == 0
    assert capsys.readouterr().err == ""


def test_a_damaged_page_found_after_opening_is_named_then_rebuilt_next_start(private_index, small_corpus, capsys):
    index = private_index / "chroma" / "chroma.sqlite3"
    with sqlite3.connect(index) as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'embedding_metadata'").fetchone()[0]
    db.close()
    # The passages' metadata: opening and counting still work, reading passages does not.
    _damage(index, (root - 1) * page_size, root * page_size)
    search = ["search", "--data-dir", str(private_index), "--corpus", str(small_corpus), "--json", "rain"]
    assert main(search, out=io.StringIO()) == 1
    err = capsys.readouterr().err
    assert f"The index at {private_index / 'chroma'} could not be read" in err
    assert "moved aside and rebuilt from the corpus the next time companion starts" in err
    assert "Chroma server" not in err and "Traceback" not in err
    assert main(search, out=io.StringIO()) == 0
    err = capsys.readouterr().err
    assert "a read failed in an earlier run" in err and "moved to" in err
    assert len(_aside(private_index)) == 1


def test_a_server_index_that_fails_still_names_the_server(tmp_path):
    class Broken:
        """A client whose server is configured but whose reads fail, as a server with a broken disk would."""

        def get_settings(self):
            from chromadb.config import Settings

            return Settings(chroma_server_host="127.0.0.1", chroma_server_http_port=8123)

    error = connect.index_failure(Broken(), RuntimeError("database disk image is malformed"))
    assert isinstance(error, StoreError) and not isinstance(error, StoreTimeout)
    assert "The Chroma server at http://127.0.0.1:8123 did not answer (RuntimeError" in str(error)
    assert "moved aside" not in str(error)


BM25_FILES = [
    "bm25/data.csc.index.npy", "bm25/indices.csc.index.npy", "bm25/indptr.csc.index.npy", "bm25/params.index.json",
    "bm25/vocab.index.json", "ids.json", "frequency.json",
]


def _passages() -> list[Passage]:
    """Enough passages that each saved array is mostly body, so overwriting its middle spares the header."""
    words = ["rain", "window", "letter", "Catherine", "ending", "roof", "Samantha", "leaves", "voice", "city", "dusk"]
    texts = [" ".join(words[(n * k) % len(words)] for k in range(1, 8)) + f" word{n}" for n in range(1, 200)]
    return [
        Passage(id=f"e:{n}", essay_id="e", n=n, title="Essay", author=None, text=text, start=0, end=len(text))
        for n, text in enumerate(texts, start=1)
    ]


@pytest.mark.parametrize("name", BM25_FILES)
@pytest.mark.parametrize("damage", ["empty", "middle"])
def test_any_damaged_bm25_file_means_a_rebuild(tmp_path, name, damage):
    passages = _passages()
    LexicalSearcher.from_passages(passages).save(tmp_path, "print")
    assert LexicalSearcher.load(tmp_path, "print", lambda ids: []) is not None
    target = tmp_path / name
    assert target.suffix != ".npy" or target.stat().st_size > 3 * 128  # an .npy header is 128 bytes
    if damage == "empty":
        target.write_bytes(b"")
    else:
        data = target.read_bytes()
        target.write_bytes(data[: len(data) // 3] + b"\xff" * (len(data) // 3) + data[2 * len(data) // 3 :])
    assert LexicalSearcher.load(tmp_path, "print", lambda ids: []) is None


def test_a_truncated_bm25_file_is_rebuilt_by_search_and_by_ingest(private_index, capsys):
    search = ["search", "--data-dir", str(private_index), "--json", "Theodore's mustache"]
    assert main(search, out=io.StringIO()) == 0
    saved = private_index / "bm25" / "bm25" / "data.csc.index.npy"
    size = saved.stat().st_size
    for command in (search, ["ingest", "--data-dir", str(private_index)]):
        os.truncate(saved, 0)
        out = io.StringIO()
        assert main(command, out=out) == 0, capsys.readouterr().err
        assert "Traceback" not in capsys.readouterr().err
        assert saved.stat().st_size == size
    out = io.StringIO()
    assert main(search, out=out) == 0 and "mustache" in out.getvalue()
