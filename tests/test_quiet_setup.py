"""Preparing and loading the local model shows one line; llama.cpp's own log goes to a file."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from companion.backends import native_log
from companion.backends.llamacpp import create, shipped_model_path
from companion.backends.native_log import LOG_NAME, MAX_BYTES, route_to
from companion.backends.quantize import ensure_converted
from companion.config import BackendSpec, load_settings
from companion.errors import BackendError
from tests.conftest import needs_llama

pytestmark = needs_llama

PREPARING = "companion: preparing the local model, once…"
SHIPPED = BackendSpec(name="llama-cpp", type="llama-cpp")


def test_a_first_ask_with_the_local_model_shows_one_line(private_index, tmp_path):
    # A first ask: a model another test converted into the shared index must not be found already converted.
    shutil.rmtree(private_index / "models", ignore_errors=True)
    # The shipped model composes nothing by default; asked to frame the quotes, it is loaded.
    config = tmp_path / "framing.toml"
    config.write_text("[backends.llama-cpp]\nquote_first = true\n", "utf-8")
    env = {**os.environ, "COMPANION_DATA_DIR": str(private_index), "COMPANION_CONFIG": str(config)}
    done = subprocess.run(
        [sys.executable, "-m", "companion", "ask", "--backend", "llama-cpp", "What did the critics think of the ending?"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stderr.splitlines()
    # Room for one notice of the companion's own; none of llama.cpp's hundreds of lines.
    assert PREPARING in lines and len(lines) <= 2, lines[:5]
    assert not any("llama" in line or "gguf" in line for line in lines)
    log = (private_index / "models" / LOG_NAME).read_text("utf-8")
    assert "llama_model_quantize" in log and "llama_model_loader" in log


def test_converting_and_loading_write_nothing_else_to_the_terminal(tmp_path, capfd):
    settings = load_settings(data_dir=tmp_path / "data")
    first = create(SHIPPED, settings)
    first.weights()
    assert capfd.readouterr().err == PREPARING + "\n"

    again = create(SHIPPED, settings)
    again.load()
    assert capfd.readouterr() == ("", "")
    log = (tmp_path / "data" / "models" / LOG_NAME).read_text("utf-8")
    assert log.count("converting to q8_0") > 100 and "llama_model_loader" in log


def test_a_failed_conversion_says_where_the_details_are(tmp_path, capfd):
    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"GGUF but not really" * 10)
    backend = create(BackendSpec(name="mine", type="llama-cpp", model=str(fake), quantize="q8_0"),
                     load_settings(data_dir=tmp_path / "data"))
    log = tmp_path / "data" / "models" / LOG_NAME
    with pytest.raises(BackendError, match=f"details in {log}"):
        backend.weights()
    assert capfd.readouterr().err == PREPARING + "\n"
    assert "fake.gguf" in log.read_text("utf-8")


def test_an_unwritable_log_still_keeps_the_terminal_quiet(tmp_path, capfd):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the directory should be", "utf-8")
    route_to(blocked / LOG_NAME)
    assert native_log.details() == ""
    source = tmp_path / "tiny.gguf"
    shutil.copy2(shipped_model_path(), source)
    ensure_converted(source, "q8_0", tmp_path / "models")
    assert capfd.readouterr().err == PREPARING + "\n"


def test_a_long_log_is_moved_aside_once_rather_than_growing(tmp_path):
    log = tmp_path / LOG_NAME
    log.write_text("x" * (MAX_BYTES + 1), "utf-8")
    route_to(log)
    assert (tmp_path / f"{LOG_NAME}.old").stat().st_size == MAX_BYTES + 1
    assert log.read_text("utf-8").startswith("--- ") and log.stat().st_size < 100
