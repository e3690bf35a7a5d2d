"""Open the ChromaDB client: embedded (one owner per data dir) or a `chroma run` server."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from urllib.parse import urlparse

from companion.errors import StoreError

# Locks this process holds, by path: Chroma's embedded mode is not safe for two processes,
# and a second client can block for minutes, so a second companion is stopped at the door.
_held: dict[str, int] = {}


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
            client = chromadb.PersistentClient(path=str(path), settings=settings)
            client.list_collections()
            return client
        except Exception as exc:
            aside = _move_aside(path)
            if notices is not None:
                notices.append(f"The index at {path} could not be read ({type(exc).__name__}); it was moved to "
                               f"{aside} and is being rebuilt from the corpus.")
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


def _http_client(url: str, settings):
    import chromadb

    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise StoreError(f"--chroma-url {url!r} is not an http(s) URL like http://127.0.0.1:8000.")
    port = parsed.port or (443 if parsed.scheme == "https" else 8000)
    try:
        client = chromadb.HttpClient(host=parsed.hostname, port=port, ssl=parsed.scheme == "https", settings=settings)
        client.heartbeat()
    except Exception as exc:
        raise StoreError(
            f"No Chroma server answers at {url} ({type(exc).__name__}). Start one with "
            f"`chroma run --path DIR --port {port}`, or drop --chroma-url to use the embedded index."
        ) from None
    return client
