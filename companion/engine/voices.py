"""Voices: whose view a quote gives, an essay's or, in a conversation the question names both writers of, one writer's."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from companion.retrieval.sentences import named_writers, speaker_at, spoken_of, writers
from companion.text import content_terms
from companion.types import Passage

# An essay, and the writer speaking when the question names more than one of its writers (else None).
Voice = tuple[str, str | None]


def voice_of(naming: frozenset[str]) -> Callable[[Passage, int], Voice]:
    """Return how to tell whose view a sentence starting at a position of a passage gives, for a question's naming words.

    "Boone vs anise on what samantha leaving at the end means" names both writers of the conversation: each of
    them is a voice to hear, as each essay is. An essay whose writers the question names fewer than two of is one voice.
    """

    def voice(passage: Passage, start: int) -> Voice:
        named = named_writers(passage, naming)
        if len(named) < 2:
            return passage.essay_id, None
        who = spoken_of(passage, start) if passage.note else speaker_at(passage, start)
        said = set(content_terms((who or "").replace("-", " ")))
        return passage.essay_id, next((name for name in named if set(content_terms(name.replace("-", " "))) & said), None)

    return voice


def named_voices(named: Sequence[str], pool: Sequence[Passage], naming: frozenset[str]) -> set[Voice]:
    """Return each voice a question names: each essay it names, or each writer it names of one written by several."""
    voices: set[Voice] = set()
    for essay in named:
        passages = [p for p in pool if p.essay_id == essay]
        both = next((found for p in passages if len(found := named_writers(p, naming)) > 1), [])
        voices |= {(essay, name) for name in both} or {(essay, None)}
    return voices


def names_one_critic(named: Sequence[str], pool: Sequence[Passage], naming: frozenset[str]) -> bool:
    """Tell whether a question names one essay alone, rather than one of the writers of an essay several wrote."""
    if len(named) != 1:
        return False
    # "What does boone think of…" names one voice of a conversation: its other writer's turns are not his view.
    return not any(len(writers(p)) > 1 and named_writers(p, naming) for p in pool if p.essay_id == named[0])
