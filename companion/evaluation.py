"""Measure retrieval and grounded answering against a file of questions with known answers."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from companion.config import REPO_ROOT, Settings
from companion.errors import CompanionError
from companion.evaluation_metrics import (
    DEPTH, KINDS, EvalReport, QuestionResult, fold_gold, score_ranking, score_reply, summarise,
)
from companion.passages import Passage
from companion.retrieval.search import Searcher
from companion.retrieval.store import Hit
from companion.text import fold

SPLITS = ("dev", "test", "all")
QUESTIONS = REPO_ROOT / "eval" / "questions.jsonl"


class EvalError(CompanionError):
    """A questions file cannot be used."""

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        self.path = Path(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}, line {line}" if line else str(self.path)
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Question:
    """One question, the gold groups a passage must answer, and what kind of answer it wants."""

    q: str
    gold: tuple[tuple[str, ...], ...]
    kind: str

    @property
    def answerable(self) -> bool:
        """Tell whether the essays are meant to cover this question."""
        return self.kind != "none"

    @property
    def split(self) -> str:
        """Return the half this question belongs to, dev or test."""
        return split_of(self.q)


def split_of(question: str) -> str:
    """Put a question in dev or test by the first byte of the SHA-256 of its normalised text."""
    # A hash of the question alone: adding or reordering questions never moves one between halves.
    first = hashlib.sha256(fold(question).encode("utf-8")).digest()[0]
    return "dev" if first < 128 else "test"


def in_split(questions: Sequence[Question], split: str) -> list[Question]:
    """Return the questions of one split (dev, test) or all of them."""
    if split not in SPLITS:
        raise CompanionError(f"Unknown split {split!r}: use one of {', '.join(SPLITS)}.")
    return [q for q in questions if split == "all" or q.split == split]


def dev_questions() -> list[Question]:
    """Return the questions tuned on: the public set's dev split and the two dev-only files, whole."""
    return [
        *in_split(load_questions(QUESTIONS), "dev"),
        *load_questions(REPO_ROOT / "eval" / "extra_dev.jsonl"),
        *load_questions(REPO_ROOT / "eval" / "more_dev.jsonl"),
    ]


def _question(data: Any) -> Question:
    """Build a Question from one parsed line, or raise ValueError saying what is wrong."""
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object like {\"q\": ..., \"gold\": [[...]], \"kind\": \"fact\"}")
    q = data.get("q")
    if not isinstance(q, str) or not q.strip():
        raise ValueError("missing q: every line needs a non-empty question string")
    kind = data.get("kind")
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}")
    gold = data.get("gold")
    if not isinstance(gold, list) or not all(
        isinstance(group, list) and group and all(isinstance(s, str) and s.strip() for s in group) for group in gold
    ):
        raise ValueError(
            "gold must be a list of groups, each a list of alternative non-empty phrases, e.g. [[\"os1\", \"os one\"]]"
        )
    if kind == "none" and gold:
        raise ValueError("kind none means the essays do not cover it, so gold must be []")
    if kind != "none" and not gold:
        raise ValueError(f"kind {kind} needs at least one gold group (use kind none for questions to refuse)")
    return Question(q=q.strip(), gold=tuple(tuple(group) for group in gold), kind=kind)


def load_questions(path: Path) -> list[Question]:
    """Read a JSON-lines questions file; a bad line raises EvalError naming the file and line."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalError(path, None, f"cannot read the questions file ({exc}); pass a JSONL file of questions") from None
    found = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalError(path, number, f"not JSON ({exc.msg} at column {exc.colno})") from None
        try:
            found.append(_question(data))
        except ValueError as exc:
            raise EvalError(path, number, str(exc)) from None
    if not found:
        raise EvalError(path, None, "no questions: write one JSON object per line")
    return found


class ShuffledSearcher:
    """Negative control: keep the inner ranking's shape but swap each passage for a fixed random other."""

    def __init__(self, inner: Searcher, passages: Sequence[Passage], seed: int = 0) -> None:
        self.inner = inner
        self.name = f"shuffled {inner.name}"
        # The engine reads the inner searcher's word statistics and query embedder as for any search.
        self.idf = inner.idf
        self.embedder = inner.embedder
        order = sorted(passages, key=lambda p: p.id)
        random.Random(seed).shuffle(order)
        # Each passage maps to the next in a shuffled cycle, so none maps to itself.
        self.mapping = {p.id: order[(i + 1) % len(order)] for i, p in enumerate(order)}

    def warm(self) -> None:
        """Load what the inner searcher's first search would wait for."""
        self.inner.warm()

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """Return the inner hits with every passage swapped for its shuffled partner."""
        hits = self.inner.search(query, k)
        return [replace(h, passage=self.mapping.get(h.passage.id, h.passage)) for h in hits]


def evaluate(
    questions: Sequence[Question], searcher: Searcher, engine: Any = None, *,
    store_passages: Sequence[Passage], k: int = 5, name: str | None = None, split: str = "all",
) -> EvalReport:
    """Search every question once, ask the engine afresh when given one, and gather the figures."""
    folded: dict[str, str] = {}
    results = []
    for question in questions:
        gold = fold_gold(question.gold)
        result = QuestionResult(q=question.q, kind=question.kind)
        if question.answerable:
            hits = searcher.search(question.q, max(DEPTH, k))
            result = score_ranking(question.q, question.kind, gold, hits, store_passages, folded)
        if engine is not None:
            # Each question stands alone: an earlier one must not become its follow-up context.
            engine.history.clear()
            result = score_reply(result, engine.ask(question.q), gold)
        results.append(result)
    return summarise(results, name=name or searcher.name, k=k, split=split)


def open_eval(
    settings: Settings, retriever: str = "hybrid", shuffled: bool = False, answers: bool = True
) -> tuple[Any, list[Passage], Any]:
    """Open the searcher to measure, every stored passage, and an engine answering through that searcher."""
    from companion.retrieval.service import open_retrieval
    from companion.session import open_engine

    retrieval = open_retrieval(settings, retriever=retriever)
    passages = retrieval.store.all_passages()
    searcher = ShuffledSearcher(retrieval.searcher, passages) if shuffled else retrieval.searcher
    engine = open_engine(settings) if answers else None
    if engine is not None:
        # The answers must come from the retriever under test, not the default one.
        engine.searcher = searcher
        # Test questions must not land in the person's memory, and what they told her (such as not having
        # seen the film, which hides the ending) must not change the figures.
        if engine.memory is not None:
            engine.memory.close()
        engine.memory = None
        engine.spoiler_care = None
    return searcher, passages, engine
