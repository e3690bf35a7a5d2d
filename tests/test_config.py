"""Settings from the TOML file, environment and flags; bad config names the key and the file."""

from __future__ import annotations

import io

import pytest

from companion.cli import main
from companion.config import describe, load_settings
from companion.errors import ConfigError

PROFILE = """
backend = "mine"
embedding_model = "/models/minilm"

[backends.mine]
type = "openai"
base_url = "http://127.0.0.1:9/v1"
model = "tiny"
api_key_env = "MY_TEST_KEY"
timeout = 30

[backends.ollama]
model = "qwen2.5"
"""


@pytest.fixture
def config(tmp_path, monkeypatch):
    path = tmp_path / "config.toml"
    path.write_text(PROFILE, "utf-8")
    monkeypatch.setenv("COMPANION_CONFIG", str(path))
    for name in ("COMPANION_MODEL", "COMPANION_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return path


def test_file_then_env_then_flags(config, monkeypatch):
    settings = load_settings()
    assert settings.config_file == config
    spec = settings.backend_spec()
    assert (spec.name, spec.type, spec.model, spec.timeout) == ("mine", "openai", "tiny", 30)
    assert settings.embedding_model == "/models/minilm"

    monkeypatch.setenv("COMPANION_MODEL", "from-env")
    assert load_settings().backend_spec().model == "from-env"
    assert load_settings(model="from-flag").backend_spec().model == "from-flag"
    assert load_settings(backend="ollama").backend_spec().model == "from-env"
    monkeypatch.delenv("COMPANION_MODEL")
    ollama = load_settings(backend="ollama").backend_spec()
    assert (ollama.type, ollama.base_url, ollama.model) == ("openai", "http://127.0.0.1:11434/v1", "qwen2.5")


def test_missing_file_means_defaults(tmp_path):
    settings = load_settings(config_file=tmp_path / "absent.toml")
    assert settings.backend_spec("extractive").type == "extractive"
    assert "not present" in dict(describe(settings))["config file"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("backend = 3", "backend must be text"),
        ("colour = 'red'", "unknown key 'colour'"),
        ("[backends.x]\nmodel = 'm'", "backends.x needs type"),
        ("[backends.x]\ntype = 'openai'\ntemperature = 'hot'", "backends.x.temperature must be number"),
        ("[backends.x]\ntype = 'openai'\nn_ctx = 0", "backends.x.n_ctx must be positive"),
        ("[backends.x]\ntype = 'openai'\nretries = true", "backends.x.retries must be"),
        ("[backends.x]\ntype = 'openai'\napi_key = 'sk-123'", "api_key is not allowed"),
        ("[backends.x]\ntype = 'openai'\nflavour = 1", "unknown key backends.x.flavour"),
        ("[backends.x]\ntype = 'llama-cpp'\nquantize = 'q3'", "backends.x.quantize must be one of as-is, f16"),
        ("[backends.x]\ntype = 'llama-cpp'\nflash_attn = 'yes'", "backends.x.flash_attn must be"),
        ("[backends.x]\ntype = 'openai'\npresence_penalty = 3", "backends.x.presence_penalty must be between -2 and 2"),
        ("[backends.x]\ntype = 'openai'\nfrequency_penalty = 'some'", "backends.x.frequency_penalty must be"),
        ("backends = 1", "backends must be a set of tables"),
        ("this is = not toml [", "not valid TOML"),
        ('data_dir = ""', "data_dir is empty"),
        ("corpus_dir = '   '", "corpus_dir is empty"),
        ('prompts_dir = ""', "prompts_dir is empty"),
        ('chroma_url = ""', "chroma_url is empty"),
        ('backend = ""', "backend is empty"),
    ],
)
def test_invalid_config_names_the_key_and_file(tmp_path, text, problem):
    path = tmp_path / "bad.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(config_file=path)
    assert problem in str(caught.value) and str(path) in str(caught.value)


def test_unknown_backend_lists_the_known_ones(config):
    with pytest.raises(ConfigError, match="Unknown backend 'nope'.*extractive.*mine"):
        load_settings(backend="nope").backend_spec()


def test_config_command_masks_the_key(config, monkeypatch, capsys):
    monkeypatch.setenv("MY_TEST_KEY", "sk-very-secret-value")
    out = io.StringIO()
    assert main(["config"], out=out) == 0
    shown = out.getvalue()
    assert str(config) in shown and "MY_TEST_KEY (set; the key itself is never shown)" in shown
    assert "sk-very-secret-value" not in shown + capsys.readouterr().err


def test_a_bad_config_is_a_message_for_every_command(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text("backend = [", "utf-8")
    assert main(["--config", str(path), "config"], out=io.StringIO()) == 1
    err = capsys.readouterr().err
    assert "not valid TOML" in err and "Traceback" not in err


@pytest.mark.parametrize("flag", ["--data-dir", "--corpus", "--prompts", "--config", "--chroma-url", "--backend"])
def test_an_empty_flag_is_refused_not_read_as_the_current_directory(flag, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as caught:
        main(["config", flag, ""], out=io.StringIO())
    err = capsys.readouterr().err
    assert caught.value.code == 2 and f"argument {flag}: is empty" in err and "Traceback" not in err
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("name", ["COMPANION_DATA_DIR", "COMPANION_CORPUS_DIR", "COMPANION_PROMPTS_DIR"])
def test_an_empty_path_variable_is_refused(name, monkeypatch):
    monkeypatch.setenv(name, "")
    with pytest.raises(ConfigError, match=f"{name} is set but empty"):
        load_settings()
