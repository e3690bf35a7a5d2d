"""The reader's reading kept by text: an edited or another corpus reads only what it has new, and a kept map is not refit."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from companion.asked import QUESTIONS_DIR
from companion.retrieval import read_memo
from companion.retrieval.adapter import AdapterSettings, QueryAdapter
from companion.retrieval.read_memo import KEEP_BUILDS, KEEP_MAPS, ReadingMemo, forget_oldest, model_key
from companion.retrieval.reader import reader_model_dir
from companion.retrieval.tokens import read_texts
from tests.fakes import BagOfWords

SENTENCES = ["Theodore writes letters for strangers.", "Samantha names herself from a book.", "Amy makes a documentary."]
QUESTIONS = ["what is theodore's job?", "how does samantha get her name?"]


@pytest.fixture(scope="module")
def model_dir() -> Path:
    return reader_model_dir()


@pytest.fixture
def counted(monkeypatch) -> list[tuple[list[str], list[str]]]:
    """Record what the memo has the reader model read: (texts read by token, texts read whole)."""
    calls: list[tuple[list[str], list[str]]] = []

    def counting(texts, location, batch_size=32, plain=(), progress=None):
        calls.append((sorted(texts), sorted(plain)))
        return read_texts(texts, location, batch_size, plain, progress)

    monkeypatch.setattr(read_memo, "read_texts", counting)
    return calls


def test_what_the_memo_gives_back_is_what_reading_gives(tmp_path, model_dir, counted):
    memo = ReadingMemo(tmp_path, "reader==1")
    vectors, tokens = memo.read(SENTENCES, QUESTIONS, str(model_dir))
    again, again_tokens = ReadingMemo(tmp_path, "reader==1").read(SENTENCES, QUESTIONS, str(model_dir))
    fresh, fresh_tokens = read_texts(SENTENCES, str(model_dir), plain=QUESTIONS)
    assert len(counted) == 1, "the second build read nothing"
    assert sorted(again) == sorted(fresh) == sorted(SENTENCES + QUESTIONS)
    for text in fresh:
        assert np.allclose(again[text], fresh[text], atol=1e-6) and np.allclose(vectors[text], fresh[text], atol=1e-6)
    assert sorted(again_tokens.known()) == sorted(fresh_tokens.known()) == sorted(SENTENCES)
    for text, (codes, scales) in fresh_tokens.known().items():
        kept_codes, kept_scales = again_tokens.known()[text]
        assert np.abs(kept_codes.astype(int) - codes.astype(int)).max() <= 1 and np.allclose(kept_scales, scales, rtol=1e-5)


def test_only_new_texts_are_read(tmp_path, model_dir, counted):
    memo = ReadingMemo(tmp_path, "reader==1")
    memo.read(SENTENCES, QUESTIONS, str(model_dir))
    edited = [*SENTENCES[:2], "Amy makes a documentary about her mother."]
    memo.read(edited, QUESTIONS, str(model_dir))
    assert counted[-1] == (["Amy makes a documentary about her mother."], [])
    # A text kept as a whole question is read again by token when a sentence says it; one kept by token is not read whole.
    memo.read([QUESTIONS[0]], [SENTENCES[0]], str(model_dir))
    assert counted[-1] == ([QUESTIONS[0]], [])
    # Another model's reading is its own.
    ReadingMemo(tmp_path, "reader==2").read(SENTENCES[:1], [], str(model_dir))
    assert counted[-1] == (SENTENCES[:1], [])


def test_the_memo_keeps_what_its_last_builds_used(tmp_path, model_dir, counted):
    memo = ReadingMemo(tmp_path, "reader==1")
    names = [f"Sentence number {n}." for n in range(KEEP_BUILDS + 1)]
    for name in names:
        memo.read([name], [], str(model_dir))
    memo.read(names[:2], [], str(model_dir))
    # The first build's text was used more than KEEP_BUILDS builds ago; the second's was not.
    assert counted[-1] == ([names[0]], [])


@pytest.mark.parametrize("damage", ["stamps", "vectors", "tokens"])
def test_a_damaged_memo_is_read_again_and_mended(tmp_path, model_dir, counted, damage):
    memo = ReadingMemo(tmp_path, "reader==1")
    memo.read(SENTENCES, QUESTIONS, str(model_dir))
    base = next((tmp_path / "texts").iterdir())
    target = {"stamps": base / "used.json", "vectors": base / "vectors" / "vectors.npy", "tokens": base / "tokens" / "codes.npy"}
    target[damage].write_bytes(b"\x00garbage")
    vectors, tokens = memo.read(SENTENCES, QUESTIONS, str(model_dir))
    assert sorted(vectors) == sorted(SENTENCES + QUESTIONS) and sorted(tokens.known()) == sorted(SENTENCES)
    # Lost stamps lose nothing; a damaged array is read again, once.
    assert len(counted) == (1 if damage == "stamps" else 2)
    memo.read(SENTENCES, QUESTIONS, str(model_dir))
    assert len(counted) == (1 if damage == "stamps" else 2)


def test_an_unwritable_memo_still_reads(tmp_path, model_dir, counted):
    (tmp_path / "texts").write_text("a file where the memo's folder goes")
    vectors, tokens = ReadingMemo(tmp_path, "reader==1").read(SENTENCES, [], str(model_dir))
    assert sorted(vectors) == sorted(SENTENCES) and len(tokens) == len(SENTENCES)


def test_a_map_is_fit_once_for_the_same_pairs_and_settings(tmp_path):
    memo = ReadingMemo(tmp_path, "reader==1")
    settings = AdapterSettings(steps=10, rate=0.01, sharpness=20.0, pull=0.1)
    pairs = [("what is theodore's job?", SENTENCES[0]), ("how does samantha get her name?", SENTENCES[1])]
    fits: list[int] = []

    def fit(seed: int):
        def made() -> QueryAdapter:
            fits.append(seed)
            return QueryAdapter(np.eye(4, dtype=np.float32) * seed)
        return made

    first = memo.adapter(pairs, settings, 4, fit(1))
    kept = memo.adapter(list(reversed(pairs)), settings, 4, fit(2))
    assert fits == [1] and np.array_equal(kept.matrix, first.matrix)
    assert np.array_equal(memo.adapter(pairs, AdapterSettings(11, 0.01, 20.0, 0.1), 4, fit(3)).matrix, np.eye(4) * 3)
    assert np.array_equal(memo.adapter(pairs[:1], settings, 4, fit(4)).matrix, np.eye(4) * 4)
    # A kept map of another width (another model under the same name) is not used.
    assert memo.adapter(pairs, settings, 5, lambda: None) is None
    assert fits == [1, 3, 4]


def test_vectors_alone_are_kept_for_a_model_that_reads_whole(tmp_path):
    embedded: list[str] = []

    class Counting(BagOfWords):
        def embed(self, texts, progress=None):
            embedded.extend(texts)
            return super().embed(texts, progress)

    memo = ReadingMemo(tmp_path, Counting.model_id)
    first = memo.vectors(SENTENCES, Counting())
    again = ReadingMemo(tmp_path, Counting.model_id).vectors([*SENTENCES[1:], *QUESTIONS], Counting())
    assert embedded == [*sorted(SENTENCES), *sorted(QUESTIONS)]
    assert np.allclose(again[SENTENCES[1]], first[SENTENCES[1]]) and sorted(again) == sorted([*SENTENCES[1:], *QUESTIONS])
    assert np.allclose(again[QUESTIONS[0]], BagOfWords().embed(QUESTIONS[:1])[0])


def test_the_readers_pass_is_told_at_its_start_and_each_tenth():
    from companion.retrieval.service import _tenths

    said: list[str] = []
    told = _tenths(said.append)
    for done in (0, 5, 10, 15, 99, 100):
        told(done, 100)
    assert said == [
        "reading 100 texts it has not read before with the reader model (sentences, written questions)…",
        "reading with the reader model: 10/100…",
        "reading with the reader model: 99/100…",
        "reading with the reader model: 100/100…",
    ]
    assert _tenths(None) is None


def test_a_model_retrained_in_place_reads_anew(tmp_path):
    import os

    folder = tmp_path / "my-model"
    folder.mkdir()
    weights = folder / "model.safetensors"
    weights.write_bytes(b"first weights")
    first = model_key(str(folder), folder)
    assert model_key(str(folder), folder) == first
    weights.write_bytes(b"second weights, retrained")
    os.utime(weights, ns=(1, 1))
    assert model_key(str(folder), folder) != first
    # A model named rather than found in a folder is named by its id alone.
    assert model_key("sentence-transformers/all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2") == (
        "sentence-transformers/all-MiniLM-L6-v2"
    )


def test_the_cache_keeps_the_newest_entries_files_or_folders(tmp_path):
    import os

    for age in range(KEEP_MAPS + 2):
        entry = tmp_path / f"entry-{age}"
        entry.mkdir() if age % 2 else entry.write_text("a kept map")
        os.utime(entry, (1_000_000 - age, 1_000_000 - age))
    forget_oldest(tmp_path, keep=KEEP_MAPS)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"entry-{age}" for age in range(KEEP_MAPS)]


ESSAY = """---
id: letters
title: "Letters"
---

