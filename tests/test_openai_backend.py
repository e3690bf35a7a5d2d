"""The OpenAI-compatible backend against a real scripted HTTP server."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest

from companion.backends.base import GenerationRequest, Message, load_backend
from companion.backends.openai import OpenAIBackend, backoff, create, retry_after
from companion.config import BackendSpec, Settings
from companion.errors import BackendError, ConfigError
from tests.scripted_server import Reply, event, json_reply, server, sse_reply  # noqa: F401 (a fixture)

KEY_VAR = "COMPANION_TEST_KEY"
SECRET = "sk-test-secret-4242"
CONFIG = Path("/tmp/companion-test/config.toml")
REQUEST = GenerationRequest(
    messages=(Message("system", "You are Samantha."), Message("user", "Who is Theodore?")),
    question="Who is Theodore?", max_tokens=50, temperature=0.2,
)


@pytest.fixture
def sleeps() -> list[float]:
    """Collect the waits a backend asks for instead of waiting."""
    return []


@pytest.fixture
def make(sleeps):
    """Return a factory of backends that record their waits and are closed after the test."""
    made: list[OpenAIBackend] = []

    def factory(url: str, **fields) -> OpenAIBackend:
        spec = BackendSpec(**{"name": "test", "type": "openai", "model": "tiny", "base_url": url + "/v1", "timeout": 5,
                              **fields})
        made.append(OpenAIBackend(spec, config_file=CONFIG, sleep=sleeps.append))
        return made[-1]

    yield factory
    for backend in made:
        backend.close()


def dead_url() -> str:
    """Return the URL of a port where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def collect(backend: OpenAIBackend) -> tuple[list[str], BackendError | None]:
    """Gather the pieces a reply yields before any error, like the engine does."""
    pieces: list[str] = []
    try:
        for piece in backend.stream(REQUEST):
            pieces.append(piece)
    except BackendError as exc:
        return pieces, exc
    return pieces, None


# --- streaming ------------------------------------------------------------------------------------


def test_streams_deltas_and_sends_an_openai_request(server, make):
    server.script = [sse_reply("Theodore ", "writes ", "letters.")]
    backend = make(server.url + "/")
    assert list(backend.stream(REQUEST)) == ["Theodore ", "writes ", "letters."]
    seen = server.seen[0]
    assert (seen.method, seen.path) == ("POST", "/v1/chat/completions")
    assert seen.body == {
        "model": "tiny",
        "messages": [{"role": "system", "content": "You are Samantha."}, {"role": "user", "content": "Who is Theodore?"}],
        "stream": True, "max_tokens": 50, "temperature": 0.2, "frequency_penalty": 0.5, "presence_penalty": 0.5,
    }
    assert "Authorization" not in seen.headers


def test_a_profile_sets_its_own_repetition_penalties(server, make):
    server.script = [sse_reply("ok.")]
    backend = make(server.url + "/", frequency_penalty=0.0, presence_penalty=1.2)
    assert list(backend.stream(REQUEST)) == ["ok."]
    body = server.seen[0].body
    assert (body["frequency_penalty"], body["presence_penalty"]) == (0.0, 1.2)


def test_keepalive_comments_blank_lines_and_empty_deltas_are_ignored(server, make):
    role_only = "data: " + json.dumps({"choices": [{"delta": {"role": "assistant"}}]}) + "\n\n"
    null_content = "data: " + json.dumps({"choices": [{"delta": {"content": None}}]}) + "\n\n"
    usage = "data: " + json.dumps({"choices": [], "usage": {"total_tokens": 3}}) + "\n\n"
    server.script = [Reply(headers={"Content-Type": "text/event-stream; charset=utf-8"}, chunks=[
        ": ping\n\n", role_only, "\n\n\n", event("Hel"), ": keep-alive\n", "event: message\nid: 7\n",
        null_content, event("lo"), usage, "data: [DONE]\n\n",
    ])]
    assert list(make(server.url).stream(REQUEST)) == ["Hel", "lo"]


def test_a_plain_json_answer_is_yielded_once(server, make):
    server.script = [json_reply(200, {"choices": [{"message": {"role": "assistant", "content": "Hello there."}}]})]
    assert list(make(server.url).stream(REQUEST)) == ["Hello there."]


def test_the_client_is_reused_across_replies(server, make):
    server.script = [sse_reply("one"), sse_reply("two")]
    backend = make(server.url)
    assert list(backend.stream(REQUEST)) == ["one"]
    client = backend.client()
    assert list(backend.stream(REQUEST)) == ["two"]
    assert backend.client() is client
    backend.close()
    assert backend._client is None


# --- faults ---------------------------------------------------------------------------------------


def test_connection_refused_retries_then_says_no_server(sleeps, make):
    url = dead_url()
    backend = make(url, retries=3)
    pieces, error = collect(backend)
    assert pieces == [] and error is not None
    assert sleeps == [0.5, 1.0, 2.0]  # four attempts, backing off between them
    assert f"No server at {url}/v1" in str(error) and "4 times" in str(error)
    assert str(CONFIG) in str(error)


