"""Time to first token and tokens/s: our backends against their raw baselines, in one run.

The prompt is 400 tokens of essay text (the issue's ttft target). llama-cpp:
`LlamaCppBackend.stream` vs `llama_cpp.Llama.create_chat_completion` on the same loaded model,
plus, for context, raw llama.cpp on the shipped Q4_1 file as it comes (no conversion, no flash
attention). openai: `OpenAIBackend.stream` vs a bare httpx SSE read of the same request to a
llama_cpp.server started on loopback. Greedy decoding with a fixed token budget, so both sides
generate the same tokens; each figure is the median of --runs alternating runs.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import httpx

from companion.backends.base import GenerationRequest, Message
from companion.backends.llamacpp import create as create_llama
from companion.backends.llamacpp import shipped_model_path
from companion.backends.openai import OpenAIBackend
from companion.config import REPO_ROOT, BackendSpec, load_settings

PROMPT_TOKENS = 400
TOKENS = 96
QUESTION = "\n\nThe person asks: What did the critics think of the ending?"
SPEC = BackendSpec(name="llama-cpp", type="llama-cpp", n_ctx=2048)
_run = 0
_prompt = ""


def messages(run: int | None = None) -> tuple[Message, ...]:
    """Return the prompt with a fresh first line, so no side reuses the other's cached prefix."""
    global _run
    _run += 1
    system = f"Run {_run if run is None else run:03d}. You are Samantha, warm and curious."
    return (Message("system", system), Message("user", _prompt))


def fit_prompt(backend) -> int:
    """Fill the user message with essay text until the whole prompt is PROMPT_TOKENS tokens."""
    words = (REPO_ROOT / "corpus" / "her-2013.md").read_text("utf-8").split("---", 2)[-1].split()

    def fill(count: int) -> int:
        global _prompt
        _prompt = "Passages from the critics' essays:\n\n[1] " + " ".join(words[:count]) + QUESTION
        return backend.count_tokens(messages(run=0))

    low, high = 1, len(words)
    while low < high:
        mid = (low + high + 1) // 2
        if fill(mid) <= PROMPT_TOKENS:
            low = mid
        else:
            high = mid - 1
    return fill(low)


def as_request() -> GenerationRequest:
    return GenerationRequest(messages=messages(), question="q", max_tokens=TOKENS, temperature=0.0)


def as_json() -> list[dict[str, str]]:
    return [{"role": m.role, "content": m.content} for m in messages()]


def timed(stream: Callable[[], Iterator[str]]) -> tuple[float, float, int]:
    """Return (ttft seconds, pieces per second after the first, pieces) for one stream."""
    start = time.perf_counter()
    first = None
    count = 0
    for piece in stream():
        if piece:
            count += 1
            if first is None:
                first = time.perf_counter()
    end = time.perf_counter()
    rate = (count - 1) / (end - first) if first and count > 1 and end > first else 0.0
    return (first or end) - start, rate, count


def compare(name: str, sides: dict[str, Callable], runs: int, tokens: int) -> None:
    """Run every side once per round, alternating, and print the medians; "raw" is the baseline."""
    results: dict[str, list[tuple[float, float, int]]] = {label: [] for label in sides}
    for _ in range(runs):
        for label, fn in sides.items():
            results[label].append(timed(fn))
    med = {k: (statistics.median(r[0] for r in v), statistics.median(r[1] for r in v), v[0][2])
           for k, v in results.items()}
    print(f"\n{name}: median of {runs} runs, {TOKENS}-token budget, prompt {tokens} tokens")
    width = max(map(len, sides)) + 2
    print(f"{'':{width}}{'ttft s':>10}{'tokens/s':>12}{'tokens':>8}")
    for label, (ttft, rate, count) in med.items():
        print(f"{label:{width}}{ttft:10.3f}{rate:12.1f}{count:8d}")
    print(f"ratio tokens/s ours/raw: {med['ours'][1] / med['raw'][1]:.3f};  ttft difference: "
          f"{med['ours'][0] - med['raw'][0]:+.3f} s")


def chat_stream(llm) -> Callable[[], Iterator[str]]:
    def raw() -> Iterator[str]:
        for chunk in llm.create_chat_completion(messages=as_json(), max_tokens=TOKENS, temperature=0.0, stream=True):
            yield chunk["choices"][0]["delta"].get("content") or ""

    return raw


def bench_llama(runs: int) -> int:
    from llama_cpp import Llama

    backend = create_llama(SPEC, load_settings())
    llm = backend.load()
    tokens = fit_prompt(backend)
    as_shipped = Llama(model_path=str(backend.path), n_ctx=SPEC.n_ctx, n_threads=backend.n_threads,
                       n_threads_batch=backend.n_threads, verbose=False)
    sides = {
        "raw": chat_stream(llm),
        "ours": lambda: backend.stream(as_request()),
        "raw, shipped file": chat_stream(as_shipped),
    }
    title = f"llama-cpp (in-process SmolLM2-135M, {backend.quantize}, flash_attn={backend.flash_attn})"
    compare(title, sides, runs, tokens)
    print(f"'raw, shipped file' is {backend.path.name} unconverted, without flash attention; "
          f"ours runs {backend.weights().name}.")
    as_shipped.close()
    return tokens


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_openai(runs: int, tokens: int) -> None:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(shipped_model_path()), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "2048"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{url}/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        backend = OpenAIBackend(BackendSpec(name="llama-server", type="openai", base_url=url))
        client = httpx.Client(timeout=120)

        def raw() -> Iterator[str]:
            body = {"messages": as_json(), "stream": True, "max_tokens": TOKENS, "temperature": 0.0}
            with client.stream("POST", f"{url}/chat/completions", json=body) as response:
                for line in response.iter_lines():
                    if line.startswith("data: ") and line != "data: [DONE]":
                        yield json.loads(line[6:])["choices"][0]["delta"].get("content") or ""

        sides = {"raw": raw, "ours": lambda: backend.stream(as_request())}
        compare("openai backend vs bare httpx, llama_cpp.server on loopback", sides, runs, tokens)
        backend.close()
        client.close()
    finally:
        server.terminate()
        server.wait(10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", choices=["llama", "openai"])
    args = parser.parse_args()
    if args.only in (None, "llama"):
        tokens = bench_llama(args.runs)
    else:
        tokens = fit_prompt(create_llama(SPEC, load_settings()))
    if args.only in (None, "openai"):
        bench_openai(args.runs, tokens)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
