"""Measure retrieval and grounded answering against a file of questions with known answers."""

from __future__ import annotations

import json
import math
import random
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from companion.config import Settings
from companion.errors import CompanionError
from companion.grounding import markers, quote_in, quotes
from companion.passages import Passage
from companion.retrieval.store import Hit
from companion.text import fold

KINDS = ("fact", "opinion", "none")
DEPTH = 10  # MRR@10 and nDCG@10; one search this deep serves every metric
COVERAGE_DEPTH = 8
MAX_MISSES = 8
PARAGRAPH = re.compile(r"\n\s*\n")


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
    """One question, the text a passage must hold to answer it, and what kind of answer it wants."""

    q: str
    gold: tuple[tuple[str, ...], ...]
    kind: str

    @property
    def answerable(self) -> bool:
        """Tell whether the essays are meant to cover this question."""
        return self.kind != "none"


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
        raise ValueError("gold must be a list of lists of non-empty strings, e.g. [[\"os1\"], [\"operating system\"]]")
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
        raise EvalError(path, None, f"cannot read the questions file ({exc})") from None
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

    def __init__(self, inner: Any, passages: Sequence[Passage], seed: int = 0) -> None:
        self.inner = inner
        self.name = f"shuffled {getattr(inner, 'name', 'search')}"
        order = sorted(passages, key=lambda p: p.id)
        random.Random(seed).shuffle(order)
        # Each passage maps to the next in a shuffled cycle, so none maps to itself.
        self.mapping = {p.id: order[(i + 1) % len(order)] for i, p in enumerate(order)}

    def __getattr__(self, name: str) -> Any:
        # The engine asks for extras such as idf; answer with the inner searcher's.
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """Return the inner hits with every passage swapped for its shuffled partner."""
        hits = self.inner.search(query, k)
        return [replace(h, passage=self.mapping.get(h.passage.id, h.passage)) for h in hits]


@dataclass(frozen=True)
class QuestionResult:
    """What happened to one question."""

    q: str
    kind: str
    first_rank: int | None = None
    groups: int = 0
    groups_matched: int = 0
    gold_in_corpus: int = 0
    ndcg: float = 0.0
    refused: bool | None = None
    cited: int = 0
    verified: int = 0
    quotes: int = 0
    verbatim: int = 0
    dropped: int = 0


@dataclass(frozen=True)
class EvalReport:
    """Every figure for one retriever over one questions file; None where nothing was measured."""

    name: str
    k: int
    answerable: int
    unanswerable: int
    recall: float | None
    mrr: float | None
    ndcg: float | None
    coverage: float | None
    refusal_accuracy: float | None = None
    answered_verified: float | None = None
    citation_validity: float | None = None
    quotes_verbatim: float | None = None
    false_refusals: int | None = None
    no_gold: tuple[str, ...] = ()
    details: tuple[QuestionResult, ...] = ()

    def metrics(self) -> dict[str, float | int | None]:
        """Return the headline figures under their display names, in table order."""
        return {
            f"recall@{self.k}": self.recall,
            f"MRR@{DEPTH}": self.mrr,
            f"nDCG@{DEPTH}": self.ndcg,
            f"coverage@{COVERAGE_DEPTH}": self.coverage,
            "refusal accuracy": self.refusal_accuracy,
            "answered with verified citation": self.answered_verified,
            "citation validity": self.citation_validity,
            "quotes verbatim": self.quotes_verbatim,
            "false refusals": self.false_refusals,
        }


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _groups(folded: dict[str, str], passage: Passage, gold: Sequence[Sequence[str]]) -> set[int]:
    """Return the gold groups whose every string the passage holds, folding each passage only once."""
    if passage.id not in folded:
        folded[passage.id] = fold(passage.text)
    return {i for i, group in enumerate(gold) if all(s in folded[passage.id] for s in group)}


def _retrieval(
    question: Question, hits: Sequence[Hit], folded: dict[str, str], corpus: Sequence[Passage]
) -> QuestionResult:
    """Score one answerable question's ranking."""
    gold = [[fold(s) for s in group] for group in question.gold]
    matched = [_groups(folded, h.passage, gold) for h in hits[:DEPTH]]
    first = next((rank for rank, groups in enumerate(matched, start=1) if groups), None)
    in_corpus = sum(1 for p in corpus if _groups(folded, p, gold))
    dcg = sum(1 / math.log2(rank + 1) for rank, groups in enumerate(matched, start=1) if groups)
    # The store may lag behind the searcher; never let the ideal fall below what was actually found.
    ideal_count = min(DEPTH, max(in_corpus, sum(1 for g in matched if g)))
    ideal = sum(1 / math.log2(rank + 1) for rank in range(1, ideal_count + 1))
    covered = set().union(*matched[:COVERAGE_DEPTH]) if matched else set()
    return QuestionResult(
        q=question.q, kind=question.kind, first_rank=first, groups=len(gold), groups_matched=len(covered),
        gold_in_corpus=in_corpus, ndcg=dcg / ideal if ideal else 0.0,
    )


