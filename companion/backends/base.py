"""The backend contract and the registry that finds backends by entry point."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, Protocol

from companion.config import Settings
from companion.errors import ConfigError
from companion.passages import Passage

ENTRY_POINT_GROUP = "companion.backends"
Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class Message:
    """One chat message as a language model sees it."""

    role: Role
    content: str


@dataclass(frozen=True)
class Evidence:
    """A passage handed to the backend under its citation marker ``[n]``."""

    n: int
    passage: Passage


@dataclass(frozen=True)
class GenerationRequest:
    """Everything a backend may use to compose one reply."""

    messages: tuple[Message, ...]
    question: str
    evidence: tuple[Evidence, ...] = ()
    max_tokens: int = 400
    temperature: float = 0.7
    options: dict[str, str] = field(default_factory=dict)


class Backend(Protocol):
    """Compose replies; ``stream`` yields text pieces as they are produced."""

    name: str

    @property
    def model(self) -> str | None:
        """Return the model's name, or None for model-free backends."""
        ...

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        """Yield the reply in pieces; closing the iterator stops generation."""
        ...


def available_backends() -> dict[str, importlib.metadata.EntryPoint]:
    """Return every installed backend entry point by name."""
    return {ep.name: ep for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}


def load_backend(name: str, settings: Settings) -> Backend:
    """Create the backend registered under ``name`` from the settings."""
    found = available_backends()
    if name not in found:
        known = ", ".join(sorted(found)) or "none (reinstall the companion)"
        raise ConfigError(f"Unknown backend {name!r}: choose one of {known} with --backend.")
    factory = found[name].load()
    return factory(settings)
