"""Read the questions written for the essays' sentences: what a reader might ask that each sentence answers.

A file per essay, ``<corpus>/questions/<essay id>.jsonl``, one sentence a line:
``{"sentence": "<the sentence's exact words>", "questions": ["...", "..."]}``. A person's question is then met
by the questions a sentence answers as well as by the sentence's own words (document expansion, "doc2query").
A sentence is found by its exact words, whitespace aside: one edited since loses its questions, nothing else.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from companion.corpus import load_corpus
from companion.errors import CorpusError
from companion.passages import normalize_space

QUESTIONS_DIR = "questions"
QUESTIONS_GLOB = "*.jsonl"
# Ten times what the shipped essays hold each; past it a file is a dump or a mistake.
MAX_FILE_BYTES = 2_000_000
MAX_QUESTIONS = 12
MAX_QUESTION_CHARS = 300


@dataclass(frozen=True)
class AskedQuestions:
    """The questions written for sentences, by essay id and the sentence's words."""

    by_sentence: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)

    def of(self, essay_id: str, sentence: str) -> tuple[str, ...]:
        """Return the questions written for one sentence of an essay; none when it has none."""
        return self.by_sentence.get((essay_id, normalize_space(sentence)), ())

    @property
    def texts(self) -> list[str]:
        """Return every question once, sorted."""
        return sorted({q for questions in self.by_sentence.values() for q in questions})

    @property
    def digest(self) -> str:
        """Return a digest of every essay's sentences and questions, to key what is built from them."""
        items = sorted(self.by_sentence.items())
        return hashlib.sha256(json.dumps(items, ensure_ascii=False).encode("utf-8")).hexdigest()

    @property
    def essays(self) -> frozenset[str]:
        """Return the ids of the essays with at least one sentence written questions."""
        return frozenset(essay_id for essay_id, _ in self.by_sentence)

    def __len__(self) -> int:
        return len(self.by_sentence)


def _record(path: Path, number: int, line: str) -> tuple[str, tuple[str, ...]]:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        raise CorpusError(path, f"line {number} is not JSON ({exc.msg})") from None
    if not isinstance(value, dict) or set(value) - {"sentence", "questions"}:
        raise CorpusError(path, f'line {number} must be an object with "sentence" and "questions" only')
    sentence, questions = value.get("sentence"), value.get("questions")
    if not isinstance(sentence, str) or not sentence.strip():
        raise CorpusError(path, f'line {number}: "sentence" must be the sentence\'s words')
    if not isinstance(questions, list) or not all(isinstance(q, str) and q.strip() for q in questions):
        raise CorpusError(path, f'line {number}: "questions" must be a list of questions as text')
    if len(questions) > MAX_QUESTIONS:
        raise CorpusError(path, f"line {number} holds {len(questions)} questions; keep at most {MAX_QUESTIONS} a sentence")
    if any(len(q) > MAX_QUESTION_CHARS for q in questions):
        raise CorpusError(path, f"line {number} has a question over {MAX_QUESTION_CHARS} characters")
    return normalize_space(sentence), tuple(normalize_space(q) for q in questions)


def read_questions_file(path: Path, essay_ids: Collection[str]) -> dict[tuple[str, str], tuple[str, ...]]:
    """Read one essay's questions file; its name must be an essay's id."""
    essay_id = path.stem
    if essay_id not in essay_ids:
        raise CorpusError(path, "names no essay: call it <essay id>.jsonl (an id from an essay's front matter)")
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CorpusError(path, f"is over {MAX_FILE_BYTES // 1_000_000} MB; split the essay or trim its questions")
        text = path.read_text("utf-8")
    except UnicodeDecodeError:
        raise CorpusError(path, "is not UTF-8 text") from None
    except OSError as exc:
        raise CorpusError(path, f"cannot be read ({exc.strerror})") from None
    found: dict[tuple[str, str], tuple[str, ...]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            sentence, questions = _record(path, number, line)
            # A sentence written twice in one essay ("Yes.") keeps every question given for it.
            found[(essay_id, sentence)] = tuple(dict.fromkeys(found.get((essay_id, sentence), ()) + questions))
    return found


def load_asked(corpus_dir: Path) -> AskedQuestions:
    """Read every questions file of a corpus; a corpus without the folder has none."""
    folder = Path(corpus_dir) / QUESTIONS_DIR
    if not folder.is_dir():
        return AskedQuestions()
    ids = frozenset(essay.id for essay in load_corpus(corpus_dir))
    found: dict[tuple[str, str], tuple[str, ...]] = {}
    for path in sorted(folder.glob(QUESTIONS_GLOB)):
        found.update(read_questions_file(path, ids))
    return AskedQuestions(found)
