"""Arrays saved beside the index: a folder written whole, its manifest last, read back only when the manifest matches."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

MANIFEST = "manifest.json"
TEXTS = "texts.json"


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
