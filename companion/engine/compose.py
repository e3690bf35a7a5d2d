"""Compose: the reply's words, by the strategy the backend's declared capabilities call for.

- writes "freely":  the model writes the whole reply from the evidence, persona, memory and history;
                    verify checks every citation afterwards.
- writes "frames":  the model may add one personal sentence; code lays out the answering quotes.
- writes "nothing": code alone, in her voice from prompts/ (the extractive composer).

Each strategy is a generator of text pieces that returns a ``Composed``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Sequence
from contextlib import closing
from dataclasses import dataclass, replace

from companion.backends.base import Backend, GenerationRequest, Message, Writes
from companion.engine.answer_kind import asks_for_a_number, stated_number
from companion.engine.cleanup import cleaned, expected
from companion.engine.credits import CreditQuestion, credits
from companion.engine.given import the_name_given
from companion.engine.kinds import asks_for_a_named_kind, the_thing_given
from companion.engine.names import asks_for_a_name
from companion.engine.prompting import fit
from companion.engine.quotes import opener_for, quote_paragraphs, quoted, views_line
from companion.engine.recall import Remembered, recall_line
from companion.engine.route import tells_a_view
from companion.errors import CompanionError
from companion.policy import POLICY, Policy
from companion.prompts import Prompts
from companion.text import first_sentence, fold, listed, markers
from companion.types import Evidence, Exchange, Reasoning
from companion.words import Words

Idf = Callable[[str], float]
# A framing sentence from an untrusted model must be a reaction, not a claim about the film.
_PERSONAL = re.compile(r"\b(i|i'm|i've|i'd|me|my|you|you're|your|let's|let me|we)\b")
_FACTUAL = re.compile(r"[\d\[\]:\"“”]")
_NOT_A_NAME = ("I", "I'm", "I’m")


@dataclass(frozen=True)
class Job:
    """What a composer works from."""

    question: str  # as asked: what a model that writes is shown
    query: str  # what quotes are chosen for: a follow-up carries the question before it
    evidence: tuple[Evidence, ...]
    remembered: Remembered
    window: tuple[Exchange, ...]  # the recent exchanges a model that writes may see
    idf: Idf | None
    max_tokens: int
    temperature: float
    policy: Policy = POLICY
    # The credit the query asks for, as retrieve read it: a first quote giving it is named in her first line.
    asked: CreditQuestion | None = None


@dataclass(frozen=True)
class Composed:
    """How composing ended: the evidence the reply may cite, the error that cut it, if any, and whether it fell back."""

    evidence: tuple[Evidence, ...]
    error: str | None = None
    # The model's reply was unusable and gave way to words that need no model (her lines, or quotes laid out by code).
    fell_back: bool = False


Composition = Generator[str | Reasoning, None, Composed]


def compose(job: Job, backend: Backend, prompts: Prompts) -> Composition:
    """Start the strategy the backend's capabilities call for."""
    return COMPOSERS[backend.capabilities.writes](job, backend, prompts)


def written(job: Job, backend: Backend, prompts: Prompts) -> Composition:
    """Let the model write the reply, cleaned as small talk is; the prompt is trimmed to its context on a copy of the history."""
    prompt = fit(backend, prompts, job.question, job.evidence, job.window, job.remembered.summary, job.max_tokens)
    request = GenerationRequest(
        messages=prompt.messages, question=job.query, evidence=prompt.evidence, max_tokens=job.max_tokens,
        temperature=job.temperature,
    )
    # A reply that is no answer (nothing but the prompt echoed, or an earlier reply again) gives way to the
    # quotes laid out by code, from the evidence the model was given.
    fallback = "\n\n".join(quote_reply(replace(job, evidence=prompt.evidence), prompts))
    ending = yield from cleaned(streamed(backend, request), expected(job.question, fallback, job.window))
    return Composed(evidence=prompt.evidence, error=ending.error, fell_back=ending.fell_back)


