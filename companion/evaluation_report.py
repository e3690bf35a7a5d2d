"""Lay out evaluation figures as a table or as JSON, every rate beside its count."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from companion.evaluation_metrics import DEPTH, EvalReport, Figure

MAX_MISSES = 8


def misses(report: EvalReport) -> list[str]:
    """Return one line per question that went wrong, worst problems first."""
    found = [f"no gold passage in the corpus: {q}" for q in report.no_gold]
    for r in report.details:
        if r.kind != "none" and r.gold_in_corpus and (r.first_rank is None or r.first_rank > report.k):
            where = f"first relevant at {r.first_rank}" if r.first_rank else f"nothing relevant in the top {DEPTH}"
            found.append(f"retrieval ({where}): {r.q}")
        if r.failed:
            found.append(f"the reply failed: {r.q}")
        elif r.asked and r.kind == "none" and not (r.refused and r.cited == 0):
            found.append(f"answered what the essays do not cover: {r.q}")
        elif r.asked and r.kind != "none" and r.refused:
            found.append(f"refused an answerable question: {r.q}")
        elif r.asked and r.kind != "none" and not r.shown_gold:
            found.append(f"no shown quote holds the answer: {r.q}")
        if r.verbatim < r.quotes:
            found.append(f"{r.quotes - r.verbatim} quote(s) not verbatim: {r.q}")
    return found


def _cell(figure: Figure | None) -> str:
    return "—" if figure is None else figure.shown()


def _grid(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths)))
            for row in rows]


def _columns(reports: dict[str, EvalReport]) -> list[str]:
    """Lay out one column per report, one row per figure, then the question counts."""
    first = next(iter(reports.values()))
    rows = [["", *reports]]
    for label in first.metrics():
        rows.append([label, *(_cell(r.metrics().get(label)) for r in reports.values())])
    rows.append(["questions (answerable/none)", *(f"{r.answerable}/{r.unanswerable}" for r in reports.values())])
    return _grid(rows)


def format_table(reports: dict[str, EvalReport]) -> str:
    """Put retrievers side by side, then the first one's figures by kind, then the misses of each."""
    if not reports:
        return ""
    first = next(iter(reports.values()))
    lines = _columns(reports)
    kinds = first.kinds()
    if len(kinds) > 1:
        lines += ["", f"by kind ({first.name}):", *_columns({kind: first.of_kind(kind) for kind in kinds})]
    for name, report in reports.items():
        found = misses(report)
        if found:
            lines += ["", f"misses ({name}):", *(f"  - {line}" for line in found[:MAX_MISSES])]
            if len(found) > MAX_MISSES:
                lines.append(f"  … and {len(found) - MAX_MISSES} more")
    return "\n".join(line.rstrip() for line in lines)


def _metrics_json(report: EvalReport) -> dict[str, Any]:
    return {label: None if f is None else f.as_json() for label, f in report.metrics().items()}


def report_json(report: EvalReport) -> dict[str, Any]:
    """Return the report as plain JSON-ready data, overall and by kind."""
    return {
        "retriever": report.name, "split": report.split, "k": report.k,
        "answerable": report.answerable, "unanswerable": report.unanswerable,
        "metrics": _metrics_json(report),
        "kinds": {kind: _metrics_json(report.of_kind(kind)) for kind in report.kinds()},
        "no_gold": list(report.no_gold), "misses": misses(report),
        "questions": [asdict(r) for r in report.details],
    }
