"""Decide, pick: the sentences a reply quotes, chosen by their fitted chance of holding the answer."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from companion.engine.credits import CreditQuestion, credits
from companion.engine.joining import joined_span
from companion.engine.library import unnamed
from companion.engine.route import asks_about_the_ending
from companion.engine.voices import Voice, named_voices, names_one_critic, voice_of
from companion.policy import POLICY, Policy
from companion.retrieval.embedder import Embedder
from companion.retrieval.sentence_vectors import SentenceVectors
from companion.retrieval.sentences import (
    Candidate, Reader, named_writers, overlap, rank_sentences, speaker_at, spoken_of, writers,
)
from companion.text import content_terms, fold, fold_marks
from companion.types import Evidence, Hit
from companion.words import Words

Idf = Callable[[str], float]


@dataclass(frozen=True)
class Wanted:
    """What a question asks to have quoted, as its route reads it."""

    question: str
    # One sentence per essay, so each critic with a view speaks once.
    opinion: bool = False
    # The answers a "keep going" goes on from: nothing quoted there is quoted again.
    shown: str = ""
    # About the film as a whole: the critics' sentences saying what the film is.
    whole: bool = False
    # What the critics made of the film: each essay's verdict.
    verdict: bool = False
    # The essays it names, by id, and the words of it naming them (a conversation's writer).
    named: tuple[str, ...] = ()
    naming: frozenset[str] = frozenset()
    # What every quote must say, if the question asks for such a thing: a number, a date or a name to answer at
    # all, or someone's words to lead with them.
    must: Callable[[str], bool] | None = None
    # How likely the first sentence meeting must has to be for it to be quoted (Policy.kind_chance if None).
    must_chance: float | None = None
    # The credit it asks for (who plays, who made, who is), as retrieve read it: its sentence is quoted first.
    asked: CreditQuestion | None = None
    # It asks about the writer it names as a person: the note on them answers, not their views.
    about_writer: bool = False


@dataclass(frozen=True)
class Reading:
    """What reads the sentences: the embedder and the vectors it keeps, word weights, the reader model, the lists."""

    embedder: Embedder
    vectors: SentenceVectors
    idf: Idf | None = None
    policy: Policy = POLICY
    words: Words | None = None
    reader: Reader | None = None


def _credit_first(asked: CreditQuestion | None, ranked: list[Candidate]) -> tuple[list[Candidate], int]:
    """Move first the likeliest sentence crediting the actor or maker a question asks for; say how many were moved.

    A question asking who a character is by name ("who is samantha?") is answered the same way: film writing
    brings a character in with the actor's name. One asking after several parts ("who plays theodore and amy?")
    has a credit moved for each, in the order asked, unless a sentence moved already credits it.
    """
    if asked is None:
        return ranked, 0
    moved: list[Candidate] = []
    for part in asked.parts():
        if any(part.answered_by(candidate.text) for candidate in moved):
            continue
        for index, candidate in enumerate(ranked):
            if part.answered_by(candidate.text):
                # A sentence that credits by itself needs none of the one before it ("His relationship with Samantha
                # (whose voice is rendered by Scarlett Johansson…)" came with a line about Theodore's mustache).
                # Asked for a credit alone, nor does one read with the sentence after it, which leans on it
                # ("Theodore Twombly (Joaquin Phoenix)…" came with "He works at…").
                trims = (_alone(candidate), _lead(candidate)) if asked.credit_alone else (_alone(candidate),)
                candidate = next((c for c in trims if part.answered_by(c.text)), candidate)
                moved.append(candidate)
                ranked = ranked[:index] + ranked[index + 1 :]
                break
    return [*moved, *ranked], len(moved)


def _alone(candidate: Candidate) -> Candidate:
    """Return the candidate without the sentence before it that it was read with."""
    cut = candidate.sentence_start - candidate.start
    return replace(candidate, text=candidate.text[cut:], start=candidate.sentence_start) if cut > 0 else candidate


def _lead(candidate: Candidate) -> Candidate:
    """Return the sentence before the candidate's that it was read with, as a candidate of its own."""
    lead = candidate.text[: candidate.sentence_start - candidate.start].rstrip()
    if not lead:
        return candidate
    return replace(candidate, text=lead, end=candidate.start + len(lead), sentence_start=candidate.start)


def _actors(text: str) -> set[str]:
    """Return the actors a sentence credits."""
    return {actor for _, actor in credits(text)}


