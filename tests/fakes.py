"""Stand-ins for a model and an index, for testing the engine's policy in milliseconds.

``ScriptedBackend`` streams what a test enqueued (like llm's MockModel) and declares whatever
capabilities the test gives it; ``FakeSearcher`` returns the hits it was given and embeds by bag of
words, so the engine's router works without MiniLM. Real-component tests (the real index, the real
model, routing by MiniLM) stay in their own files.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import deque
from collections.abc import Callable, Iterator, Sequence

from companion.backends.base import BaseBackend, Capabilities, GenerationRequest, Message, Writes
from companion.text import weighty_terms
from companion.types import Hit, Passage

Piece = str | Exception


def passage(essay: str, n: int, text: str, title: str = "", author: str | None = "A. Critic") -> Passage:
    """Make a passage of an essay."""
    return Passage(id=f"{essay}:{n}", essay_id=essay, n=n, title=title or essay.title(), author=author,
                   text=text, start=0, end=len(text))


def hit(rank: int, item: Passage, dense: float | None = 0.8, lexical: float | None = 5.0) -> Hit:
    """Make a search hit; the defaults are a strong match by meaning and by words."""
    return Hit(rank=rank, passage=item, score=1.0 / rank, dense=dense, lexical=lexical)


class ScriptedBackend(BaseBackend):
    """Stream enqueued pieces, one script per request; an Exception in a script is raised at that point."""

    def __init__(self, writes: Writes = "freely", context_size: int | None = None, counts_tokens: bool = False) -> None:
        self.name = "scripted"
        self.model = "scripted-1"
        self.capabilities = Capabilities(writes=writes, context_size=context_size)
        self.counts_tokens = counts_tokens
        self.requests: list[GenerationRequest] = []
        self.abandoned = 0
        self._scripts: deque[list[Piece]] = deque()

    def enqueue(self, *pieces: Piece) -> ScriptedBackend:
        """Add the script the next request streams."""
        self._scripts.append(list(pieces))
        return self

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        """Yield the next script's pieces; a request with no script left fails the test."""
        self.requests.append(request)
        assert self._scripts, f"the backend was asked to write, but no script was enqueued: {request.question!r}"
        script = self._scripts.popleft()
        try:
            for piece in script:
                if isinstance(piece, Exception):
                    raise piece
                yield piece
        except GeneratorExit:
            self.abandoned += 1
            raise

    def count_tokens(self, messages: Sequence[Message]) -> int | None:
        """Count one token per word plus one per message, when asked to count at all."""
        return sum(len(m.content.split()) + 1 for m in messages) if self.counts_tokens else None


class BagOfWords:
    """Embed a text as its hashed words: texts sharing words are close, and nothing is loaded."""

    model_id = "bag-of-words"
    size = 512

    def embed(self, texts: Sequence[str], progress=None) -> list[list[float]]:
        """Return one unit-length vector per text."""
        vectors = []
        for text in texts:
            vector = [0.0] * self.size
            for word in re.findall(r"[a-z']+", text.lower()):
                vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % self.size] += 1.0
            norm = math.sqrt(sum(v * v for v in vector)) or 1.0
            vectors.append([v / norm for v in vector])
        return vectors

    def load(self) -> None:
        """Load nothing."""


class FakeSearcher:
    """Return the given hits for every query, and remember the queries."""

    name = "fake"

    def __init__(self, hits: Sequence[Hit] = (), idf: Callable[[str], float] | None = lambda term: 1.0) -> None:
        self.hits = list(hits)
        self.idf = idf
        self.embedder = BagOfWords()
        self.queries: list[tuple[str, int]] = []

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """Return up to k of the given hits."""
        self.queries.append((query, k))
        return self.hits[:k]

    def warm(self) -> None:
        """Load nothing: the hits are in memory."""


class ForcedRouter:
    """Route each message as a test says (by its exact text), anything else to the essays."""

    def __init__(self, routes: dict[str, str] | None = None) -> None:
        self.routes = dict(routes or {})

    def route(self, text: str, follow_up: bool = True) -> str:
        """Return the route the test gave for this message, or "film"."""
        return self.routes.get(text, "film")

    def words_of(self, route: str) -> frozenset[str]:
        """Return the words of weight of the messages the test routes there, as a route's examples give them."""
        return frozenset(w for text, given in self.routes.items() if given == route for w in weighty_terms(text))

    def warm(self) -> None:
        """Embed nothing: the routes are given."""
