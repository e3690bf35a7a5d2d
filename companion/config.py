"""Settings: defaults, then the TOML config file, then environment variables, then flags."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from companion.errors import ConfigError

APP_NAME = "companion"
PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
# A wheel carries the repo's top-level prompts/ and corpus/ inside the package (package-dir in pyproject.toml).
BUNDLED_DIR = PACKAGE_DIR / "bundled"

# Libraries below us must never reach for a model hub: weights ship in packages.
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TOKENIZERS_PARALLELISM": "false",
    "ANONYMIZED_TELEMETRY": "False",
}


def go_offline() -> None:
    """Keep model libraries from touching the network or printing download bars."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)


def shipped_dir(name: str) -> Path:
    """Return the project's prompts/ or corpus/: a checkout's own folder, else the copy inside the wheel."""
    # pyproject.toml marks a checkout, so an unrelated prompts/ beside an installed package is never taken.
    if (REPO_ROOT / "pyproject.toml").is_file() and (REPO_ROOT / name).is_dir():
        return REPO_ROOT / name
    return BUNDLED_DIR / name


def default_data_dir() -> Path:
    """Return the platform's user data directory for the companion."""
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_config_file() -> Path:
    """Return the platform's path for the companion's config file."""
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


@dataclass(frozen=True)
class BackendSpec:
    """One way to compose replies: a backend type plus its settings (a named profile)."""

    name: str
    type: str
    model: str | None = None
    base_url: str | None = None
    api_key_env: str | None = None
    n_ctx: int | None = None
    n_threads: int | None = None
    max_tokens: int = 400
    temperature: float = 0.7
    timeout: float | None = None
    deadline: float | None = None
    retries: int = 3
    quote_first: bool | None = None
    quantize: str | None = None
    flash_attn: bool = True
    # Show a thinking model's reasoning, folded above the reply (and as "thinking" in ask --json).
    show_thinking: bool = False
    # How much a model is kept from repeating words it already wrote (-2 to 2, as OpenAI's API takes them);
    # None leaves the backend's own default (openai: 0.5 each; llama-cpp: none).
    frequency_penalty: float | None = None
    presence_penalty: float | None = None


# Profiles every install has; a [backends.NAME] table with the same name overrides them.
PRESETS: dict[str, BackendSpec] = {
    "extractive": BackendSpec(name="extractive", type="extractive"),
    "llama-cpp": BackendSpec(name="llama-cpp", type="llama-cpp"),
    "openai": BackendSpec(
        name="openai", type="openai", base_url="https://api.openai.com/v1", model="gpt-4o-mini",
        api_key_env="OPENAI_API_KEY",
    ),
    "ollama": BackendSpec(name="ollama", type="openai", base_url="http://127.0.0.1:11434/v1", model="llama3.2"),
    "llama-server": BackendSpec(name="llama-server", type="openai", base_url="http://127.0.0.1:8080/v1"),
}

_SPEC_TYPES: dict[str, tuple[type, ...]] = {
    "type": (str,), "model": (str,), "base_url": (str,), "api_key_env": (str,), "n_ctx": (int,),
    "n_threads": (int,), "max_tokens": (int,), "temperature": (int, float), "timeout": (int, float),
    "deadline": (int, float),
    "retries": (int,), "quote_first": (bool,), "quantize": (str,), "flash_attn": (bool,),
    "show_thinking": (bool,), "frequency_penalty": (int, float), "presence_penalty": (int, float),
}
# llama.cpp weight types a local model can be converted to once (see backends/quantize.py).
QUANTIZE_CHOICES = ("as-is", "f16", "bf16", "q8_0", "q5_1", "q5_0", "q4_1", "q4_0")
_TOP_LEVEL = {
    "data_dir", "corpus_dir", "prompts_dir", "embedding_model", "backend", "model", "base_url", "chroma_url", "backends",
}


