"""List and erase what Samantha remembers: one implementation for the chat's /memory and /forget and `companion memory`."""

from __future__ import annotations

from dataclasses import dataclass

from companion.errors import InputError
from companion.memory import Memory
from companion.text import printable


@dataclass(frozen=True)
class Spelling:
    """How one surface spells its memory commands, so replies point at what the person can type there."""

    show: str
    forget_one: str
    forget_all: str


CHAT = Spelling(show="/memory", forget_one="/forget ID", forget_all="/forget all")
CLI = Spelling(show="`companion memory`", forget_one="`companion memory --forget ID`", forget_all="`--forget-all`")


def show_memory(memory: Memory, spelling: Spelling) -> str:
    """Return every remembered fact, one a line with its id first, and how to erase them."""
    facts = memory.facts()
    if not facts:
        return "I don't remember anything about you yet."
    lines = [printable(f"{fact.id:>4}  {fact.kind}: {fact.text}") for fact in facts]
    lines.append(f"Forget one with {spelling.forget_one}, or everything with {spelling.forget_all}.")
    return "\n".join(lines)


def forget(memory: Memory, target: str, spelling: Spelling) -> str:
    """Erase one fact by id, or every fact for "all"; return what was done, or raise InputError."""
    target = target.strip().lower()
    if target == "all":
        return _forgot_all(memory.forget_all())
    if not target.isdigit():
        raise InputError(f"Say {spelling.forget_one} (the ids are in {spelling.show}) or {spelling.forget_all}.")
    if not memory.forget(int(target)):
        raise InputError(f"Nothing is remembered under {int(target)}: {spelling.show} lists the ids.")
    return f"I forgot item {int(target)}. It's gone from disk."


def _forgot_all(count: int) -> str:
    if count == 0:
        return "I didn't remember anything about you, so there was nothing to forget."
    if count == 1:
        return "I forgot the one thing I remembered. It's gone from disk."
    return f"I forgot all {count} things I remembered. They're gone from disk."
