"""Open the ChromaDB client: embedded (one owner per data dir) or a `chroma run` server."""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path
from urllib.parse import urlparse

from companion.errors import StoreError, StoreTimeout

# Locks this process holds, by path: Chroma's embedded mode is not safe for two processes,
# and a second client can block for minutes, so a second companion is stopped at the door.
_held: dict[str, int] = {}
# Seconds to reach a Chroma server, and to wait for each of its answers. Chroma's own HTTP client waits
# for ever, and a server that is paused (Ctrl-Z, SIGSTOP) still accepts connections.
CONNECT_SECONDS = 5.0
ANSWER_SECONDS = 10.0
# Left in an embedded index that failed a read, so the next start rebuilds it even where opening it works.
UNREADABLE = ".companion-unreadable"


def _claim(folder: Path) -> None:
    """Take the data dir for this process, or say at once who has it."""
    lock = folder / ".companion.lock"
    key = str(lock.resolve())
    if key in _held:
        return
    descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        owner = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip() or "another process"
        os.close(descriptor)
        raise StoreError(
            f"Another companion (pid {owner}) is using {folder}. Close it first, or share the index through a "
            "Chroma server: `chroma run --path DIR --port 8000`, then --chroma-url http://127.0.0.1:8000."
        ) from None
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, str(os.getpid()).encode("ascii"), 0)
    _held[key] = descriptor


def _move_aside(path: Path) -> Path:
    """Rename an unreadable index out of the way, keeping it for a person to inspect."""
    import time

    aside = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
    held = _held.pop(str((path / ".companion.lock").resolve()), None)
    if held is not None:
        os.close(held)
    path.rename(aside)
    return aside


def open_client(data_dir: Path, chroma_url: str | None = None, notices: list[str] | None = None):
    """Open the store: a Chroma server when a URL is given, else the embedded store in the data dir.

    An embedded index that cannot be read is moved aside (never deleted), a fresh one is started,
    and a line saying so is appended to ``notices``.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        return _http_client(chroma_url, settings)
    path = Path(data_dir) / "chroma"
    try:
        path.mkdir(parents=True, exist_ok=True)
        _claim(path)
        try:
            failed_before = _failed_read(path)
            if failed_before:
                raise _Unreadable(f"a read failed in an earlier run: {failed_before}")
            client = chromadb.PersistentClient(path=str(path), settings=settings)
            # Listing reads the catalogue only; counting reads each collection's log, where damage shows first.
            for collection in client.list_collections():
                collection.count()
            return client
        except Exception as exc:
            aside = _move_aside(path)
            if notices is not None:
                reason = str(exc) if isinstance(exc, _Unreadable) else type(exc).__name__
                notices.append(f"The index at {path} could not be read ({reason}); it was moved to {aside} and is "
                               "being rebuilt from the corpus.")
            path.mkdir(parents=True, exist_ok=True)
            _claim(path)
            # Chroma caches one system per path, the failed one included: drop that one, keep the others.
            from chromadb.api.shared_system_client import SharedSystemClient

            SharedSystemClient._identifier_to_system.pop(str(path), None)
            SharedSystemClient._identifier_to_refcount.pop(str(path), None)
            return chromadb.PersistentClient(path=str(path), settings=settings)
    except OSError as exc:
        raise StoreError(
            f"Cannot create the index at {path} ({exc.strerror}): pass --data-dir or set COMPANION_DATA_DIR "
            "to a writable directory."
        ) from None
    except StoreError:
        raise
    except Exception as exc:
        raise StoreError(
            f"Cannot open the index at {path} ({exc}): move that directory aside and run `companion ingest` to "
            "rebuild it."
        ) from None


class _Unreadable(Exception):
    """An earlier run found this embedded index unreadable."""


def _failed_read(path: Path) -> str | None:
    try:
        return (path / UNREADABLE).read_text("utf-8", "replace").strip() or "an earlier read failed"
    except OSError:
        return None


def _server_url(settings) -> str:
    scheme = "https" if settings.chroma_server_ssl_enabled else "http"
    return f"{scheme}://{settings.chroma_server_host}:{settings.chroma_server_http_port}"


def index_failure(client, exc: Exception, writing: bool = False) -> StoreError:
    """Turn what Chroma raised into an error that says where the index lives and what to do.

    An embedded index that fails a read is marked, so the next start moves it aside and rebuilds it.
    """
    import httpx

    settings = client.get_settings()
    what = f"{type(exc).__name__}: {exc}"
    if settings.chroma_server_host:
        url = _server_url(settings)
        if isinstance(exc, httpx.TimeoutException):
            return _timed_out(url, "; the next question will try again")
        return StoreError(
            f"The Chroma server at {url} did not answer ({what}). Check that it is running (`chroma run --path DIR "
            f"--port {settings.chroma_server_http_port}`); the next question will try again."
        )
    path = Path(settings.persist_directory)
    if writing:
        return StoreError(
            f"Could not write to the index at {path} ({what}): check the free disk space and that the folder is "
            "writable, then run `companion ingest`."
        )
    try:
        (path / UNREADABLE).write_text(what, "utf-8")
    except OSError:
        pass  # The next start's own check may still find the damage; the message stays true either way.
    return StoreError(
        f"The index at {path} could not be read ({what}). It will be moved aside and rebuilt from the corpus the "
        "next time companion starts, or now with `companion ingest`."
    )


def _timed_out(url: str, then: str = "") -> StoreTimeout:
    return StoreTimeout(
        f"The Chroma server at {url} did not answer within {ANSWER_SECONDS:g} s. Check that it is running, reachable "
        f"and not paused (a stopped server still accepts connections), or drop --chroma-url to use the embedded "
        f"index{then}."
    )


def _bounded(seconds: float, call):
    """Run call in a daemon thread and return its result; raise TimeoutError if it takes longer than seconds."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # handed to the caller's thread below
            outcome["error"] = exc

    # A daemon thread, so a request that never returns cannot keep the process from exiting.
    worker = threading.Thread(target=run, name="chroma-connect", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise TimeoutError(f"no answer within {seconds:g} s")
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]


def _http_client(url: str, settings):
    import chromadb
    import httpx

    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise StoreError(f"--chroma-url {url!r} is not an http(s) URL like http://127.0.0.1:8000.")
    port = parsed.port or (443 if parsed.scheme == "https" else 8000)
    try:
        # Chroma asks the server who we are while building the client, before its requests can be bounded.
        client = _bounded(
            ANSWER_SECONDS,
            lambda: chromadb.HttpClient(host=parsed.hostname, port=port, ssl=parsed.scheme == "https",
                                        settings=settings),
        )
        session = getattr(getattr(client, "_server", None), "_session", None)
        if not isinstance(session, httpx.Client):
            raise StoreError(
                f"This chromadb version hides its HTTP client, so requests to {url} could wait for ever: install "
                "the version companion is tested with (pip install 'chromadb>=1.5.9,<1.6')."
            )
        session.timeout = httpx.Timeout(ANSWER_SECONDS, connect=CONNECT_SECONDS)
        client.heartbeat()
    except StoreError:
        raise
    except (TimeoutError, httpx.TimeoutException):
        raise _timed_out(url) from None
    except Exception as exc:
        raise StoreError(
            f"No Chroma server answers at {url} ({type(exc).__name__}). Start one with "
            f"`chroma run --path DIR --port {port}`, or drop --chroma-url to use the embedded index."
        ) from None
    return client