Theodore writes intimate letters for strangers at a company downtown. The office is quiet and warm. {last}
"""


def _corpus(folder: Path, last: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "letters.md").write_text(ESSAY.format(last=last), "utf-8")
    (folder / QUESTIONS_DIR).mkdir(exist_ok=True)
    lines = [
        {"sentence": "Theodore writes intimate letters for strangers at a company downtown.", "questions": ["what is his job?"]},
        {"sentence": "The office is quiet and warm.", "questions": ["what is his workplace like?"]},
    ]
    (folder / QUESTIONS_DIR / "letters.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines), "utf-8")
    return folder


def test_an_edited_essay_is_read_again_only_where_it_changed(tmp_path, model_dir, counted, monkeypatch):
    from companion.config import load_settings
    from companion.retrieval.embedder import SentenceTransformerEmbedder
    from companion.retrieval.service import open_retrieval, run_ingest

    cache = tmp_path / "models"
    cache.mkdir()
    (cache / model_dir.parent.name).symlink_to(model_dir.parent, target_is_directory=True)
    monkeypatch.setenv("COMPANION_MODEL_CACHE", str(cache))
    (cache / "reader-vectors" / "an-old-memo").mkdir(parents=True)
    corpus = _corpus(tmp_path / "corpus", "Amy lives upstairs.")
    settings = load_settings(data_dir=tmp_path / "data", corpus_dir=corpus)
    told: list[str] = []
    run_ingest(settings, status=told.append)
    assert any("texts it has not read before with the reader model" in t for t in told)
    total = int(told[0].split()[1])
    assert told[-1] == f"reading with the reader model: {total}/{total}…", "the pass says when it is done"
    assert not (cache / "reader-vectors").exists(), "the whole-corpus memo an older version kept is removed"
    maps = {str(p): p.stat().st_mtime_ns for p in (cache / "maps").rglob("*.npy")}
    assert len(maps) == 2, "MiniLM's map and the reader's"
    embedded: list[str] = []
    embed = SentenceTransformerEmbedder.embed
    monkeypatch.setattr(
        SentenceTransformerEmbedder, "embed", lambda self, texts, *a, **k: embedded.extend(texts) or embed(self, texts, *a, **k)
    )
    _corpus(corpus, "Amy lives upstairs with Charles.")
    told.clear()
    run_ingest(settings, status=told.append)
    assert "reading 1 text it has not read before" in "".join(told)
    # MiniLM embeds the edited passage, and of the sentences and questions only the edited sentence.
    assert len(embedded) == 2 and all("Charles" in text for text in embedded)
    (read, whole) = counted[-1]
    assert len(counted) == 2 and whole == [] and len(read) == 1 and "Charles" in read[0]
    kept = {str(p): p.stat().st_mtime_ns for p in (cache / "maps").rglob("*.npy")}
    assert kept == maps, "the written questions' sentences are unchanged, so their map is not fit again"
    # Another data dir holding the same essays reads nothing, and MiniLM embeds only its passage.
    embedded.clear()
    opened = open_retrieval(load_settings(data_dir=tmp_path / "other", corpus_dir=corpus))
    assert len(counted) == 2 and len(embedded) == 1
    assert opened.reader is not None and opened.reader.vectors.adapter is not None
    assert any("Charles" in text for text in opened.reader.tokens.known())


def _locked_elsewhere(lock: Path) -> bool:
    """Tell whether another holder has the lock file: a second open of it cannot take it."""
    import fcntl
    import os

    descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)
    return False


def test_the_memo_is_rewritten_only_under_its_lock(tmp_path, model_dir, counted, monkeypatch):
    memo = ReadingMemo(tmp_path, "reader==1")
    lock = memo._lock
    held_while_saving = []
    saving = read_memo.SentenceVectors.save

    def save(self, folder, fingerprint):
        held_while_saving.append(_locked_elsewhere(lock))
        saving(self, folder, fingerprint)

    monkeypatch.setattr(read_memo.SentenceVectors, "save", save)
    memo.read(SENTENCES, QUESTIONS, str(model_dir))
    assert held_while_saving == [True]
    assert not _locked_elsewhere(lock), "the lock is let go after"


def test_a_memo_another_process_holds_too_long_is_left_alone(tmp_path, model_dir, counted, monkeypatch):
    import fcntl
    import os

    memo = ReadingMemo(tmp_path, "reader==1")
    memo.read(SENTENCES[:1], [], str(model_dir))
    monkeypatch.setattr(read_memo, "LOCK_SECONDS", 0.2)
    descriptor = os.open(memo._lock, os.O_RDWR)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    try:
        vectors, tokens = memo.read(SENTENCES, [], str(model_dir))
    finally:
        os.close(descriptor)
    # Every text read, none taken from the memo it could not lock, and nothing written to it.
    assert sorted(vectors) == sorted(SENTENCES) and len(tokens) == len(SENTENCES)
    assert counted[-1] == (sorted(SENTENCES), [])
    memo.read(SENTENCES, [], str(model_dir))
    assert counted[-1] == (sorted(SENTENCES[1:]), [])


def test_what_another_process_kept_meanwhile_is_kept_too(tmp_path, model_dir, counted, monkeypatch):
    reading = read_memo.read_texts
    other = []

    def meanwhile(texts, location, batch_size=32, plain=(), progress=None):
        if not other:
            other.append(location)
            # While this build reads, another (another data dir's) keeps a text of its own.
            ReadingMemo(tmp_path, "reader==1").read([QUESTIONS[0]], [], location)
        return reading(texts, location, batch_size, plain, progress)

    monkeypatch.setattr(read_memo, "read_texts", meanwhile)
    ReadingMemo(tmp_path, "reader==1").read(SENTENCES, [], str(model_dir))
    monkeypatch.setattr(read_memo, "read_texts", reading)
    assert counted == [([QUESTIONS[0]], []), (sorted(SENTENCES), [])]
    ReadingMemo(tmp_path, "reader==1").read([*SENTENCES, QUESTIONS[0]], [], str(model_dir))
    assert len(counted) == 2, "both builds' texts were kept"
