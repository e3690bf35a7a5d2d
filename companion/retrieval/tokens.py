"""Token vectors: the reader model's reading of each word of a sentence, so a question is matched word by word.

A sentence's pooled vector blurs which of its words met the question's. Kept per token (the reader's last layer,
each row unit length, the sentence markers left out), every word of a question that carries meaning finds its
closest word in a sentence, and the mean of those best matches (late interaction, as ColBERT scores passages)
says how much of the question a sentence speaks to, in its own words or others ("job" and "works at"). Built
at ingest in the same pass that embeds the sentences for the reader, saved beside them as int8 codes with a
scale per row: a quarter of float32's size, and turned back into float32 ten times faster than float16 (a search
reads some 4,000 rows). The codes keep each cosine to within about 0.005.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Protocol

from companion.retrieval.embedder import Embedder, load_model
from companion.retrieval.light import unit_rows
from companion.retrieval.saved import finish_folder, saved_texts, start_folder

# Bump when what a token row holds changes: saved rows built the old way must not be reused.
TOKENS_VERSION = 2


class TokenReader(Embedder, Protocol):
    """An embedder that also reads a text token by token."""

    def tokens(self, text: str):
        """Return one unit-length row per token of the text, the sentence markers left out."""
        ...

    def question_tokens(self, text: str):
        """Return the rows of the tokens of a question's words that carry meaning."""
        ...

    def embed_kept(self, texts: Sequence[str]):
        """Return fixed texts' vectors as a matrix, kept so that a later run need not encode them again."""
        ...


# The largest code: a row's largest component is stored as this, the rest in proportion.
CODE = 127
# Token rows turned back into float32 at a time when matching.
CHUNK = 512


def encode_rows(rows) -> tuple:
    """Return a matrix's rows as int8 codes and the float32 scale that turns each row's codes back into it."""
    import numpy as np

    rows = np.asarray(rows, dtype=np.float32)
    scales = np.maximum(np.abs(rows).max(axis=1, initial=0.0), 1e-12) / CODE
    return np.rint(rows / scales[:, None]).astype(np.int8), scales.astype(np.float32)


class TokenVectors:
    """Each text's token rows, built once at ingest and saved; texts not built are read on demand."""

    def __init__(self, rows: dict[str, tuple] | None = None) -> None:
        # Each text's (int8 codes, float32 scale per row), as encode_rows makes them.
        self._rows: dict[str, tuple] = dict(rows or {})

    def __len__(self) -> int:
        return len(self._rows)

    def known(self) -> Mapping[str, tuple]:
        """Return each text's (int8 codes, float32 scales) read so far."""
        return MappingProxyType(self._rows)

    def lookup(self, texts: Sequence[str], reader: TokenReader) -> list[tuple]:
        """Return each text's (codes, scales), reading (and keeping) those not built."""
        for text in texts:
            if text not in self._rows:
                self._rows[text] = encode_rows(reader.tokens(text))
        return [self._rows[t] for t in texts]

    def save(self, folder: Path, fingerprint: str) -> None:
        """Write every text's codes as one matrix, their scales, the texts, where each starts, and a manifest."""
        import numpy as np

        start_folder(folder)
        texts = sorted(self._rows)
        codes = [np.asarray(self._rows[t][0], dtype=np.int8) for t in texts]
        scales = [np.asarray(self._rows[t][1], dtype=np.float32) for t in texts]
        width = codes[0].shape[1] if codes else 0
        np.save(folder / "codes.npy", np.concatenate(codes) if codes else np.zeros((0, width), dtype=np.int8))
        np.save(folder / "scales.npy", np.concatenate(scales) if scales else np.zeros(0, dtype=np.float32))
        np.save(folder / "starts.npy", np.cumsum([0] + [len(c) for c in codes]).astype(np.int64))
        finish_folder(folder, texts, {"fingerprint": fingerprint, "tokens": TOKENS_VERSION})

    @classmethod
    def load(cls, folder: Path, fingerprint: str) -> TokenVectors | None:
        """Load saved rows if they were built for the same texts the same way; else None."""
        import numpy as np

        texts = saved_texts(folder, {"fingerprint": fingerprint, "tokens": TOKENS_VERSION})
        if texts is None:
            return None
        try:
            starts = np.load(folder / "starts.npy")
            # Mapped, not read: a question touches only the sentences of the passages it retrieved.
            codes = np.load(folder / "codes.npy", mmap_mode="r")
            scales = np.load(folder / "scales.npy")
        except (OSError, ValueError):
            return None
        if (len(starts) != len(texts) + 1 or starts[0] != 0 or starts[-1] != len(codes) or len(scales) != len(codes)
                or (np.diff(starts) < 0).any() or codes.dtype != np.int8 or codes.ndim != 2):
            return None
        return cls({t: (codes[a:b], scales[a:b]) for t, a, b in zip(texts, starts[:-1], starts[1:])})


def read_texts(
    texts: Sequence[str], location: str, batch_size: int = 32, plain: Sequence[str] = (),
    progress: Callable[[int, int], None] | None = None,
) -> tuple[dict[str, list[float]], TokenVectors]:
    """Read texts with a sentence-transformers model in one pass: each one's unit vector and its token rows.

    The plain texts (questions written for the sentences) are read for their vectors alone: no question is matched
    against their words. Progress hears (texts read, texts in all) after each batch.
    """
    import torch

    model = load_model(location)
    vectors: dict[str, list[float]] = {}
    rows: dict[str, tuple] = {}
    tokened = set(texts)
    # Batches of similar length waste no work on padding.
    ordered = sorted(tokened | set(plain), key=len)
    for start in range(0, len(ordered), batch_size):
        chunk = ordered[start : start + batch_size]
        with torch.no_grad():
            out = model(model.preprocess(chunk))
        for i, text in enumerate(chunk):
            vectors[text] = unit_rows(out["sentence_embedding"][i : i + 1].numpy())[0].tolist()
            if text in tokened:
                length = int(out["attention_mask"][i].sum())
                rows[text] = encode_rows(unit_rows(out["token_embeddings"][i, 1 : length - 1].numpy()))
        if progress is not None:
            progress(start + len(chunk), len(ordered))
    return vectors, TokenVectors(rows)


def best_matches(question, rows: Sequence[tuple]) -> list[float]:
    """Return, for each text's (codes, scales), the mean over the question's rows of their closest row's cosine."""
    import numpy as np

    if not len(rows):
        return []
    question = np.asarray(question, dtype=np.float32)
    sizes = [len(codes) for codes, _ in rows]
    if not len(question) or not sum(sizes):
        return [0.0] * len(rows)
    codes = np.concatenate([c for c, _ in rows if len(c)])
    similarity = np.empty((len(question), len(codes)), dtype=np.float32)
    # Turned into float32 a block at a time through one buffer: a fresh float32 copy of every row (12 MB for a
    # search's 4,000) would cost a cold process more in page faults than the product itself.
    block = np.empty((min(CHUNK, len(codes)), codes.shape[1]), dtype=np.float32)
    for start in range(0, len(codes), CHUNK):
        part = codes[start : start + CHUNK]
        np.copyto(block[: len(part)], part, casting="unsafe")
        similarity[:, start : start + len(part)] = question @ block[: len(part)].T
    similarity *= np.concatenate([s for c, s in rows if len(c)])
    starts = np.cumsum([0] + [s for s in sizes if s])[:-1]
    best = np.maximum.reduceat(similarity, starts, axis=1).mean(0)
    found = iter(best.tolist())
    return [next(found) if size else 0.0 for size in sizes]
