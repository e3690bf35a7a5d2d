"""Open the index for searching, building it first when it is missing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from companion.asked import AskedQuestions, load_asked
from companion.config import Settings
from companion.errors import ConfigError, ModelError
from companion.policy import POLICY, Policy
from companion.retrieval.adapter import AdapterSettings
from companion.retrieval.embedder import SentenceTransformerEmbedder
from companion.retrieval.ingest import IngestProgress, IngestReport, ingest
from companion.retrieval.lexical import LexicalSearcher
from companion.retrieval.read_memo import ReadingMemo, Told, forget_superseded, model_key
from companion.retrieval.rerank import ReadingSearcher
from companion.retrieval.saved import saved_key
from companion.retrieval.search import DenseSearcher, HybridSearcher, Searcher
from companion.retrieval.sentence_vectors import SentenceVectors, asked_pairs, taught_map
from companion.retrieval.sentences import Reader
from companion.retrieval.units import embedding_text, units
from companion.retrieval.tokens import TokenVectors, read_texts
from companion.retrieval.connect import open_client
from companion.retrieval.store import PassageStore
from companion.types import Passage

if TYPE_CHECKING:
    from companion.retrieval.reader import ReaderEmbedder

# Says what a long wait is for (the CLI prints it, the chat shows it as its status).
Status = Callable[[str], None]


@dataclass(frozen=True)
class Retrieval:
    """The opened index and the way to search it."""

    store: PassageStore
    searcher: Searcher
    built: IngestReport | None
    notices: tuple[str, ...] = ()
    # The passages' sentences embedded once for choosing quotes, saved beside the index.
    sentences: SentenceVectors | None = None
    # The stronger model reading those sentences for the quote ranker; None when its packages are missing or the
    # corpus is past Policy.reader_passages.
    reader: Reader | None = None
    # The search before the quote ranker reorders it (the ranker is fit on its order); searcher itself when nothing
    # reorders.
    first: Searcher | None = None

    @property
    def first_search(self) -> Searcher:
        """Return the search whose order the quote ranker reads, before it reorders anything."""
        return self.first or self.searcher


def open_store(
    settings: Settings, notices: list[str] | None = None
) -> tuple[PassageStore, SentenceTransformerEmbedder]:
    """Open the store bound to the configured embedding model."""
    embedder = SentenceTransformerEmbedder(settings.embedding_model)
    client = open_client(settings.data_dir, settings.chroma_url, notices)
    return PassageStore(client, embedder.model_id), embedder


def run_ingest(
    settings: Settings, progress: IngestProgress | None = None, notices: list[str] | None = None,
    status: Status | None = None,
) -> IngestReport:
    """Bring the index, and the saved BM25 index beside it, in line with the corpus."""
    store, embedder = open_store(settings, notices)
    # Read first: a bad questions file stops the ingest before it changes the index, as a bad essay does.
    asked = load_asked(settings.corpus_dir)
    report = ingest(settings.corpus_dir, store, embedder, progress)
    # Loading checks the saved BM25 files, so an ingest also repairs one that was damaged.
    open_lexical(settings, store)
    open_sentences(settings, store, embedder, asked)
    open_reader(settings, store, notices, status, asked=asked)
    unasked = sorted(set(report.embedded + report.unchanged) - asked.essays)
    if unasked and notices is not None:
        notices.append(
            f"No questions are written for {', '.join(unasked)} (questions/<essay id>.jsonl in the corpus): "
            "their sentences are found by their own words alone, which answers fewer questions. `companion "
            "write-questions ESSAY_ID --backend NAME` has a model that writes freely write them (corpus/README.md)."
        )
    return report


RETRIEVERS = ("hybrid", "hybrid-rrf", "dense", "bm25")


def query_embedder(settings: Settings, reference: SentenceTransformerEmbedder):
    """Embed questions with the torch-free path when the model allows it, else with the reference model."""
    from companion.retrieval.light import LightEmbedder

    if LightEmbedder.usable(settings.embedding_model):
        return LightEmbedder(settings.embedding_model)
    return reference


def index_fingerprint(store: PassageStore) -> str:
    """Return a digest that changes whenever the stored passages do."""
    # Every write renews the store's revision; an index built before revisions is named by its essays'
    # hashes, which means reading every passage's metadata (seconds at 100k passages).
    named = store.revision() or sorted((k, sorted(v)) for k, v in store.essay_hashes().items())
    return hashlib.sha256(json.dumps([store.count(), named]).encode("utf-8")).hexdigest()


def open_lexical(settings: Settings, store: PassageStore, rebuild: bool = False) -> LexicalSearcher:
    """Load the saved BM25 index when it matches the store, else build it from the stored passages and save it."""
    folder = settings.data_dir / "bm25"
    digest = index_fingerprint(store)
    loaded = None if rebuild else LexicalSearcher.load(folder, digest, store.passages)
    if loaded is not None:
        return loaded
    built = LexicalSearcher.from_passages(store.all_passages(), store.passages)
    _save(built, folder, digest)
    return built


def open_sentences(
    settings: Settings, store: PassageStore, embedder: SentenceTransformerEmbedder, asked: AskedQuestions | None = None,
    policy: Policy = POLICY,
) -> SentenceVectors:
    """Load the saved sentence vectors when they match the store, model and written questions, else embed and save them.

    The map the written questions teach (retrieval/adapter.py) is fit with them and kept in the same folder.
    """
    folder = settings.data_dir / "sentences"
    asked = asked if asked is not None else load_asked(settings.corpus_dir)
    adapting = adapter_settings(policy)
    digest = saved_key(index_fingerprint(store), embedder.model_id, asked.digest, str(adapting))
    loaded = SentenceVectors.load(folder, digest, asked)
    if loaded is not None:
        return loaded
    from companion.retrieval.reader import cache_root

    # Batched through the reference model: some 10 s once, where a question would embed them one by one; kept by text
    # beside the models, so an edited essay has only its changed sentences embedded again.
    memo = ReadingMemo(cache_root(), model_key(embedder.model_id, embedder.location))
    built = SentenceVectors.build(store.all_passages(), embedder, asked, adapting, memo)
    _save(built, folder, digest)
    return built


def adapter_settings(policy: Policy = POLICY) -> AdapterSettings:
    """Return how the policy says the question map is fit."""
    return AdapterSettings(policy.adapter_steps, policy.adapter_rate, policy.adapter_sharpness, policy.adapter_pull)


def open_reader(
    settings: Settings, store: PassageStore, notices: list[str] | None = None, status: Status | None = None,
    policy: Policy = POLICY, asked: AskedQuestions | None = None,
) -> Reader | None:
    """Open the reader model and its saved sentence vectors, embedding every sentence with it when they are stale.

    The map the written questions teach is fit in the reader's space too (retrieval/adapter.py), kept with its vectors.
    """
    from companion.retrieval.reader import cache_root, open_reader_model

    count = store.count()
    if count > policy.reader_passages:
        if notices is not None:
            notices.append(
                f"Quotes are chosen without the reader model: reading the sentences of {count} passages "
                f"once would take too long (it reads up to {policy.reader_passages}; Policy.reader_passages)."
            )
        return None
    try:
        questions = open_reader_model()
    except ModelError as exc:
        if notices is not None:
            notices.append(f"Quotes are chosen without the reader model: {exc}")
        return None
    folders = settings.data_dir / "reader", settings.data_dir / "reader-tokens"
    asked = asked if asked is not None else load_asked(settings.corpus_dir)
    # The map is fit on these questions in this way: a change to either makes the saved one stale.
    taught = f"{asked.digest}\0{adapter_settings(policy)}"
    digest = saved_key(index_fingerprint(store), questions.model_id, taught)
    loaded = _load_read(folders, digest)
    if loaded is None:
        root = cache_root()
        forget_superseded(root)
        memo = ReadingMemo(root, model_key(questions.model_id, questions.location))
        loaded = _read_all(store.all_passages(), questions, asked, policy, memo, _tenths(status))
        for built, folder in zip(loaded, folders):
            _save(built, folder, digest)
    return Reader(questions, *loaded)


def _tenths(status: Status | None) -> Told | None:
    """Return what says how the reader's pass goes: at its start and at each tenth, as it takes about a minute."""
    if status is None:
        return None
    said = -1

    def told(done: int, total: int) -> None:
        nonlocal said
        tenth = 10 * done // max(total, 1)
        if tenth <= said:
            return
        said = tenth
        if done == 0:
            texts = "1 text" if total == 1 else f"{total:,} texts"
            status(f"reading {texts} it has not read before with the reader model (sentences, written questions)…")
        else:
            status(f"reading with the reader model: {done:,}/{total:,}…")

    return told