def _answer(result: QuestionResult, engine: Any, question: Question) -> QuestionResult:
    """Ask the engine afresh and record refusal, citations and quotes."""
    engine.history.clear()
    reply = engine.ask(question.q)
    by_n = {c.n: c.passage for c in reply.citations}
    quoted = verbatim = 0
    for paragraph in PARAGRAPH.split(reply.answer):
        numbers = markers(paragraph)
        if not numbers:
            continue
        # A marker with no matching citation points at nothing, so its quotes cannot count as verbatim.
        cited = [by_n[n] for n in numbers if n in by_n]
        for span in quotes(paragraph):
            quoted += 1
            verbatim += any(quote_in(span, p) for p in cited)
    return replace(
        result, refused=not reply.grounded and not reply.citations, cited=len(reply.citations),
        verified=sum(c.verified for c in reply.citations), quotes=quoted, verbatim=verbatim,
        dropped=getattr(reply, "dropped", 0),
    )


def evaluate(
    questions: Sequence[Question], searcher: Any, engine: Any = None, *,
    store_passages: Sequence[Passage], k: int = 5, name: str | None = None,
) -> EvalReport:
    """Search every question once, ask the engine when given, and gather the figures."""
    folded: dict[str, str] = {}
    results = []
    for question in questions:
        result = QuestionResult(q=question.q, kind=question.kind)
        if question.answerable:
            hits = searcher.search(question.q, max(DEPTH, k))
            result = _retrieval(question, hits, folded, store_passages)
        if engine is not None:
            result = _answer(result, engine, question)
        results.append(result)
    answerable = [r for r in results if r.kind != "none"]
    unanswerable = [r for r in results if r.kind == "none"]
    report = EvalReport(
        name=name or getattr(searcher, "name", "search"), k=k,
        answerable=len(answerable), unanswerable=len(unanswerable),
        recall=_mean([1.0 if r.first_rank is not None and r.first_rank <= k else 0.0 for r in answerable]),
        mrr=_mean([1 / r.first_rank if r.first_rank else 0.0 for r in answerable]),
        ndcg=_mean([r.ndcg for r in answerable]),
        coverage=_mean([r.groups_matched / r.groups for r in answerable if r.groups]),
        no_gold=tuple(r.q for r in answerable if r.gold_in_corpus == 0),
        details=tuple(results),
    )
    if engine is None:
        return report
    replies = [r for r in results if r.refused is not None]
    return replace(
        report,
        refusal_accuracy=_share(sum(bool(r.refused) for r in unanswerable), len(unanswerable)),
        answered_verified=_share(sum(not r.refused and r.verified > 0 for r in answerable), len(answerable)),
        citation_validity=_share(sum(r.verified for r in replies), sum(r.cited for r in replies)),
        quotes_verbatim=_share(sum(r.verbatim for r in replies), sum(r.quotes for r in replies)),
        false_refusals=sum(bool(r.refused) for r in answerable),
    )


def misses(report: EvalReport) -> list[str]:
    """Return one line per question that went wrong, worst problems first."""
    found = [f"no gold passage in the corpus: {q}" for q in report.no_gold]
    for r in report.details:
        if r.kind != "none" and r.gold_in_corpus and (r.first_rank is None or r.first_rank > report.k):
            where = f"first relevant at {r.first_rank}" if r.first_rank else f"nothing relevant in the top {DEPTH}"
            found.append(f"retrieval ({where}): {r.q}")
        if r.kind == "none" and r.refused is False:
            found.append(f"answered what the essays do not cover: {r.q}")
        if r.kind != "none" and r.refused:
            found.append(f"refused an answerable question: {r.q}")
        if r.verbatim < r.quotes:
            found.append(f"{r.quotes - r.verbatim} quote(s) not verbatim: {r.q}")
    return found


def _cell(value: float | int | None) -> str:
    if value is None:
        return "—"
    return str(value) if isinstance(value, int) else f"{value:.3f}"


def format_table(reports: dict[str, EvalReport]) -> str:
    """Lay out the figures side by side, one column per retriever, then the misses of each."""
    names = list(reports)
    rows = [["", *names]]
    first = next(iter(reports.values()), None)
    for label in first.metrics() if first else []:
        rows.append([label, *(_cell(reports[n].metrics().get(label)) for n in names)])
    if first:
        rows.append(["questions (answerable/none)", *(f"{r.answerable}/{r.unanswerable}" for r in reports.values())])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths)))
             for row in rows]
    for name, report in reports.items():
        found = misses(report)
        if found:
            lines += ["", f"misses ({name}):", *(f"  - {line}" for line in found[:MAX_MISSES])]
            if len(found) > MAX_MISSES:
                lines.append(f"  … and {len(found) - MAX_MISSES} more")
    return "\n".join(line.rstrip() for line in lines)


def report_json(report: EvalReport) -> dict[str, Any]:
    """Return the report as plain JSON-ready data."""
    return {
        "retriever": report.name, "k": report.k, "answerable": report.answerable, "unanswerable": report.unanswerable,
        "metrics": report.metrics(), "no_gold": list(report.no_gold), "misses": misses(report),
        "questions": [asdict(r) for r in report.details],
    }


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
    return searcher, passages, engine
