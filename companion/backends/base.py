"""The backend contract and the registry that finds backends by entry point."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal, Protocol

from companion.config import BackendSpec, Settings
from companion.errors import CompanionError, ConfigError
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
    # How rare a word is in the whole corpus, for backends that pick quotes themselves.
    idf: Callable[[str], float] | None = None


class Backend(Protocol):
    """Compose replies; ``stream`` yields text pieces as they are produced.

    Closing the iterator returned by ``stream`` (or abandoning it) must stop generation.
    """

    name: str

    @property
    def model(self) -> str | None:
        """Return the model's name, or None for model-free backends."""
        ...

    @property
    def context_size(self) -> int | None:
        """Return the model's context window in tokens, or None when it has none."""
        ...

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        """Yield the reply in pieces."""
        ...

    def check(self) -> str | None:
        """Return None when ready to answer, or why not and how to fix it."""
        ...


BackendFactory = Callable[[BackendSpec, Settings], Backend]


def available_backends() -> dict[str, importlib.metadata.EntryPoint]:
    """Return every installed backend entry point by type name."""
    return {ep.name: ep for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}


def load_backend(spec: BackendSpec, settings: Settings) -> Backend:
    """Create the backend a profile describes."""
    found = available_backends()
    if spec.type not in found:
        known = ", ".join(sorted(found)) or "none (reinstall the companion)"
        hint = " (run `make setup` to build llama-cpp-python)" if spec.type == "llama-cpp" else ""
        raise ConfigError(f"Backend type {spec.type!r} of {spec.name!r} is not installed{hint}; installed: {known}.")
    try:
        factory = found[spec.type].load()
    except ImportError as exc:
        raise ConfigError(f"Backend {spec.type!r} cannot be imported ({exc}): reinstall the package that provides it.") from None
    return factory(spec, settings)


@dataclass(frozen=True)
class BackendStatus:
    """What `companion models` says about one profile."""

    name: str
    type: str
    model: str | None
    ready: bool
    reason: str | None


def backend_status(spec: BackendSpec, settings: Settings) -> BackendStatus:
    """Try to create a profile's backend and ask whether it is ready."""
    try:
        backend = load_backend(spec, settings)
        reason = backend.check()
        model = backend.model
    except CompanionError as exc:
        return BackendStatus(spec.name, spec.type, spec.model, False, str(exc))
    return BackendStatus(spec.name, spec.type, model, reason is None, reason)
