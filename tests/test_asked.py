"""The questions written for the essays' sentences: read and checked, and a sentence met by the closest one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from companion.asked import QUESTIONS_DIR, AskedQuestions, load_asked
from companion.config import REPO_ROOT
from companion.corpus import load_corpus
from companion.errors import CorpusError
from companion.passages import essay_passages
from companion.retrieval.sentence_vectors import SentenceVectors
from companion.retrieval.sentences import FEATURES, READER_FEATURES, sentence_features
from companion.retrieval.units import units
from companion.types import Hit, Passage
from tests.fakes import BagOfWords

ESSAY = """---
id: letters
title: "Letters"
---

Theodore writes intimate letters for strangers at a company downtown. The office is quiet and warm.
"""


def _corpus(tmp_path: Path, *lines: object, name: str = "letters.jsonl") -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "letters.md").write_text(ESSAY, "utf-8")
    folder = tmp_path / QUESTIONS_DIR
    folder.mkdir()
    (folder / name).write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines), "utf-8")
    return tmp_path


def test_a_sentences_questions_are_found_by_its_words_whatever_the_spacing(tmp_path):
    corpus = _corpus(tmp_path, {"sentence": "The office is  quiet\nand warm.", "questions": ["what is his  workplace like?"]})
    asked = load_asked(corpus)
    assert asked.of("letters", "The office is quiet and warm.") == ("what is his workplace like?",)
    assert asked.of("letters", "Theodore writes intimate letters for strangers at a company downtown.") == ()
    assert asked.texts == ["what is his workplace like?"]


def test_a_corpus_without_the_folder_has_no_questions(tmp_path):
    (tmp_path / "letters.md").write_text(ESSAY, "utf-8")
    assert len(load_asked(tmp_path)) == 0


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("{not json", "line 2 is not JSON"),
        (["a list"], 'line 2 must be an object with "sentence" and "questions" only'),
        ({"sentence": "x", "questions": ["q"], "answer": "y"}, 'line 2 must be an object'),
        ({"sentence": " ", "questions": ["q"]}, '"sentence" must be'),
        ({"sentence": "x", "questions": "q"}, '"questions" must be a list'),
        ({"sentence": "x", "questions": ["q", ""]}, '"questions" must be a list'),
        ({"sentence": "x", "questions": [f"q{i}" for i in range(13)]}, "holds 13 questions"),
        ({"sentence": "x", "questions": ["q" * 301]}, "over 300 characters"),
    ],
)
def test_a_bad_line_is_refused_naming_the_file_and_line(tmp_path, line, problem):
    corpus = _corpus(tmp_path, {"sentence": "The office is quiet and warm.", "questions": ["q"]}, line)
    with pytest.raises(CorpusError) as caught:
        load_asked(corpus)
    assert caught.value.path == corpus / QUESTIONS_DIR / "letters.jsonl"
    assert problem in caught.value.problem


def test_a_file_named_for_no_essay_is_refused(tmp_path):
    corpus = _corpus(tmp_path, {"sentence": "x", "questions": ["q"]}, name="leters.jsonl")
    with pytest.raises(CorpusError, match="leters.jsonl: names no essay"):
        load_asked(corpus)


def test_a_sentence_written_twice_keeps_every_question(tmp_path):
    corpus = _corpus(tmp_path, {"sentence": "Yes.", "questions": ["a?", "b?"]}, {"sentence": "Yes.", "questions": ["b?", "c?"]})
    assert load_asked(corpus).of("letters", "Yes.") == ("a?", "b?", "c?")


def test_every_shipped_question_belongs_to_a_sentence_of_its_essay():
    essays = load_corpus(REPO_ROOT / "corpus")
    sentences = {(p.essay_id, p.text[u.start : u.end]) for e in essays for p in essay_passages(e) for u in units(p)}
    asked = load_asked(REPO_ROOT / "corpus")
    assert len(asked) > 400
    stale = [key for key in asked.by_sentence if key not in sentences]
    assert stale == [], "an essay was edited: write the edited sentences' questions again"


def _pool() -> list[Hit]:
    text = "Theodore writes intimate letters for strangers at a company downtown. The office is quiet and warm."
    passage = Passage(id="letters:1", essay_id="letters", n=1, title="Letters", author=None, text=text, start=0, end=len(text))
    return [Hit(passage=passage, rank=1, score=1.0, dense=0.5, lexical=1.0)]


def test_a_sentence_is_met_by_the_closest_question_written_for_it():
    embedder = BagOfWords()
    question = "where does he work?"
    asked = AskedQuestions({("letters", "The office is quiet and warm."): ("where does he work?", "is the office loud?")})
    plain_pool, plain = sentence_features(question, _pool(), embedder, SentenceVectors())
    pool, found = sentence_features(question, _pool(), embedder, SentenceVectors(asked=asked))
    column, gap = FEATURES.index("asked"), FEATURES.index("asked_gap")
    assert found.shape == (2, len(FEATURES) - READER_FEATURES)
    # Without questions anywhere, a sentence's column is its own cosine; written-for, the closest question's.
    assert plain[:, column].tolist() == pytest.approx(plain[:, FEATURES.index("cosine")].tolist())
    assert found[1, column] == pytest.approx(1.0)
    # Unwritten-for beside one written for, its own cosine lifted by as much as the other's question is closer.
    assert found[0, column] == pytest.approx(plain[0, column] + 1.0 - plain[1, column])
    assert found[0, column] > plain[0, column]
    assert found[:, gap].tolist() == pytest.approx([found[0, column] - 1.0, 0.0])
    assert [u.start for _, u in pool] == [u.start for _, u in plain_pool]


class _Refusing:
    """An embedder that fails if asked: what it is handed should have been embedded when the vectors were built."""

    def __init__(self, model_id: str) -> None:
        self.model_id = model_id

    def embed(self, texts, progress=None):
        raise AssertionError(f"embedded again: {list(texts)}")


def test_the_index_keeps_the_written_questions_and_rebuilds_when_they_change(tmp_path, embedder):
    from companion.config import load_settings
    from companion.retrieval.connect import open_client
    from companion.retrieval.ingest import ingest
    from companion.retrieval.service import open_sentences
    from companion.retrieval.store import PassageStore

    corpus = _corpus(tmp_path / "corpus", {"sentence": "The office is quiet and warm.", "questions": ["where does he work?"]})
    settings = load_settings(data_dir=tmp_path / "data", corpus_dir=corpus)
    store = PassageStore(open_client(settings.data_dir), embedder.model_id)
    ingest(corpus, store, embedder)
    built = open_sentences(settings, store, embedder)
    refusing = _Refusing(embedder.model_id)
    assert built.asked.of("letters", "The office is quiet and warm.") == ("where does he work?",)
    assert open_sentences(settings, store, refusing).lookup(["where does he work?"], refusing).shape == (1, 384)
    (corpus / QUESTIONS_DIR / "letters.jsonl").write_text(
        json.dumps({"sentence": "The office is quiet and warm.", "questions": ["is his office cosy?"]}) + "\n", "utf-8")
    rebuilt = open_sentences(settings, store, embedder)
    assert rebuilt.asked.of("letters", "The office is quiet and warm.") == ("is his office cosy?",)
    assert open_sentences(settings, store, refusing).lookup(["is his office cosy?"], refusing).shape == (1, 384)


def test_a_bad_questions_file_stops_the_ingest_before_the_index_changes(tmp_path, embedder):
    from companion.config import load_settings
    from companion.retrieval.connect import open_client
    from companion.retrieval.service import run_ingest
    from companion.retrieval.store import PassageStore

    corpus = _corpus(tmp_path / "corpus", {"sentence": "The office is quiet and warm.", "questions": "where?"})
    settings = load_settings(data_dir=tmp_path / "data", corpus_dir=corpus)
    with pytest.raises(CorpusError, match=r"letters\.jsonl: line 1"):
        run_ingest(settings)
    assert PassageStore(open_client(settings.data_dir), embedder.model_id).count() == 0


def test_an_ingest_names_the_essays_written_no_questions_and_how_to_write_them(tmp_path):
    from companion.config import load_settings
    from companion.retrieval.service import run_ingest

    corpus = _corpus(tmp_path / "corpus", {"sentence": "The office is quiet and warm.", "questions": ["where?"]})
    (corpus / "added.md").write_text(ESSAY.replace("id: letters", "id: added"), "utf-8")
    settings = load_settings(data_dir=tmp_path / "data", corpus_dir=corpus)
    notices: list[str] = []
    run_ingest(settings, notices=notices)
    told = [n for n in notices if "No questions are written" in n]
    assert len(told) == 1 and "for added (" in told[0] and "companion write-questions ESSAY_ID" in told[0]
    (corpus / QUESTIONS_DIR / "added.jsonl").write_text(
        json.dumps({"sentence": "The office is quiet and warm.", "questions": ["is it cosy?"]}) + "\n", "utf-8")
    notices.clear()
    run_ingest(settings, notices=notices)
    assert not [n for n in notices if "No questions are written" in n]
