"""A backend from another installed package: found by entry point, listed, and able to answer."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from companion.cli import main
from tests.helpers import install_plugin



@pytest.fixture
def installed_plugin(tmp_path, monkeypatch) -> Path:
    """Install the echo plugin as a distribution on sys.path, the way pip lays one out."""
    site = install_plugin(tmp_path / "site", "companion_echo_backend", "echo")
    monkeypatch.syspath_prepend(str(site))
    return site


def test_the_plugin_is_listed_by_models(installed_plugin, shared_settings):
    env = {**os.environ, "PYTHONPATH": str(installed_plugin)}
    result = subprocess.run(
        [sys.executable, "-m", "companion", "models", "--data-dir", str(shared_settings.data_dir)],
        capture_output=True, text=True, timeout=120, env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "echo (echo, model echo-1): ready" in result.stdout
    assert "extractive (extractive): ready" in result.stdout


def test_the_plugin_answers(installed_plugin, shared_settings):
    out = io.StringIO()
    code = main(["ask", "--data-dir", str(shared_settings.data_dir), "--backend", "echo", "--json",
                 "Is Samantha rational or emotional?"], out=out)
    data = json.loads(out.getvalue())
    assert code == 0
    assert (data["backend"], data["model"]) == ("echo", "echo-1")
    assert data["answer"].startswith("The plugin says: “") and data["answer"].endswith("[1]")
    assert data["citations"][0]["n"] == 1 and data["citations"][0]["verified"]


def test_a_plugin_without_the_contract_is_refused_by_name(tmp_path, monkeypatch, shared_settings):
    from companion.backends.base import load_backend
    from companion.config import BackendSpec
    from companion.errors import ConfigError

    monkeypatch.syspath_prepend(str(install_plugin(tmp_path / "site", "companion_bare_backend", "bare")))
    with pytest.raises(ConfigError, match=r"'bare' \(companion_bare_backend:create\).*capabilities.*count_tokens"):
        load_backend(BackendSpec(name="bare", type="bare"), shared_settings)
