"""Converse: small talk and questions about the person, answered by who can write, never from the essays.

A backend that writes freely gets the conversation (persona and what she remembers as prose, the recent
exchanges as real turns, the message as written) and answers in its own words; the others answer from the
lines in prompts/. What a model writes is shown once its start is clearly no echo of the prompt; a reply
that says an earlier one again, or that does not tell the remembered facts a question about the person
("what's my name?") asked for, gives way to those lines, so such answers come from memory for every backend.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Sequence
from contextlib import closing
from dataclasses import dataclass
from difflib import SequenceMatcher

from companion.backends.base import Backend, GenerationRequest, Message
from companion.backends.thinking import Piece
from companion.engine.compose import Composed, Composition, streamed
from companion.engine.prompting import system_message, turns
from companion.engine.recall import Remembered
from companion.memory import Fact, summary_for_prompt
from companion.memory_facts import NOT_SEEN, SEEN, second_person
from companion.prompts import Prompts
from companion.text import content_terms, fold, reply_sentences
from companion.engine.verify import unmarked
from companion.types import Exchange, Reasoning
from companion.words import Words

ABOUT_PERSON = "about_person"
# What a question about the person must mention to be about one of the single facts.
_ASKS_NAME = frozenset({"name", "call", "called", "who"})
_ASKS_SEEN = frozenset({"seen", "see", "saw", "watch", "watched"})
KEEP_ENDING = "They have not seen it yet, so you keep the ending to yourself until they ask for it."
# A short line ending in a colon opens nothing a person said: it is a prompt's label, echoed ("What you remember is:").
_LABEL_LINE = re.compile(r"[-*]?\s*[^\n:]{1,60}:")
# A speaker's label before the reply itself ("Samantha: Hi!", "You answer: ...").
_SPEAKER = re.compile(r"(?i)(?:samantha|assistant|answer|reply|response|you (?:answer|say|reply))\s*:\s*")
# A message this long copied into a reply's first line is the prompt echoed; a shorter one may be a fair reply.
_COPIED_WORDS = 3
# A reply this alike to an earlier one (a word or two changed) is that reply said again.
_SAME = 0.9
# A sentence this long said twice is a loop, not a refrain ("Thanks!" may come again).
_LOOP_WORDS = 4
# A first line shorter than this, not yet ended, may still turn out to be a label.
_SHORT_LINE = 60


def releases_spoilers(message: str, words: Words) -> bool:
    """Tell whether the person lets her tell the ending ("spoilers are fine", "tell me how it ends")."""
    return bool(words.releases_spoilers.search(fold(message).replace("’", "'")))


def asks_about_her_feelings(message: str, words: Words) -> bool:
    """Tell whether a question about her asks how she feels ("do you ever feel lonely?")."""
    return bool(set(content_terms(message)) & words.chatter - {"you", "good", "right", "just", "so", "again"})


def facts_about(question: str, facts: Sequence[Fact]) -> list[Fact]:
    """Return the remembered facts a question about the person asks for; all of them when it asks broadly."""
    asked = {w.strip("?!.,'’") for w in fold(question).split()}
    terms = set(content_terms(question)) - {"name", "call", "seen", "see", "saw", "watch", "know", "remember", "said",
                                            "say", "told", "tell"}
    chosen = []
    for fact in facts:
        if fact.kind == "name":
            wanted = bool(asked & _ASKS_NAME)
        elif fact.kind == "seen":
            wanted = bool(asked & _ASKS_SEEN)
        else:
            wanted = bool(terms & set(content_terms(fact.text)))
        if wanted:
            chosen.append(fact)
    broad = not chosen and not terms and not asked & (_ASKS_NAME | _ASKS_SEEN)
    return list(facts) if broad else chosen


def said_to_them(fact: Fact) -> str:
    """Say a remembered fact to the person ("your name is Sam", "you haven't seen Her yet")."""
    if fact.kind == "name":
        return f"your name is {fact.text}"
    if fact.kind == "seen":
        return "you've seen Her" if fact.text == SEEN else "you haven't seen Her yet"
    text = second_person(fact.text)
    return text if text.startswith(("you ", "your ", "Her ")) else f"you {text}"


def canned(prompts: Prompts, route: str, message: str, remembered: Remembered, words: Words) -> str:
    """Answer from prompts/: about the person from memory, a greeting that met them, or the route's lines."""
    key = fold(message)
    if route == ABOUT_PERSON:
        known = facts_about(message, remembered.facts)
        if not known:
            return prompts.choose("about_person", key)
        return prompts.choose("person_known", key, facts="; ".join(said_to_them(f) for f in known))
    told = [f for f in remembered.facts if f.id in remembered.told]
    name = next((f.text for f in told if f.kind == "name"), None)
    if name is not None:
        line = prompts.choose("met", key, name=name)
    elif route == "about_her" and asks_about_her_feelings(message, words):
        line = prompts.choose("her_feelings", key)
    else:
        line = prompts.choose(route, key)
    if any(f.kind == "seen" and f.text == NOT_SEEN for f in told):
        line = f"{line}\n\n{prompts.choose('no_spoilers', key)}"
    return line


