"""Errors a person can meet; each message says how to fix the problem."""

from __future__ import annotations

from pathlib import Path


class CompanionError(Exception):
    """Base for every error shown to a person instead of a traceback."""


class CorpusError(CompanionError):
    """A corpus file cannot be used."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class ConfigError(CompanionError):
    """A setting has a value we cannot use."""


class ModelError(CompanionError):
    """An embedding or language model cannot be loaded."""


class StoreError(CompanionError):
    """The passage index cannot be opened or used."""


class BackendError(CompanionError):
    """A language-model backend failed while composing a reply."""


class PromptError(CompanionError):
    """A prompt file is missing or broken."""


class InputError(CompanionError):
    """A message a person typed cannot be answered as it is."""


class StoreTimeout(StoreError):
    """A Chroma server accepted the connection but did not answer in time."""
