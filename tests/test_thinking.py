"""Thinking models: reasoning in <think> blocks or reasoning fields is never the answer, anywhere it could leak."""

from __future__ import annotations

import asyncio
import re
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.backends.base import BaseBackend, GenerationRequest, Message
from companion.backends.llamacpp import LlamaCppBackend
from companion.backends.openai import OpenAIBackend
from companion.backends.sse import message_reasoning, read_chunk
from companion.backends.thinking import (
    CLOSE, OPEN, ThinkingSplitter, answer_text, map_text, reasoning_text, split_thinking,
)
from companion.cli_io import reply_json
from companion.config import BackendSpec, ConfigError, load_settings
from companion.engine import Engine
from companion.errors import BackendError
from companion.export import export_markdown
from companion.history import History
from companion.session import configure
from companion.types import Reasoning
from tests.scripted_server import deltas_reply, json_reply, server, sse_reply  # noqa: F401

JOB = "What is Theodore's job?"
ANSWER = "Theodore writes letters for strangers [1]."
SECRET_PLAN = "The user wants his job; passage one says letters, so cite it"
REQUEST = GenerationRequest(messages=(Message("user", JOB),), question=JOB)

# -- the filter ---------------------------------------------------------------------------------

# Characters that make partial tags likely, so random text keeps brushing against the real ones.
TAGGY = st.text(alphabet="<>/thinkab \n", max_size=12).filter(lambda t: OPEN not in t and CLOSE not in t)


@st.composite
def thinking_streams(draw):
    """Draw answer and reasoning segments, the stream text they make, and where to cut it into chunks."""
    outside = draw(st.lists(TAGGY, min_size=1, max_size=4))
    inside = draw(st.lists(TAGGY, min_size=len(outside) - 1, max_size=len(outside)))
    text = ""
    for n, answer in enumerate(outside):
        text += answer
        if n < len(inside):
            # The last block may be left open: the stream was cut while she was thinking.
            text += OPEN + inside[n] + (CLOSE if n < len(outside) - 1 else "")
    cuts = sorted(draw(st.sets(st.integers(1, max(1, len(text) - 1)), max_size=12))) if len(text) > 1 else []
    chunks = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)])]
    return "".join(outside), "".join(inside), chunks


@settings(max_examples=400, deadline=None)
@given(thinking_streams())
def test_any_chunking_splits_answer_from_reasoning(case):
    answer, reasoning, chunks = case
    pieces = list(split_thinking(chunks))
    assert answer_text(pieces) == answer
    assert reasoning_text(pieces) == reasoning
    assert all(piece for piece in pieces if isinstance(piece, str))


def test_a_tag_split_at_every_boundary_is_still_a_tag():
    text = "<think>plan</think>Hello."
    for cut in range(1, len(text)):
        for second in range(cut + 1, len(text)):
            pieces = list(split_thinking([text[:cut], text[cut:second], text[second:]]))
            assert (answer_text(pieces), reasoning_text(pieces)) == ("Hello.", "plan"), (cut, second)


def test_an_unclosed_block_is_reasoning_to_the_end_and_a_stray_closer_is_dropped():
    assert reasoning_text(split_thinking(["Hi <think>still thin", "king </thi"])) == "still thinking </thi"
    assert answer_text(split_thinking(["Hi <think>still thin", "king </thi"])) == "Hi "
    # A server whose template opened the block in the prompt sends only the closer.
    assert answer_text(split_thinking(["reasoning</thi", "nk>Hello"])) == "reasoningHello"
    assert answer_text(split_thinking(["a <thi"])) == "a <thi"


def test_a_cut_stream_keeps_the_held_tail_before_the_error():
    def cut():
        yield "<think>half a thought </th"
        raise BackendError("cut")

    seen = []
    with pytest.raises(BackendError):
        for piece in split_thinking(cut()):
            seen.append(piece)
    assert reasoning_text(seen) == "half a thought </th" and answer_text(seen) == ""


