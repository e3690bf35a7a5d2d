"""Build the engine off the UI thread, telling the window what is happening."""

from __future__ import annotations

from collections.abc import Callable

from companion.config import Settings
from companion.engine import Engine

Status = Callable[[str], None]
EngineLoader = Callable[[Status], Engine]


def engine_loader(settings: Settings) -> EngineLoader:
    """Return a function that opens the index, loads the models and returns a ready engine."""

    def load(status: Status) -> Engine:
        from companion.backends.base import load_backend
        from companion.prompts import load_prompts
        from companion.retrieval.service import open_retrieval

        prompts = load_prompts(settings.prompts_dir)
        status("reading the essays…")
        retrieval = open_retrieval(
            settings, progress=lambda done, total, title: status(f"reading the essays… {done}/{total} passages")
        )
        status("waking up…")
        retrieval.searcher.embedder.load()
        backend = load_backend(settings.backend, settings)
        return Engine(searcher=retrieval.searcher, backend=backend, prompts=prompts, k=settings.top_k)

    return load
