"""The command line: JSON shapes, --stdin, and errors without tracebacks."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys

import pytest

from companion.cli import main
from companion.grounding import markers
from tests.conftest import CORPUS
from tests.scripted_server import json_reply, server  # noqa: F401 (a fixture)


def run(args, stdin: str = "") -> tuple[int, str]:
    out = io.StringIO()
    code = main(args, out=out, stdin=io.StringIO(stdin))
    return code, out.getvalue()


@pytest.fixture
def at_index(shared_settings):
    return ["--data-dir", str(shared_settings.data_dir)]


def test_search_json_shape(at_index):
    code, out = run(["search", *at_index, "--json", "-k", "3", "the ending"])
    assert code == 0
    data = json.loads(out)
    assert data["query"] == "the ending"
    assert [r["rank"] for r in data["results"]] == [1, 2, 3]
    for r in data["results"]:
        assert set(r) == {"rank", "id", "essay_id", "title", "author", "text", "score", "chance"}
        assert r["id"].startswith(r["essay_id"] + ":")
        assert isinstance(r["score"], float) and (r["author"] is None or isinstance(r["author"], str))
    # Listed in the order of the reranking chance each carries (the hybrid search's score is the first stage's).
    chances = [r["chance"] for r in data["results"]]
    assert all(isinstance(c, float) for c in chances) and chances == sorted(chances, reverse=True)


def test_ask_json_shape(at_index):
    code, out = run(["ask", *at_index, "--backend", "extractive", "--json", "What did the critics think of the ending?"])
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"question", "answer", "grounded", "citations", "dropped", "route", "backend", "model", "uncited"}
    assert data["grounded"] and data["uncited"] == [] and data["backend"] == "extractive" and data["model"] is None
    assert {c["n"] for c in data["citations"]} == set(markers(data["answer"]))
    for c in data["citations"]:
        assert {"n", "id", "essay_id", "title", "author", "text"} <= set(c)


def test_ask_refusal_json(at_index):
    code, out = run(["ask", *at_index, "--json", "How much money did Her make?"])
    data = json.loads(out)
    assert code == 0 and data["grounded"] is False and data["citations"] == []


def test_stdin_gives_one_object_per_line_in_order(at_index):
    questions = ["What company does Theodore work for?", "", "What is the population of Tokyo?", "Who directed The Master?"]
    code, out = run(["ask", *at_index, "--backend", "extractive", "--stdin"], "\n".join(questions) + "\n")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [line["question"] for line in lines] == [q for q in questions if q]
    code, out = run(["search", *at_index, "--stdin", "-k", "2"], "rain\ncabin\n")
    assert [json.loads(line)["query"] for line in out.splitlines()] == ["rain", "cabin"]


def test_plain_ask_prints_sources(at_index):
    code, out = run(["ask", *at_index, "--backend", "extractive", "Is Samantha rational or emotional?"])
    assert code == 0
    assert "Sources:" in out and "[1] What HER Tells Us About Ourselves" in out


def test_ingest_builds_then_reports_nothing_to_do(tmp_path, capsys):
    args = ["ingest", "--data-dir", str(tmp_path / "d"), "--corpus", str(CORPUS)]
    code, out = run(args)
    assert code == 0 and "5 embedded, 0 unchanged, 0 removed" in out
    code, out = run(args)
    assert code == 0 and "0 embedded, 5 unchanged, 0 removed" in out


def test_search_builds_a_missing_index(tmp_path, capsys):
    code, out = run(["search", "--data-dir", str(tmp_path / "fresh"), "--json", "cabin"])
    assert code == 0 and json.loads(out)["results"]
    assert "Built the index" in capsys.readouterr().err


def test_bad_corpus_is_a_message_not_a_traceback(tmp_path, capsys):
    (tmp_path / "bad.md").write_bytes(b"\xff\xfe\x00")
    code, _ = run(["ingest", "--data-dir", str(tmp_path / "d"), "--corpus", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1
    assert "bad.md: is not UTF-8" in err and "Traceback" not in err


def test_empty_question_and_unknown_backend(at_index, capsys):
    assert run(["ask", *at_index, "   "])[0] == 1
    assert "empty" in capsys.readouterr().err
    assert run(["ask", *at_index, "--backend", "nope", "hello"])[0] == 1
    assert "Unknown backend 'nope'" in capsys.readouterr().err


def test_python_dash_m_entry_point(private_index):
    result = subprocess.run(
        [sys.executable, "-m", "companion", "search", "--data-dir", str(private_index), "--json", "rain"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["results"]


def test_the_default_backend_is_the_local_model_when_installed(at_index):
    import importlib.util

    code, out = run(["ask", *at_index, "--json", "Is Samantha rational or emotional?"])
    data = json.loads(out)
    if importlib.util.find_spec("llama_cpp") is None:
        assert data["backend"] == "extractive"
    else:
        assert (data["backend"], data["model"]) == ("llama-cpp", "SmolLM2-135M-Instruct.Q4_1")
    assert data["grounded"] and all(c["verified"] for c in data["citations"])


def test_models_lists_every_backend_with_its_state(at_index):
    code, out = run(["models", *at_index, "--base-url", "http://127.0.0.1:9/v1"])
    assert code == 0
    assert "extractive (extractive): ready" in out
    assert "ollama (openai, model llama3.2): not ready: no server at http://127.0.0.1:9/v1" in out
    assert "openai (openai, model gpt-4o-mini): not ready" in out and "OPENAI_API_KEY" in out


def companion(args, stdin: bytes = b"", **env: str) -> subprocess.CompletedProcess:
    """Run the command in its own process, stdout and stderr both pipes."""
    return subprocess.run(
        [sys.executable, "-m", "companion", *args], input=stdin, capture_output=True, timeout=300,
        env={**os.environ, **env},
    )


@pytest.mark.parametrize(
    ("command", "errors"),
    [(["ask", "--backend", "extractive"], "surrogateescape"), (["ask", "--backend", "extractive"], "strict"),
     (["search", "-k", "2"], "surrogateescape")],
)
def test_bytes_that_are_not_utf8_on_stdin_are_read_as_replacement_characters(private_index, command, errors):
    # PYTHONIOENCODING=utf-8:strict stands for a UTF-8 locale; the C.UTF-8 default passes bad bytes as surrogates.
    result = companion([*command, "--data-dir", str(private_index), "--stdin"], b"the \xff\xfe ending?\n",
                       PYTHONIOENCODING=f"utf-8:{errors}")
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 0, err
    (line,) = [json.loads(text) for text in result.stdout.decode("utf-8").splitlines()]
    assert line.get("question", line.get("query")) == "the \ufffd\ufffd ending?"
    assert "companion: line 1 is not valid UTF-8; 2 unreadable byte(s)" in err and "Traceback" not in err


def test_a_question_argument_with_undecodable_bytes_is_answered(at_index, capsys):
    # Python passes argv bytes that are not UTF-8 on as lone surrogates, as here.
    code, out = run(["ask", *at_index, "--backend", "extractive", "--json", "the \udcff\udcfe ending?"])
    assert code == 0 and json.loads(out)["question"] == "the \ufffd\ufffd ending?"
    assert "the argument is not valid UTF-8" in capsys.readouterr().err
    code, out = run(["search", *at_index, "--json", "the \udcff ending"])
    assert code == 0 and json.loads(out)["query"] == "the \ufffd ending"


def test_ask_stdin_exits_1_when_any_line_fails_and_says_which_on_stderr(at_index, capsys):
    too_long = "why " * 1200
    code, out = run(["ask", *at_index, "--backend", "extractive", "--stdin"], f"{too_long}\n\n{too_long}\n")
    assert code == 1 and [("error" in json.loads(line)) for line in out.splitlines()] == [True, True]
    err = capsys.readouterr().err
    assert "companion: line 1: That message is 4,799 characters" in err and "companion: line 3: " in err
    code, out = run(["ask", *at_index, "--backend", "extractive", "--stdin"], f"Who is Theodore?\n{too_long}\n")
    assert code == 1 and [("error" in json.loads(line)) for line in out.splitlines()] == [False, True]


def test_a_failed_reply_goes_to_stderr_and_exits_1(at_index, server, capsys):
    server.script = [json_reply(400, {"error": {"message": "no such model: tiny"}}) for _ in range(3)]
    model = ["--backend", "llama-server", "--base-url", server.url + "/v1", "--model", "tiny"]
    code, out = run(["ask", *at_index, *model, "What did the critics think of the ending?"])
    err = capsys.readouterr().err
    assert code == 1 and "no such model: tiny" not in out
    assert "companion: no reply: " in err and "no such model: tiny" in err
    code, out = run(["ask", *at_index, *model, "--stdin"], "What did the critics think of the ending?\nIs Samantha rational?\n")
    replies = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and [r["answer"] for r in replies] == ["", ""] and all("no such model" in r["error"] for r in replies)
    err = capsys.readouterr().err
    assert "companion: line 1: no reply: " in err and "companion: line 2: no reply: " in err


def test_ingest_prints_progress_lines_when_stderr_is_a_pipe(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "her-2013.md", corpus)
    result = companion(["ingest", "--data-dir", str(tmp_path / "d"), "--corpus", str(corpus)])
    err = result.stderr.decode("utf-8")
    assert result.returncode == 0, err
    lines = [line for line in err.splitlines() if line.startswith("companion: embedding ")]
    total = int(lines[0].split("/")[1].split()[0])
    assert lines[0] == f"companion: embedding 0/{total} passages (Her (2013))"
    assert lines[-1] == f"companion: embedding {total}/{total} passages (Her (2013))" and len(lines) <= 11


def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path):
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run([sys.executable, "-m", "companion", "config"], stdout=write, stderr=subprocess.PIPE,
                              env={**os.environ, "COMPANION_DATA_DIR": str(tmp_path / "data")}, timeout=60)
    finally:
        os.close(write)
    assert done.returncode == 141 and b"Traceback" not in done.stderr, done.stderr.decode()
