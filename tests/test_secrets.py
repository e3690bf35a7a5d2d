"""API keys never reach logs, exports, written files, error messages or `companion config` output."""

from __future__ import annotations

import io
import json
import logging
import shutil
from pathlib import Path

import httpx
import pytest

from companion.backends.base import GenerationRequest, Message
from companion.backends.openai import OpenAIBackend
from companion.cli import main
from companion.config import BackendSpec
from companion.errors import BackendError
from companion.redaction import MASK
from tests.scripted_server import Reply, Seen, event, server  # noqa: F401 (a fixture)

KEY_VAR = "COMPANION_TEST_KEY"
KEY = "sk-test-SECRET-123456"
# Fragments a masked or truncated echo of the key would still show.
FRAGMENTS = (KEY, "SECRET-123456", "sk-test-SECRET")
URL = "http://127.0.0.1:9/v1"  # port 9 (discard): nothing listens, so every connection is refused
QUESTION = "What did the critics think of the ending?"
# One retry, not three: the retry path (and its log line) still runs, without 3.5 s of backoff per test.
PROFILE = f"""
[backends.remote]
type = "openai"
base_url = "{URL}"
model = "m"
api_key_env = "{KEY_VAR}"
retries = 1
"""


def assert_no_key(*texts: str | bytes, where: str = "output") -> None:
    """Fail when any text holds the key or a recognisable piece of it."""
    for text in texts:
        data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogateescape")
        for fragment in FRAGMENTS:
            assert fragment.encode() not in data, f"the API key leaked into {where}"


def logged(caplog) -> str:
    """Return everything logged: messages, their raw arguments and any tracebacks."""
    parts = [caplog.text]
    for record in caplog.records:
        parts += [record.getMessage(), repr(record.args), repr(record.exc_info), record.exc_text or ""]
    return "\n".join(parts)


def run(argv: list[str]) -> tuple[int, str]:
    """Run the command line in-process; return its exit code and standard output."""
    out = io.StringIO()
    code = main(argv, out=out, stdin=io.StringIO(""))
    return code, out.getvalue()


