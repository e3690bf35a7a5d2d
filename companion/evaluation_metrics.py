"""Score one question's ranking and reply, and gather the figures of many, each with its count."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from companion.grounding import markers, quote_in, quotes
from companion.passages import Passage
from companion.retrieval.store import Hit
from companion.text import fold, fold_marks, marks_alike
from companion.types import Reply

KINDS = ("fact", "opinion", "compare", "quote", "none")
DEPTH = 10  # MRR@10 and nDCG@10; one search this deep serves every metric
COVERAGE_DEPTH = 8
PARAGRAPH = re.compile(r"\n\s*\n")

Style = Literal["share", "mean", "ratio"]
# The normal quantile of a two-sided 95% interval.
WILSON_Z = 1.959964


@dataclass(frozen=True)
class Figure:
    """A rate and what it was measured over, so no rate is ever read without its count."""

    total: float
    n: int
    style: Style = "share"

    @property
    def value(self) -> float | None:
        """Return the rate, or None when nothing was measured."""
        return self.total / self.n if self.n else None

    def __str__(self) -> str:
        if not self.n:
            return "— (0)"
        if self.style == "mean":
            return f"{self.value:.3f} (n={self.n})"
        if self.style == "ratio":
            return f"{self.value:.2f} ({self.total:g} in {self.n})"
        return f"{self.value:.3f} ({self.total:g}/{self.n})"

    def interval(self) -> tuple[float, float] | None:
        """Return the Wilson 95% interval of a share, or None for a mean, a ratio or nothing measured."""
        if self.style != "share" or not self.n:
            return None
        # Wilson's rather than the normal approximation: it stays inside 0..1 and is honest at 0/n and n/n, which
        # 43 test questions meet often.
        z, p, n = WILSON_Z, self.total / self.n, self.n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return max(0.0, centre - half), min(1.0, centre + half)

    def shown(self) -> str:
        """Return the figure as a table shows it: a share with its 95% interval after the count."""
        bounds = self.interval()
        return str(self) if bounds is None else f"{self} [{bounds[0]:.2f}-{bounds[1]:.2f}]"

    def as_json(self) -> dict[str, Any]:
        """Return the rate with its numerator and denominator, and a share's 95% interval."""
        bounds = self.interval()
        found: dict[str, Any] = {"value": self.value, "total": self.total, "n": self.n}
        return found if bounds is None else {**found, "low": bounds[0], "high": bounds[1]}


@dataclass(frozen=True)
class QuestionResult:
    """What happened to one question: its ranking and, when asked, the reply."""

    q: str
    kind: str
    first_rank: int | None = None
    groups: int = 0
    groups_matched: int = 0
    gold_in_corpus: int = 0
    ndcg: float = 0.0
    asked: bool = False
    failed: bool = False
    refused: bool = False
    cited: int = 0
    verified: int = 0
    quotes: int = 0
    verbatim: int = 0
    shown: int = 0
    shown_gold: int = 0
    dropped: int = 0


def fold_gold(gold: Sequence[Sequence[str]]) -> list[list[str]]:
    """Normalise every gold phrase the way passages and quotes are normalised before matching."""
    return [[fold_marks(phrase) for phrase in group] for group in gold]


def groups_hit(folded_text: str, gold: Sequence[Sequence[str]]) -> set[int]:
    """Return the gold groups the (folded) text answers: a group is answered by any one of its phrases.

    Double and single marks match alike, as a quote's own quotation is shown in single marks (text.nested).
    """
    folded_text = marks_alike(folded_text)
    return {i for i, group in enumerate(gold) if any(phrase in folded_text for phrase in group)}


def score_ranking(
    q: str, kind: str, gold: Sequence[Sequence[str]], hits: Sequence[Hit], corpus: Sequence[Passage],
    folded: dict[str, str],
) -> QuestionResult:
    """Score one answerable question's ranking against its (already folded) gold groups."""

    def answered(passage: Passage) -> set[int]:
        # Each passage is folded once for the whole run.
        if passage.id not in folded:
            folded[passage.id] = fold(passage.text)
        return groups_hit(folded[passage.id], gold)

    matched = [answered(h.passage) for h in hits[:DEPTH]]
    first = next((rank for rank, groups in enumerate(matched, start=1) if groups), None)
    in_corpus = sum(1 for p in corpus if answered(p))
    dcg = sum(1 / math.log2(rank + 1) for rank, groups in enumerate(matched, start=1) if groups)
    # The store may lag behind the searcher; never let the ideal fall below what was actually found.
    ideal_count = min(DEPTH, max(in_corpus, sum(1 for g in matched if g)))
    ideal = sum(1 / math.log2(rank + 1) for rank in range(1, ideal_count + 1))
    covered = set().union(*matched[:COVERAGE_DEPTH]) if matched else set()
    return QuestionResult(
        q=q, kind=kind, first_rank=first, groups=len(gold), groups_matched=len(covered),
        gold_in_corpus=in_corpus, ndcg=dcg / ideal if ideal else 0.0,
    )