@dataclass(frozen=True)
class Talk:
    """What a model that writes is sent for small talk, and how its reply is checked before it is shown."""

    messages: tuple[Message, ...]
    # What she says instead when the reply is unusable: the route's lines from prompts/, as for a model that cannot write.
    fallback: str
    # Her replies in the window, unmarked and folded: saying one of them again (nearly) word for word is no answer.
    earlier: tuple[str, ...] = ()
    # The facts a question about the person asked for: the reply must tell them, else the fallback does.
    asked: tuple[Fact, ...] = ()


def talk_messages(prompts: Prompts, route: str, message: str, window: Sequence[Exchange], remembered: Remembered) -> Talk:
    """Build what a model that writes sees for small talk: persona and memory as prose, real turns, the message."""
    asked = tuple(facts_about(message, remembered.facts) or remembered.facts) if route == ABOUT_PERSON else ()
    # Asked about themselves, the model hears only what was asked, so it answers that and nothing else.
    summary = summary_for_prompt(list(asked)) if route == ABOUT_PERSON else remembered.summary
    system = system_message(prompts, summary, KEEP_ENDING if remembered.careful else "")
    return Talk(
        messages=(system, *turns(window), Message("user", prompts.render("chat", message=message))),
        fallback=canned(prompts, route, message, remembered, prompts.words),
        earlier=tuple(fold(unmarked(e.answer)) for e in window),
        asked=asked,
    )


def talk(backend: Backend, chat: Talk, message: str, max_tokens: int, temperature: float) -> Composition:
    """Let the model answer small talk, with no evidence; echoes are dropped, an unusable reply replaced."""
    request = GenerationRequest(messages=chat.messages, question=message, max_tokens=max_tokens, temperature=temperature)
    error = yield from checked(streamed(backend, request), chat, message)
    return Composed(evidence=(), error=error)


def checked(pieces: Generator[Piece, None, str | None], chat: Talk, message: str) -> Generator[Piece, None, str | None]:
    """Pass a reply on a sentence at a time once its start is clearly no echo; hold all of it when it must tell facts.

    A sentence said before in this reply means the model is looping, so the reply ends there (its stream is
    closed); one from an earlier reply is left out. A reply that is empty once its echo is dropped, (nearly)
    repeats an earlier reply, or misses the facts asked is replaced by the fallback; one an error cut keeps
    what arrived.
    """
    held = ""
    error = None
    flowing = False
    shown: list[str] = []
    earlier = [fold(sentence) for reply in chat.earlier for sentence in reply_sentences(reply)]
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
                text = without_echo(held, message)
                if chat.asked or not settled(text, chat.earlier):
                    continue
                held, flowing = text, True
            *complete, held = reply_sentences(held) or [""]
            passed = yield from _sentences(complete, shown, earlier)
            if not passed:
                held = ""
                break
    if flowing:
        yield from _sentences([held], shown, earlier)
        if not shown and error is None:
            yield chat.fallback
        return error
    # The last line is whole now, so a label the reply ended on is seen as one.
    text = without_echo(held + "\n", message).strip()
    if error is None and not usable(text, chat):
        text = chat.fallback
    if text:
        yield text
    return error


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


def usable(text: str, chat: Talk) -> bool:
    """Tell whether a whole reply may be shown: something new that tells every fact it was asked for."""
    folded = fold(text)
    again = any(alike(folded, reply) for reply in chat.earlier)
    return bool(folded) and not again and all(tells(text, fact) for fact in chat.asked)


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


def search_query(question: str, query: str, history: Sequence[Exchange], words: Words) -> str:
    """Return what to search a follow-up with: after small talk, the question itself, or what she offered.

    "ok, what do they say about loneliness?" after she offered to talk about loneliness means that
    topic, not the small talk before it; a bare "ok, tell me" means her offer.
    """
    if query == question or not history or history[-1].route in ("film", "follow_up"):
        return query
    if [t for t in content_terms(question) if t not in words.chatter]:
        return question
    offer = [s.strip() for s in reply_sentences(history[-1].answer) if s.strip()]
    return f"{question} {offer[-1]}" if offer else question

