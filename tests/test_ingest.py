"""Ingest into a real ChromaDB with the real MiniLM model: ids, incremental updates, rebuilds."""

from __future__ import annotations

import pytest

from companion.corpus import load_corpus
from companion.errors import CorpusError
from companion.passages import essay_passages
from companion.retrieval.embedder import SentenceTransformerEmbedder
from companion.retrieval.ingest import ingest
from companion.retrieval.connect import open_client
from companion.retrieval.store import PassageStore
from tests.conftest import CORPUS


class Counting:
    """The real embedder, counting how many texts it was asked to embed."""

    def __init__(self, inner: SentenceTransformerEmbedder, model_id: str | None = None) -> None:
        self.inner = inner
        self.model_id = model_id or inner.model_id
        self.texts = 0

    def embed(self, texts, progress=None):
        self.texts += len(texts)
        return self.inner.embed(texts, progress)


def store_at(path, model_id):
    return PassageStore(open_client(path), model_id)


def test_ingest_is_incremental_and_never_duplicates(tmp_path, corpus_copy, embedder):
    expected = sorted(p.id for e in load_corpus(corpus_copy) for p in essay_passages(e))
    counting = Counting(embedder)
    progress = []
    report = ingest(corpus_copy, store_at(tmp_path, embedder.model_id), counting, lambda d, t, _: progress.append((d, t)))
    assert report.passages == len(expected) == counting.texts
    assert sorted(store_at(tmp_path, embedder.model_id).ids()) == expected
    assert progress[-1] == (len(expected), len(expected))

    again = Counting(embedder)
    report = ingest(corpus_copy, store_at(tmp_path, embedder.model_id), again)
    assert again.texts == 0
    assert report.embedded == () and len(report.unchanged) == 5
    assert sorted(store_at(tmp_path, embedder.model_id).ids()) == expected

    essay_path = corpus_copy / "her-2013.md"
    essay_path.write_text(essay_path.read_text("utf-8") + "\nA new closing paragraph about the ending and the rooftop.\n", "utf-8")
    changed = Counting(embedder)
    report = ingest(corpus_copy, store_at(tmp_path, embedder.model_id), changed)
    assert report.embedded == ("her-2013",)
    assert changed.texts == len(essay_passages(next(e for e in load_corpus(corpus_copy) if e.id == "her-2013")))

    (corpus_copy / "techno-lonely.md").unlink()
    report = ingest(corpus_copy, store_at(tmp_path, embedder.model_id), Counting(embedder))
    assert report.removed == ("techno-lonely",)
    assert not [i for i in store_at(tmp_path, embedder.model_id).ids() if i.startswith("techno-lonely:")]


def test_a_new_embedding_model_rebuilds_the_index(tmp_path, corpus_copy, embedder):
    ingest(corpus_copy, store_at(tmp_path, embedder.model_id), embedder)
    other = Counting(embedder, model_id="another-model")
    store = store_at(tmp_path, "another-model")
    report = ingest(corpus_copy, store, other)
    assert report.rebuilt
    assert other.texts == report.passages == store.count()


def test_a_bad_file_stops_ingest_before_anything_changes(tmp_path, corpus_copy, embedder):
    ingest(corpus_copy, store_at(tmp_path, embedder.model_id), embedder)
    before = sorted(store_at(tmp_path, embedder.model_id).ids())
    (corpus_copy / "her-2013.md").write_text("no header at all\n", "utf-8")
    (corpus_copy / "broken.md").write_bytes(b"\x89PNG\r\n")
    with pytest.raises(CorpusError, match="broken.md: is not UTF-8"):
        ingest(corpus_copy, store_at(tmp_path, embedder.model_id), embedder)
    assert sorted(store_at(tmp_path, embedder.model_id).ids()) == before


def test_an_oversized_essay_stops_ingest_before_anything_is_embedded(tmp_path, corpus_copy, embedder):
    with (corpus_copy / "dump.md").open("wb") as dump:
        dump.truncate(20_000_000)
    counting = Counting(embedder)
    with pytest.raises(CorpusError, match="dump.md: is larger than 1 MB, the limit for one essay"):
        ingest(corpus_copy, store_at(tmp_path, embedder.model_id), counting)
    assert counting.texts == 0 and store_at(tmp_path, embedder.model_id).count() == 0


