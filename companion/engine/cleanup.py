"""Cleanup: what of a model's written reply is shown, in one place for small talk and film answers alike.

A reply is passed on a sentence at a time once its start is clearly no echo of the prompt (a label line, a
speaker's label, the person's message copied back) and no longer follows an earlier reply word for word. A
sentence said before in this reply means the model is looping, so the reply ends there; one from an earlier
reply is left out. A reply that is empty once its echo is dropped, (nearly) repeats an earlier reply, or
misses the facts it was asked to tell gives way to a fallback that needs no model.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Sequence
from contextlib import closing
from dataclasses import dataclass
from difflib import SequenceMatcher

from companion.backends.thinking import Piece
from companion.engine.verify import unmarked
from companion.memory import Fact
from companion.text import content_terms, fold, reply_sentences
from companion.types import Exchange, Reasoning

# A short line ending in a colon opens nothing a person said: it is a prompt's label, echoed ("What you remember is:").
_LABEL_LINE = re.compile(r"[-*]?\s*[^\n:]{1,60}:")
# A speaker's label before the reply itself ("Samantha: Hi!", "You answer: ...").
_SPEAKER = re.compile(r"(?i)^(?:samantha|assistant|answer|reply|response|you (?:answer|say|reply))\s*:\s*")
# A message this long copied into a reply's first line is the prompt echoed; a shorter one may be a fair reply.
_COPIED_WORDS = 3
# A reply this alike to an earlier one (a word or two changed) is that reply said again.
_SAME = 0.9
# A sentence this long said twice is a loop, not a refrain ("Thanks!" may come again).
_LOOP_WORDS = 4
# A first line shorter than this, not yet ended, may still turn out to be a label.
_SHORT_LINE = 60
# An unfinished sentence longer than this is passed on as it stands: a reader must not wait on a model that
# writes without full stops, and what a stopped or killed reply had shown is kept.
_LONG_TAIL = 160


@dataclass(frozen=True)
class Expected:
    """What a written reply is held to before it is shown."""

    # What the person wrote: a reply opening with it copied back is the prompt echoed.
    message: str
    # What she says instead of an unusable reply: lines from prompts/, or quotes laid out by code.
    fallback: str
    # Her replies in the window, unmarked and folded: saying one of them again (nearly) word for word is no answer.
    earlier: tuple[str, ...] = ()
    # The facts a question about the person asked for: the reply must tell them, else the fallback does.
    asked: tuple[Fact, ...] = ()


@dataclass(frozen=True)
class Ending:
    """How a cleaned reply ended: the error that cut its stream, and whether the fallback took the reply's place."""

    error: str | None = None
    fell_back: bool = False


def expected(message: str, fallback: str, window: Sequence[Exchange], asked: Sequence[Fact] = ()) -> Expected:
    """Say what a reply to this message must be, given her recent replies and the facts it must tell."""
    return Expected(message=message, fallback=fallback, earlier=tuple(fold(unmarked(e.answer)) for e in window),
                    asked=tuple(asked))


def cleaned(pieces: Generator[Piece, None, str | None], want: Expected) -> Generator[Piece, None, Ending]:
    """Pass a reply on a sentence at a time once its start is clearly no echo; hold all of it when it must tell facts.

    A looping reply ends where it starts saying itself again (its stream is closed); an unusable one is replaced
    by the fallback; one an error cut keeps what arrived.
    """
    held = ""
    error = None
    flowing = False
    shown: list[str] = []
    earlier = [fold(sentence) for reply in want.earlier for sentence in reply_sentences(reply)]
    with closing(pieces):
        while True:
            try:
                piece = next(pieces)
            except StopIteration as end:
                error = end.value
                break
            if isinstance(piece, Reasoning):
                yield piece
                continue
            held += piece
            if not flowing:
                text = without_echo(held, want.message)
                if want.asked or not settled(text, want.earlier):
                    continue
                held, flowing = text, True
            *complete, held = reply_sentences(held) or [""]
            if len(held) > _LONG_TAIL:
                complete, held = [*complete, held], ""
            passed = yield from _sentences(complete, shown, earlier)
            if not passed:
                held = ""
                break
    if flowing:
        yield from _sentences([held], shown, earlier)
        if not shown and error is None:
            yield want.fallback
        return Ending(error, fell_back=not shown and error is None)
    # The last line is whole now, so a label the reply ended on is seen as one; a reply an error cut keeps
    # its last line as it arrived (it may have been cut off before its end).
    text = without_echo(held + ("\n" if error is None else ""), want.message).strip()
    fell_back = error is None and not usable(text, want)
    if fell_back:
        text = want.fallback
    if text:
        yield text
    return Ending(error, fell_back)


def _sentences(sentences: Sequence[str], shown: list[str], earlier: Sequence[str]) -> Generator[str, None, bool]:
    """Pass on sentences not said before, noting them in shown; return False at one this reply already said."""
    for sentence in sentences:
        folded = fold(sentence)
        if len(folded.split()) >= _LOOP_WORDS and any(alike(folded, said) for said in shown):
            return False
        if not folded or (len(folded.split()) >= _LOOP_WORDS and any(alike(folded, said) for said in earlier)):
            continue
        shown.append(folded)
        yield sentence
    return True


def without_echo(text: str, message: str) -> str:
    """Drop what a reply opens with that echoes the prompt: label lines, a speaker label, the message copied back."""
    while True:
        line, newline, rest = text.lstrip().partition("\n")
        folded = fold(line).strip("-*> \"'")
        copied = len(message.split()) >= _COPIED_WORDS and fold(message).rstrip("?!.") in folded
        if not newline or not (_LABEL_LINE.fullmatch(line.strip()) or copied):
            return _SPEAKER.sub("", text.lstrip(), count=1)
        text = rest


def settled(text: str, earlier: Sequence[str]) -> bool:
    """Tell whether a reply's start can be shown: past any echo, no longer following an earlier reply (nearly) word for word."""
    folded = fold(text)
    if not folded or ("\n" not in text.strip() and len(folded) < _SHORT_LINE):
        return False
    return not any(alike(folded, reply[: len(folded)]) for reply in earlier)


def usable(text: str, want: Expected) -> bool:
    """Tell whether a whole reply may be shown: something new that tells every fact it was asked for."""
    folded = fold(text)
    again = any(alike(folded, reply) for reply in want.earlier)
    return bool(folded) and not again and all(tells(text, fact) for fact in want.asked)


def alike(text: str, other: str) -> bool:
    """Tell whether two folded texts are the same words but for a few changed."""
    return SequenceMatcher(None, text, other, autojunk=False).ratio() >= _SAME


def tells(text: str, fact: Fact) -> bool:
    """Tell whether a reply tells the person a remembered fact (their name as theirs, not as hers)."""
    folded = fold(text)
    if fact.kind == "name":
        name = re.escape(fold(fact.text))
        return bool(re.search(rf"\b{name}\b", folded)) and not re.search(rf"\b(?:i'm|i am|my name is|call me) {name}\b",
                                                                          folded.replace("’", "'"))
    if fact.kind == "seen":
        return bool(set(content_terms(text)) & {"seen", "see", "saw", "watch", "watched"})
    return bool(set(content_terms(text)) & set(content_terms(fact.text)))