def framed(job: Job, backend: Backend, prompts: Prompts) -> Composition:
    """Let the model write only a framing sentence; the quotes and markers are placed by code."""
    messages = (
        Message("system", prompts.render("persona")),
        Message("user", prompts.render("framing", question=job.query)),
    )
    request = GenerationRequest(
        messages=messages, question=job.query, max_tokens=job.policy.framing_tokens, temperature=job.temperature
    )
    error = None
    first = ""
    with closing(_generate(backend, request)) as pieces:
        try:
            buffer = ""
            for piece in pieces:
                # Reasoning is passed on to be shown as thinking; the framing sentence is sought in the answer alone.
                if isinstance(piece, Reasoning):
                    yield piece
                    continue
                buffer += piece
                sentence = first_sentence(buffer)
                if sentence is not None:
                    first = sentence
                    break
            else:
                first = buffer
        except CompanionError as exc:
            error = str(exc)
    # Only the first sentence, and only if it is a reaction rather than an invented fact.
    framing = " ".join(first.split())
    if not acceptable_framing(framing, job.query, prompts.words, job.policy):
        framing = ""
    paragraphs = quote_reply(job, prompts, framing)
    yield paragraphs[0]
    for paragraph in paragraphs[1:]:
        yield "\n\n" + paragraph
    return Composed(evidence=job.evidence, error=error)


def extractive(job: Job, backend: Backend, prompts: Prompts) -> Composition:
    """Compose from the quotes alone, a few words at a time as a model would stream."""
    reply = "\n\n".join(quote_reply(job, prompts))
    for match in re.finditer(r"\S+\s*", reply):
        yield match.group()
    return Composed(evidence=job.evidence)


COMPOSERS: dict[Writes, Callable[[Job, Backend, Prompts], Composition]] = {
    "freely": written, "frames": framed, "nothing": extractive,
}


def quote_reply(job: Job, prompts: Prompts, first_line: str = "") -> list[str]:
    """Lay out a quote-first reply: a first line, what she recalls of them, one quote per critic, a closer."""
    key = fold(job.query)
    used = quoted(job.query, job.evidence, job.idf, job.policy)
    sure = not unsure(job)
    # Told what they made of it ("i didn't like the ending"), she takes it in before the critics, however sure.
    told = tells_a_view(job.question)
    opener = "openers_told" if told else opener_for(job.query, prompts.words) if sure else "openers_unsure"
    # Several critics on an opinion are introduced by where they stand; an answer found word for word in the first
    # quote leads before anything else, a small model's framing included.
    views = views_line(prompts, job.query, used, job.policy) if opener in ("openers", "openers_told") else None
    if opener in ("openers", "openers_fact") and len({item.passage.essay_id for item, _ in used}) == 1:
        # "Here's what the writers say…" before one essay's quotes spoke of writers who were not there.
        opener = "openers_one"
    if views:
        # The critics the first line names ("Jennifer Anise [2]… the writer of… [1]") are quoted first, in that
        # order: the reply's markers are numbered as they first appear, and the quotes should read [1], [2], [3].
        named = markers(views)
        used = sorted(used, key=lambda pair: named.index(pair[0].n) if pair[0].n in named else len(named))
    lead = answer_line(job, prompts)
    said = [exchange.answer for exchange in job.window[-2:]]
    if lead:
        paragraphs = [lead]
    elif told:
        paragraphs = [first_line or prompts.choose_fresh(opener, key, said)] + ([views] if views else [])
    else:
        paragraphs = [p for p in (first_line, views) if p] or [prompts.choose_fresh(opener, key, said)]
    # Nothing else weaves memory into a reply made of quotes, so it goes right after the first line.
    recall = recall_line(prompts, job.question, job.remembered)
    if recall:
        paragraphs.append(recall)
    paragraphs.extend(quote_paragraphs(prompts, job.query, used))
    paragraphs.append(prompts.choose_fresh("closers", key, said))
    return paragraphs


def unsure(job: Job) -> bool:
    """Tell whether even the likeliest quote is unlikely to hold the answer, so she should not sound sure."""
    first = job.evidence[0] if job.evidence else None
    return bool(first and first.chance is not None and first.chance < job.policy.unsure_chance)


def answer_line(job: Job, prompts: Prompts) -> str | None:
    """Lead with the answer when the first quote gives it word for word: the actor, the part, the maker, the number, the name."""
    line = _credited_line(job, prompts) or _number_line(job, prompts) or _name_line(job, prompts)
    # A part taken word for word may open the line in lower case ("his wife, played by Rooney Mara: …").
    return line[:1].upper() + line[1:] if line else None


