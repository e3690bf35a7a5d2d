"""The model-free backend: it writes nothing, so the engine's extractive composer frames quotes in her voice."""

from __future__ import annotations

from collections.abc import Iterator

from companion.backends.base import BaseBackend, Capabilities, GenerationRequest
from companion.config import BackendSpec, Settings


class ExtractiveBackend(BaseBackend):
    """No model at all: deterministic, offline, and never wrong about a quote."""

    name = "extractive"
    model = None
    capabilities = Capabilities(writes="nothing")

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        """Yield nothing: without a model there are no words of its own (the engine never asks)."""
        return iter(())


def create(spec: BackendSpec, settings: Settings) -> ExtractiveBackend:
    """Create the extractive backend."""
    return ExtractiveBackend()
