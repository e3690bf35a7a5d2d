"""A tiny HTTP server on 127.0.0.1 that answers each request as a test script says."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Reply:
    """One scripted answer: status, headers, body chunks, and how to misbehave."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    chunks: list[str | bytes] = field(default_factory=list)
    delay: float = 0.0  # seconds after the headers, before the first body byte
    chunk_delay: float = 0.0  # seconds between body chunks
    header_delay: float = 0.0  # seconds before the status line
    chunked: bool = True  # chunked transfer encoding; False sends the body until the connection closes
    cut: bool = False  # drop the connection after the chunks instead of ending the body
    # Build the chunks from the request instead (to echo a header back, as some servers do in errors).
    chunks_for: Callable[[Seen], list[str | bytes]] | None = None
    forever: str | bytes | None = None  # after the chunks, send this one again and again until the client leaves


@dataclass
class Seen:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any

    def header(self, name: str) -> str:
        """Return a request header's value, whatever the case of its name."""
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), "")


def sse_reply(*pieces: str, done: bool = True, **kwargs: Any) -> Reply:
    """Return a 200 event stream carrying the pieces as OpenAI chat deltas."""
    chunks: list[str | bytes] = [event(piece) for piece in pieces]
    if done:
        chunks.append("data: [DONE]\n\n")
    return Reply(headers={"Content-Type": "text/event-stream"}, chunks=chunks, **kwargs)


def event(piece: str) -> str:
    """Return one SSE event holding a chat delta."""
    return "data: " + json.dumps({"choices": [{"index": 0, "delta": {"content": piece}}]}) + "\n\n"


def delta_event(**delta: str) -> str:
    """Return one SSE event holding a chat delta with the given fields (content, reasoning_content, reasoning...)."""
    return "data: " + json.dumps({"choices": [{"index": 0, "delta": delta}]}) + "\n\n"


def deltas_reply(*deltas: dict[str, str], done: bool = True, **kwargs: Any) -> Reply:
    """Return a 200 event stream of chat deltas, as a thinking model's server sends reasoning beside content."""
    chunks: list[str | bytes] = [delta_event(**delta) for delta in deltas]
    if done:
        chunks.append("data: [DONE]\n\n")
    return Reply(headers={"Content-Type": "text/event-stream"}, chunks=chunks, **kwargs)


def json_reply(status: int, body: Any, **headers: str) -> Reply:
    """Return a whole JSON answer."""
    data = json.dumps(body).encode()
    return Reply(
        status, {"Content-Type": "application/json", "Content-Length": str(len(data)), **headers}, [data],
        chunked=False,
    )


class ScriptedServer(ThreadingHTTPServer):
    """Answer successive requests with successive replies; record what arrived."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script: list[Reply] = []
        self.seen: list[Seen] = []
        self.disconnects = 0
        self.stopping = threading.Event()
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        """Return the server's base URL."""
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def next_reply(self, seen: Seen) -> Reply:
        """Record a request and return the reply scripted for it."""
        with self.lock:
            self.seen.append(seen)
            if self.script:
                return self.script.pop(0)
        # 501, not 500: a client retries 500, and a missing reply should fail at once.
        return json_reply(501, {"error": {"message": "the test script has no reply for this request"}})

    def handle_error(self, request, client_address) -> None:
        """Stay quiet: the client hanging up early is what several tests do on purpose."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ScriptedServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        seen = Seen(self.command, self.path, dict(self.headers.items()), body)
        reply = self.server.next_reply(seen)
        stop = self.server.stopping
        # Any early return leaves a half-sent answer, so the connection cannot be reused.
        self.close_connection = True
        try:
            if reply.header_delay and stop.wait(reply.header_delay):
                return
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.chunked:
                self.send_header("Transfer-Encoding", "chunked")
            elif "Content-Length" not in reply.headers:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.flush()
            if reply.delay and stop.wait(reply.delay):
                return
            for i, chunk in enumerate(_chunks(reply, seen)):
                if i and reply.chunk_delay and stop.wait(reply.chunk_delay):
                    return
                if stop.is_set():
                    return
                data = chunk.encode() if isinstance(chunk, str) else chunk
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data) if reply.chunked else data)
                self.wfile.flush()
            if reply.cut:
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if reply.chunked:
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
            self.close_connection = not reply.chunked and "Content-Length" not in reply.headers
        except OSError:
            with self.server.lock:
                self.server.disconnects += 1

    do_GET = do_POST = _answer


def _chunks(reply: Reply, seen: Seen) -> Iterator[str | bytes]:
    yield from reply.chunks_for(seen) if reply.chunks_for else reply.chunks
    while reply.forever is not None:
        yield reply.forever


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    """Run a scripted server for one test."""
    srv = ScriptedServer()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield srv
    srv.stopping.set()
    srv.shutdown()
    srv.server_close()
