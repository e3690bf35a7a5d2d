"""The messages a model that writes freely sees, trimmed to its context without touching the history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from companion.backends.base import Backend, Message
from companion.prompts import Prompts
from companion.engine.verify import unmarked
from companion.types import Evidence, Exchange

# Opens what she remembers in the system message: a plain sentence, not a label line a model could copy.
KNOWN = "You know a little about the person you are talking with."


@dataclass(frozen=True)
class Prompt:
    """The messages for one turn and the evidence they carry (trimming may carry less than was chosen)."""

    messages: tuple[Message, ...]
    evidence: tuple[Evidence, ...]


def format_evidence(evidence: Sequence[Evidence]) -> str:
    """Lay out the evidence for a prompt, one marked passage a paragraph, its essay on the same line as its text."""
    blocks = []
    for item in evidence:
        who = f" by {item.passage.author}" if item.passage.author else ""
        # One line each: a line of its own naming the essay would end on a colon, a label a model copies.
        blocks.append(f"[{item.n}] From \"{item.passage.title}\"{who}: {' '.join(item.passage.text.split())}")
    return "\n\n".join(blocks)


def remembered_prose(summary: str) -> str:
    """Say memory's summary as plain sentences for a system message: no header, no bullets, or '' when empty."""
    facts = [line[2:].strip() for line in summary.splitlines() if line.startswith("- ")]
    return " ".join([KNOWN, *facts]) if facts else ""


def system_message(prompts: Prompts, remembered: str, *more: str) -> Message:
    """Return the system message: the persona, then what she remembers and any further sentences, as prose."""
    parts = [prompts.render("persona"), " ".join(p for p in (remembered_prose(remembered), *more) if p)]
    return Message("system", "\n\n".join(p for p in parts if p))


def turns(window: Sequence[Exchange]) -> list[Message]:
    """Return the recent exchanges as real user and assistant turns, without the notes verify added."""
    return [m for e in window for m in (Message("user", e.question), Message("assistant", unmarked(e.answer)))]


def build_messages(
    prompts: Prompts, question: str, evidence: Sequence[Evidence], window: Sequence[Exchange], remembered: str = ""
) -> tuple[Message, ...]:
    """Build the chat messages: persona and memory, the recent exchanges, a reminder, then the question."""
    messages = [system_message(prompts, remembered), *turns(window)]
    # Small models drift out of character over a long history; a reminder just before the turn helps.
    if window:
        messages.append(Message("system", prompts.render("reminder")))
    user = prompts.render("answer", evidence=format_evidence(evidence), question=question)
    messages.append(Message("user", user))
    return tuple(messages)


def fit(
    backend: Backend, prompts: Prompts, question: str, evidence: tuple[Evidence, ...], window: Sequence[Exchange],
    remembered: str, max_tokens: int,
) -> Prompt:
    """Drop the oldest exchanges of a copy of the window, then the weakest evidence, until the prompt fits."""
    kept = list(window)
    messages = build_messages(prompts, question, evidence, kept, remembered)
    size = backend.capabilities.context_size
    used = backend.count_tokens(messages) if size else None
    while size and used is not None and used + max_tokens > size:
        if kept:
            kept.pop(0)
        elif len(evidence) > 1:
            evidence = evidence[:-1]
        else:
            break
        messages = build_messages(prompts, question, evidence, kept, remembered)
        used = backend.count_tokens(messages)
    return Prompt(messages=messages, evidence=evidence)
