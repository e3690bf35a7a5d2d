"""Stream replies from any OpenAI-compatible chat completions server over HTTP."""

from __future__ import annotations

import email.utils
import logging
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from companion.backends.base import GenerationRequest
from companion.backends.sse import EventReader, delta_text, error_message, message_text, parse_json, sse_lines
from companion.config import BackendSpec, Settings
from companion.errors import BackendError, ConfigError

log = logging.getLogger(__name__)

DEFAULT_READ_TIMEOUT = 120.0
CHECK_TIMEOUT = 2.0
RETRY_STATUSES = frozenset({429, 502, 503, 504})
BACKOFF_START = 0.5
BACKOFF_CAP = 8.0
# Longer waits than this are better left to the person than spent frozen in a chat turn.
MAX_RETRY_AFTER = 30.0
BODY_CHARS = 200


def backoff(attempt: int) -> float:
    """Return the wait before retry number ``attempt + 1``: 0.5 s doubling up to 8 s."""
    return min(BACKOFF_START * 2**attempt, BACKOFF_CAP)


def retry_after(value: str | None) -> float | None:
    """Return the seconds a Retry-After header asks for, or None when absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class OpenAIBackend:
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
        self.quote_first = bool(spec.quote_first)
        self._sleep = sleep
        self._client: httpx.Client | None = None
        self._timeout = httpx.Timeout(connect=5.0, read=spec.timeout or DEFAULT_READ_TIMEOUT, write=30.0, pool=5.0)

    @property
    def model(self) -> str | None:
        """Return the model name sent with each request."""
        return self.spec.model

    @property
    def context_size(self) -> int | None:
        """Return the configured context window, or None when the server alone knows it."""
        return self.spec.n_ctx

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

    def _headers(self) -> dict[str, str]:
        # Read the key at each request and never store it, so no repr or log can show it.
        key = os.environ.get(self.spec.api_key_env, "").strip() if self.spec.api_key_env else ""
        return {"Authorization": f"Bearer {key}"} if key else {}

    def _where(self) -> str:
        return str(self.config_file or "the config file")

    def _redact(self, text: str) -> str:
        """Hide the API key in text a server sent back (some echo the request's headers in errors)."""
        key = os.environ.get(self.spec.api_key_env, "").strip() if self.spec.api_key_env else ""
        return text.replace(key, "[the API key]") if len(key) >= 4 else text

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

    def _status_error(self, response: httpx.Response, attempts: int = 1) -> BackendError:
        try:
            response.read()
            text = response.text
        except httpx.HTTPError:
            text = ""
        try:
            message = error_message(parse_json(text)) if text.strip() else None
        except BackendError:
            message = None
        message = self._redact(message or " ".join(text.split())[:BODY_CHARS] or response.reason_phrase or "no details")
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

    def _whole(self, response: httpx.Response) -> Iterator[str]:
        """Yield the reply of a server that answered with one JSON completion despite stream=true."""
        try:
            response.read()
        except httpx.TimeoutException:
            raise self._slow(streamed=False) from None
        except httpx.HTTPError as exc:
            raise BackendError(f"The answer from {self.base_url} was cut ({type(exc).__name__}): ask again.") from None
        body = parse_json(response.text)
        problem = error_message(body)
        if problem:
            raise BackendError(f"{self.name} ({self.base_url}) reported an error: {self._redact(problem)}")
        text = message_text(body)
        if text is None:
            raise BackendError(
                f"{self.name} ({self.base_url}) answered JSON without choices[0].message.content: "
                "check that base_url points at an OpenAI-compatible chat completions API."
            )
        if text:
            yield text

    def _events(self, response: httpx.Response) -> Iterator[str]:
        """Yield the text deltas of a streamed answer, raising when the stream ends early."""
        reader = EventReader()
        streamed = False
        try:
            for payload in reader.events(sse_lines(response.iter_text())):
                text = delta_text(payload)
                if text:
                    streamed = True
                    yield text
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

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        """Yield the model's reply as the server streams it."""
        payload = {
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "stream": True,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
        }
        # Single-model servers (llama-server, llama_cpp.server) need no model name.
        if self.model:
            payload["model"] = self.model
        response = self._open(payload)
        try:
            kind = response.headers.get("content-type", "").lower()
            if "json" in kind and "event-stream" not in kind:
                yield from self._whole(response)
            else:
                yield from self._events(response)
        finally:
            # Runs on GeneratorExit too, so an abandoned reply stops the server's generation.
            response.close()

    def check(self) -> str | None:
        """Say why the server cannot answer, or None when it can."""
        if self.spec.api_key_env and not self._headers():
            # No request without the key: it would only be refused, and the hosted APIs are far away.
            return self._key_hint()
        try:
            response = self.client().get(f"{self.base_url}/models", headers=self._headers(), timeout=CHECK_TIMEOUT)
        except (httpx.ConnectError, httpx.ConnectTimeout):
            return f"no server at {self.base_url}: start it, or set base_url for backend {self.name!r} in {self._where()}"
        except httpx.TimeoutException:
            return f"the server at {self.base_url} did not answer within {CHECK_TIMEOUT:g} s: check that it is running"
        except httpx.HTTPError as exc:
            return f"cannot talk to {self.base_url} ({type(exc).__name__}): check base_url in {self._where()}"
        if response.status_code in (401, 403):
            return f"{self.base_url} refused the request ({response.status_code}): {self._key_hint()}"
        if response.status_code == 404:
            return f"{self.base_url}/models was not found: check base_url (it usually ends in /v1)"
        if not response.is_success:
            return f"{self.base_url} answered {response.status_code} to a readiness check: see the server's log"
        return None


def create(spec: BackendSpec, settings: Settings) -> OpenAIBackend:
    """Create the OpenAI-compatible backend for a profile."""
    return OpenAIBackend(spec, config_file=settings.config_file)