def test_reasoning_already_typed_passes_through_and_runs_keep_their_kind():
    pieces = list(split_thinking([Reasoning("field "), "<think>inline</think>", "answer"]))
    assert reasoning_text(pieces) == "field inline" and answer_text(pieces) == "answer"
    upper = list(map_text([Reasoning("a"), Reasoning("b"), "c", Reasoning("d")], lambda run: (t.upper() for t in run)))
    assert upper == [Reasoning("A"), Reasoning("B"), "C", Reasoning("D")]
    assert ThinkingSplitter().feed("<") == []


def test_reasoning_fields_are_read_from_deltas_and_whole_replies():
    assert read_chunk('{"choices":[{"delta":{"reasoning_content":"hmm"}}]}').reasoning == "hmm"
    chunk = read_chunk('{"choices":[{"delta":{"reasoning":"hmm","content":null}}]}')
    assert chunk.reasoning == "hmm" and chunk.text is None
    # Some servers fill both names with the same text; it is read once.
    assert read_chunk('{"choices":[{"delta":{"reasoning_content":"x","reasoning":"x"}}]}').reasoning == "x"
    assert message_reasoning({"choices": [{"message": {"reasoning_content": "why", "content": "A"}}]}) == "why"


# -- a real OpenAI-compatible stream ------------------------------------------------------------


def remote(server, **spec) -> OpenAIBackend:
    return OpenAIBackend(BackendSpec(name="qwen3-server", type="openai", base_url=server.url, retries=0, **spec),
                         sleep=lambda _s: None)


def think_in_content(split: bool) -> list[str]:
    """A Qwen3-style stream through Ollama or llama-server: the block inline, tags cut mid-word when split."""
    if split:
        return ["<th", "ink>", SECRET_PLAN[:20], SECRET_PLAN[20:], "</thi", "nk>\n\n", ANSWER[:12], ANSWER[12:]]
    return [f"<think>{SECRET_PLAN}</think>\n\n", ANSWER]


SCRIPTS = {
    "think in content": lambda: sse_reply(*think_in_content(False)),
    "split tags": lambda: sse_reply(*think_in_content(True)),
    "reasoning_content deltas": lambda: deltas_reply(
        {"reasoning_content": SECRET_PLAN[:30]}, {"reasoning_content": SECRET_PLAN[30:]}, {"content": ANSWER},
    ),
    "reasoning deltas": lambda: deltas_reply(
        {"role": "assistant", "reasoning": SECRET_PLAN}, {"content": ANSWER[:10]}, {"content": ANSWER[10:]},
    ),
    "whole JSON reply": lambda: json_reply(200, {"choices": [{"message": {
        "role": "assistant", "reasoning_content": SECRET_PLAN[:25], "content": f"<think>{SECRET_PLAN[25:]}</think>{ANSWER}",
    }}]}),
}


@pytest.mark.parametrize("script", SCRIPTS)
def test_the_backend_hands_reasoning_on_apart_from_the_answer(server, script):
    server.script.append(SCRIPTS[script]())
    backend = remote(server)
    pieces = list(backend.stream(REQUEST))
    assert answer_text(pieces).strip() == ANSWER
    assert reasoning_text(pieces) == SECRET_PLAN


def test_a_stream_cut_mid_thought_is_all_reasoning(server):
    server.script.append(sse_reply("<think>", SECRET_PLAN[:30], SECRET_PLAN[30:40], done=False, cut=True))
    pieces: list = []
    with pytest.raises(BackendError, match="cut"):
        for piece in remote(server).stream(REQUEST):
            pieces.append(piece)
    assert answer_text(pieces) == "" and reasoning_text(pieces) == SECRET_PLAN[:40]


