"""Settings: defaults, then environment variables, then command-line flags."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from companion.errors import ConfigError

APP_NAME = "companion"
REPO_ROOT = Path(__file__).resolve().parent.parent

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


def default_data_dir() -> Path:
    """Return the platform's user data directory for the companion."""
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


@dataclass(frozen=True)
class Settings:
    """Where things live and which models to use."""

    data_dir: Path
    corpus_dir: Path
    prompts_dir: Path
    embedding_model: str | None = None
    backend: str = "extractive"
    top_k: int = 5

    def with_overrides(self, **values: object) -> Settings:
        """Return a copy with the non-None values replaced."""
        return replace(self, **{k: v for k, v in values.items() if v is not None})


def _path_from_env(name: str) -> Path | None:
    value = os.environ.get(name)
    if value is None:
        return None
    if not value.strip():
        raise ConfigError(f"{name} is set but empty: give it a directory path or unset it.")
    return Path(value).expanduser()


def load_settings(
    *,
    data_dir: Path | None = None,
    corpus_dir: Path | None = None,
    prompts_dir: Path | None = None,
    embedding_model: str | None = None,
    backend: str | None = None,
) -> Settings:
    """Resolve settings from defaults, COMPANION_* variables and flags, in that order."""
    settings = Settings(
        data_dir=default_data_dir(),
        corpus_dir=REPO_ROOT / "corpus",
        prompts_dir=REPO_ROOT / "prompts",
    )
    settings = settings.with_overrides(
        data_dir=_path_from_env("COMPANION_DATA_DIR"),
        corpus_dir=_path_from_env("COMPANION_CORPUS_DIR"),
        prompts_dir=_path_from_env("COMPANION_PROMPTS_DIR"),
        embedding_model=os.environ.get("COMPANION_EMBEDDING_MODEL") or None,
        backend=os.environ.get("COMPANION_BACKEND") or None,
    )
    return settings.with_overrides(
        data_dir=data_dir,
        corpus_dir=corpus_dir,
        prompts_dir=prompts_dir,
        embedding_model=embedding_model,
        backend=backend,
    )