def _billed(credited: list[Candidate], sentence: Callable[[Candidate], str], pool: Sequence[Hit]) -> list[Candidate]:
    """Order crediting sentences lead first: by how many passages name the part each credits, as a film's billing does."""

    counted: dict[str, int] = {}

    def named(c: Candidate) -> int:
        character = credits(sentence(c))[0][0]
        # A part named by its first capitalised word ("Theodore" for "Theodore Twombly"); "his wife" by none.
        name = next((w for w in character.split() if w[:1].isupper()), None)
        if name is None:
            return 0
        if name not in counted:
            said = re.compile(rf"\b{re.escape(name)}\b")
            counted[name] = sum(1 for hit in pool if said.search(hit.passage.text))
        return counted[name]

    billed = sorted(credited, key=named, reverse=True)
    # Each actor's first credit comes before any second one, so that the lead's two credits leave room for the rest.
    firsts: dict[str, Candidate] = {}
    for c in billed:
        firsts.setdefault(credits(sentence(c))[0][1], c)
    return [*firsts.values(), *(c for c in billed if c not in firsts.values())]


# The verdict examples embedded, by model and examples: every turn asking for a verdict reads the same ones.
_EXAMPLES: dict[tuple[str, tuple[str, ...]], object] = {}


def _theirs(ranked: Sequence[Candidate], by_id: dict, named: Sequence[str], naming: frozenset[str]) -> list[Candidate]:
    """Keep the sentences of the essays a question names, and of a conversation only the named writer's turns."""
    if not named:
        return list(ranked)
    kept = [c for c in ranked if by_id[c.passage_id].essay_id in named]
    # "Did Anise like it?" names one of the two writing the conversation: her turns are her verdict, and of the note
    # on them the sentences about her. An essay by one writer, or named by no writer's name, is all theirs.
    def theirs(c: Candidate) -> bool:
        passage = by_id[c.passage_id]
        if len(writers(passage)) < 2 or not named_writers(passage, naming):
            return True
        who = spoken_of(passage, c.sentence_start) if passage.note else speaker_at(passage, c.sentence_start)
        return bool(set(content_terms(who or "")) & naming)

    return [c for c in kept if theirs(c)] or kept


def _each_named(
    ranked: Sequence[Candidate], chosen: Sequence[Candidate], voiced: Callable[[Candidate], Voice], cap: int
) -> list[Candidate]:
    """Return the likeliest sentence of each voice a question names (an essay, or a conversation's writer) not yet heard."""
    # "What do Boone and the techno-lonely writer say about technology?" asks each of them: a view less likely than
    # Policy.quote_chance is still theirs to give, where quoting only the likelier one read as if Boone had none.
    heard = {voiced(c) for c in chosen}
    added: list[Candidate] = []
    for candidate in ranked:
        voice = voiced(candidate)
        if len(chosen) + len(added) >= cap:
            break
        if voice not in heard and not any(overlap(c, candidate) for c in chosen):
            heard.add(voice)
            added.append(candidate)
    return added


def _voiced(wanted: Wanted, by_id: dict) -> Callable[[Candidate], Voice]:
    """Return whose view a candidate gives: its essay's, or its writer's in a conversation the question names both of."""
    voice = voice_of(wanted.naming)
    return lambda c: voice(by_id[c.passage_id], c.sentence_start)


def _verdicts(ranked: Sequence[Candidate], by_id: dict, words: Words, reading: Reading) -> list[Candidate]:
    """Return each essay's statement naming the film most like a critic's verdict (words.verdicts), likest first.

    A view of the film as a whole rarely shares a word with "did the critics like it?", so the ranker's chance
    cannot find it; its likeness to sentences a critic sums a film up with can. The reader model reads that
    likeness when there is one, MiniLM otherwise.
    """
    import numpy as np

    def sentence(c: Candidate) -> str:
        return by_id[c.passage_id].text[c.sentence_start : c.end]

    said = [c for c in ranked if words.names_the_film.search(sentence(c)) and not sentence(c).rstrip().endswith("?")]
    if not said or not words.verdicts:
        return []
    reader = reading.reader
    model = reader.embedder if reader is not None else reading.embedder
    key = (model.model_id, words.verdicts)
    if key not in _EXAMPLES:
        # The reader takes half a second for them, so it keeps them; MiniLM takes milliseconds.
        examples = (reader.embedder.embed_kept(words.verdicts) if reader is not None
                    else reading.embedder.embed(list(words.verdicts)))
        _EXAMPLES[key] = np.asarray(examples, dtype=np.float32)
    matrix = (reader.vectors if reader is not None else reading.vectors).lookup([c.text for c in said], model)
    likeness = (matrix @ np.asarray(_EXAMPLES[key]).T).max(axis=1)
    # A verdict leans warm or cool ("my favourite", "schmaltz"): an essay's statements that lean go first.
    tone = words.warm | words.cool
    best: dict[str, tuple[bool, float, Candidate]] = {}
    for c, score in zip(said, likeness):
        essay = by_id[c.passage_id].essay_id
        mark = (bool(tone & set(content_terms(sentence(c)))), float(score), c)
        if essay not in best or mark[:2] > best[essay][:2]:
            best[essay] = mark
    return [c for _, _, c in sorted(best.values(), key=lambda mark: -mark[1])][: reading.policy.opinion_quotes]