def test_reasoning_counts_toward_the_reply_budget(server):
    # A server that thinks past max_tokens is cut there, as one that talks past it is.
    server.script.append(deltas_reply(*[{"reasoning": "x" * 100}] * 40))
    pieces: list = []
    with pytest.raises(BackendError, match="past the 100-token limit"):
        for piece in remote(server, max_tokens=100).stream(GenerationRequest((Message("user", JOB),), JOB, max_tokens=100)):
            pieces.append(piece)
    assert answer_text(pieces) == ""


# -- through a real engine, history and export --------------------------------------------------


def engine_for(retrieval, prompts, backend, **kwargs) -> Engine:
    # The index's sentence vectors, as session.open_engine gives them: a turn embeds none of its own.
    return Engine(searcher=retrieval.searcher, backend=backend, prompts=prompts, sentences=retrieval.sentences, **kwargs)


def saved_and_exported(tmp_path: Path, reply) -> tuple[str, str]:
    with History(tmp_path / "conversations.sqlite3") as history:
        cid = history.new_conversation()
        history.add_turn(cid, reply)
        turns = history.turns(cid)
        return turns[0].answer, export_markdown(history.conversation(cid), turns)


STREAMED = ("think in content", "split tags", "reasoning_content deltas", "reasoning deltas")


@pytest.mark.parametrize("script", STREAMED)
def test_reasoning_is_never_the_answer_saved_or_exported(server, retrieval, prompts, tmp_path, script):
    server.script.append(SCRIPTS[script]())
    engine = engine_for(retrieval, prompts, remote(server))
    events = list(engine.turn(JOB))
    reply = events[-1].reply
    assert "".join(e.text for e in events if e.kind == "thinking") == SECRET_PLAN
    assert not any("passage one" in e.text or "think>" in e.text for e in events if e.kind == "token")
    assert reply.answer == ANSWER and reply.grounded and [c.n for c in reply.citations] == [1]
    assert reply.thinking == "" and "thinking" not in reply_json(reply)
    assert SECRET_PLAN not in engine.history[-1].answer
    saved, exported = saved_and_exported(tmp_path, reply)
    assert saved == ANSWER
    assert "passage one" not in exported and "think>" not in exported, exported


def test_a_reply_cut_mid_thought_saves_no_reasoning(server, retrieval, prompts, tmp_path):
    server.script.append(sse_reply(f"<think>{SECRET_PLAN[:30]}", SECRET_PLAN[30:], done=False, cut=True))
    engine = engine_for(retrieval, prompts, remote(server))
    events = list(engine.turn(JOB))
    reply = events[-1].reply
    assert any(e.kind == "thinking" for e in events) and not any(e.kind == "token" for e in events)
    assert reply.answer == "" and not reply.complete and not reply.grounded and engine.history == []
    saved, exported = saved_and_exported(tmp_path, reply)
    assert saved == "" and "passage one" not in exported


def test_small_talk_answered_by_a_thinking_model_hides_its_reasoning_too(server, retrieval, prompts):
    server.script.append(sse_reply("<think>They greet me; be war", "m.</think>", "I'm well, thank you for asking!"))
    engine = engine_for(retrieval, prompts, remote(server))
    events = list(engine.turn("hi, how are you?"))
    reply = events[-1].reply
    assert reply.route != "film" and reply.answer == "I'm well, thank you for asking!"
    assert "".join(e.text for e in events if e.kind == "thinking") == "They greet me; be warm."


def test_show_thinking_keeps_it_beside_the_answer_never_in_it(server, retrieval, prompts):
    server.script.append(SCRIPTS["split tags"]())
    spec = BackendSpec(name="qwen3-server", type="openai", base_url=server.url, retries=0, show_thinking=True)
    engine = engine_for(retrieval, prompts, remote(server))
    configure(engine, OpenAIBackend(spec), spec)
    reply = engine.ask(JOB)
    shaped = reply_json(reply)
    assert shaped["thinking"] == SECRET_PLAN and shaped["answer"] == ANSWER
    assert SECRET_PLAN not in shaped["answer"]