@dataclass(frozen=True)
class Settings:
    """Where things live, which models to use, and the backend profiles known."""

    data_dir: Path
    corpus_dir: Path
    prompts_dir: Path
    embedding_model: str | None = None
    backend: str | None = None
    model: str | None = None
    base_url: str | None = None
    chroma_url: str | None = None
    top_k: int = 5
    config_file: Path | None = None
    profiles: dict[str, BackendSpec] = field(default_factory=lambda: dict(PRESETS))

    def with_overrides(self, **values: object) -> Settings:
        """Return a copy with the non-None values replaced."""
        return replace(self, **{k: v for k, v in values.items() if v is not None})

    def backend_names(self) -> list[str]:
        """Return every name --backend accepts: profiles and installed backend types."""
        return sorted(set(self.profiles) | installed_backend_types())

    def backend_spec(self, name: str | None = None) -> BackendSpec:
        """Return the chosen profile with the model and base URL overrides applied."""
        chosen = name or self.backend or default_backend_name()
        if chosen not in self.profiles and chosen in installed_backend_types():
            return replace(BackendSpec(name=chosen, type=chosen), model=self.model, base_url=self.base_url)
        if chosen not in self.profiles:
            known = ", ".join(sorted(self.backend_names()))
            where = f" or add [backends.{chosen}] to {self.config_file}" if self.config_file else ""
            raise ConfigError(f"Unknown backend {chosen!r}: choose one of {known} with --backend{where}.")
        spec = self.profiles[chosen]
        return replace(spec, model=self.model or spec.model, base_url=self.base_url or spec.base_url)


def installed_backend_types() -> set[str]:
    """Return the backend types registered in the companion.backends entry-point group."""
    import importlib.metadata

    return {ep.name for ep in importlib.metadata.entry_points(group="companion.backends")}


def default_backend_name() -> str:
    """Use the in-process model when llama-cpp-python is installed, else the model-free composer."""
    import importlib.util

    return "llama-cpp" if importlib.util.find_spec("llama_cpp") is not None else "extractive"


def _check(path: Path, key: str, value: Any, types: tuple[type, ...]) -> Any:
    # bool is an int in Python, so an int setting must refuse it explicitly.
    if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
        names = " or ".join("number" if t in (int, float) else t.__name__.replace("str", "text") for t in types)
        raise ConfigError(f"{path}: {key} must be {names}, not {value!r}.")
    return value


def _filled(path: Path, key: str, value: Any) -> str:
    """Return a text setting, refusing an empty one."""
    # An empty path would silently mean the current directory, and an empty name the default.
    if not _check(path, key, value, (str,)).strip():
        raise ConfigError(f"{path}: {key} is empty: give it a value, or remove the line to use the default.")
    return value


def _profile(path: Path, name: str, table: Any) -> BackendSpec:
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: backends.{name} must be a table like [backends.{name}].")
    base = PRESETS.get(name)
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key == "api_key":
            raise ConfigError(
                f"{path}: backends.{name}.api_key is not allowed: put the key in an environment variable "
                f"and name it with api_key_env = \"MY_KEY_VARIABLE\"."
            )
        if key not in _SPEC_TYPES:
            raise ConfigError(f"{path}: unknown key backends.{name}.{key} (known: {', '.join(sorted(_SPEC_TYPES))}).")
        values[key] = _check(path, f"backends.{name}.{key}", value, _SPEC_TYPES[key])
    if "type" not in values and base is None:
        raise ConfigError(f"{path}: backends.{name} needs type = \"openai\" (or \"llama-cpp\", \"extractive\").")
    for key in ("n_ctx", "n_threads", "max_tokens", "retries"):
        if key in values and values[key] < (0 if key == "retries" else 1):
            raise ConfigError(f"{path}: backends.{name}.{key} must be positive, not {values[key]}.")
    if "api_key_env" in values and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,127}", values["api_key_env"]):
        # Never echo the value: it may be a key pasted where the variable's name belongs.
        raise ConfigError(
            f"{path}: backends.{name}.api_key_env must be the NAME of an environment variable (like "
            "OPENAI_API_KEY), not the key itself; put the key in that variable."
        )
    if "quantize" in values and values["quantize"] not in QUANTIZE_CHOICES:
        raise ConfigError(
            f"{path}: backends.{name}.quantize must be one of {', '.join(QUANTIZE_CHOICES)}, not {values['quantize']!r}."
        )
    for key in ("timeout", "deadline"):
        if key in values and values[key] <= 0:
            raise ConfigError(f"{path}: backends.{name}.{key} must be a positive number of seconds.")
    for key in ("frequency_penalty", "presence_penalty"):
        if key in values and not -2.0 <= values[key] <= 2.0:
            raise ConfigError(f"{path}: backends.{name}.{key} must be between -2 and 2, not {values[key]}.")
    return replace(base, **values) if base else BackendSpec(name=name, **values)


