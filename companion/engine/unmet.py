"""Unmet: which of her lines says why a film question goes unanswered, and the words it is filled with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from companion.text import listed

# Not a refusal: the message told her about the person and asked the essays nothing, so she answers as to a greeting.
GREETING = "greeting"


@dataclass(frozen=True)
class Unmet:
    """The prompt file her reply comes from (GREETING: met as small talk instead), and the values it is filled with."""

    prompt: str
    # Pairs rather than a dict, so that the value stays frozen.
    values: tuple[tuple[str, str], ...] = ()


def unmet(
    verdict: str, question: str, *, released: bool, told: bool, tells_a_view: bool, other_language: bool,
    typos: Sequence[tuple[str, str]], lacking: str | None = None, quiet_in: str | None = None,
) -> Unmet:
    """Return how to meet a film question the decision did not answer (verdict: "no_evidence" or "spoiler").

    lacking is what the essays speak around without giving ("a number"), when that is why it went unanswered;
    quiet_in the titles of the essays it named, when none of their sentences comes near it.
    """
    if released:
        return Unmet("spoilers_released")
    if told and "?" not in question:
        # "Hi! I'm Sam and I haven't seen Her yet" tells about them and asks the essays nothing.
        return Unmet(GREETING)
    if verdict == "no_evidence" and tells_a_view:
        # "I think samantha was selfish" asked nothing: there is no answer to be without. (Held back as a spoiler,
        # it is said so, as for a question.)
        return Unmet("told_unmet")
    if verdict == "no_evidence" and other_language:
        return Unmet("not_english")
    if verdict == "no_evidence" and typos:
        # Read another way than written, it is turned away saying how it was read: the slip may mean another word.
        return Unmet("misspelt", tuple(read_as(typos).items()))
    if verdict == "no_evidence" and lacking:
        # The essays speak to it but never give the number, age or name asked for: "none of them speak to that"
        # would not be true.
        return Unmet("no_detail", (("detail", lacking),))
    if verdict == "no_evidence" and quiet_in:
        # The others may speak to it: "none of them speak to that" would not be true.
        return Unmet("named_quiet", (("essays", quiet_in),))
    return Unmet(verdict)


def read_as(typos: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Fill prompts/misspelt.md and read_as.md: the words as written and the words they were read as, each quoted."""
    # Single marks: a word in double ones would read as a quotation from the essays, and be checked as one.
    return {"words": listed(f"‘{w}’" for w, _ in typos), "meant": listed(f"‘{m}’" for _, m in typos)}
