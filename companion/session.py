"""Put an engine together from settings: prompts, index, backend."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from companion.backends.base import Backend, load_backend
from companion.config import BackendSpec, Settings
from companion.corpus import load_corpus
from companion.engine import Engine
from companion.engine.library import Library
from companion.engine.router import Router
from companion.errors import BackendError, CorpusError
from companion.prompts import load_prompts
from companion.retrieval.ingest import IngestProgress

if TYPE_CHECKING:
    from companion.retrieval.store import PassageStore

Status = Callable[[str], None]


def open_engine(settings: Settings, progress: IngestProgress | None = None, status: Status | None = None) -> Engine:
    """Load prompts, open (or build) the index, create the backend, and return a ready engine."""
    from companion.retrieval.service import open_retrieval

    say = status or (lambda _text: None)
    prompts = load_prompts(settings.prompts_dir)
    spec = settings.backend_spec()
    backend = load_backend(spec, settings)
    say("reading the essays…")
    retrieval = open_retrieval(settings, progress=progress, status=status)
    say("waking up…")
    retrieval.searcher.warm()
    router = Router(prompts.routes, retrieval.searcher.embedder, cache_dir=settings.data_dir / "routes")
    router.warm()
    engine = Engine(
        searcher=retrieval.searcher, backend=backend, prompts=prompts, k=settings.top_k, notices=retrieval.notices,
        router=router,
    )
    if retrieval.sentences is not None:
        engine.sentences = retrieval.sentences
    engine.reader = retrieval.reader
    engine.library = lambda: shelve(retrieval.store, settings)
    configure(engine, backend, spec)
    attach_memory(engine, settings)
    return engine


def shelve(store: PassageStore, settings: Settings) -> Library:
    """Read the library from the index (titles, bylines, first passages) and the corpus's notes on the writers."""
    passages = store.all_passages()
    firsts = [p for p in passages if p.n == 1]
    try:
        essays = load_corpus(settings.corpus_dir)
    except CorpusError:
        # The index is what she cites; a corpus folder that no longer reads only costs the outlets and notes.
        essays = []
    return Library.of(firsts, essays, passages)


def attach_memory(engine: Engine, settings: Settings) -> None:
    """Give the engine what she remembers of the person, and let it guard the ending for them."""
    from companion.memory import FILENAME, Memory

    memory = Memory(settings.data_dir / FILENAME)
    engine.memory = memory
    engine.spoiler_care = lambda: memory.seen_film() is False


def configure(engine: Engine, backend: Backend, spec: BackendSpec) -> None:
    """Make the engine use a backend with its profile's generation settings."""
    engine.backend = backend
    engine.max_tokens = spec.max_tokens
    engine.temperature = spec.temperature
    engine.show_thinking = spec.show_thinking


def switch_backend(engine: Engine, settings: Settings, name: str) -> Backend:
    """Swap the engine's backend for another profile, loading it first."""
    spec = settings.backend_spec(name)
    backend = load_backend(spec, settings)
    problem = backend.check()
    if problem:
        raise BackendError(problem)
    configure(engine, backend, spec)
    return backend
