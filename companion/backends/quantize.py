"""Re-encode a GGUF model's weights once, cached beside the index, for faster prompt processing."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
from pathlib import Path

from companion.backends.native_log import details
from companion.errors import BackendError

# llama.cpp's llama_ftype values for the types worth converting to.
TYPES: dict[str, int] = {"f16": 1, "q4_0": 2, "q4_1": 3, "q5_0": 8, "q5_1": 9, "q8_0": 7, "bf16": 32}
AS_IS = "as-is"

_lock = threading.Lock()


def _fingerprint(source: Path, kind: str) -> dict[str, object]:
    import llama_cpp

    stat = source.stat()
    return {
        "source": str(source), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "type": kind,
        "llama_cpp": llama_cpp.__version__,
    }


def converted_path(source: Path, kind: str, cache_dir: Path) -> Path:
    """Return where the converted copy of a model lives."""
    # Two models may share a file name; a copy each keeps them from converting over one another.
    where = hashlib.sha256(str(source).encode("utf-8")).hexdigest()[:8]
    return cache_dir / f"{source.stem}-{where}.{kind}.gguf"


def ensure_converted(source: Path, kind: str, cache_dir: Path) -> Path:
    """Return a copy of the model with weights of this type, converting it first if missing or stale."""
    if kind == AS_IS:
        return source
    target = converted_path(source, kind, cache_dir)
    stamp = target.with_suffix(".json")
    wanted = _fingerprint(source, kind)
    with _lock:
        try:
            if target.is_file() and json.loads(stamp.read_text(encoding="utf-8")) == wanted:
                return target
        except (OSError, ValueError):
            pass
        # The one line a person sees; llama.cpp's hundreds go to the log (see native_log).
        print("companion: preparing the local model, once…", file=sys.stderr, flush=True)
        _convert(source, target, kind)
        try:
            stamp.write_text(json.dumps(wanted), encoding="utf-8")
        except OSError:
            pass  # without a stamp the next process converts again, which is slower but still right
    return target


def _convert(source: Path, target: Path, kind: str) -> None:
    import llama_cpp

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackendError(
            f"Cannot write the converted model to {target.parent} ({exc.strerror}): free the directory, "
            "or set quantize = \"as-is\" for this backend in the config file."
        ) from None
    # A process killed mid-write leaves only a temporary file; the rename is atomic.
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = TYPES[kind]
    params.allow_requantize = True
    params.nthread = os.cpu_count() or 1
    try:
        code = llama_cpp.llama_model_quantize(str(source).encode(), str(partial).encode(), params)
        if code != 0 or not partial.is_file():
            raise BackendError(
                f"Cannot convert {source.name} to {kind} (llama.cpp returned {code}{details()}): "
                "set quantize = \"as-is\" for this backend in the config file to use the file unchanged."
            )
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