def test_the_framing_sentence_is_sought_in_the_answer_not_the_reasoning(server, retrieval, prompts):
    framing = "I love that you asked me this."
    server.script.append(sse_reply("<think>Okay. They ask about the job", ". I will be warm.</th", "ink>", framing))
    engine = engine_for(retrieval, prompts, remote(server, quote_first=True))
    events = list(engine.turn(JOB))
    reply = events[-1].reply
    assert reply.answer.startswith(framing) and "warm." not in reply.answer and "think" not in reply.answer
    assert any(e.kind == "thinking" for e in events)


def test_show_thinking_is_a_checked_profile_key(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[backends.qwen]\ntype = "openai"\nbase_url = "http://127.0.0.1:1/v1"\nshow_thinking = true\n')
    assert load_settings(config_file=config).backend_spec("qwen").show_thinking is True
    config.write_text('[backends.qwen]\ntype = "openai"\nbase_url = "http://127.0.0.1:1/v1"\nshow_thinking = "yes"\n')
    with pytest.raises(ConfigError, match="show_thinking"):
        load_settings(config_file=config).backend_spec("qwen")


# -- the in-process llama.cpp backend ------------------------------------------------------------


class FakeLlama:
    """Stands in for llama_cpp.Llama: a GGUF thinking model's streamed chat chunks."""

    def __init__(self, pieces: list[str]) -> None:
        self.pieces = pieces

    def tokenize(self, data: bytes, add_bos: bool = False, special: bool = False) -> list[int]:
        return list(range(len(data.split())))

    def create_chat_completion(self, **_kwargs):
        return ({"choices": [{"delta": {"content": piece}}]} for piece in self.pieces)


def test_a_local_gguf_thinking_model_is_split_too(tmp_path, monkeypatch):
    backend = LlamaCppBackend(BackendSpec(name="my-gguf", type="llama-cpp"), tmp_path / "qwen3.gguf", False, tmp_path)
    monkeypatch.setattr(backend, "load", lambda: FakeLlama(think_in_content(True)))
    pieces = list(backend.stream(REQUEST))
    assert answer_text(pieces).strip() == ANSWER and reasoning_text(pieces) == SECRET_PLAN


# -- the chat window ------------------------------------------------------------------------------


class SlowThinker(BaseBackend):
    """Reason for a while, then answer: what the status line shows meanwhile is the point."""

    name = "thinker"
    model = "qwen3"

    def __init__(self, release: threading.Event) -> None:
        self.release = release

    def stream(self, request):
        yield Reasoning("Let me think about Theodore. ")
        self.release.wait(10)
        yield Reasoning(SECRET_PLAN)
        yield ANSWER


async def test_the_status_line_says_she_is_thinking_and_the_reasoning_folds_above(retrieval, prompts):
    from textual.widgets import Collapsible, Markdown, Static

    from companion.tui.app import CompanionApp
    from companion.tui.widgets import Composer, Reply

    release = threading.Event()
    engine = engine_for(retrieval, prompts, SlowThinker(release), show_thinking=True)
    app = CompanionApp(lambda status: engine)
    async with app.run_test(size=(100, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        composer = app.query_one(Composer)
        composer.load_text(JOB)
        await pilot.press("enter")
        status = ""
        ends = time.monotonic() + 20
        while time.monotonic() < ends and not re.search(r"thinking… [1-9]\d* s", status):
            await asyncio.sleep(0.2)
            status = str(app.query_one("#status", Static).render())
        assert re.search(r"thinking… [1-9]\d* s", status), status
        release.set()
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        (reply,) = app.query(Reply)
        assert reply.query_one(Markdown).source.startswith("Theodore writes letters")
        assert SECRET_PLAN not in reply.query_one(Markdown).source
        folded = reply.query_one(Collapsible)
        assert folded.collapsed and SECRET_PLAN in str(folded.query_one(".thinking-text", Static).render())