def _read_all(
    passages: Sequence[Passage], model: ReaderEmbedder, asked: AskedQuestions, policy: Policy,
    memo: ReadingMemo | None = None, told: Told | None = None,
) -> tuple[SentenceVectors, TokenVectors]:
    """Read every sentence with the reader model, whole and by token, and fit its map on the written questions.

    With a memo, texts it keeps are not read again, and a map it keeps for the same pairs is not fit again.
    """
    pairs = asked_pairs(passages, asked)
    texts = [embedding_text(p, u) for p in passages for u in units(p)]
    plain = sorted({text for pair in pairs for text in pair})
    if memo is None:
        vectors, tokens = read_texts(texts, str(model.location), plain=plain)
    else:
        vectors, tokens = memo.read(texts, plain, str(model.location), told)
    adapter = taught_map(vectors, pairs, adapter_settings(policy), model, memo)
    return SentenceVectors(vectors, adapter=adapter), tokens


def _load_read(folders: tuple[Path, Path], digest: str) -> tuple[SentenceVectors, TokenVectors] | None:
    """Load the reader's saved sentence vectors and token rows, or None unless both are there and current."""
    vectors = SentenceVectors.load(folders[0], digest)
    tokens = TokenVectors.load(folders[1], digest) if vectors is not None else None
    return None if tokens is None else (vectors, tokens)


