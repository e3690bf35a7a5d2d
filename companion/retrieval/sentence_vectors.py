"""The sentence units' vectors, kept beside the index, with the written questions and the map they taught."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Protocol

from companion.asked import AskedQuestions
from companion.retrieval.adapter import AdapterSettings, QueryAdapter, fit_adapter
from companion.retrieval.embedder import Embedder
from companion.retrieval.saved import finish_folder, saved_texts, start_folder
from companion.retrieval.units import UNITS_VERSION, Unit, embedding_text, units
from companion.types import Hit, Passage


class Memo(Protocol):
    """Where a model's vectors of texts, and the maps fit on them, are kept from one build to the next."""

    def vectors(self, texts: Sequence[str], embedder: Embedder) -> dict[str, Sequence[float]]:
        """Return each text's vector as the embedder makes it, embedding only those not kept."""
        ...

    def adapter(
        self, pairs: Sequence[tuple[str, str]], settings: AdapterSettings, width: int,
        fit: Callable[[], QueryAdapter | None],
    ) -> QueryAdapter | None:
        """Return the map fit on these pairs with these settings: kept, or fit now and kept."""
        ...


class SentenceVectors:
    """Unit vectors by text, built once at ingest and saved beside the index; misses are embedded on demand.

    The questions written for the sentences (companion/asked.py) are kept by text with them: a sentence is met by
    the closest question it answers as well as by its own words, and by a question moved by the map those questions
    taught (adapter.py).
    """

    def __init__(
        self, vectors: dict[str, Sequence[float]] | None = None, asked: AskedQuestions | None = None,
        adapter: QueryAdapter | None = None,
    ) -> None:
        self._vectors: dict[str, Sequence[float]] = dict(vectors or {})
        self.asked = asked if asked is not None else AskedQuestions()
        self.adapter = adapter

    def __len__(self) -> int:
        return len(self._vectors)

    def known(self) -> Mapping[str, Sequence[float]]:
        """Return the vectors built so far, by text."""
        return MappingProxyType(self._vectors)

    @classmethod
    def build(
        cls, passages: Sequence[Passage], embedder: Embedder, asked: AskedQuestions | None = None,
        adapting: AdapterSettings | None = None, memo: Memo | None = None,
    ) -> SentenceVectors:
        """Embed every unit of every passage, and every question written for them, in one batched call.

        With adapting settings and written questions, the map from a question to its sentence is fit too. With a memo,
        texts it keeps are not embedded again, nor a map it keeps for the same pairs fit again.
        """
        asked = asked if asked is not None else AskedQuestions()
        pairs = asked_pairs(passages, asked) if adapting is not None else []
        texts = sorted(
            {embedding_text(p, u) for p in passages for u in units(p)} | set(asked.texts) | {s for _, s in pairs}
        )
        if memo is not None:
            vectors = memo.vectors(texts, embedder)
        else:
            vectors = dict(zip(texts, embedder.embed(texts))) if texts else {}
        adapter = taught_map(vectors, pairs, adapting, embedder, memo) if adapting is not None else None
        return cls(vectors, asked, adapter)

    def fit(
        self, pairs: Sequence[tuple[str, str]], adapting: AdapterSettings, embedder: Embedder,
    ) -> QueryAdapter | None:
        """Fit the map moving each written question toward its own sentence, among all the sentences asked about."""
        sentences = sorted({s for _, s in pairs})
        index = {s: i for i, s in enumerate(sentences)}
        questions = self.lookup([q for q, _ in pairs], embedder)
        return fit_adapter(questions, self.lookup(sentences, embedder), [index[s] for _, s in pairs], adapting)

    def adapted(self, query):
        """Return the question's vector as the map moves it; None without a map."""
        return None if self.adapter is None else self.adapter.adapt(query)

    def lookup(self, texts: Sequence[str], embedder: Embedder):
        """Return one unit-length row per text as a matrix, embedding (and keeping) those not built."""
        import numpy as np

        missing = sorted({t for t in texts if t not in self._vectors})
        if missing:
            self._vectors.update(zip(missing, embedder.embed(missing)))
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.asarray([self._vectors[t] for t in texts], dtype=np.float32)

    def closest_asked(self, pool: Sequence[tuple[Hit, Unit]], query, own, embedder: Embedder):
        """Return each unit's best cosine to the query among the questions written for its sentence, else its own, lifted."""
        import numpy as np

        found = np.array(own, dtype=np.float64)
        if not len(self.asked):
            return found
        asked = np.zeros(len(found), dtype=bool)
        for i, (hit, unit) in enumerate(pool):
            questions = self.asked.of(hit.passage.essay_id, unit.sentence(hit.passage))
            if questions:
                found[i] = float((self.lookup(questions, embedder) @ query).max())
                asked[i] = True
        if asked.any() and not asked.all():
            # A question is closer to a question than to a sentence: a unit written no questions (an essay added
            # without its file) is read as much closer than its own words as the pool's others are, on average.
            # With what-her-tells-us's questions removed, its dev and probe answers 81 -> 85 of 117 (93 with them).
            found[~asked] += float(np.mean(found[asked] - np.asarray(own, dtype=np.float64)[asked]))
        return found

    def save(self, folder: Path, fingerprint: str) -> None:
        """Write the vectors, their texts, the map if there is one, and a manifest naming what they were built from."""
        import numpy as np

        start_folder(folder)
        texts = sorted(self._vectors)
        np.save(folder / "vectors.npy", np.asarray([self._vectors[t] for t in texts], dtype=np.float32))
        if self.adapter is not None:
            np.save(folder / ADAPTER_FILE, self.adapter.matrix)
        finish_folder(folder, texts, _manifest(fingerprint, self.adapter is not None))

    @classmethod
    def load(cls, folder: Path, fingerprint: str, asked: AskedQuestions | None = None) -> SentenceVectors | None:
        """Load saved vectors (and their map, when one was fit) if built for the same passages and questions; else None."""
        import numpy as np

        # The fingerprint names the questions and how a map is fit from them, so either form it was saved in is current.
        adapted = True
        texts = saved_texts(folder, _manifest(fingerprint, adapted))
        if texts is None:
            adapted = False
            texts = saved_texts(folder, _manifest(fingerprint, adapted))
        if texts is None:
            return None
        try:
            # Mapped, not read: a question touches only the units of the few passages it retrieved.
            matrix = np.load(folder / "vectors.npy", mmap_mode="r")
            adapter = QueryAdapter(np.load(folder / ADAPTER_FILE)) if adapted else None
        except (OSError, ValueError):
            return None
        if len(texts) != len(matrix):
            return None
        if adapter is not None and adapter.matrix.shape != (matrix.shape[1], matrix.shape[1]):
            return None
        return cls(dict(zip(texts, matrix)), asked, adapter)


