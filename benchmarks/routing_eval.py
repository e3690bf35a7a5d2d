"""Route eval/routing.jsonl with the real MiniLM router and print accuracy per split, the misses, and film routed away.

    .venv/bin/python benchmarks/routing_eval.py [--split dev|test|all] [--set FILE]

Tune prompts/routes/ and the route thresholds in companion/policy.py on dev; report test.
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
    args = parser.parse_args()
    settings = load_settings()
    prompts = load_prompts(settings.prompts_dir)
    router = Router(prompts.routes, LightEmbedder(settings.embedding_model))
    started = time.perf_counter()
    router.warm()
    print(f"examples embedded: {len(router.texts)} in {time.perf_counter() - started:.2f} s")
    items = load_routing_set(args.set)
    splits = ("dev", "test") if args.split == "both" else (args.split,)
    for split in splits:
        chosen = [item for item in items if split == "all" or item.split == split]
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
