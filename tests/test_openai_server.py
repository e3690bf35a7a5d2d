"""The openai backend against a real OpenAI-compatible server: llama_cpp.server with SmolLM2 on loopback."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from companion.backends.llamacpp import shipped_model_path
from companion.backends.openai import OpenAIBackend
from companion.config import BackendSpec
from companion.engine import Engine
from companion.grounding import markers
from tests.helpers import free_port, wait_until_up

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp.server") is None or importlib.util.find_spec("uvicorn") is None,
    reason="llama-cpp-python[server] is not installed (make setup installs it)",
)


@pytest.fixture(scope="module")
def server_url(tmp_path_factory):
    """Start llama_cpp.server with the shipped model on a free loopback port."""
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(shipped_model_path()), "--host", "127.0.0.1",
             "--port", str(port), "--n_ctx", "2048", "--n_threads", "2"],
            stdout=sink, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        if not wait_until_up(f"{url}/models", 120, process):
            pytest.fail(f"llama_cpp.server did not start: {log.read_text()[-2000:]}")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def remote(server_url):
    backend = OpenAIBackend(BackendSpec(name="llama-server", type="openai", base_url=server_url, max_tokens=64))
    yield backend
    backend.close()


def test_the_server_is_ready_and_streams(remote):
    from companion.backends.base import GenerationRequest, Message

    assert remote.check() is None
    request = GenerationRequest(
        messages=(Message("system", "You are Samantha."), Message("user", "Say hello.")),
        question="Say hello.", max_tokens=16, temperature=0.2,
    )
    pieces = list(remote.stream(request))
    assert len(pieces) > 1 and "".join(pieces).strip()


def test_a_grounded_reply_streams_from_the_server(remote, retrieval, prompts, monkeypatch):
    received = []
    stream = remote.stream

    def counted(request):
        for piece in stream(request):
            received.append(piece)
            yield piece

    monkeypatch.setattr(remote, "stream", counted)
    engine = Engine(searcher=retrieval.searcher, backend=remote, prompts=prompts, max_tokens=96)
    events = list(engine.turn("What did the critics think of the ending?"))
    reply = events[-1].reply
    # The server streams token by token; the engine passes the reply on a sentence at a time, so a reply of one
    # long sentence is one event.
    assert len(received) > 1 and any(e.kind == "token" for e in events)
    assert reply.complete and reply.answer and reply.backend == "llama-server"
    # Grounded only with a verified citation: a small model writing freely often cites nothing.
    assert reply.grounded == any(c.verified for c in reply.citations)
    # A small model writing freely may cite or not; whatever it cites must be one of the passages given.
    assert {c.n for c in reply.citations} <= set(range(1, 4))
    assert all(n in {c.n for c in reply.citations} or n > 3 for n in markers(reply.answer))


def test_questions_are_written_through_the_server(remote, tmp_path):
    from companion.asked import load_asked
    from companion.config import shipped_dir
    from companion.question_writer import write_questions

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "tiny.md").write_text(
        '---\nid: tiny\ntitle: "Tiny"\n---\n\nTheodore Twombly (Joaquin Phoenix) writes letters for other people. '
        "I cried at the end.\n", "utf-8",
    )
    told: list[tuple[int, int, str]] = []
    done = write_questions(corpus, shipped_dir("prompts"), remote, told=lambda *step: told.append(step))
    assert told == [(0, 2, "tiny"), (1, 2, "tiny"), (2, 2, "tiny")] and done[0].asked == 2
    # SmolLM2-135M writes poor questions (README), but whatever it writes is a valid file keyed as the index reads it.
    asked = load_asked(corpus)
    assert len(asked) == done[0].written
    assert all(1 <= len(q) <= 4 for q in asked.by_sentence.values())
