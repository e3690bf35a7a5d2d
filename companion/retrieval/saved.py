"""Arrays saved beside the index: a folder written whole, its manifest last, read back only when the manifest matches."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

MANIFEST = "manifest.json"
TEXTS = "texts.json"
# Seconds between tries for a lock another process holds.
LOCK_POLL = 0.05


def start_folder(folder: Path) -> None:
    """Empty the folder (or make it) before its arrays are written."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)


def finish_folder(folder: Path, texts: Sequence[str], manifest: dict) -> None:
    """Write the texts the arrays belong to, then the manifest: a folder without one (a run killed while saving) is rebuilt."""
    (folder / TEXTS).write_text(json.dumps(list(texts), ensure_ascii=False), "utf-8")
    (folder / MANIFEST).write_text(json.dumps(manifest), "utf-8")


def saved_texts(folder: Path, manifest: dict) -> list[str] | None:
    """Return the texts of a folder written with this manifest, or None if it was written otherwise or is unreadable."""
    try:
        if json.loads((folder / MANIFEST).read_text("utf-8")) != manifest:
            return None
        texts = json.loads((folder / TEXTS).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return texts if isinstance(texts, list) and all(isinstance(t, str) for t in texts) else None


def kept_matrix(path: Path, rows: int):
    """Return a matrix kept by keep_matrix if it reads back whole with this many rows; else None."""
    import numpy as np

    try:
        matrix = np.load(path)
    except (OSError, ValueError):
        return None  # Not kept yet, or damaged: the caller makes it again.
    return matrix if matrix.shape[0] == rows else None


def keep_matrix(path: Path, matrix) -> None:
    """Save a matrix whole (written aside, then moved into place), or not at all where the folder is read-only."""
    import numpy as np

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial.npy")
        np.save(partial, matrix)
        partial.replace(path)
    except OSError:
        pass  # A read-only cache only costs making it again next time.


def saved_key(*parts: str) -> str:
    """Return a digest of the parts, to key what is saved from them."""
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


@contextmanager
def held(lock: Path, seconds: float) -> Iterator[bool]:
    """Hold a lock file shared by processes for the block, waiting at most seconds; yield whether it was got.

    A cache that cannot be locked (a read-only folder, or a lock held too long) is simply not used this time.
    """
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield False
        return
    try:
        deadline = time.monotonic() + seconds
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(LOCK_POLL)
        try:
            yield True
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)
