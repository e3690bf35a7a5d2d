"""The backend contract (what a model plugin provides) and the registry that finds backends by entry point."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from companion.config import BackendSpec, Settings
from companion.errors import CompanionError, ConfigError
from companion.types import Evidence, Reasoning

ENTRY_POINT_GROUP = "companion.backends"
Role = Literal["system", "user", "assistant"]
# How much of a reply a backend's model may write: all of it, one framing sentence around quotes the
# engine lays out, or nothing (the engine composes from the quotes alone).
Writes = Literal["freely", "frames", "nothing"]
WRITES: tuple[Writes, ...] = ("freely", "frames", "nothing")


@dataclass(frozen=True)
class Message:
    """One chat message as a language model sees it."""

    role: Role
    content: str


@dataclass(frozen=True)
class GenerationRequest:
    """Everything a backend may use to write one reply."""

    messages: tuple[Message, ...]
    question: str
    evidence: tuple[Evidence, ...] = ()
    max_tokens: int = 400
    temperature: float = 0.7


@dataclass(frozen=True)
class Capabilities:
    """What a backend declares about itself, so the engine composes around it without probing."""

    # "freely": the model writes the reply and cites [n] itself; the engine verifies every citation.
    # "frames": the model adds one sentence; the engine lays out the quotes and markers (small models).
    # "nothing": no model; the engine composes from quotes and prompts/ alone.
    writes: Writes = "freely"
    # The context window in tokens, or None when unknown or unlimited (then prompts are never trimmed).
    context_size: int | None = None


def writes_for(quote_first: bool | None, default: Writes) -> Writes:
    """Map a profile's ``quote_first`` key onto what the model may write; unset keeps the backend's default."""
    if quote_first is None:
        return default
    return "frames" if quote_first else "freely"


def penalties(spec: BackendSpec, default: float | None = None) -> dict[str, float]:
    """Return the repetition penalties to send: the profile's, else the backend's default (None sends none)."""
    chosen = {"frequency_penalty": spec.frequency_penalty, "presence_penalty": spec.presence_penalty}
    return {key: float(value if value is not None else default) for key, value in chosen.items()
            if value is not None or default is not None}


class Backend(Protocol):
    """The whole contract of a backend: a model plugin provides every member below.

    Inherit ``BaseBackend`` for the defaults of ``capabilities``, ``count_tokens``, ``check`` and
    ``close``; ``name``, ``model`` and ``stream`` are the plugin's own. ``load_backend`` refuses, with
    a message naming the plugin, a backend that lacks a member.
    """

    # The profile name the person chose ("llama-cpp", "ollama", ...), shown beside each reply.
    name: str

    @property
    def model(self) -> str | None:
        """Return the model's name, or None for model-free backends."""
        ...

    @property
    def capabilities(self) -> Capabilities:
        """Return what the model may write and how large its context is."""
        ...

    def stream(self, request: GenerationRequest) -> Iterator[str | Reasoning]:
        """Yield the reply in pieces as they are produced.

        A ``str`` is answer text. A thinking model's reasoning is yielded as ``Reasoning(text)``, never as
        a ``str``: the engine shows it only as "thinking", never verifies or saves it as the answer. A model
        that writes it inline in ``<think>`` blocks gets this from
        ``companion.backends.thinking.split_thinking(pieces)``, which also catches tags split across pieces.
        Closing the returned generator (or abandoning it) must stop generation. Raise a
        ``CompanionError`` (e.g. ``BackendError``) whose message says the fix when generation fails;
        the text already yielded is kept. Never called when ``capabilities.writes`` is "nothing".
        """
        ...

    def check(self) -> str | None:
        """Return None when ready to answer, or why not and how to fix it."""
        ...

    def count_tokens(self, messages: Sequence[Message]) -> int | None:
        """Return how many tokens the messages take in the prompt, or None when unknown (no trimming)."""
        ...

    def close(self) -> None:
        """Release connections or memory; the backend is not used afterwards."""
        ...


class BaseBackend:
    """Defaults for the optional part of the contract; a plugin inherits this and adds name, model, stream."""

    name: str
    model: str | None = None
    capabilities: Capabilities = Capabilities()

    def check(self) -> str | None:
        """Return None: ready unless a subclass says otherwise."""
        return None

    def count_tokens(self, messages: Sequence[Message]) -> int | None:
        """Return None: without a tokenizer, prompts are not trimmed to a context."""
        return None

    def close(self) -> None:
        """Release nothing: override when the backend holds connections or memory."""


# Members load_backend requires of a loaded backend, beyond a Capabilities value in ``capabilities``.
_CALLABLES = ("stream", "check", "count_tokens", "close")


def contract_problems(backend: object) -> list[str]:
    """Return what a backend lacks of the contract, as short phrases; empty when it is complete."""
    problems = []
    if not isinstance(getattr(backend, "name", None), str):
        problems.append("a name")
    if not hasattr(backend, "model"):
        problems.append("a model (None when it has none)")
    capabilities = getattr(backend, "capabilities", None)
    if not isinstance(capabilities, Capabilities):
        problems.append("capabilities (a Capabilities value)")
    elif capabilities.writes not in WRITES:
        problems.append(f"capabilities.writes of {', '.join(WRITES)} (it says {capabilities.writes!r})")
    problems.extend(f"{member}()" for member in _CALLABLES if not callable(getattr(backend, member, None)))
    return problems


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
    entry = found[spec.type]
    try:
        factory = entry.load()
    except ImportError as exc:
        raise ConfigError(f"Backend {spec.type!r} cannot be imported ({exc}): reinstall the package that provides it.") from None
    backend = factory(spec, settings)
    problems = contract_problems(backend)
    if problems:
        raise ConfigError(
            f"Backend plugin {spec.type!r} ({entry.value}) does not meet the backend contract: it lacks "
            f"{', '.join(problems)}. Inherit companion.backends.base.BaseBackend for the defaults; the Backend "
            "protocol in that module lists every member."
        )
    return backend


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