def test_backoff_doubles_up_to_a_cap():
    assert [backoff(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


def test_a_500_is_retried_as_the_readme_says(server, sleeps, make):
    server.script = [json_reply(500, {"error": {"message": "model failed to load: out of memory"}}), sse_reply("fine")]
    assert list(make(server.url).stream(REQUEST)) == ["fine"]
    assert sleeps == [0.5] and len(server.seen) == 2


def test_server_error_message_is_shown(server, sleeps, make):
    server.script = [json_reply(500, {"error": {"message": "model failed to load: out of memory"}}) for _ in range(2)]
    pieces, error = collect(make(server.url, retries=1))
    assert pieces == [] and sleeps == [0.5]
    assert "answered 500 (after 2 attempts)" in str(error) and "model failed to load: out of memory" in str(error)


def test_a_501_is_not_retried(server, sleeps, make):
    server.script = [json_reply(501, {"error": "chat completions are not implemented"})]
    _, error = collect(make(server.url))
    assert "answered 501" in str(error) and sleeps == [] and len(server.seen) == 1


def test_a_plain_text_404_hints_at_base_url(server, make):
    server.script = [Reply(404, {"Content-Type": "text/plain"}, ["404 page not found"])]
    _, error = collect(make(server.url))
    assert "answered 404: 404 page not found" in str(error)
    assert "base_url" in str(error) and "/v1" in str(error)


def test_rate_limit_honours_retry_after(server, sleeps, make):
    server.script = [json_reply(429, {"error": "slow down"}, **{"Retry-After": "1"}), sse_reply("ok")]
    assert list(make(server.url).stream(REQUEST)) == ["ok"]
    assert sleeps == [1.0] and len(server.seen) == 2


def test_a_long_retry_after_gives_up_at_once(server, sleeps, make):
    server.script = [json_reply(429, {"error": "quota"}, **{"Retry-After": "120"})]
    _, error = collect(make(server.url))
    assert "120 s" in str(error) and sleeps == [] and len(server.seen) == 1


def test_retry_after_reads_seconds_and_dates():
    assert retry_after("2") == 2.0
    assert retry_after(None) is None and retry_after("soon") is None
    later = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 100))
    assert 90 < retry_after(later) <= 100


def test_unavailable_then_success(server, sleeps, make):
    server.script = [json_reply(503, {"detail": "loading model"}), sse_reply("fine")]
    assert list(make(server.url).stream(REQUEST)) == ["fine"]
    assert sleeps == [0.5]


def test_unavailable_every_time_gives_up_after_the_retries(server, sleeps, make):
    server.script = [json_reply(503, {"detail": "loading model"}) for _ in range(3)]
    _, error = collect(make(server.url, retries=2))
    assert len(server.seen) == 3 and sleeps == [0.5, 1.0]
    assert "answered 503 (after 3 attempts): loading model" in str(error)


def test_malformed_event_gives_a_clear_message(server, make):
    server.script = [Reply(headers={"Content-Type": "text/event-stream"}, chunks=["data: {not json\n\n"])]
    _, error = collect(make(server.url))
    assert type(error) is BackendError
    assert "not JSON" in str(error) and "{not json" in str(error)


def test_an_error_event_mid_stream_keeps_the_text_before_it(server, make):
    failure = "data: " + json.dumps({"error": {"message": "the model crashed"}}) + "\n\n"
    server.script = [Reply(headers={"Content-Type": "text/event-stream"}, chunks=[event("So "), failure])]
    pieces, error = collect(make(server.url))
    assert pieces == ["So "] and "the model crashed" in str(error)


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "close-delimited"])
def test_a_stream_cut_midway_keeps_the_pieces_and_says_cut(server, sleeps, make, chunked):
    server.script = [sse_reply("Samantha ", "laughs", done=False, cut=True, chunked=chunked)]
    pieces, error = collect(make(server.url))
    assert pieces == ["Samantha ", "laughs"]
    assert error is not None and "cut" in str(error)
    assert sleeps == [] and len(server.seen) == 1  # text was shown, so no retry may repeat it


def test_a_stream_that_ends_without_text_says_so(server, make):
    server.script = [Reply(headers={"Content-Type": "text/event-stream"}, chunks=["oops, not sse\n"], chunked=False)]
    pieces, error = collect(make(server.url))
    assert pieces == [] and "without a reply" in str(error) and "oops, not sse" in str(error)


@pytest.mark.parametrize("where", ["delay", "header_delay"], ids=["before-body", "before-headers"])
def test_a_first_token_slower_than_the_timeout_names_the_setting(server, make, where):
    server.script = [sse_reply("late", **{where: 2.0})]
    backend = make(server.url, name="slow", timeout=0.5)
    started = time.monotonic()
    pieces, error = collect(backend)
    assert time.monotonic() - started < 1.9
    assert pieces == [] and "0.5 s" in str(error)
    assert "raise timeout under [backends.slow]" in str(error) and str(CONFIG) in str(error)


