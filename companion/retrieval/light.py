"""Embed queries without torch: the same MiniLM weights run as a few numpy matrix products.

Importing torch and sentence-transformers costs seconds; a question needs one short forward
pass. This reads the packaged model's safetensors and tokenizer and computes the BERT encoder,
mean pooling and normalisation directly, matching sentence-transformers to float precision.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Sequence
from pathlib import Path

from companion.errors import ModelError
from companion.retrieval.embedder import Progress, resolve_model

REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json", "1_Pooling/config.json")


def layer_norm(x, weight, bias, eps: float):
    import numpy as np

    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def unit_rows(x):
    """Return the rows of a matrix scaled to unit length, as float32."""
    import numpy as np

    x = np.asarray(x, dtype=np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def gelu(x):
    """Exact (erf) GELU, as BERT uses; erf by Abramowitz and Stegun 7.1.26 (error < 1.5e-7)."""
    import numpy as np

    z = np.abs(x) * 0.7071067811865476
    t = 1.0 / (1.0 + 0.3275911 * z)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    erf = np.sign(x) * (1.0 - poly * np.exp(-z * z))
    return 0.5 * x * (1.0 + erf)


def _prepare(w: dict, config: dict):
    """Lay the weights out for row-vector products once: transposed, contiguous, query/key/value fused."""
    import numpy as np

    def t(name: str):
        return np.ascontiguousarray(w[name].T, dtype=np.float32)

    embeddings = tuple(w[f"embeddings.{n}"].astype(np.float32) for n in (
        "word_embeddings.weight", "position_embeddings.weight", "token_type_embeddings.weight",
        "LayerNorm.weight", "LayerNorm.bias"))
    layers = []
    for i in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        qkv_w = np.concatenate([t(f"{p}attention.self.{n}.weight") for n in ("query", "key", "value")], axis=1)
        qkv_b = np.concatenate([w[f"{p}attention.self.{n}.bias"] for n in ("query", "key", "value")])
        layers.append((
            qkv_w, qkv_b, t(f"{p}attention.output.dense.weight"), w[f"{p}attention.output.dense.bias"],
            w[f"{p}attention.output.LayerNorm.weight"], w[f"{p}attention.output.LayerNorm.bias"],
            t(f"{p}intermediate.dense.weight"), w[f"{p}intermediate.dense.bias"],
            t(f"{p}output.dense.weight"), w[f"{p}output.dense.bias"],
            w[f"{p}output.LayerNorm.weight"], w[f"{p}output.LayerNorm.bias"],
        ))
    return embeddings, layers


# Texts whose vectors are kept: a turn's message and a few before it, not a corpus.
RECENT = 32


class RecentEncoder:
    """Embed texts one forward pass each (``_encode``), keeping the vectors of the last RECENT texts.

    One turn embeds its message several times (routing, search, the decision, the quote picking).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._recent: dict[str, list[float]] = {}

    def _encode(self, text: str):
        raise NotImplementedError

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> list[list[float]]:
        """Return one unit-length vector per text."""
        vectors = []
        for done, text in enumerate(texts, start=1):
            with self._lock:
                known = self._recent.get(text)
            if known is None:
                known = self._encode(text).astype("float32").tolist()
                with self._lock:
                    if len(self._recent) >= RECENT:
                        del self._recent[next(iter(self._recent))]
                    self._recent[text] = known
            vectors.append(list(known))
            if progress:
                progress(done, len(texts))
        return vectors


class LightEmbedder(RecentEncoder):
    """A torch-free MiniLM for queries; ``usable(setting)`` says whether a model directory fits it."""

    def __init__(self, setting: str | None = None) -> None:
        super().__init__()
        spec = resolve_model(setting)
        self.model_id = spec.model_id
        self.location = Path(spec.location)
        self._loaded = None

    @staticmethod
    def usable(setting: str | None = None) -> bool:
        """Tell whether the configured model is a mean-pooled BERT this path can run."""
        try:
            location = Path(resolve_model(setting).location)
            if not all((location / name).is_file() for name in REQUIRED_FILES):
                return False
            config = json.loads((location / "config.json").read_text("utf-8"))
            pooling = json.loads((location / "1_Pooling/config.json").read_text("utf-8"))
        except (OSError, ValueError, ModelError):
            return False
        return config.get("model_type") == "bert" and pooling.get("pooling_mode_mean_tokens") is True

    def load(self) -> None:
        """Read the weights and tokenizer now (about 0.1 s)."""
        self._model()

    def _model(self):
        with self._lock:
            if self._loaded is None:
                from safetensors.numpy import load_file
                from tokenizers import Tokenizer

                config = json.loads((self.location / "config.json").read_text("utf-8"))
                settings = self.location / "sentence_bert_config.json"
                max_length = json.loads(settings.read_text("utf-8")).get("max_seq_length", 256) if settings.is_file() else 256
                tokenizer = Tokenizer.from_file(str(self.location / "tokenizer.json"))
                tokenizer.enable_truncation(max_length=max_length)
                tokenizer.no_padding()
                self._loaded = (config, tokenizer, _prepare(load_file(str(self.location / "model.safetensors")), config))
            return self._loaded

    def _encode(self, text: str):
        import numpy as np

        config, tokenizer, (embeddings, layers) = self._model()
        ids = np.asarray(tokenizer.encode(text).ids)
        eps = float(config.get("layer_norm_eps", 1e-12))
        heads = config["num_attention_heads"]
        words, positions, types, norm_w, norm_b = embeddings
        x = layer_norm(words[ids] + positions[: len(ids)] + types[0], norm_w, norm_b, eps)
        n, width = x.shape
        size = width // heads
        scale = 1.0 / math.sqrt(size)
        for qkv_w, qkv_b, out_w, out_b, ln1_w, ln1_b, up_w, up_b, down_w, down_b, ln2_w, ln2_b in layers:
            q, k, v = np.split((x @ qkv_w + qkv_b).reshape(n, 3, heads, size).transpose(1, 2, 0, 3), 3)
            scores = (q[0] @ k[0].transpose(0, 2, 1)) * scale
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            context = ((scores / scores.sum(-1, keepdims=True)) @ v[0]).transpose(1, 0, 2).reshape(n, width)
            x = layer_norm(x + context @ out_w + out_b, ln1_w, ln1_b, eps)
            x = layer_norm(x + gelu(x @ up_w + up_b) @ down_w + down_b, ln2_w, ln2_b, eps)
        pooled = x.mean(0)
        return pooled / (np.linalg.norm(pooled) or 1.0)
