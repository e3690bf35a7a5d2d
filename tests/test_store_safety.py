"""One owner per embedded index, a Chroma server for sharing, and repair after a killed ingest."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from companion.config import load_settings
from companion.errors import StoreError
from companion.retrieval.connect import open_client
from companion.retrieval.ingest import ingest
from companion.retrieval.service import open_retrieval
from companion.retrieval.store import PassageStore
from tests.conftest import EVAL
from tests.helpers import free_port, wait_until_up

OPEN_SAME_DIR = (
    "import sys, time\n"
    "from companion.errors import StoreError\n"
    "from companion.retrieval.connect import open_client\n"
    "start = time.perf_counter()\n"
    "try:\n"
    "    open_client(sys.argv[1])\n"
    "except StoreError as exc:\n"
    "    print(f'{time.perf_counter() - start:.2f}', exc)\n"
    "    sys.exit(3)\n"
)


def test_a_second_process_is_told_at_once_who_owns_the_index(tmp_path):
    open_client(tmp_path)
    result = subprocess.run([sys.executable, "-c", OPEN_SAME_DIR, str(tmp_path)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 3, result.stderr
    seconds, message = result.stdout.split(" ", 1)
    assert f"pid {os.getpid()}" in message and "--chroma-url" in message
    print(f"second instance refused after {seconds} s")


def test_the_same_process_may_open_its_own_index_again(tmp_path):
    open_client(tmp_path)
    open_client(tmp_path)


def test_an_ingest_killed_midway_is_repaired_by_the_next(tmp_path, corpus_copy):
    data = tmp_path / "data"
    command = [sys.executable, "-m", "companion", "ingest", "--data-dir", str(data), "--corpus", str(corpus_copy)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Wait until the index exists, so the kill lands during the run rather than before it.
    deadline = time.monotonic() + 60
    while not (data / "chroma" / ".companion.lock").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "91 passages from 5 essays" in result.stdout


def test_an_essay_with_missing_passages_is_re_embedded(tmp_path, corpus_copy, embedder):
    store = PassageStore(open_client(tmp_path), embedder.model_id)
    ingest(corpus_copy, store, embedder)
    total = store.count()
    # As a crash mid-write would leave it: some of one essay's passages never stored.
    store._collection.delete(ids=["her-2013:4", "her-2013:5"])
    report = ingest(corpus_copy, store, embedder)
    assert report.embedded == ("her-2013",) and store.count() == total


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    """Start a real `chroma run` on loopback."""
    chroma = Path(sys.executable).parent / "chroma"
    if not chroma.exists():
        pytest.skip("the chroma command is not installed")
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    process = subprocess.Popen([str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_until_up(f"{url}/api/v2/heartbeat", 60, process):
            pytest.fail("chroma run did not start")
        yield url
    finally:
        process.terminate()
        process.wait(10)


def test_the_server_gives_the_same_results_as_the_embedded_index(chroma_server, shared_settings, tmp_path):
    import json

    served = open_retrieval(load_settings(data_dir=tmp_path, chroma_url=chroma_server))
    assert served.built is not None and served.store.count() == 91
    embedded = open_retrieval(shared_settings)
    questions = [json.loads(line)["q"] for line in EVAL.read_text("utf-8").splitlines() if line.strip()]
    for question in questions:
        assert [h.passage.id for h in served.searcher.search(question, 5)] == [
            h.passage.id for h in embedded.searcher.search(question, 5)
        ], question


def test_a_server_that_is_down_is_a_clear_message(tmp_path):
    with pytest.raises(StoreError, match="No Chroma server answers at http://127.0.0.1:9"):
        open_client(tmp_path, "http://127.0.0.1:9")
    with pytest.raises(StoreError, match="not an http"):
        open_client(tmp_path, "ftp://example")


def test_a_server_that_goes_away_mid_session_is_a_message_and_recovers(tmp_path, embedder):
    chroma = Path(sys.executable).parent / "chroma"
    if not chroma.exists():
        pytest.skip("the chroma command is not installed")
    port = free_port()
    url = f"http://127.0.0.1:{port}"

    def start():
        process = subprocess.Popen(
            [str(chroma), "run", "--path", str(tmp_path / "srv"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        if wait_until_up(f"{url}/api/v2/heartbeat", 60, process):
            return process
        process.kill()
        pytest.fail("chroma run did not start")

    server = start()
    try:
        retrieval = open_retrieval(load_settings(data_dir=tmp_path, chroma_url=url))
        assert retrieval.searcher.search("the ending", 3)
        server.terminate()
        server.wait(10)
        with pytest.raises(StoreError, match="did not answer"):
            retrieval.searcher.search("the ending", 3)
        server = start()
        assert retrieval.searcher.search("the ending", 3)
    finally:
        server.terminate()
        server.wait(10)


def test_an_unreadable_index_is_moved_aside_and_rebuilt(tmp_path, capsys):
    import io

    from companion.cli import main

    data = tmp_path / "data"
    (data / "chroma").mkdir(parents=True)
    (data / "chroma" / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    assert main(["search", "--data-dir", str(data), "--json", "rain"], out=io.StringIO()) == 0
    err = capsys.readouterr().err
    assert "could not be read" in err and "moved to" in err
    aside = [p for p in data.iterdir() if p.name.startswith("chroma.corrupt-")]
    assert len(aside) == 1 and (aside[0] / "chroma.sqlite3").read_bytes().startswith(b"this is not")