def _credited_line(job: Job, prompts: Prompts) -> str | None:
    """Return the first line naming what the first quote credits, as the quote words it, if it credits anything."""
    first = job.evidence[0] if job.evidence else None
    asked = job.asked
    if first is None or first.span is None or asked is None:
        return None
    text = first.text
    key = fold(job.query)
    several = _each_credited(job.evidence, asked)
    if len(several) > 1:
        return prompts.choose("answer_casts", key, credits=listed(f"{a} as {c}" for c, a in several))
    cast = asked.credited(text)
    if cast is not None:
        character, actor = cast
        return prompts.choose("answer_cast", key, actor=actor, character=character)
    met = asked.introduced(text)
    if met is not None:
        character, actor = met
        return prompts.choose("answer_character", key, actor=actor, character=character)
    cast = _whole_cast(job.evidence, asked, prompts.words)
    if len(cast) > 1:
        return prompts.choose("answer_casts", key, credits=listed(f"{a} as {c}" for c, a in cast))
    maker = asked.made_by(text)
    if maker is not None:
        return prompts.choose("answer_maker", key, maker=maker.name, credit=maker.credit)
    return None


def _each_credited(evidence: Sequence[Evidence], asked: CreditQuestion) -> list[tuple[str, str]]:
    """Return the (character, actor) the quotes credit for each part a question asks after, when it asks after several."""
    parts = asked.parts()
    if len(parts) < 2:
        return []
    found = (next((cast for e in evidence if (cast := part.credited(e.text))), None) for part in parts)
    return list(dict.fromkeys(cast for cast in found if cast is not None))


def _whole_cast(evidence: Sequence[Evidence], asked: CreditQuestion, words: Words) -> list[tuple[str, str]]:
    """Return the (character, actor) each quote credits first, each actor once, when asked who is in the film at all."""
    if not asked.cast or any(c not in words.the_whole_cast for c in asked.characters):
        return []
    firsts = (next(iter(credits(e.text)), None) for e in evidence)
    return list({cast[1]: cast for cast in firsts if cast is not None}.values())


def _number_line(job: Job, prompts: Prompts) -> str | None:
    """Return the first line giving the number asked for, when the first quote is likely and states just one.

    Not for a question read as asking views: "how many people is samantha in love with?" reads "love" as one, and
    its first quote, likely for its words, held the count of those she talks to.
    """
    first = job.evidence[0] if job.evidence else None
    if first is None or first.span is None or unsure(job) or not asks_for_a_number(job.question, prompts.words):
        return None
    if opener_for(job.query, prompts.words) != "openers_fact":
        return None
    number = stated_number(first.text, job.question)
    return prompts.choose("answer_number", fold(job.query), number=number) if number else None


def _name_line(job: Job, prompts: Prompts) -> str | None:
    """Return the first line giving the name asked for, when the first quote is likely and gives just one beside the thing.

    "What is the name of the operating system Theodore buys?" opens "It's OS1", from "…OS1, a personally-tailored,
    artificially intelligent operating system"; a quote giving two names, or none beside the thing, opens as any other.
    "Which company does Theodore work for?" opens with the one name no person has that the quote gives.
    """
    first = job.evidence[0] if job.evidence else None
    words = prompts.words
    if first is None or first.span is None or unsure(job) or opener_for(job.query, words) != "openers_fact":
        return None
    if asks_for_a_name(job.question, words):
        name = the_name_given(first.text, job.question, words, job.policy.name_reach)
    elif asks_for_a_named_kind(job.question, words):
        name = the_thing_given(first.text, job.question, words, job.policy.name_reach)
    else:
        return None
    return prompts.choose("answer_name", fold(job.query), name=name) if name else None


def acceptable_framing(sentence: str, question: str, words: Words, policy: Policy = POLICY) -> bool:
    """Tell whether a model's framing sentence is safe to show: personal, short, a hand-over to the quotes, free of facts."""
    text = sentence.strip()
    tokens = text.split()
    fewest, most = policy.framing_words
    if not fewest <= len(tokens) <= most or _FACTUAL.search(text):
        return False
    folded = fold(text)
    if not _PERSONAL.search(folded) or words.framing_claims.search(folded) or not words.framing_shapes.search(folded):
        return False
    asked = set(fold(question).split())
    names = [w.strip(".,!?;'’") for w in tokens[1:] if w[:1].isupper() and w.strip(".,!?;'’") not in _NOT_A_NAME]
    return all(fold(name) in asked for name in names)


def streamed(backend: Backend, request: GenerationRequest) -> Generator[str | Reasoning, None, str | None]:
    """Pass a backend's pieces on; return the error that cut its stream, if any (what arrived is kept)."""
    with closing(_generate(backend, request)) as pieces:
        try:
            for piece in pieces:
                yield piece
        except CompanionError as exc:
            return str(exc)
    return None


def _generate(backend: Backend, request: GenerationRequest) -> Generator[str | Reasoning, None, None]:
    """Stream from the backend inside a generator, so closing it also closes the backend's stream."""
    yield from backend.stream(request)