def _save(built: LexicalSearcher | SentenceVectors | TokenVectors, folder: Path, digest: str) -> None:
    try:
        built.save(folder, digest)
    except OSError:
        pass  # An unwritable folder only costs the rebuild next time.


def open_retrieval(
    settings: Settings, progress: IngestProgress | None = None, retriever: str = "hybrid", status: Status | None = None,
    policy: Policy = POLICY,
) -> Retrieval:
    """Open the index, ingesting the corpus first if the index is empty."""
    if retriever not in RETRIEVERS:
        raise ConfigError(f"Unknown retriever {retriever!r}: choose one of {', '.join(RETRIEVERS)}.")
    notices: list[str] = []
    store, embedder = open_store(settings, notices)
    asked = load_asked(settings.corpus_dir)
    built = ingest(settings.corpus_dir, store, embedder, progress) if store.count() == 0 else None
    questions = query_embedder(settings, embedder)
    if questions is embedder:
        notices.append(
            "Questions are embedded with the full model (a slower start): the quick torch-free path runs "
            "mean-pooled BERT models such as all-MiniLM-L6-v2 only."
        )
    dense = DenseSearcher(store, questions)
    sentences = open_sentences(settings, store, embedder, asked, policy)
    reader = open_reader(settings, store, notices, status, policy, asked)
    if retriever == "dense":
        return Retrieval(store, dense, built, tuple(notices), sentences, reader)
    lexical = open_lexical(settings, store, rebuild=built is not None)
    if retriever == "bm25":
        return Retrieval(store, lexical, built, tuple(notices), sentences, reader)
    fused = HybridSearcher(dense, lexical, "rrf" if retriever == "hybrid-rrf" else "score")
    # The passages are put in the order of their likeliest answering sentence: the ranker reads both scores the
    # hybrid search keeps, so dense and BM25 alone keep their own order.
    searcher = ReadingSearcher(fused, sentences, policy.ranker(reader is not None), policy.sentence_depth, reader)
    return Retrieval(store, searcher, built, tuple(notices), sentences, reader, first=fused)
