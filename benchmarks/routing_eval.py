"""Route eval/routing.jsonl with the real MiniLM router and print accuracy per split, the misses, and film routed away.

    .venv/bin/python benchmarks/routing_eval.py [--split dev|test|all|both] [--set FILE] [--more FILE] [--holdout FILE]

Tune prompts/routes/ and the route thresholds in companion/policy.py on dev (the dev split of --set and all of
--more, eval/routing_dev_more.jsonl); report test and the holdout (eval/routing_holdout.jsonl, written before
the router was last tuned and never tuned on). `--split both` (the default) reports all four.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from companion.config import REPO_ROOT, load_settings
from companion.engine.router import Router
from companion.prompts import load_prompts
from companion.retrieval.light import LightEmbedder
from companion.routing_set import confusion, load_routing_set, score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "test", "all", "both"), default="both")
    parser.add_argument("--set", type=Path, default=REPO_ROOT / "eval" / "routing.jsonl")
    parser.add_argument("--more", type=Path, default=REPO_ROOT / "eval" / "routing_dev_more.jsonl",
                        help="dev-only utterances, reported whole with --split both")
    parser.add_argument("--holdout", type=Path, default=REPO_ROOT / "eval" / "routing_holdout.jsonl",
                        help="held-out utterances, reported whole with --split both")
    args = parser.parse_args()
    settings = load_settings()
    prompts = load_prompts(settings.prompts_dir)
    router = Router(prompts.routes, LightEmbedder(settings.embedding_model))
    started = time.perf_counter()
    router.warm()
    print(f"examples embedded: {len(router.texts)} in {time.perf_counter() - started:.2f} s")
    items = load_routing_set(args.set)
    splits = ("dev", "test") if args.split == "both" else (args.split,)
    sets = [(split, [item for item in items if split == "all" or item.split == split]) for split in splits]
    if args.split == "both":
        sets += [("dev (more)", load_routing_set(args.more)), ("holdout", load_routing_set(args.holdout))]
    for split, chosen in sets:
        started = time.perf_counter()
        result = score(chosen, router, prompts.words)
        per = (time.perf_counter() - started) / max(len(chosen), 1) * 1000
        print(f"\n{split}: accuracy {result.accuracy:.3f} ({result.correct}/{result.total}); "
              f"film routed away {result.film_away}/{result.film_total}; {per:.1f} ms per message")
        for (expected, got), count in sorted(confusion(result.misses).items()):
            print(f"  {expected} -> {got}: {count}")
        for expected, got, text in result.misses:
            print(f"    [{expected} -> {got}] {text}")


if __name__ == "__main__":
    main()