def test_progress_is_told_before_the_first_batch_is_embedded(tmp_path, corpus_copy, embedder):
    for path in corpus_copy.glob("*.md"):
        if path.name not in ("README.md", "her-2013.md", "sad-in-the-best-way.md"):
            path.unlink()
    counting = Counting(embedder)
    seen = []
    ingest(corpus_copy, store_at(tmp_path, embedder.model_id), counting,
           lambda done, total, _: seen.append((done, total, counting.texts)))
    total = seen[-1][1]
    assert seen[0] == (0, total, 0) and seen[-1][0] == total
    assert [done for done, _, _ in seen] == sorted(done for done, _, _ in seen)


def test_every_write_renews_the_revision_and_keeps_cosine_space(tmp_path, corpus_copy, embedder):
    store = store_at(tmp_path, embedder.model_id)
    assert store.revision() is None
    ingest(corpus_copy, store, embedder)
    first = store.revision()
    assert first
    ingest(corpus_copy, store, embedder)
    assert store.revision() == first  # nothing changed, nothing written
    (corpus_copy / "her-2013.md").unlink()
    ingest(corpus_copy, store, embedder)
    assert store.revision() not in (None, first)
    assert store_at(tmp_path, embedder.model_id).revision() == store.revision()
    (vector,) = embedder.embed(["Theodore on the roof at dawn"])
    (hit,) = store.query([2 * x for x in vector], 1)
    assert hit.score == pytest.approx(store.query(vector, 1)[0].score)  # cosine ignores length; L2 would not


def test_stored_passages_round_trip(retrieval):
    stored = {p.id: p for p in retrieval.store.all_passages()}
    expected = [p for essay in load_corpus(CORPUS) for p in essay_passages(essay)]
    assert sorted(stored) == sorted(p.id for p in expected)
    for passage in expected:
        assert stored[passage.id] == passage


def test_bm25_is_saved_and_rebuilt_when_the_corpus_changes(tmp_path, corpus_copy, embedder, monkeypatch):
    from companion.config import load_settings
    from companion.retrieval.lexical import LexicalSearcher
    from companion.retrieval.service import open_retrieval

    settings = load_settings(data_dir=tmp_path, corpus_dir=corpus_copy)
    first = open_retrieval(settings)
    assert (tmp_path / "bm25" / "manifest.json").is_file()
    built = []
    original = LexicalSearcher.from_passages.__func__
    monkeypatch.setattr(LexicalSearcher, "from_passages",
                        classmethod(lambda cls, *a, **k: built.append(1) or original(cls, *a, **k)))
    # The revision names the stored passages, so a matching BM25 index loads without reading them all.
    with monkeypatch.context() as patch:
        patch.setattr(PassageStore, "essay_hashes", lambda self: pytest.fail("read every passage's metadata"))
        again = open_retrieval(settings)
    assert built == [] and again.searcher.search("mustache trousers", 1)[0].passage.essay_id == "techno-lonely"
    assert len(again.searcher.inner.lexical.ids) == first.store.count()
    essay = corpus_copy / "her-2013.md"
    essay.write_text(essay.read_text("utf-8") + "\nA new paragraph about a zeppelin.\n", "utf-8")
    ingest(corpus_copy, first.store, embedder)
    changed = open_retrieval(settings)
    assert built == [1] and changed.searcher.inner.lexical.search("zeppelin", 1)


def test_the_note_on_the_writers_is_stored_as_a_note_and_a_new_note_re_embeds_its_essay(tmp_path, corpus_copy, embedder):
    ingest(corpus_copy, store_at(tmp_path, embedder.model_id), embedder)
    store = store_at(tmp_path, embedder.model_id)
    (note,) = store.passages(["shared-experience:note"])
    assert note.note and note.text.startswith("Usually a photographer")
    assert not any(p.note for p in store.passages(["shared-experience:1"]))
    essay_path = corpus_copy / "shared-experience.md"
    essay_path.write_text(essay_path.read_text("utf-8").replace("Usually a photographer", "Mostly a photographer"), "utf-8")
    changed = Counting(embedder)
    report = ingest(corpus_copy, store_at(tmp_path, embedder.model_id), changed)
    assert report.embedded == ("shared-experience",)
    (note,) = store_at(tmp_path, embedder.model_id).passages(["shared-experience:note"])
    assert note.text.startswith("Mostly a photographer")