def test_a_stall_mid_stream_is_a_cut_with_the_timeout_setting(server, make):
    server.script = [sse_reply("first", "second", chunk_delay=2.0)]
    backend = make(server.url, name="slow", timeout=0.5)
    pieces, error = collect(backend)
    assert pieces == ["first"] and "cut" in str(error) and "timeout" in str(error)


def test_closing_the_generator_hangs_up_on_the_server(server, make):
    server.script = [sse_reply(*[f"w{i} " for i in range(200)], chunk_delay=0.02)]
    stream = make(server.url).stream(REQUEST)
    assert next(stream) == "w0 "
    stream.close()
    deadline = time.monotonic() + 3
    while not server.disconnects and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.disconnects == 1


# --- the API key ----------------------------------------------------------------------------------


def test_the_key_is_sent_as_a_bearer_token_and_never_shown(server, make, monkeypatch):
    monkeypatch.setenv(KEY_VAR, SECRET)
    server.script = [sse_reply("hi"), json_reply(401, {"error": {"message": "Incorrect API key provided."}})]
    backend = make(server.url, api_key_env=KEY_VAR)
    assert list(backend.stream(REQUEST)) == ["hi"]
    assert server.seen[0].headers["Authorization"] == f"Bearer {SECRET}"
    _, error = collect(backend)
    assert "answered 401" in str(error) and f"${KEY_VAR}" in str(error)
    for text in (str(error), repr(error), repr(backend), repr(vars(backend))):
        assert SECRET not in text


def test_no_authorization_when_the_key_variable_is_empty(server, make, monkeypatch):
    monkeypatch.setenv(KEY_VAR, "")
    server.script = [sse_reply("hi")]
    assert list(make(server.url, api_key_env=KEY_VAR).stream(REQUEST)) == ["hi"]
    assert "Authorization" not in server.seen[0].headers


# --- check() --------------------------------------------------------------------------------------


def test_check_a_dead_server_says_no_server(make):
    url = dead_url()
    reason = make(url).check()
    assert reason is not None and reason.startswith(f"no server at {url}/v1") and str(CONFIG) in reason


def test_check_a_live_server_is_ready(server, make):
    server.script = [json_reply(200, {"object": "list", "data": [{"id": "tiny", "object": "model"}]})]
    assert make(server.url).check() is None
    assert (server.seen[0].method, server.seen[0].path) == ("GET", "/v1/models")


def test_check_names_the_key_variable_not_the_key(server, make, monkeypatch):
    monkeypatch.setenv(KEY_VAR, SECRET)
    server.script = [json_reply(401, {"error": {"message": "bad key"}})]
    reason = make(server.url, api_key_env=KEY_VAR).check()
    assert reason is not None and KEY_VAR in reason and SECRET not in reason
    monkeypatch.delenv(KEY_VAR)
    server.script = [json_reply(200, {"data": []})]
    reason = make(server.url, api_key_env=KEY_VAR).check()
    assert reason is not None and f"export {KEY_VAR}=" in reason


# --- creation -------------------------------------------------------------------------------------


def _settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, corpus_dir=tmp_path, prompts_dir=tmp_path, config_file=CONFIG)


def test_the_entry_point_creates_the_backend(tmp_path):
    spec = BackendSpec(name="ollama", type="openai", model="llama3.2", base_url="http://127.0.0.1:11434/v1/", n_ctx=8192)
    backend = load_backend(spec, _settings(tmp_path))
    assert isinstance(backend, OpenAIBackend)
    backend.close()
    assert (backend.name, backend.model, backend.capabilities.context_size) == ("ollama", "llama3.2", 8192)
    assert backend.base_url == "http://127.0.0.1:11434/v1"


def test_a_missing_base_url_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError) as caught:
        create(BackendSpec(name="llama-server", type="openai", model="m"), _settings(tmp_path))
    for word in ["base_url", "--base-url", str(CONFIG)]:
        assert word in str(caught.value)


def test_a_single_model_server_needs_no_model_name(server, make):
    server.script = [sse_reply("Hello.")]
    backend = make(server.url, model=None)
    assert list(backend.stream(REQUEST)) == ["Hello."]
    assert "model" not in server.seen[0].body and backend.model is None


def test_check_asks_nothing_when_the_key_variable_is_unset(server, make, monkeypatch):
    monkeypatch.delenv("NO_SUCH_KEY_VAR", raising=False)
    backend = make(server.url, api_key_env="NO_SUCH_KEY_VAR")
    assert "NO_SUCH_KEY_VAR" in backend.check()
    assert server.seen == []


def test_penalties_unset_leave_the_backends_default():
    from companion.backends.base import penalties

    assert penalties(BackendSpec(name="x", type="llama-cpp")) == {}
    assert penalties(BackendSpec(name="x", type="openai"), 0.5) == {"frequency_penalty": 0.5, "presence_penalty": 0.5}
    assert penalties(BackendSpec(name="x", type="llama-cpp", presence_penalty=1)) == {"presence_penalty": 1.0}
