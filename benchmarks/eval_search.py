"""Print recall@k of `companion search` on an eval file (default: ../shared/eval/questions.jsonl)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from companion.config import load_settings
from companion.retrieval.service import open_retrieval
from companion.text import fold

DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "questions.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("questions", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("-k", type=int, default=5)
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.questions.read_text("utf-8").splitlines() if line.strip()]
    retrieval = open_retrieval(load_settings())
    answerable = [r for r in rows if r["kind"] != "none"]
    found = 0
    for row in answerable:
        hits = retrieval.searcher.search(row["q"], args.k)
        texts = [fold(h.passage.text) for h in hits]
        ok = any(all(fold(g) in t for g in group) for group in row["gold"] for t in texts)
        found += ok
        if not ok:
            print(f"miss: {row['q']}", file=sys.stderr)
    print(f"recall@{args.k} ({retrieval.searcher.name}): {found}/{len(answerable)} = {found / len(answerable):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