def _topic(question: str, wanted: Wanted, words: Words | None) -> re.Pattern[str] | None:
    """Return what a sentence must say to answer the question by its topic alone, if the question has one."""
    if words is None:
        return None
    if wanted.whole:
        return words.says_what_the_film_is
    return words.ending if wanted.opinion and asks_about_the_ending(question, words, wanted.naming) else None


@dataclass(frozen=True)
class Ranked:
    """A pool's sentences as a question reads them, likeliest first, and how many of the first credit what it asks."""

    candidates: tuple[Candidate, ...]
    # How many of the first candidates credit what it asks: one a part, for a question asking after several.
    credited: int
    # The question asks who is in the film, naming no part: each sentence crediting an actor answers it.
    cast: bool = False
    # For a question naming essays, the chance of the likeliest sentence of the others in the pool (None if none).
    elsewhere: float | None = None


def rank_pool(wanted: Wanted, pool: Sequence[Hit], reading: Reading) -> Ranked:
    """Rank the pool's sentences for a question, a credit it asks for first, the essays it names alone, none already quoted."""
    by_id = {hit.passage.id: hit.passage for hit in pool}
    told = fold_marks(wanted.shown)

    def new(c: Candidate) -> bool:
        # The sentence and the neighbour it leans on are each looked for: either may have been quoted.
        text = by_id[c.passage_id].text
        # Folded with its marks alike: a quotation inside a quote was shown in single marks (text.nested).
        parts = (text[c.start : c.sentence_start], text[c.sentence_start : c.end])
        return all(fold_marks(part) not in told for part in parts if part.strip())

    policy = reading.policy
    # The words naming an essay say whose sentences answer, not what they say: they are left out of the reading.
    ranked = rank_sentences(unnamed(wanted.question, wanted.naming), pool, reading.embedder,
                            policy.ranker(reading.reader is not None), reading.vectors, reading.idf, reader=reading.reader)
    ranked = [c for c in ranked if not told or new(c)]
    others = [c.score for c in ranked if by_id[c.passage_id].essay_id not in wanted.named] if wanted.named else []
    # "What did the medium writer think of the ending?" is theirs to answer, when they speak to it at all.
    ranked = _theirs(ranked, by_id, wanted.named, wanted.naming) or ranked
    if wanted.about_writer:
        # "What does anise do for a living?" quoted her "I re-lived lives watching this": her job is in the note.
        ranked = [c for c in ranked if by_id[c.passage_id].note] or ranked
    asked = wanted.asked
    ranked, credited = _credit_first(asked, ranked)
    return Ranked(tuple(ranked), credited, bool(credited) and asked is not None and asked.cast, max(others, default=None))


