"""Send llama.cpp's own log to a file in the data dir instead of the terminal."""

from __future__ import annotations

import ctypes
import os
import threading
import time
from pathlib import Path
from typing import IO

LOG_NAME = "llama.log"
# ggml's log levels (ggml.h; llama-cpp-python's _logger still has an older order). DEBUG lines,
# two thousand per load, are left out; CONT continues the line before it.
DEBUG, CONT = 1, 5
# Past this size the log is moved to llama.log.old once per process, so it never grows without bound.
MAX_BYTES = 2_000_000


class _Route:
    """Where llama.cpp's lines go now; the callback stays referenced while C code may call it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.path: Path | None = None
        self.file: IO[str] | None = None
        self.callback: object | None = None
        self.skipping = False


_route = _Route()


def _write(level: int, text: bytes | None, _user_data: object) -> None:
    # Called from C: an exception here would be printed to stderr, the very thing this module prevents.
    with _route.lock:
        if level != CONT:
            _route.skipping = level == DEBUG
        if _route.file is None or _route.skipping or not text:
            return
        try:
            _route.file.write(text.decode("utf-8", "replace"))
        except (OSError, ValueError):
            pass


def _open(path: Path) -> IO[str] | None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_file() and path.stat().st_size > MAX_BYTES:
            path.replace(path.with_name(path.name + ".old"))
        handle = path.open("a", encoding="utf-8", buffering=1)
        handle.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} pid {os.getpid()}\n")
        return handle
    except OSError:
        return None  # an unwritable data dir loses the details, never the terminal's quiet


def route_to(path: Path) -> None:
    """Write every later llama.cpp log line to this file (appended) rather than to stderr."""
    import llama_cpp  # importing it installs llama-cpp-python's own printer, which this replaces

    with _route.lock:
        if _route.path == path and _route.file is not None:
            return
        previous = _route.file
        _route.path, _route.file = path, _open(path)
        if _route.callback is None:
            _route.callback = llama_cpp.llama_log_callback(_write)
            llama_cpp.llama_log_set(_route.callback, ctypes.c_void_p(0))
        if previous is not None:
            previous.close()


def details() -> str:
    """Return where llama.cpp's details were written, as a clause for an error message."""
    return f"; details in {_route.path}" if _route.file is not None else ""
