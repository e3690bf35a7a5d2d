"""Split a thinking model's stream into its reasoning and its answer.

DeepSeek-R1, Qwen3 and their kin write their reasoning inline, in ``<think>…</think>`` blocks, when
served by Ollama or llama.cpp's server; vLLM and newer servers send it in a delta field of its own
(``reasoning_content`` or ``reasoning``). Either way the reasoning leaves a backend as ``Reasoning``
values and never as answer text.

A block counts wherever it stands, not only at the start: a model that thinks again mid-reply must
not have its second thought shown as the answer, and an answer about the film has no reason to hold
the literal tag. A block the stream leaves open (the stream was cut, or the model ran out of tokens
while thinking) is reasoning to its end. A ``</think>`` outside any block is dropped: it is what a
server whose chat template opened the block in the prompt sends, and it is never answer text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import groupby

from companion.types import Reasoning

OPEN = "<think>"
CLOSE = "</think>"
Piece = str | Reasoning


def _held(text: str, tags: tuple[str, ...]) -> int:
    """Return the length of the longest tail of text that may be the start of one of the tags."""
    for size in range(min(len(text), max(map(len, tags)) - 1), 0, -1):
        tail = text[-size:]
        if any(tag.startswith(tail) for tag in tags):
            return size
    return 0


class ThinkingSplitter:
    """Cut streamed text at ``<think>`` and ``</think>``, whatever chunk boundaries fall inside the tags."""

    def __init__(self) -> None:
        self.inside = False
        self.pending = ""

    def _piece(self, text: str) -> list[Piece]:
        if not text:
            return []
        return [Reasoning(text) if self.inside else text]

    def feed(self, text: str) -> list[Piece]:
        """Return what a new piece of text makes certain, holding back a tail that may begin a tag."""
        buffer = self.pending + text
        out: list[Piece] = []
        while True:
            tags = (CLOSE,) if self.inside else (OPEN, CLOSE)
            found = [(buffer.find(tag), tag) for tag in tags if tag in buffer]
            if not found:
                break
            at, tag = min(found)
            out += self._piece(buffer[:at])
            buffer = buffer[at + len(tag) :]
            # A stray closer outside a block is dropped; only <think> opens and only </think> inside closes.
            self.inside = tag == OPEN
        keep = _held(buffer, tags)
        out += self._piece(buffer[: len(buffer) - keep])
        self.pending = buffer[len(buffer) - keep :]
        return out

    def end(self) -> list[Piece]:
        """Return the held-back tail: a tag the stream never finished is plain text of the side it was on."""
        out = self._piece(self.pending)
        self.pending = ""
        return out


def split_thinking(pieces: Iterable[Piece]) -> Iterator[Piece]:
    """Yield the pieces with every ``<think>`` block in their text turned into Reasoning.

    Reasoning already in the stream passes through. If the pieces end in an error, the held-back
    tail is yielded before the error is raised again, so a cut stream keeps everything that arrived.
    """
    splitter = ThinkingSplitter()
    source = iter(pieces)
    try:
        try:
            for piece in source:
                if isinstance(piece, Reasoning):
                    yield piece
                else:
                    yield from splitter.feed(piece)
        except Exception:
            yield from splitter.end()
            raise
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()
    yield from splitter.end()


def map_text(pieces: Iterable[Piece], transform: Callable[[Iterable[str]], Iterable[str]]) -> Iterator[Piece]:
    """Run a text-stream transform (such as key redaction) over answer and reasoning runs alike, keeping their kinds."""
    for is_reasoning, run in groupby(pieces, key=lambda piece: isinstance(piece, Reasoning)):
        if is_reasoning:
            yield from (Reasoning(text) for text in transform(piece.text for piece in run))
        else:
            yield from transform(run)


def answer_text(pieces: Iterable[Piece]) -> str:
    """Return the answer a stream of pieces holds, reasoning left out."""
    return "".join(piece for piece in pieces if isinstance(piece, str))


def reasoning_text(pieces: Iterable[Piece]) -> str:
    """Return the reasoning a stream of pieces holds."""
    return "".join(piece.text for piece in pieces if isinstance(piece, Reasoning))