def read_config(path: Path) -> dict[str, Any]:
    """Read and validate the TOML config file; a missing file means no settings."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror}).") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}). Fix it, or move it aside to use the defaults.") from None
    for key in data:
        if key not in _TOP_LEVEL:
            raise ConfigError(f"{path}: unknown key {key!r} (known: {', '.join(sorted(_TOP_LEVEL))}).")
    result: dict[str, Any] = {}
    for key in ("data_dir", "corpus_dir", "prompts_dir"):
        if key in data:
            result[key] = Path(_filled(path, key, data[key])).expanduser()
    for key in ("embedding_model", "backend", "model", "base_url", "chroma_url"):
        if key in data:
            result[key] = _filled(path, key, data[key])
    backends = data.get("backends", {})
    if not isinstance(backends, dict):
        raise ConfigError(f"{path}: backends must be a set of tables like [backends.NAME].")
    profiles = dict(PRESETS)
    profiles.update({name: _profile(path, name, table) for name, table in backends.items()})
    result["profiles"] = profiles
    return result


def _path_from_env(name: str) -> Path | None:
    value = os.environ.get(name)
    if value is None:
        return None
    if not value.strip():
        raise ConfigError(f"{name} is set but empty: give it a directory path or unset it.")
    return Path(value).expanduser()


def load_settings(
    *,
    config_file: Path | None = None,
    data_dir: Path | None = None,
    corpus_dir: Path | None = None,
    prompts_dir: Path | None = None,
    embedding_model: str | None = None,
    backend: str | None = None,
    model: str | None = None,
    base_url: str | None = None,
    chroma_url: str | None = None,
) -> Settings:
    """Resolve settings: defaults, config file, COMPANION_* variables, then flags."""
    path = config_file or _path_from_env("COMPANION_CONFIG") or default_config_file()
    settings = Settings(
        data_dir=default_data_dir(), corpus_dir=shipped_dir("corpus"), prompts_dir=shipped_dir("prompts"),
        config_file=path,
    )
    settings = replace(settings, **read_config(path))
    settings = settings.with_overrides(
        data_dir=_path_from_env("COMPANION_DATA_DIR"),
        corpus_dir=_path_from_env("COMPANION_CORPUS_DIR"),
        prompts_dir=_path_from_env("COMPANION_PROMPTS_DIR"),
        embedding_model=os.environ.get("COMPANION_EMBEDDING_MODEL") or None,
        backend=os.environ.get("COMPANION_BACKEND") or None,
        model=os.environ.get("COMPANION_MODEL") or None,
        base_url=os.environ.get("COMPANION_BASE_URL") or None,
        chroma_url=os.environ.get("COMPANION_CHROMA_URL") or None,
    )
    def as_path(value: Path | str | None) -> Path | None:
        return Path(value).expanduser() if value is not None else None

    return settings.with_overrides(
        data_dir=as_path(data_dir), corpus_dir=as_path(corpus_dir), prompts_dir=as_path(prompts_dir),
        embedding_model=embedding_model,
        backend=backend, model=model, base_url=base_url, chroma_url=chroma_url,
    )


def describe(settings: Settings) -> list[tuple[str, str]]:
    """Return the effective settings as (name, value) rows, secrets never included."""
    rows = [
        ("config file", f"{settings.config_file}{'' if settings.config_file and settings.config_file.exists() else ' (not present)'}"),
        ("data dir", str(settings.data_dir)),
        ("corpus dir", str(settings.corpus_dir)),
        ("prompts dir", str(settings.prompts_dir)),
        ("embedding model", settings.embedding_model or "all-MiniLM-L6-v2 (packaged)"),
        ("index", f"Chroma server at {settings.chroma_url}" if settings.chroma_url else "embedded, in the data dir"),
    ]
    spec = settings.backend_spec()
    rows.append(("backend", f"{spec.name} (type {spec.type})"))
    for item in fields(spec):
        if item.name in ("name", "type"):
            continue
        value = getattr(spec, item.name)
        if value is None:
            continue
        if item.name == "api_key_env":
            value = f"{value} ({'set' if os.environ.get(value) else 'not set'}; the key itself is never shown)"
        rows.append((f"  {item.name}", str(value)))
    return rows
