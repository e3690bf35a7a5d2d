"""What a model read, kept by text beside the models, so an edited or another corpus reads only the texts it has new.

MPNet reading every sentence by token and every written question whole is the slowest part of an ingest (about a
minute on 2 cores for this corpus), and MiniLM reading them whole the next (some 10 s). What a model makes of a text
depends on the text and the model alone, so it is kept by text: editing an essay reads again only the sentences the
edit changed, and a second data dir holding the same essays reads nothing. The map the written questions teach is
kept by what it was fit on (the pairs, the model and the settings), so an edit leaving the questions' sentences alone
fits nothing either.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from companion.retrieval.adapter import AdapterSettings, QueryAdapter
from companion.retrieval.embedder import Embedder
from companion.retrieval.saved import held, keep_matrix, kept_matrix, saved_key
from companion.retrieval.sentence_vectors import ADAPTER_VERSION, SentenceVectors
from companion.retrieval.tokens import TokenVectors, read_texts

# Hears (texts read, texts to read): first (0, n), then after each batch (the reader takes some 40 ms a text).
Told = Callable[[int, int], None]
# Reads texts by token and texts whole: their vectors by text, and the token rows of the first.
Read = Callable[[Sequence[str], Sequence[str]], "tuple[dict[str, Sequence[float]], TokenVectors]"]
# The memo keeps the texts its last this many builds used: switching between a few corpora (data dirs, an edit
# undone) reads nothing again, and the memo cannot grow without end.
KEEP_BUILDS = 4
# Beside the arrays: the number of the memo's last build and the build each text was last used by.
STAMPS = "used.json"
# Models whose reading is kept (MiniLM's and the reader's, and a new version of either, which reads everything anew).
KEEP_MODELS = 4
# Maps kept: each set of written questions (or of their sentences) fits its own.
KEEP_MAPS = 4
# The whole-corpus memos an earlier version kept, which the memo by text supersedes.
SUPERSEDED = ("reader-vectors", "reader-tokens")
# Beside a model's memo: taken while it is read or rewritten, so another process (another data dir's ingest, a
# second chat) never reads one build's texts beside another's vectors.
LOCK = "memo.lock"
# Seconds to wait for another process's read or rewrite (a rewrite takes about a second): past it the memo is left
# alone, which costs reading the texts again, never a wrong vector.
LOCK_SECONDS = 30.0


@dataclass(frozen=True)
class ReadingMemo:
    """Where one model's reading of each text, and the maps fit on it, are kept: the reader's, or MiniLM's."""

    root: Path
    # Names the model whose reading is kept: its id, with its files' sizes and times (model_key).
    model: str

    def read(
        self, texts: Sequence[str], plain: Sequence[str], location: str, told: Told | None = None,
    ) -> tuple[dict[str, Sequence[float]], TokenVectors]:
        """Return each text's vector and token rows and each plain text's vector, reading only those not kept."""

        def read(tokened: Sequence[str], whole: Sequence[str]) -> tuple[dict[str, Sequence[float]], TokenVectors]:
            return read_texts(tokened, location, plain=whole, progress=told)

        return self._through(texts, plain, read, told)

    def vectors(self, texts: Sequence[str], embedder: Embedder) -> dict[str, Sequence[float]]:
        """Return each text's vector as the embedder makes it, embedding only those not kept."""

        def embed(_: Sequence[str], whole: Sequence[str]) -> tuple[dict[str, Sequence[float]], TokenVectors]:
            return (dict(zip(whole, embedder.embed(list(whole)))) if whole else {}), TokenVectors()

        return self._through((), texts, embed, None)[0]

    def _through(
        self, texts: Sequence[str], plain: Sequence[str], read: Read, told: Told | None,
    ) -> tuple[dict[str, Sequence[float]], TokenVectors]:
        """Return what read makes of the texts (by token) and the plain texts (whole), having it read only those not kept."""
        with held(self._lock, LOCK_SECONDS) as locked:
            kept = self._load() if locked else _Kept({}, {}, 0, {})
        tokened = set(texts)
        wanted = tokened | set(plain)
        fresh = sorted(t for t in tokened if t not in kept.vectors or t not in kept.tokens)
        fresh_plain = sorted(t for t in wanted - tokened if t not in kept.vectors)
        made: dict[str, Sequence[float]] = {}
        made_rows: Mapping[str, tuple] = {}
        if fresh or fresh_plain:
            if told is not None:
                told(0, len(fresh) + len(fresh_plain))
            made, rows = read(fresh, fresh_plain)
            made_rows = rows.known()
        # Copied out of the kept files, which saving replaces.
        vectors = {t: made[t] if t in made else _row(kept.vectors[t]) for t in wanted}
        tokens = {t: made_rows[t] if t in made_rows else _copied(kept.tokens[t]) for t in tokened}
        with held(self._lock, LOCK_SECONDS) as locked:
            if locked:
                # Another process may have kept more since this one looked: what it kept is kept too.
                self._save(vectors, tokens, kept if self._stamps()[0] == kept.build else self._load())
        return vectors, TokenVectors(tokens)

    def adapter(
        self, pairs: Sequence[tuple[str, str]], settings: AdapterSettings, width: int, fit: Callable[[], QueryAdapter | None],
    ) -> QueryAdapter | None:
        """Return the map fit on these pairs with these settings: kept, or fit now and kept."""
        key = saved_key(str(ADAPTER_VERSION), str(settings), json.dumps(sorted(pairs)))
        path = self.root / "maps" / self._model_folder / f"{key[:32]}.npy"
        matrix = kept_matrix(path, width)
        if matrix is not None and matrix.shape == (width, width):
            return QueryAdapter(matrix)
        made = fit()
        if made is not None:
            keep_matrix(path, made.matrix)
            forget_oldest(path.parent, KEEP_MAPS)
            forget_oldest(path.parent.parent, KEEP_MODELS)
        return made

    @property
    def _model_folder(self) -> str:
        return saved_key(self.model)[:16]

    @property
    def _base(self) -> Path:
        return self.root / "texts" / self._model_folder

    @property
    def _lock(self) -> Path:
        return self._base / LOCK

    @property
    def _fingerprint(self) -> str:
        return saved_key("reading by text", self.model)

    def _load(self) -> _Kept:
        vectors = SentenceVectors.load(self._base / "vectors", self._fingerprint)
        tokens = TokenVectors.load(self._base / "tokens", self._fingerprint)
        build, used = self._stamps()
        return _Kept(
            dict(vectors.known()) if vectors is not None else {}, dict(tokens.known()) if tokens is not None else {},
            build, used,
        )

    def _stamps(self) -> tuple[int, dict[str, int]]:
        """Return the number of the memo's last build and the build each text was last used by (0 and none if unreadable)."""
        try:
            stamps = json.loads((self._base / STAMPS).read_text("utf-8"))
            return int(stamps["build"]), {t: n for t, n in dict(stamps["used"]).items() if isinstance(n, int)}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return 0, {}

    def _save(self, vectors: dict, tokens: dict, kept: _Kept) -> None:
        """Keep this build's reading with what the last KEEP_BUILDS builds used; rewrite the arrays only if that changed."""
        build = kept.build + 1
        # A text kept without a stamp (its stamps lost) counts as used by the last build.
        older = {
            t for t in kept.vectors.keys() - vectors.keys() if kept.used.get(t, kept.build) > build - KEEP_BUILDS
        }
        stamps = {**{t: kept.used.get(t, kept.build) for t in older}, **{t: build for t in vectors}}
        try:
            if set(stamps) != set(kept.vectors) or set(tokens) - set(kept.tokens):
                all_vectors = {**{t: _row(kept.vectors[t]) for t in older}, **vectors}
                all_tokens = {**{t: _copied(kept.tokens[t]) for t in older if t in kept.tokens}, **tokens}
                SentenceVectors(all_vectors).save(self._base / "vectors", self._fingerprint)
                TokenVectors(all_tokens).save(self._base / "tokens", self._fingerprint)
            partial = self._base / f"{STAMPS}.partial"
            partial.write_text(json.dumps({"build": build, "used": stamps}, ensure_ascii=False), "utf-8")
            partial.replace(self._base / STAMPS)
            forget_oldest(self._base.parent, KEEP_MODELS)
        except OSError:
            pass  # A read-only cache only costs reading the texts again next time.


@dataclass(frozen=True)
class _Kept:
    """What the memo holds: vectors and token rows by text, the number of its last build, and the build each text was last used by."""

    vectors: dict
    tokens: dict
    build: int
    used: dict[str, int]


def _row(row):
    import numpy as np

    return np.array(row, dtype=np.float32)


def _copied(rows: tuple) -> tuple:
    import numpy as np

    return tuple(np.array(part) for part in rows)


def model_key(model_id: str, location: str | Path) -> str:
    """Return what names a model's reading: its id, and its files' sizes and times when it is a folder of them.

    A model retrained in place keeps its id (the folder's path) but reads anew.
    """
    folder = Path(location)
    try:
        files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
        stamps = [(str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns) for p in files]
    except OSError:
        stamps = []
    return saved_key(model_id, json.dumps(stamps)) if stamps else model_id


def forget_superseded(root: Path) -> None:
    """Remove the whole-corpus memos an earlier version kept beside the model."""
    for name in SUPERSEDED:
        shutil.rmtree(root / name, ignore_errors=True)


def forget_oldest(folder: Path, keep: int) -> None:
    """Remove all but the newest ``keep`` entries (files or folders) of a cache folder."""
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    for stale in entries[keep:]:
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)

