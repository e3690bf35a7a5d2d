"""Tell how new a batch of probe questions is: each one's MiniLM cosine to the closest question asked before it.

    .venv/bin/python benchmarks/probe_novelty.py NEW.jsonl [--from-line N] [--show 5]

A blind batch measures questions nobody wrote for only when it asks for new things: a helper who never saw the
questions already asked rewords them (stop 70: 53 of 274 kept within 0.9 of an earlier one, 142 within 0.8), and
then measures the classes already mended. The questions before it are the dev ones (the dev split of the public
questions and every dev-only file in eval/, the routing and framing sets aside), NEW.jsonl read up to --from-line
when it is one of them; the test split and the holdout are left out, so no question of theirs is printed.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from companion.config import REPO_ROOT, go_offline
from companion.evaluation import in_split, load_questions
from companion.retrieval.embedder import load_model, packaged_model_dir

EVAL = REPO_ROOT / "eval"
# Files whose lines are not dev questions about the essays: the routing and framing sets, the public questions (read
# for their dev split alone) and the holdout.
NOT_DEV = ("routing", "framings", "questions.jsonl", "holdout")
CUTS = (0.9, 0.8, 0.7)


def questions(path: Path, upto: int | None = None) -> list[str]:
    """Return the questions of a JSON-lines file, up to a line when given (1-based, exclusive)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if upto is not None:
        lines = lines[: upto - 1]
    return [json.loads(line)["q"] for line in lines if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("new", type=Path, help="the batch, JSON lines with a 'q' each")
    parser.add_argument("--from-line", type=int, default=None,
                        help="the batch starts at this line of NEW (when it was appended to an eval file)")
    parser.add_argument("--show", type=int, default=5, help="how many of the closest pairs to print")
    args = parser.parse_args()
    new_path = args.new.resolve()
    batch = questions(new_path)
    if args.from_line is not None:
        batch = batch[args.from_line - 1 :]
    before = [q.q for q in in_split(load_questions(EVAL / "questions.jsonl"), "dev")]
    for path in sorted(EVAL.glob("*.jsonl")):
        if path.name.startswith(NOT_DEV):
            continue
        if path.resolve() == new_path:
            if args.from_line is not None:
                before += questions(path, args.from_line)
            continue
        before += questions(path)
    go_offline()
    model = load_model(str(packaged_model_dir()))
    known = model.encode(before, normalize_embeddings=True, batch_size=64)
    asked = model.encode(batch, normalize_embeddings=True, batch_size=64)
    similar = asked @ known.T
    closest = similar.max(axis=1)
    counts = ", ".join(f"{int((closest >= cut).sum())} within {cut}" for cut in CUTS)
    print(f"{len(batch)} questions against {len(before)} before them: {counts}; median {float(np.median(closest)):.3f}")
    for i in np.argsort(-closest)[: args.show]:
        print(f"  {closest[i]:.3f}  {batch[i]}\n         {before[int(similar[i].argmax())]}")


if __name__ == "__main__":
    main()
