"""Converse: small talk and questions about the person, answered by who can write, never from the essays.

A backend that writes freely gets the conversation (persona and what she remembers as prose, the recent
exchanges as real turns, the message as written) and answers in its own words; the others answer from the
lines in prompts/. What a model writes passes the same cleanup as a film answer (cleanup.py); a reply that
says an earlier one again, or that does not tell the remembered facts a question about the person ("what's
my name?") asked for, gives way to those lines, so such answers come from memory for every backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from companion.backends.base import Backend, GenerationRequest, Message
from companion.engine.cleanup import Expected, cleaned, expected
from companion.engine.compose import Composed, Composition, streamed
from companion.engine.pronouns import pronouns_written_out
from companion.engine.prompting import system_message, turns
from companion.engine.recall import Remembered
from companion.memory import Fact, summary_for_prompt
from companion.memory_facts import NOT_SEEN, SEEN, second_person
from companion.prompts import Prompts
from companion.text import content_terms, fold, reply_sentences
from companion.types import Exchange
from companion.words import Words

ABOUT_PERSON = "about_person"
# What a question about the person must mention to be about one of the single facts.
_ASKS_NAME = frozenset({"name", "call", "called", "who"})
_ASKS_SEEN = frozenset({"seen", "see", "saw", "watch", "watched"})
KEEP_ENDING = "They have not seen it yet, so you keep the ending to yourself until they ask for it."


def releases_spoilers(message: str, words: Words) -> bool:
    """Tell whether the person lets her tell the ending ("spoilers are fine", "tell me how it ends")."""
    return bool(words.releases_spoilers.search(fold(message).replace("’", "'")))


def asks_about_her_feelings(message: str, words: Words) -> bool:
    """Tell whether a question about her asks how she feels ("do you ever feel lonely?")."""
    return bool(set(content_terms(message)) & words.chatter - words.fillers)


# What a person tells that is how they feel: met as a feeling, not noted as a fact about them.
FEELINGS = frozenset({"feeling"})
# Words that turn a glad word round ("didn't like it"). English, so here rather than in prompts/words.toml.
NEGATIONS = frozenset({"not", "no", "never", "nothing", "hardly", "didn't", "didnt", "don't", "dont", "doesn't",
                       "doesnt", "wasn't", "wasnt", "isn't", "isnt", "wouldn't", "couldn't", "can't", "cant"})


def sounds_glad(message: str, words: Words) -> bool:
    """Tell whether the person tells her something glad ("i loved it"), with nothing turning it round or saddening it."""
    said = {w.strip("?!.,;:'’\"") for w in fold(message).replace("’", "'").split()}
    terms = set(content_terms(message))
    return bool(terms & words.glad) and not said & NEGATIONS and not terms & words.cool and not terms & words.reactions - words.glad


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
    elif route == "feeling" and sounds_glad(message, words):
        line = prompts.choose("feeling_glad", key)
    elif route == "feeling" and (noted := next((f for f in told if f.kind not in FEELINGS), None)) is not None:
        # "i'm a nurse btw" tells about them, not how they feel.
        line = prompts.choose("noted", key, fact=said_to_them(noted))
    else:
        line = prompts.choose(route, key)
    if any(f.kind == "seen" and f.text == NOT_SEEN for f in told):
        line = f"{line}\n\n{prompts.choose('no_spoilers', key)}"
    return line


@dataclass(frozen=True)
class Talk:
    """What a model that writes is sent for small talk, and what its reply is held to before it is shown."""

    messages: tuple[Message, ...]
    # The fallback is the route's lines from prompts/, as for a model that cannot write.
    want: Expected


def talk_messages(prompts: Prompts, route: str, message: str, window: Sequence[Exchange], remembered: Remembered) -> Talk:
    """Build what a model that writes sees for small talk: persona and memory as prose, real turns, the message."""
    asked = tuple(facts_about(message, remembered.facts) or remembered.facts) if route == ABOUT_PERSON else ()
    # Asked about themselves, the model hears only what was asked, so it answers that and nothing else.
    summary = summary_for_prompt(list(asked)) if route == ABOUT_PERSON else remembered.summary
    system = system_message(prompts, summary, KEEP_ENDING if remembered.careful else "")
    return Talk(
        messages=(system, *turns(window), Message("user", prompts.render("chat", message=message))),
        want=expected(message, canned(prompts, route, message, remembered, prompts.words), window, asked),
    )


def talk(backend: Backend, chat: Talk, message: str, max_tokens: int, temperature: float) -> Composition:
    """Let the model answer small talk, with no evidence; echoes are dropped, an unusable reply replaced."""
    request = GenerationRequest(messages=chat.messages, question=message, max_tokens=max_tokens, temperature=temperature)
    ending = yield from cleaned(streamed(backend, request), chat.want)
    return Composed(evidence=(), error=ending.error, fell_back=ending.fell_back)


def search_query(question: str, query: str, history: Sequence[Exchange], words: Words) -> str:
    """Return what to search a follow-up with: after small talk, the question itself (its pronouns written out), or what she offered.

    "ok, what do they say about loneliness?" after she offered to talk about loneliness means that
    topic, not the small talk before it; a bare "ok, tell me" means her offer.
    """
    if query == question or not history or history[-1].route in ("film", "follow_up"):
        return query
    if pronouns_written_out(question, query, words):
        # "What does she do for a living?" after "who is jennifer anise?" asks it of Anise, as written out.
        return query
    if [t for t in content_terms(question) if t not in words.chatter]:
        return question
    offer = [s.strip() for s in reply_sentences(history[-1].answer) if s.strip()]
    return f"{question} {offer[-1]}" if offer else question