def shown_quotes(reply: Reply) -> list[str]:
    """Return the spans a reply puts in quotes that verify against a passage it cites: what a reader is shown."""
    cited = [c.passage for c in reply.citations]
    return [span for span in quotes(reply.answer) if any(quote_in(span, p) for p in cited)]


def score_reply(result: QuestionResult, reply: Reply, gold: Sequence[Sequence[str]]) -> QuestionResult:
    """Record what a reply did: refused or not, its citations, and which shown quotes hold a gold phrase."""
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
    shown = shown_quotes(reply)
    failed = reply.error is not None
    return replace(
        result, asked=True, failed=failed, refused=not failed and (not reply.grounded or not reply.citations),
        cited=len(reply.citations), verified=sum(c.verified for c in reply.citations),
        quotes=quoted, verbatim=verbatim, shown=len(shown),
        shown_gold=sum(1 for span in shown if groups_hit(fold(span), gold)),
        dropped=reply.dropped,
    )


@dataclass(frozen=True)
class EvalReport:
    """Every figure for one retriever over a set of questions; None where nothing was measured."""

    name: str
    k: int
    answerable: int
    unanswerable: int
    recall: Figure | None
    mrr: Figure | None
    ndcg: Figure | None
    coverage: Figure | None
    quote_answers: Figure | None = None
    quote_precision: Figure | None = None
    answerable_refused: Figure | None = None
    not_covered_refused: Figure | None = None
    quotes_per_reply: Figure | None = None
    answered_verified: Figure | None = None
    citation_validity: Figure | None = None
    quotes_verbatim: Figure | None = None
    failed: Figure | None = None
    split: str = "all"
    no_gold: tuple[str, ...] = ()
    details: tuple[QuestionResult, ...] = ()

    def metrics(self) -> dict[str, Figure | None]:
        """Return the figures under their display names, in table order."""
        return {
            f"recall@{self.k}": self.recall,
            f"MRR@{DEPTH}": self.mrr,
            f"nDCG@{DEPTH}": self.ndcg,
            f"coverage@{COVERAGE_DEPTH}": self.coverage,
            "quote answers": self.quote_answers,
            "quote precision": self.quote_precision,
            "answerable refused": self.answerable_refused,
            "not-covered refused": self.not_covered_refused,
            "quotes per reply": self.quotes_per_reply,
            "answered with verified citation": self.answered_verified,
            "citation validity": self.citation_validity,
            "quotes verbatim": self.quotes_verbatim,
            "replies failed": self.failed,
        }

    def kinds(self) -> list[str]:
        """Return the kinds of question present, in the order of KINDS."""
        present = {r.kind for r in self.details}
        return [kind for kind in KINDS if kind in present]

    def of_kind(self, kind: str) -> EvalReport:
        """Return the same figures over the questions of one kind only."""
        return summarise([r for r in self.details if r.kind == kind], name=self.name, k=self.k, split=self.split)


def _share(part: int, whole: int) -> Figure | None:
    return Figure(part, whole) if whole else None


def _mean(values: Sequence[float]) -> Figure | None:
    return Figure(sum(values), len(values), "mean") if values else None


def summarise(results: Sequence[QuestionResult], *, name: str, k: int, split: str = "all") -> EvalReport:
    """Gather the figures of many questions, each over the questions (or quotes) it concerns."""
    answerable = [r for r in results if r.kind != "none"]
    unanswerable = [r for r in results if r.kind == "none"]
    report = EvalReport(
        name=name, k=k, split=split, answerable=len(answerable), unanswerable=len(unanswerable),
        recall=_share(sum(r.first_rank is not None and r.first_rank <= k for r in answerable), len(answerable)),
        mrr=_mean([1 / r.first_rank if r.first_rank else 0.0 for r in answerable]),
        ndcg=_mean([r.ndcg for r in answerable]),
        coverage=_mean([r.groups_matched / r.groups for r in answerable if r.groups]),
        no_gold=tuple(r.q for r in answerable if r.gold_in_corpus == 0),
        details=tuple(results),
    )
    asked = [r for r in results if r.asked]
    if not asked:
        return report
    # A failed reply (the backend broke) is neither an answer nor a refusal; it is counted on its own.
    answered = [r for r in asked if r.kind != "none" and not r.failed]
    covered = [r for r in answered if not r.refused]
    absent = [r for r in asked if r.kind == "none" and not r.failed]
    shown = sum(r.shown for r in answered)
    return replace(
        report,
        quote_answers=_share(sum(r.shown_gold > 0 for r in answered), len(answered)),
        quote_precision=_share(sum(r.shown_gold for r in answered), shown),
        answerable_refused=_share(sum(r.refused for r in answered), len(answered)),
        not_covered_refused=_share(sum(r.refused and r.cited == 0 for r in absent), len(absent)),
        quotes_per_reply=Figure(shown, len(covered), "ratio") if covered else None,
        answered_verified=_share(sum(not r.refused and r.verified > 0 for r in answered), len(answered)),
        citation_validity=_share(sum(r.verified for r in asked), sum(r.cited for r in asked)),
        quotes_verbatim=_share(sum(r.verbatim for r in asked), sum(r.quotes for r in asked)),
        failed=_share(sum(r.failed for r in asked), len(asked)),
    )
