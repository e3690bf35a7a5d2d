"""An OpenAI-compatible server that never stops: the reply ends at its budget or its deadline, keeping the text."""

from __future__ import annotations

import json
import threading
import time

import pytest

from companion.backends.limits import BUDGET_SLACK, CHARS_PER_TOKEN
from companion.backends.openai import OpenAIBackend
from companion.config import read_config
from companion.errors import BackendError, ConfigError
from tests.scripted_server import Reply, event, json_reply, server, sse_reply  # noqa: F401 (a fixture)
from tests.test_openai_backend import CONFIG, REQUEST, collect, make, sleeps  # noqa: F401 (fixtures)


def collect_within(backend: OpenAIBackend, seconds: float) -> tuple[list[str], BackendError | None, float]:
    """Collect a reply in a thread; fail (instead of hanging the suite) if it is still reading after seconds."""
    result: list = []
    started = time.monotonic()
    worker = threading.Thread(target=lambda: result.append(collect(backend)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still reading the reply after {seconds} s"
    return *result[0], time.monotonic() - started


def usage_event(piece: str, tokens: int) -> str:
    """Return a delta that also carries the server's running count of reply tokens."""
    body = {"choices": [{"delta": {"content": piece}}], "usage": {"completion_tokens": tokens}}
    return "data: " + json.dumps(body) + "\n\n"


def test_an_endless_stream_stops_at_the_character_budget(server, make):
    server.script = [sse_reply("Samantha ", done=False, forever=event("hums "))]
    pieces, error, took = collect_within(make(server.url, name="chatty"), 20)
    text = "".join(pieces)
    budget = REQUEST.max_tokens * CHARS_PER_TOKEN + BUDGET_SLACK
    assert text.startswith("Samantha hums hums ") and budget < len(text) <= budget + len("hums ")
    assert error is not None and "50-token" in str(error) and "kept" in str(error), error
    assert took < 10


def test_a_server_counting_past_max_tokens_is_stopped_by_its_count(server, make):
    server.script = [Reply(headers={"Content-Type": "text/event-stream"},
                           chunks=[usage_event("word ", n) for n in range(1, 80)] + ["data: [DONE]\n\n"])]
    pieces, error, _ = collect_within(make(server.url), 20)
    assert pieces == ["word "] * 51 and "50-token" in str(error) and "51 tokens" in str(error)


def test_a_reported_count_within_max_tokens_overrules_the_character_budget(server, make):
    long_piece = "x" * 19 + " "
    server.script = [Reply(headers={"Content-Type": "text/event-stream"},
                           chunks=[usage_event(long_piece, n) for n in range(1, 51)] + ["data: [DONE]\n\n"])]
    pieces, error, _ = collect_within(make(server.url), 20)
    assert error is None and "".join(pieces) == long_piece * 50  # 1,000 characters, 50 tokens


def test_keepalives_for_ever_end_at_the_deadline_keeping_the_text(server, make):
    server.script = [Reply(headers={"Content-Type": "text/event-stream"}, chunks=[event("Hmm, ")], forever=": ping\n\n",
                           chunk_delay=0.05)]
    pieces, error, took = collect_within(make(server.url, name="slow", deadline=1), 20)
    assert pieces == ["Hmm, "] and 1 <= took < 5
    assert "1 s" in str(error) and "deadline under [backends.slow]" in str(error) and str(CONFIG) in str(error)


def test_a_whole_json_reply_past_the_budget_is_cut_short(server, make):
    server.script = [json_reply(200, {"choices": [{"message": {"content": "la " * 10_000}}]})]
    pieces, error, _ = collect_within(make(server.url), 20)
    assert len("".join(pieces)) <= REQUEST.max_tokens * CHARS_PER_TOKEN + BUDGET_SLACK
    assert "50-token" in str(error)


@pytest.mark.parametrize(("value", "ok"), [("90", True), ("2.5", True), ("0", False), ("-1", False), ('"soon"', False)])
def test_deadline_is_a_positive_number_of_seconds(tmp_path, value, ok):
    path = tmp_path / "config.toml"
    path.write_text(f'[backends.remote]\ntype = "openai"\ndeadline = {value}\n', "utf-8")
    if ok:
        assert read_config(path)["profiles"]["remote"].deadline == float(value)
    else:
        with pytest.raises(ConfigError, match="deadline"):
            read_config(path)
