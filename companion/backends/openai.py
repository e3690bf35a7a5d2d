"""Stream replies from any OpenAI-compatible chat completions server over HTTP."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from companion.backends.base import BaseBackend, Capabilities, GenerationRequest, penalties, writes_for
from companion.backends.limits import (
    DEFAULT_DEADLINE,
    MAX_RETRY_AFTER,
    RETRY_STATUSES,
    backoff,
    char_budget,
    overrun,
    retry_after,
)
from companion.backends.sse import (
    EventReader,
    completion_tokens,
    error_message,
    message_reasoning,
    message_text,
    parse_json,
    read_chunk,
    sse_lines,
)
from companion.backends.thinking import Piece, map_text, split_thinking
from companion.config import BackendSpec, Settings
from companion.errors import BackendError, ConfigError
from companion.redaction import redact, redact_stream
from companion.types import Reasoning

log = logging.getLogger(__name__)

DEFAULT_READ_TIMEOUT = 120.0
CHECK_TIMEOUT = 2.0
BODY_CHARS = 200
# An error body is read this far at most: enough for any message, and a body that never ends cannot hang us.
ERROR_BODY_CHARS = 65_536
# Mild penalties on words the reply already used, unless the profile sets its own: a small model otherwise loops
# on a phrase (SmolLM2-135M said one sentence three times in a reply without them); kept mild because a quote
# must still be copied word for word.
DEFAULT_PENALTY = 0.5


class OpenAIBackend(BaseBackend):
    """A chat model behind an OpenAI-compatible HTTP API (OpenAI, Ollama, llama-server, vLLM...)."""

    def __init__(
        self, spec: BackendSpec, *, config_file: Path | None = None, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        where = config_file or "the config file"
        if not spec.base_url:
            raise ConfigError(f"Set base_url for backend {spec.name!r} in {where} or pass --base-url.")
        self.name = spec.name
        self.spec = spec
        self.base_url = spec.base_url.rstrip("/")
        self.config_file = config_file
        self._sleep = sleep
        self._client: httpx.Client | None = None
        self._timeout = httpx.Timeout(connect=5.0, read=spec.timeout or DEFAULT_READ_TIMEOUT, write=30.0, pool=5.0)
        self.deadline = spec.deadline or DEFAULT_DEADLINE

    @property
    def model(self) -> str | None:
        """Return the model name sent with each request."""
        return self.spec.model

    @property
    def capabilities(self) -> Capabilities:
        """Declare that the model writes freely (frames only with quote_first = true) and its context, if set."""
        return Capabilities(writes=writes_for(self.spec.quote_first, "freely"), context_size=self.spec.n_ctx)

    def client(self) -> httpx.Client:
        """Return the shared HTTP client, creating it on first use."""
        if self._client is None:
            self._client = httpx.Client(timeout=self._timeout)
        return self._client

    def close(self) -> None:
        """Close the HTTP client and its pooled connections."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def _key(self) -> str:
        # Read the key at each use and never store it, so no repr or log can show it.
        return os.environ.get(self.spec.api_key_env, "").strip() if self.spec.api_key_env else ""

    def _headers(self) -> dict[str, str]:
        key = self._key()
        return {"Authorization": f"Bearer {key}"} if key else {}

    def _where(self) -> str:
        return str(self.config_file or "the config file")

    def _redact(self, text: str) -> str:
        """Hide the API key in text from the server (some echo the request's headers back)."""
        return redact(text, [self._key()])

    def _key_hint(self) -> str:
        var = self.spec.api_key_env
        if not var:
            return (
                f"the server wants an API key: put it in an environment variable and set "
                f"api_key_env = \"MY_KEY_VARIABLE\" under [backends.{self.name}] in {self._where()}"
            )
        if not os.environ.get(var, "").strip():
            return f"the API key variable ${var} is not set: export {var}=<your key>"
        return f"check the API key in ${var}"

    def _hint(self, status: int) -> str:
        if status in (401, 403):
            return self._key_hint()
        if status == 404:
            return f"check base_url ({self.base_url}; it usually ends in /v1) and the model name ({self.model})"
        if status == 429:
            return "the server is rate limiting; wait a little and try again"
        if status in (502, 503, 504):
            return "the server is overloaded or still starting; try again shortly"
        if status >= 500:
            return "the server failed; its log says why"
        return f"check the model name ({self.model}) and the settings of backend {self.name!r} in {self._where()}"

    def _error_body(self, response: httpx.Response) -> str:
        """Return the start of an error answer's body, keys masked; what a cut or endless body gave."""
        parts: list[str] = []
        size = 0
        try:
            for part in self._body(response):
                parts.append(part)
                size += len(part)
                if size >= ERROR_BODY_CHARS:
                    break
        except (httpx.HTTPError, BackendError):
            pass
        return "".join(parts)

    def _status_error(self, response: httpx.Response, attempts: int = 1) -> BackendError:
        text = self._error_body(response)
        try:
            message = error_message(parse_json(text)) if text.strip() else None
        except BackendError:
            message = None
        message = message or " ".join(text.split())[:BODY_CHARS] or response.reason_phrase or "no details"
        tries = f" (after {attempts} attempts)" if attempts > 1 else ""
        return BackendError(
            f"{self.name} ({self.base_url}) answered {response.status_code}{tries}: {message}; "
            f"{self._hint(response.status_code)}."
        )

    def _unreachable(self, attempts: int) -> BackendError:
        return BackendError(
            f"No server at {self.base_url} (tried {attempts} times): start it, or set base_url for backend "
            f"{self.name!r} in {self._where()} or pass --base-url."
        )

    def _slow(self, streamed: bool) -> BackendError:
        when = "stopped mid-reply, so the stream was cut" if streamed else "did not start answering"
        return BackendError(
            f"The server at {self.base_url} {when} within {self._timeout.read:g} s: it may still be loading the "
            f"model or be overloaded; raise timeout under [backends.{self.name}] in {self._where()}."
        )

    def _cut(self, why: str) -> BackendError:
        return BackendError(f"The stream was cut ({why}); the reply so far is kept. Ask again to get the rest.")

    def _overdue(self) -> BackendError:
        return BackendError(
            f"The reply from {self.base_url} was still streaming after the {self.deadline:g} s deadline, so it was "
            f"cut short there and what arrived is kept; raise deadline under [backends.{self.name}] in "
            f"{self._where()} for longer replies."
        )

    def _overran(self, max_tokens: int, how: str) -> BackendError:
        return BackendError(
            f"{self.name} ({self.base_url}) kept streaming past the {max_tokens}-token limit ({how}), so the reply "
            "was cut short there and what arrived is kept; the server seems to ignore max_tokens."
        )

    def _wait_for_retry(self, response: httpx.Response, attempt: int) -> float:
        asked = retry_after(response.headers.get("retry-after")) if response.status_code == 429 else None
        if asked is not None and asked > MAX_RETRY_AFTER:
            raise BackendError(
                f"{self.name} ({self.base_url}) is rate limiting and asks to wait {asked:.0f} s: try again then."
            )
        return asked if asked is not None else backoff(attempt)

    def _open(self, payload: dict[str, Any]) -> httpx.Response:
        """Send the request, retrying refused connections and busy answers, and return a 2xx response."""
        client = self.client()
        attempts = 1 + max(0, self.spec.retries)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            request = client.build_request(
                "POST", f"{self.base_url}/chat/completions", json=payload, headers=self._headers()
            )
            try:
                response = client.send(request, stream=True)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                if last:
                    raise self._unreachable(attempts) from None
                delay = backoff(attempt)
                log.info("cannot reach %s (%s); retrying in %.1f s", self.base_url, type(exc).__name__, delay)
            except httpx.TimeoutException:
                raise self._slow(streamed=False) from None
            except httpx.HTTPError as exc:
                raise BackendError(
                    f"The connection to {self.base_url} failed before an answer ({type(exc).__name__}: {exc}): "
                    "check that the server is running and base_url is right."
                ) from None
            else:
                if response.is_success:
                    return response
                try:
                    if response.status_code not in RETRY_STATUSES:
                        raise self._status_error(response, attempt + 1)
                    delay = self._wait_for_retry(response, attempt)
                    if last:
                        raise self._status_error(response, attempts)
                finally:
                    response.close()
                log.info("%s answered %d; retrying in %.1f s", self.base_url, response.status_code, delay)
            self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _body(self, response: httpx.Response) -> Iterator[str]:
        """Yield a response's text with keys masked, raising once the reply's deadline has passed."""
        ends = time.monotonic() + self.deadline

        def timed() -> Iterator[str]:
            for part in response.iter_text():
                yield part
                if time.monotonic() > ends:
                    raise self._overdue()

        return redact_stream(timed(), [self._key()])

    def _whole(self, response: httpx.Response, max_tokens: int) -> Iterator[Piece]:
        """Yield the reply of a server that answered with one JSON completion despite stream=true."""
        limit = 4 * char_budget(max_tokens) + ERROR_BODY_CHARS
        parts: list[str] = []
        size = 0
        try:
            for part in self._body(response):
                parts.append(part)
                size += len(part)
                if size > limit:
                    raise self._overran(max_tokens, f"a body of over {limit:,} characters")
        except httpx.TimeoutException:
            raise self._slow(streamed=False) from None
        except httpx.HTTPError as exc:
            raise BackendError(f"The answer from {self.base_url} was cut ({type(exc).__name__}): ask again.") from None
        body = parse_json("".join(parts))
        problem = error_message(body)
        if problem:
            raise BackendError(f"{self.name} ({self.base_url}) reported an error: {problem}")
        text = message_text(body)
        if text is None:
            raise BackendError(
                f"{self.name} ({self.base_url}) answered JSON without choices[0].message.content: "
                "check that base_url points at an OpenAI-compatible chat completions API."
            )
        thought = message_reasoning(body) or ""
        if thought:
            yield Reasoning(thought[: char_budget(max_tokens)])
        if text:
            yield text[: char_budget(max_tokens)]
        how = overrun(max_tokens, len(thought) + len(text), completion_tokens(body))
        if how:
            raise self._overran(max_tokens, how)

    def _events(self, response: httpx.Response, max_tokens: int) -> Iterator[Piece]:
        """Yield the text and reasoning deltas of a streamed answer, raising when it ends early or runs past its budget."""
        reader = EventReader()
        streamed = False
        chars, tokens = 0, None
        try:
            for payload in reader.events(sse_lines(self._body(response))):
                chunk = read_chunk(payload)
                tokens = chunk.tokens if chunk.tokens is not None else tokens
                if chunk.reasoning:
                    streamed = True
                    # Reasoning is generated under the same max_tokens, so it counts toward the budget too.
                    chars += len(chunk.reasoning)
                    yield Reasoning(chunk.reasoning)
                if chunk.text:
                    streamed = True
                    chars += len(chunk.text)
                    yield chunk.text
                if chunk.text or chunk.reasoning:
                    # Checked only after text: a closing usage chunk past the limit still ends a finished reply.
                    how = overrun(max_tokens, chars, tokens)
                    if how:
                        raise self._overran(max_tokens, how)
        except httpx.TimeoutException:
            raise self._slow(streamed) from None
        except httpx.HTTPError as exc:
            if streamed:
                raise self._cut(f"{type(exc).__name__}: {exc}") from None
            raise BackendError(
                f"The connection to {self.base_url} dropped before any reply ({type(exc).__name__}): "
                "the server may have crashed; check its log and ask again."
            ) from None
        if reader.done:
            return
        if streamed:
            raise self._cut("the server closed it before [DONE]")
        said = f" (it sent: {reader.stray!r})" if reader.stray else ""
        raise BackendError(
            f"{self.name} ({self.base_url}) closed the stream without a reply{said}: check the server's log, "
            "and that base_url points at an OpenAI-compatible server."
        )

    def stream(self, request: GenerationRequest) -> Iterator[Piece]:
        """Yield the model's reply as the server streams it, reasoning as Reasoning, keys masked in every piece and error."""
        payload = {
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "stream": True,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            **penalties(self.spec, DEFAULT_PENALTY),
        }
        # Single-model servers (llama-server, llama_cpp.server) need no model name.
        if self.model:
            payload["model"] = self.model
        failure: str | None = None
        try:
            response = self._open(payload)
            try:
                kind = response.headers.get("content-type", "").lower()
                if "json" in kind and "event-stream" not in kind:
                    pieces = self._whole(response, request.max_tokens)
                else:
                    pieces = self._events(response, request.max_tokens)
                # Deltas too: a key split over two of them is whole only once they are joined.
                masked = map_text(pieces, lambda run: redact_stream(run, [self._key()]))
                yield from split_thinking(masked)
            finally:
                # Runs on GeneratorExit too, so an abandoned reply stops the server's generation.
                response.close()
        except BackendError as exc:
            failure = self._redact(str(exc))
        if failure is not None:
            # Raised outside the except block, so no traceback context keeps the unmasked message.
            raise BackendError(failure)

    def check(self) -> str | None:
        """Say why the server cannot answer, or None when it can."""
        reason = self._readiness()
        return self._redact(reason) if reason else None

    def _readiness(self) -> str | None:
        if self.spec.api_key_env and not self._headers():
            # No request without the key: it would only be refused, and the hosted APIs are far away.
            return self._key_hint()
        url = f"{self.base_url}/models"
        try:
            # Streamed and closed unread: only the status matters, and a body that never ends must not hang a check.
            with self.client().stream("GET", url, headers=self._headers(), timeout=CHECK_TIMEOUT) as response:
                status = response.status_code
        except (httpx.ConnectError, httpx.ConnectTimeout):
            return f"no server at {self.base_url}: start it, or set base_url for backend {self.name!r} in {self._where()}"
        except httpx.TimeoutException:
            return f"the server at {self.base_url} did not answer within {CHECK_TIMEOUT:g} s: check that it is running"
        except httpx.HTTPError as exc:
            return f"cannot talk to {self.base_url} ({type(exc).__name__}): check base_url in {self._where()}"
        if status in (401, 403):
            return f"{self.base_url} refused the request ({status}): {self._key_hint()}"
        if status == 404:
            return f"{url} was not found: check base_url (it usually ends in /v1)"
        if not 200 <= status < 300:
            return f"{self.base_url} answered {status} to a readiness check: see the server's log"
        return None


def create(spec: BackendSpec, settings: Settings) -> OpenAIBackend:
    """Create the OpenAI-compatible backend for a profile."""
    return OpenAIBackend(spec, config_file=settings.config_file)
