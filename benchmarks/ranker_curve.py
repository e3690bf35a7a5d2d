"""Tell whether more probes teach the quadratic sentence ranker: new probes read by a fit without them and one with.

    .venv/bin/python benchmarks/ranker_curve.py [--from-line 965] [--folds 5] [--C 0.01]

The answerable probes from --from-line of eval/probe_dev.jsonl on are cut into folds of consecutive questions; each
fold is read by a ranker fit on dev and the probes before that line (what the ranker knew), and by one fit with the
other folds too. Each fit's map onto the floors' scale is read from its own training questions, as ranker_fit.py
reads it. Dev is read the same way by folds of its own: fit on the other dev folds and the earlier probes, against
the other dev folds and every probe. Each line gives the first quote answering, quote answers at the policy's floor
and caps, and quote precision, with their counts. Stop 72, the file at 1,847 lines, from line 965, C 0.01: first quote
263 -> 271 and quote answers 285 -> 294 of 401; dev 113 -> 108 and 120 -> 119 of 147 (about 20 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import ranker_fit as rf

from companion.ranker import answer_chances
from companion.ranker_weights import REFERENCE


def probe_lines() -> list[int]:
    """Return the line number of each answerable probe, in the order ranker_fit.questions gives them."""
    rows = [json.loads(line) for line in rf.PROBES.read_text().splitlines() if line.strip()]
    return [n for n, row in enumerate(rows, start=1) if row["kind"] != "none"]


def shown(model, knots, mapped, rows) -> np.ndarray:
    """Return (first quote answering, quote answers, quotes holding an answer, quotes) over rows."""
    rows = [r for r in rows if len(r[2])]
    return np.array(rf.tally(rows, [np.interp(model.raw(r[2]), knots, mapped) for r in rows]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from-line", type=int, default=965, help="the first probe line the ranker is taken not to know")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--C", type=float, default=0.01)
    args = parser.parse_args()
    data, uncovered = rf.read_rows()
    found = rf.questions(True)
    lines = iter(probe_lines())
    where = [0 if name == "dev" else next(lines) for name, _ in found]
    reference = rf.likeliest([answer_chances(d[2], REFERENCE) for d in data if len(d[2])]
                             + [answer_chances(X, REFERENCE) for X in uncovered if len(X)], 5)

    def fit(train):
        model = rf.fit([(d[2], d[3]) for d in train], args.C)
        raw = [model.raw(d[2]) for d in train if len(d[2])] + [model.raw(X) for X in uncovered if len(X)]
        return (model, *rf.quantile_map(reference, rf.likeliest(raw, 5)))

    dev = [d for d, n in zip(data, where) if n == 0]
    known = [d for d, n in zip(data, where) if 0 < n < args.from_line]
    new = [d for d, n in zip(data, where) if n >= args.from_line]
    print(f"{len(dev)} dev, {len(known)} probes before line {args.from_line}, {len(new)} from it (answerable)")
    for label, held, extra in (("new probes", new, dev + known), ("dev", dev, known)):
        without, with_ = np.zeros(4, dtype=int), np.zeros(4, dtype=int)
        for k in range(args.folds):
            fold = [d for i, d in enumerate(held) if i * args.folds // len(held) == k]
            rest = [d for i, d in enumerate(held) if i * args.folds // len(held) != k]
            base = extra if label == "new probes" else extra + rest
            without += shown(*fit(base), fold)
            with_ += shown(*fit(base + (rest if label == "new probes" else new)), fold)
        n = len(held)
        for name, t in (("without", without), ("with", with_)):
            print(f"  {label}, fit {name} the probes from line {args.from_line}: first quote answers {t[0]}/{n}, "
                  f"quote answers {t[1]}/{n}, quote precision {t[2]}/{t[3]}")


if __name__ == "__main__":
    main()
