"""What she remembers of the person, read once at the start of a turn; never evidence, never cited."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from companion.memory import Fact, Memory, summary_for_prompt
from companion.memory_facts import second_person
from companion.prompts import Prompts
from companion.text import content_terms, fold

# Kinds of fact worth bringing back when a question touches them ("you said the ending made you hopeful").
RECALLED_KINDS = ("feeling", "cares")


@dataclass(frozen=True)
class Remembered:
    """The person as known at the start of a turn."""

    facts: tuple[Fact, ...] = ()
    # Facts this very message told: echoing them straight back would sound like a parrot.
    told: frozenset[int] = frozenset()
    # They said they have not seen the film: keep the ending back unless they ask for it.
    careful: bool = False

    @property
    def summary(self) -> str:
        """Return the facts as a block for a model's system prompt, or '' when there are none."""
        return summary_for_prompt(list(self.facts))


def read_memory(memory: Memory | None, question: str, spoiler_care: Callable[[], bool] | None) -> Remembered:
    """Store what the message tells about the person, then read everything known of them, once."""
    told = frozenset(fact.id for fact in memory.remember(question)) if memory is not None else frozenset()
    facts = tuple(memory.facts()) if memory is not None else ()
    # Asked after remembering, so "I haven't seen it yet: who is Amy?" is already answered with care.
    careful = bool(spoiler_care and spoiler_care())
    return Remembered(facts=facts, told=told, careful=careful)


def recall_line(prompts: Prompts, question: str, remembered: Remembered) -> str | None:
    """Return a sentence recalling something said in an earlier turn that fits this question, if any."""
    terms = set(content_terms(question))
    for fact in reversed(remembered.facts):
        if fact.id not in remembered.told and fact.kind in RECALLED_KINDS and terms & set(content_terms(fact.text)):
            return prompts.choose("recall", fold(question), fact=second_person(fact.text))
    return None
