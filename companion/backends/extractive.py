"""A model-free backend: Samantha's framing around verbatim quotes from the evidence."""

from __future__ import annotations

import re
from collections.abc import Iterator

from companion.backends.base import GenerationRequest
from companion.config import BackendSpec, Settings
from companion.prompts import Prompts, load_prompts
from companion.quoting import opener_for, quote_paragraphs
from companion.text import fold


class ExtractiveBackend:
    """Compose from quotes alone: deterministic, offline, and never wrong about a quote."""

    name = "extractive"
    model = None
    context_size = None
    composes_quotes = True

    def __init__(self, prompts: Prompts) -> None:
        self.prompts = prompts

    def check(self) -> str | None:
        """Return None: composing from quotes needs nothing but the prompts."""
        return None

    def compose(self, request: GenerationRequest) -> str:
        """Return the whole reply as Markdown."""
        key = fold(request.question)
        paragraphs = [self.prompts.choose(opener_for(request.question), key)]
        paragraphs.extend(quote_paragraphs(self.prompts, request.question, request.evidence, request.idf))
        paragraphs.append(self.prompts.choose("closers", key))
        return "\n\n".join(paragraphs)

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        """Yield the reply a few words at a time, as a model would."""
        reply = self.compose(request)
        for match in re.finditer(r"\S+\s*", reply):
            yield match.group()


def create(spec: BackendSpec, settings: Settings) -> ExtractiveBackend:
    """Create the extractive backend with the configured prompts."""
    return ExtractiveBackend(load_prompts(settings.prompts_dir))
