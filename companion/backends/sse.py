"""Parse OpenAI-style server-sent events into the text (and reasoning) deltas they carry."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from companion.errors import BackendError

DONE = "[DONE]"
# How much of a bad payload to quote back: enough to recognise it, not a wall of text.
QUOTE_CHARS = 120
# A line or an event this long is no chat delta: a broken or hostile server, not to be held in memory.
MAX_LINE_CHARS = 1_000_000


class EventReader:
    """Collect SSE lines into event payloads and remember whether ``[DONE]`` arrived."""

    def __init__(self) -> None:
        self.done = False
        self.stray: str | None = None

    def events(self, lines: Iterable[str]) -> Iterator[str]:
        """Yield the data payload of each event until ``data: [DONE]`` or the end of the lines."""
        data: list[str] = []
        size = 0
        for raw in lines:
            line = raw.rstrip("\r\n").removeprefix("\ufeff")
            if not line:
                if data:
                    payload = "\n".join(data)
                    data, size = [], 0
                    if payload == DONE:
                        self.done = True
                        return
                    yield payload
                continue
            if line.startswith(":"):
                continue
            name, colon, value = line.partition(":")
            if name != "data":
                # The spec says ignore unknown fields; keep the first in case the server sent plain text instead.
                if not colon or name not in ("event", "id", "retry"):
                    self.stray = self.stray or line[:QUOTE_CHARS]
                continue
            value = value.removeprefix(" ")
            # Stop at once: some servers hold the connection open after [DONE] without a blank line.
            if value == DONE and not data:
                self.done = True
                return
            data.append(value)
            size += len(value)
            if size > MAX_LINE_CHARS:
                raise BackendError(
                    f"The server sent an event of over {MAX_LINE_CHARS:,} characters without the blank line that ends "
                    "it: check that base_url points at an OpenAI-compatible server."
                )
        # An event without its closing blank line was cut off, unless it is the end marker itself.
        if "\n".join(data) == DONE:
            self.done = True


def iter_events(lines: Iterable[str]) -> Iterator[str]:
    """Yield the data payloads of the events in some SSE lines, stopping at ``[DONE]``."""
    return EventReader().events(lines)


def error_message(body: Any) -> str | None:
    """Return the message of an OpenAI-style error object, or None when the body holds none."""
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if isinstance(error, dict):
        message = error.get("message") or error.get("type") or error.get("code")
        return str(message) if message else json.dumps(error)[:200]
    if isinstance(error, str) and error:
        return error
    detail = body.get("detail")
    if detail:
        return detail if isinstance(detail, str) else json.dumps(detail)[:200]
    return None


def parse_json(payload: str) -> Any:
    """Decode one payload, raising BackendError that quotes it when it is not JSON."""
    try:
        return json.loads(payload)
    except (ValueError, RecursionError):
        shown = payload if len(payload) <= QUOTE_CHARS else payload[:QUOTE_CHARS] + "…"
        raise BackendError(
            f"The server sent a malformed stream event that is not JSON ({shown!r}): "
            "check that base_url points at an OpenAI-compatible server."
        ) from None


@dataclass(frozen=True)
class Chunk:
    """What one streamed event adds: text, and the server's running count of reply tokens if it sends one."""

    text: str | None
    tokens: int | None = None
    # A thinking model's reasoning, when the server sends it in a field of its own (vLLM and newer servers).
    reasoning: str | None = None


def read_chunk(payload: str) -> Chunk:
    """Decode one streamed event, raising BackendError when it carries an error or is not a JSON object."""
    body = parse_json(payload)
    problem = error_message(body)
    if problem:
        raise BackendError(f"The server reported an error mid-reply: {problem}")
    if not isinstance(body, dict):
        raise BackendError(f"The server sent a stream event that is not a JSON object ({payload[:QUOTE_CHARS]!r}).")
    return Chunk(_delta(body), completion_tokens(body), _reasoning(body))


def delta_text(payload: str) -> str | None:
    """Return the text a streamed chunk adds, or None when it adds none."""
    return read_chunk(payload).text


def _delta(body: dict[str, Any]) -> str | None:
    choices = body.get("choices")
    # A final usage chunk has no choices; it carries no text.
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return None
    delta = choices[0].get("delta")
    content = delta.get("content") if isinstance(delta, dict) else choices[0].get("text")
    return content if isinstance(content, str) and content else None


# Where servers put a thinking model's reasoning: vLLM and DeepSeek's API say reasoning_content, newer
# vLLM, Ollama and OpenRouter say reasoning.
REASONING_FIELDS = ("reasoning_content", "reasoning")


def _reasoning_of(message: Any) -> str | None:
    if not isinstance(message, dict):
        return None
    # The first that is set: some servers fill both with the same text, for clients of either name.
    parts = [message.get(name) for name in REASONING_FIELDS]
    return next((part for part in parts if isinstance(part, str) and part), None)


def _reasoning(body: dict[str, Any]) -> str | None:
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return None
    return _reasoning_of(choices[0].get("delta"))


def message_reasoning(body: Any) -> str | None:
    """Return the reasoning field of a whole (non-streamed) chat completion, or None when it has none."""
    choices = body.get("choices") if isinstance(body, dict) else None
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return None
    return _reasoning_of(choices[0].get("message"))


def completion_tokens(body: Any) -> int | None:
    """Return the reply tokens a body's usage counts, or None when it reports none."""
    usage = body.get("usage") if isinstance(body, dict) else None
    count = usage.get("completion_tokens") if isinstance(usage, dict) else None
    return count if isinstance(count, int) and not isinstance(count, bool) and count >= 0 else None


def message_text(body: Any) -> str | None:
    """Return the reply of a whole (non-streamed) chat completion, or None when it has none."""
    if not isinstance(body, dict):
        return None
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return None
    message = choices[0].get("message")
    content = message.get("content") if isinstance(message, dict) else choices[0].get("text")
    return content if isinstance(content, str) else None


LINE_BREAK = re.compile(r"\r\n|\r|\n")


def sse_lines(chunks: Iterable[str]) -> Iterator[str]:
    """Split streamed text into lines at CR, LF or CRLF only, as SSE does.

    str.splitlines (and so httpx's iter_lines) also breaks at U+2028, U+0085 and friends, which
    can sit inside a JSON string and would cut one event in two.
    """
    pending = ""
    for chunk in chunks:
        pending += chunk
        if len(pending) > MAX_LINE_CHARS and not LINE_BREAK.search(pending):
            raise BackendError(
                f"The server sent over {MAX_LINE_CHARS:,} characters without a line break: check that base_url "
                "points at an OpenAI-compatible server."
            )
        # Hold back a final CR: it may be the first half of a CRLF still on its way.
        cut = len(pending) - 1 if pending.endswith("\r") else len(pending)
        parts = LINE_BREAK.split(pending[:cut])
        pending = parts.pop() + pending[cut:]
        yield from parts
    if pending:
        parts = LINE_BREAK.split(pending)
        yield from parts[:-1] if parts[-1] == "" else parts