# Bump when the map is fit otherwise: saved maps fit the old way must not be reused.
ADAPTER_VERSION = 1
ADAPTER_FILE = "adapter.npy"


def _manifest(fingerprint: str, adapted: bool) -> dict:
    # Vectors saved without a map (a corpus no questions were written for) keep the manifest they had before maps existed.
    manifest = {"fingerprint": fingerprint, "units": UNITS_VERSION}
    return {**manifest, "adapter": ADAPTER_VERSION} if adapted else manifest


def taught_map(
    vectors: dict[str, Sequence[float]], pairs: Sequence[tuple[str, str]], adapting: AdapterSettings,
    embedder: Embedder, memo: Memo | None = None,
) -> QueryAdapter | None:
    """Return the map the written questions teach, fit on these vectors or kept by the memo for the same pairs; None without pairs."""
    if not pairs:
        return None

    def fit() -> QueryAdapter | None:
        return SentenceVectors(vectors).fit(pairs, adapting, embedder)

    return fit() if memo is None else memo.adapter(pairs, adapting, len(next(iter(vectors.values()))), fit)


def asked_pairs(passages: Sequence[Passage], asked: AskedQuestions) -> list[tuple[str, str]]:
    """Return (written question, its sentence's own words) for every unit a question was written for."""
    pairs = []
    for passage in passages:
        for unit in units(passage):
            sentence = unit.sentence(passage)
            pairs += [(question, sentence) for question in asked.of(passage.essay_id, sentence)]
    return pairs