@pytest.fixture
def capture_all_logs(caplog):
    """Capture DEBUG records from every logger, including ones that set their own level."""
    caplog.set_level(logging.DEBUG)
    for name in ("companion", "httpx", "httpcore", "urllib3", "chromadb", *logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


@pytest.fixture
def remote(tmp_path, monkeypatch, capture_all_logs) -> Path:
    """Configure a 'remote' OpenAI profile whose key lives in an environment variable."""
    config = tmp_path / "config.toml"
    config.write_text(PROFILE, "utf-8")
    # Override conftest's autouse fixture, which points COMPANION_CONFIG at a missing file.
    monkeypatch.setenv("COMPANION_CONFIG", str(config))
    monkeypatch.setenv(KEY_VAR, KEY)
    return config


@pytest.fixture(scope="module")
def data_copy(tmp_path_factory, shared_settings) -> Path:
    """Return a private copy of the shared index, so every file the app writes can be searched."""
    target = tmp_path_factory.mktemp("secrets") / "data"
    shutil.copytree(shared_settings.data_dir, target)
    return target


def files_under(directory: Path) -> list[Path]:
    """Return every file below a directory."""
    return [p for p in directory.rglob("*") if p.is_file()]


def test_config_output_names_the_variable_but_not_the_key(remote, capsys, capture_all_logs):
    """Show which variable holds the key and that it is set, never the key."""
    code, out = run(["config", "--backend", "remote"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert KEY_VAR in out and "set" in out and URL in out
    assert_no_key(out, err, logged(capture_all_logs))


def test_models_reports_the_dead_server_without_the_key(remote, capsys, capture_all_logs, tmp_path):
    """List the remote profile as not ready, naming its URL, without the key."""
    code, out = run(["models", "--data-dir", str(tmp_path / "data")])
    err = capsys.readouterr().err
    assert code == 0, err
    line = next(line for line in out.splitlines() if " remote " in line)
    assert "not ready" in line and URL in line
    assert_no_key(out, err, logged(capture_all_logs))


def test_ask_over_a_dead_server_fails_clearly_without_the_key(remote, capsys, capture_all_logs, data_copy):
    """Report the unreachable URL when asking, and keep the key out of output, logs and every file written."""
    code, out = run(["ask", "--backend", "remote", "--data-dir", str(data_copy), QUESTION])
    err = capsys.readouterr().err
    said = out + err
    # What could be said is printed with the cut noted, and the exit status tells a script it failed.
    assert code == 1, said
    assert URL in said, said
    assert "cut short" in out or "companion:" in err
    assert_no_key(out, err, where="ask's output")
    assert_no_key(logged(capture_all_logs), where="the logs")
    for path in files_under(data_copy):
        assert_no_key(path.read_bytes(), where=str(path))


def test_json_ask_over_a_dead_server_keeps_the_key_out(remote, capsys, capture_all_logs, data_copy):
    """Keep the key out of the JSON reply of a failed ask."""
    code, out = run(["ask", "--backend", "remote", "--data-dir", str(data_copy), "--json", QUESTION])
    err = capsys.readouterr().err
    assert code in (0, 1), out + err
    if code == 0:
        assert URL in json.loads(out)["error"]
    assert_no_key(out, err, logged(capture_all_logs))


def test_saved_and_exported_conversation_keeps_the_key_out(remote, capsys, capture_all_logs, data_copy, tmp_path):
    """Save a failed turn to history and export it: neither the database nor the Markdown holds the key."""
    from companion.config import load_settings
    from companion.history import History
    from companion.session import open_engine

    settings = load_settings(data_dir=data_copy, backend="remote")
    engine = open_engine(settings)
    try:
        reply = engine.ask(QUESTION)
    finally:
        engine.backend.close()
        if engine.memory is not None:
            engine.memory.close()
    assert reply.error and URL in reply.error
    with History(data_copy / "conversations.sqlite3") as history:
        history.add_turn(history.new_conversation(), reply)
    exported = tmp_path / "export.md"
    code, out = run(["export", "--data-dir", str(data_copy)])
    assert code == 0 and QUESTION in out
    assert run(["export", "--data-dir", str(data_copy), "-o", str(exported)])[0] == 0
    err = capsys.readouterr().err
    assert_no_key(out, err, exported.read_bytes(), logged(capture_all_logs))
    for path in files_under(data_copy):
        assert_no_key(path.read_bytes(), where=str(path))


def backend(**fields) -> OpenAIBackend:
    """Return the remote profile's backend, with waits between retries skipped."""
    spec = BackendSpec(**{"name": "remote", "type": "openai", "base_url": URL, "model": "m", "api_key_env": KEY_VAR,
                          "retries": 1, **fields})
    return OpenAIBackend(spec, config_file=Path("/tmp/companion/config.toml"), sleep=lambda _seconds: None)


REQUEST = GenerationRequest(messages=(Message("user", QUESTION),), question=QUESTION)


def test_backend_repr_check_and_stream_errors_hold_no_key(monkeypatch, capture_all_logs):
    """Keep the key out of the backend's repr and state, its readiness check and a failed stream's error."""
    monkeypatch.setenv(KEY_VAR, KEY)
    remote = backend()
    try:
        assert_no_key(repr(remote), repr(vars(remote)), repr(remote.spec), where="the backend's repr")
        reason = remote.check()
        assert reason is not None and URL in reason
        with pytest.raises(BackendError) as caught:
            list(remote.stream(REQUEST))
        assert URL in str(caught.value)
        assert caught.value.__cause__ is None
        assert_no_key(reason, str(caught.value), repr(caught.value), logged(capture_all_logs))
        # The client keeps no default headers that a debug dump could show.
        assert_no_key(repr(dict(remote.client().headers)), where="the client's headers")
    finally:
        remote.close()


def mock_server(status: int, body_for) -> tuple[OpenAIBackend, list[httpx.Request]]:
    """Return a backend whose server answers every request with status and body_for(request)."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=body_for(request))

    remote = backend(retries=0)
    remote._client = httpx.Client(transport=httpx.MockTransport(handler))
    return remote, seen


def test_a_refused_key_is_named_by_its_variable_only(monkeypatch, capture_all_logs):
    """Name the key's variable when the server refuses it, and send the key only in the header."""
    monkeypatch.setenv(KEY_VAR, KEY)
    remote, seen = mock_server(401, lambda _r: {"error": {"message": "Incorrect API key provided."}})
    try:
        with pytest.raises(BackendError) as caught:
            list(remote.stream(REQUEST))
        reason = remote.check()
    finally:
        remote.close()
    assert seen and seen[0].headers["authorization"] == f"Bearer {KEY}"
    assert KEY.encode() not in seen[0].content and KEY not in str(seen[0].url)
    assert KEY_VAR in str(caught.value) and KEY_VAR in (reason or "")
    assert_no_key(str(caught.value), reason or "", logged(capture_all_logs))


def test_a_server_echoing_the_key_does_not_put_it_on_screen(monkeypatch):
    """Redact the key from a server's error message that echoes the Authorization header back."""
    monkeypatch.setenv(KEY_VAR, KEY)
    remote, _ = mock_server(401, lambda r: {"error": {"message": f"bad header: {r.headers['authorization']}"}})
    try:
        with pytest.raises(BackendError) as caught:
            list(remote.stream(REQUEST))
    finally:
        remote.close()
    assert_no_key(str(caught.value), where="the error shown (and saved to history with the turn)")


@pytest.mark.parametrize(
    "config",
    [
        PROFILE + f'api_key = "{KEY}"\n',
        f'[backends.openai]\napi_key = "{KEY}"\n',
        f'api_key = "{KEY}"\n' + PROFILE,
        PROFILE.replace(f'api_key_env = "{KEY_VAR}"', f"api_key = {KEY}"),  # unquoted: not even valid TOML
        PROFILE + f'api_key = """{KEY}"""\n',
    ],
    ids=["in-profile", "in-preset", "top-level", "unquoted", "multiline-string"],
)
@pytest.mark.parametrize("command", ["config", "models", "ask"])
def test_a_key_written_in_the_config_file_is_refused_without_echo(
    tmp_path, monkeypatch, capsys, capture_all_logs, config, command
):
    """Refuse a config file holding a key, naming the file but not repeating the key."""
    path = tmp_path / "config.toml"
    path.write_text(config, "utf-8")
    monkeypatch.setenv("COMPANION_CONFIG", str(path))
    argv = {"config": ["config"], "models": ["models"], "ask": ["ask", "--backend", "remote", QUESTION]}[command]
    code, out = run([*argv, "--data-dir", str(tmp_path / "data")])
    err = capsys.readouterr().err
    assert code == 1, out + err
    assert str(path) in err
    assert_no_key(out, err, logged(capture_all_logs))
    assert not (tmp_path / "data").exists() or not any(files_under(tmp_path / "data"))


def test_a_key_pasted_into_api_key_env_is_not_printed(tmp_path, monkeypatch, capsys):
    """Refuse, without echoing it, an api_key_env that holds a key instead of a variable name."""
    path = tmp_path / "config.toml"
    path.write_text(PROFILE.replace(f'api_key_env = "{KEY_VAR}"', f'api_key_env = "{KEY}"'), "utf-8")
    monkeypatch.setenv("COMPANION_CONFIG", str(path))
    _, out = run(["config", "--backend", "remote"])
    _, models_out = run(["models", "--data-dir", str(tmp_path / "data")])
    assert_no_key(out, models_out, capsys.readouterr().err)


# --- a server that echoes the Authorization header back ------------------------------------------

SSE = {"Content-Type": "text/event-stream"}
JSON = {"Content-Type": "application/json"}


def auth(seen: Seen) -> str:
    """Return the Authorization header a request carried, as an echoing server would repeat it."""
    return seen.header("Authorization")


def split_delta_then_error_event(seen: Seen) -> list[str]:
    """Echo the key across two deltas, then in an error event."""
    error = "data: " + json.dumps({"error": {"message": f"quota exceeded for {auth(seen)}"}}) + "\n\n"
    return [event("The critics were moved. You sent "), event(auth(seen)[:17]), event(auth(seen)[17:] + ". "), error]


def split_inside_one_event(seen: Seen) -> list[str]:
    """Echo the key in a delta whose bytes arrive in two reads, split inside the key."""
    whole = event(f"I heard {auth(seen)} clearly. ")
    cut = whole.index("SECRET")
    return [whole[:cut], whole[cut:], "data: [DONE]\n\n"]


ECHOES = {
    "content split over two deltas, then an error event": Reply(headers=SSE, chunks_for=split_delta_then_error_event),
    "content split inside one event": Reply(headers=SSE, chunk_delay=0.05, chunks_for=split_inside_one_event),
    "a stray line that is not SSE": Reply(headers=SSE, chunked=False,
                                          chunks_for=lambda s: [f"upstream refused {auth(s)}\n"]),
    "a malformed event": Reply(headers=SSE, chunks_for=lambda s: [f"data: {{broken {auth(s)}\n\n"]),
    "an HTTP error body": Reply(400, JSON, chunked=False,
                                chunks_for=lambda s: [json.dumps({"error": {"message": f"bad header {auth(s)}"}})]),
    "a whole JSON reply": Reply(200, JSON, chunked=False, chunks_for=lambda s: [
        json.dumps({"choices": [{"message": {"content": f"You sent {auth(s)}."}}]})]),
}


def test_a_server_echoing_the_key_every_way_never_gets_it_on_screen_or_disk(
    remote, server, capsys, capture_all_logs, data_copy, tmp_path
):
    """Mask the echoed key in replies and errors, so history and exports never hold it (real engine, real files)."""
    from companion.config import load_settings
    from companion.history import History
    from companion.session import open_engine

    remote.write_text(PROFILE.replace(URL, f"{server.url}/v1").replace("retries = 1", "retries = 0"), "utf-8")
    server.script = list(ECHOES.values())
    engine = open_engine(load_settings(data_dir=data_copy, backend="remote"))
    try:
        replies = {name: engine.ask(QUESTION) for name in ECHOES}
    finally:
        engine.backend.close()
        if engine.memory is not None:
            engine.memory.close()
    assert [auth(seen) for seen in server.seen] == [f"Bearer {KEY}"] * len(ECHOES)
    for name, reply in replies.items():
        said = f"{reply.answer}\n{reply.error}"
        assert_no_key(said, where=f"the reply to {name}")
        assert MASK in said, f"{name}: the echo never reached the reply: {said!r}"
    with History(data_copy / "conversations.sqlite3") as history:
        conversation = history.new_conversation()
        for reply in replies.values():
            history.add_turn(conversation, reply)
    exported = tmp_path / "export.md"
    code, out = run(["export", "--data-dir", str(data_copy), "-o", str(exported)])
    assert code == 0, out
    assert exported.read_text("utf-8").count("redacted") >= len(ECHOES)
    assert_no_key(out, capsys.readouterr().err, exported.read_bytes(), logged(capture_all_logs))
    for path in files_under(data_copy):
        assert_no_key(path.read_bytes(), where=str(path))