def pick_quotes(
    wanted: Wanted, pool: Sequence[Hit], reading: Reading, order: Ranked | None = None
) -> tuple[Evidence, ...]:
    """Return the evidence to quote: the likeliest answer first, then others likely enough, one per passage.

    An opinion question hears one sentence per essay, so each critic with a view speaks once. A question
    asking who plays a character (words.asks_for_cast) or who made the film quotes first the sentence crediting
    them. A sentence already quoted (wanted.shown) is not quoted again. A question about the film as a whole
    quotes the critics' sentences saying what the film is, when there are any; one asking what they made of it
    (wanted.verdict) quotes each essay's verdict on the film, or only the verdicts of the essays it names, and in
    a conversation only of the writer it names.

    A question that must be answered by a number, a date or a name (wanted.must) quotes the likeliest sentences
    giving one, or nothing when the first of them is less likely than Policy.kind_chance (or wanted.must_chance).
    order is the pool as rank_pool ranked it for the question, when it already has been.
    """
    question, policy, words = wanted.question, reading.policy, reading.words
    disputes = words.disputes if words else None
    # Asked why, a quote gives the reason beside it too.
    reasons = words.gives_a_reason if words and words.asks_why.search(question) else None
    by_id = {hit.passage.id: hit.passage for hit in pool}
    order = order if order is not None else rank_pool(wanted, pool, reading)
    credited = order.credited
    credit = credited > 0
    # Joining reads every sentence's chance, on the topic or not, giving what is asked or not: the one beside a
    # quote may go on with it.
    every = list(order.candidates)
    candidates = every
    if wanted.must is not None:
        candidates = [c for c in every if wanted.must(c.text)]
        floor = policy.kind_chance if wanted.must_chance is None else wanted.must_chance
        if not candidates or (candidates[0].score < floor and not credit):
            return ()

    def sentence(c: Candidate) -> str:
        return by_id[c.passage_id].text[c.sentence_start : c.end]

    # Some questions are answered by what a sentence is about, however few of the question's words it shares:
    # about the film as a whole, by each critic's statement of what the film is; about what the critics made of
    # the ending, by each critic's sentence telling it (words.ending: "heartbreaking when Samantha leaves Theodore");
    # asked who is in the film, naming no part, by each sentence crediting an actor ("Samantha (Scarlett
    # Johansson) sees the world…").
    cast = order.cast
    topic = _topic(question, wanted, words)
    if cast:
        # A crediting sentence needs none of the one before it, as a credit moved first does. Who is in it, or who
        # its lead is, hears the lead first.
        thesis = _billed([_alone(c) for c in candidates if credits(sentence(c))], sentence, pool)
    else:
        thesis = [c for c in candidates if topic and topic.search(fold(sentence(c)))]
    ranked = thesis or candidates
    if not ranked:
        return ()
    # A credit is the answer, one a part asked after: any other quote would only pad it.
    # A question naming several essays ("how do boone and the medium guy see theodore?") asks each of them.
    voiced = _voiced(wanted, by_id)
    passages = list(by_id.values())
    voices = named_voices(wanted.named, passages, wanted.naming)
    # A question naming one essay asks it alone: hearing each critic once would hold it to a single quote, so its
    # further quotes are weighed as a fact question's are, by chance and one a passage.
    each = (wanted.opinion and not names_one_critic(wanted.named, passages, wanted.naming)) or len(voices) > 1
    cap = policy.opinion_quotes if each else policy.fact_quotes
    cap = policy.cast_quotes if cast else credited or cap
    judged = (
        _verdicts(ranked, by_id, words, reading)
        if wanted.verdict and words else []
    )
    if judged:
        return tuple(
            Evidence(n, by_id[c.passage_id], span=joined_span(c, every, by_id[c.passage_id].text, policy, disputes, reasons))
            for n, c in enumerate(judged, start=1)
        )
    # Each credit asked for is quoted, however its words score ("who plays theodore and amy?").
    chosen: list[Candidate] = list(ranked[: max(1, credited)])
    heard = _actors(sentence(ranked[0])) if cast else set()
    for candidate in ranked[len(chosen) :]:
        # A sentence on the question's topic answers it, however its words score.
        if len(chosen) >= cap or (candidate.score < policy.quote_chance and not thesis):
            break
        # One quote a passage, but for a writer of a conversation not yet heard there whose turn it quotes apart.
        if any(
            c.passage_id == candidate.passage_id and (not each or voiced(c) == voiced(candidate) or overlap(c, candidate))
            for c in chosen
        ):
            continue
        if each and voiced(candidate) in {voiced(c) for c in chosen}:
            continue
        # Each actor of the cast is heard once: a second credit of Scarlett Johansson would crowd out Amy Adams.
        actors = _actors(sentence(candidate)) if cast else set()
        if cast and actors <= heard:
            continue
        heard |= actors
        chosen.append(candidate)
    if len(voices) > 1:
        chosen += _each_named(ranked, chosen, voiced, cap)
    # A credit or a sentence on the question's topic was chosen by what it says, not by its chance: a chance
    # would only misstate how sure she can be.
    by_rule = credit or bool(thesis) or (wanted.about_writer and by_id[chosen[0].passage_id].note)
    # Asked who plays a part or made the film, a credit answers by itself: the sentences beside it, joined for their
    # chance of answering, would only bury it ("who voices samantha?" quoted four sentences to give "Samantha
    # (Scarlett Johansson) sees the world…"). Asked who someone is, they go on to say.
    alone = cast or (credit and wanted.asked is not None and wanted.asked.credit_alone)
    return tuple(
        Evidence(
            n, by_id[c.passage_id],
            span=(c.start, c.end) if alone else joined_span(c, every, by_id[c.passage_id].text, policy, disputes, reasons),
            chance=None if by_rule else c.score,
        )
        for n, c in enumerate(chosen, start=1)
    )
