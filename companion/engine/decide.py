"""Decide: do the passages found speak to the question, may they be told, and which become evidence."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from companion.engine.absent import takes_up_the_absent
from companion.engine.answer_kind import (
    AnswerKind, answer_test, asks_for_words_said, quotes_someone, someone_speaks, the_essays_say, topic_test,
)
from companion.engine.claims import checks_a_claim
from companion.engine.compared import compares_with_the_unnamed, only_credited
from companion.engine.covering import Idf, covers, overview
from companion.engine.credits import credited_people
from companion.engine.grammar import CLAUSE, asking_clauses, asks_whether, description, without_descriptions
from companion.engine.library import unnamed
from companion.engine.names import POSSESSIVE, new_names
from companion.engine.pick import Ranked, Reading, Wanted, pick_quotes, rank_pool
from companion.engine.quoted import holding_the_quoted
from companion.engine.route import is_opinion
from companion.engine.retrieve import Retrieved
from companion.policy import POLICY, Policy
from companion.retrieval.embedder import Embedder
from companion.retrieval.sentence_vectors import SentenceVectors
from companion.retrieval.sentences import Reader, labelled_turns
from companion.retrieval.lexical import unseen
from companion.text import content_terms
from companion.types import Evidence, Hit, Passage
from companion.words import Words

Verdict = Literal["answer", "no_evidence", "spoiler"]


@dataclass(frozen=True)
class Decision:
    """What the essays allow: an answer from this evidence, or a reply in voice that cites nothing."""

    verdict: Verdict
    evidence: tuple[Evidence, ...] = ()
    # Passages that would have answered were kept back because they give the ending away (she says so).
    held: bool = False
    # Refused because no sentence she would quote gives what the question asks for, though the essays speak to
    # it: that detail ("a number", "an age", "a name"), which her reply says they never give.
    lacking: str | None = None
    # Refused because the essays the question names have no sentence near what it asks their view of: her reply
    # says those essays are quiet on it, not all of them.
    quiet: bool = False


def spoils_ending(passage: Passage, words: Words) -> bool:
    """Tell whether a passage gives away how the film ends."""
    return bool(words.ending.search(passage.text))


def asks_for_ending(question: str, words: Words) -> bool:
    """Tell whether the person asks about the ending outright (then spoilers are wanted)."""
    return bool(words.asks_for_ending.search(question))


def select_evidence(hits: Sequence[Hit], opinion: bool = False, policy: Policy = POLICY) -> list[Hit]:
    """Pick the strongest passages; for opinions, one per essay first so every critic with a view speaks."""
    if not hits:
        return []
    limit = policy.evidence_limit
    if opinion:
        limit = max(limit, len({h.passage.essay_id for h in hits}))
    best_dense = max((h.dense or 0.0) for h in hits)
    best_lexical = max((h.lexical or 0.0) for h in hits)
    candidates = [
        h for h in hits
        if (h.dense is not None and h.dense >= best_dense - policy.relative_margin)
        or (best_lexical > 0 and (h.lexical or 0.0) >= policy.lexical_share * best_lexical)
        or h.rank == 1
    ]
    if not opinion:
        return candidates[:limit]
    chosen: list[Hit] = []
    for hit in candidates:
        if hit.passage.essay_id not in {c.passage.essay_id for c in chosen}:
            chosen.append(hit)
    for hit in candidates:
        if len(chosen) >= limit:
            break
        same_essay = sum(c.passage.essay_id == hit.passage.essay_id for c in chosen)
        if hit not in chosen and (same_essay < policy.per_essay or len({c.passage.essay_id for c in candidates}) == 1):
            chosen.append(hit)
    return sorted(chosen[:limit], key=lambda h: h.rank)


@dataclass(frozen=True)
class Judge:
    """What the evidence decision reads by: the word lists, word weights, the policy, and the models that read."""

    words: Words
    idf: Idf | None = None
    policy: Policy = POLICY
    # Present when the searcher embeds queries: sentences are then ranked and quoted, else passages are weighed.
    embedder: Embedder | None = None
    vectors: SentenceVectors = field(default_factory=SentenceVectors)
    reader: Reader | None = None
    # The names the essays credit with a part or the film's making: none of them is who did another job on it.
    credited: frozenset[str] = frozenset()

    @property
    def reading(self) -> Reading | None:
        """Return how sentences are read, from the same lists, weights and policy, or None without an embedder."""
        if self.embedder is None:
            return None
        return Reading(self.embedder, self.vectors, self.idf, self.policy, self.words, self.reader)


def decide(found: Retrieved, question: str, careful: bool, judge: Judge) -> Decision:
    """Decide from the hits whether to answer, and from which passages; careful keeps the ending back."""
    hits = list(found.hits)
    words, policy, reading = judge.words, judge.policy, judge.reading
    meta = words.about_the_essays

    # A question naming an essay or its writer meets its own bar (Policy.named_answer_probability).
    bar = replace(policy, answer_probability=policy.named_answer_probability) if found.named else policy

    def speaks(chosen: Sequence[Hit]) -> bool:
        return covers(
            found.query, chosen, judge.idf, bar, meta, judge.embedder, judge.vectors, found.whole or found.verdict,
            words.chatter,
        )

    held = False
    careful = careful and not asks_for_ending(question, words)
    if careful:
        # When the best answer itself gives the ending away, say so rather than answer around it.
        if hits and spoils_ending(hits[0].passage, words) and speaks(hits):
            return Decision("spoiler")
        # Held back only if a spoiling passage would have been chosen, not merely found further down.
        held = any(spoils_ending(h.passage, words) for h in select_evidence(hits, found.opinion, policy))
        hits = [h for h in hits if not spoils_ending(h.passage, words)]
    pool = [h for h in found.pool if not (careful and spoils_ending(h.passage, words))]
    # A passage crediting the actor or maker asked for ("Writer/Director Spike Jonze") answers the question word
    # for word, however few of its words the question shares ("who wrote her?").
    asked = found.asked
    credit = asked is not None and asked.asks and any(asked.answered_by(h.passage.text) for h in pool)
    if not credit and (takes_up_the_absent(found.query, words, judge.idf, policy.absent_run) or not speaks(hits)):
        return Decision("no_evidence")
    if compares_with_the_unnamed(found.query, words, judge.idf, found.naming):
        # None of them names what the film is set beside, so none compares them: the nearest sentence only brushes it.
        # The query, as slips in it are mended ("eternal sunshien"): a word mistyped is no word the essays lack.
        return Decision("no_evidence", lacking=words.detail("comparison"))
    if found.opinion and only_credited(found.query, (h.passage.text for h in found.pool)) is not None:
        # Asked what they made of an actor they only credit, the nearest sentence is about someone else.
        return Decision("no_evidence", lacking=words.detail("credited"))
    # The library's credits hold every passage's; without a library, the pool's are read for this turn.
    known = judge.credited or credited_people(h.passage.text for h in pool)
    if reading is not None and pool:
        quoted = _quote(found, question, pool, reading, words, known)
        if quoted is not None:
            return replace(quoted, held=held and quoted.verdict == "answer")
    chosen = select_evidence(hits, opinion=found.opinion, policy=policy)
    evidence = tuple(Evidence(n, hit.passage) for n, hit in enumerate(chosen, start=1))
    return _unless_unanswered(Decision("answer", evidence, held), question, found, words, policy, known)


def _quote(
    found: Retrieved, question: str, pool: Sequence[Hit], reading: Reading, words: Words, known: frozenset[str],
) -> Decision | None:
    """Return the sentences to quote, a refusal when none gives what the question must be answered with, or None.

    known: the names the essays credit with a part or the film's making.
    """
    policy = reading.policy
    # A question about the film as a whole is answered as opinions are: one critic's view per essay.
    wanted = Wanted(
        found.query, opinion=found.opinion or found.whole or overview(found.query, words.about_the_essays),
        shown=found.shown, whole=found.whole, verdict=found.verdict, named=found.named, naming=found.naming,
        asked=found.asked, about_writer=found.about_writer,
    )
    order = rank_pool(wanted, pool, reading)
    picked = pick_quotes(wanted, pool, reading, order)
    if not picked:
        return None
    picked = _quoted_first(wanted, picked, pool, reading, order)
    if _named_quiet(found, wanted.opinion, picked[0].chance, order, policy):
        return Decision("no_evidence", quiet=True)
    first = picked[0].chance
    if first is not None and first < _claim_floor(question, wanted.opinion, words, policy):
        # Asked whether something holds, a sentence only near it neither bears it out nor corrects it.
        return Decision("no_evidence", lacking=words.detail("claim"))
    must = _answer_test(question, found, words, policy, known)
    if must is not None and not must(picked[0].text):
        # The likeliest sentence gives no number, date or name asked for; a less likely one may, and then leads.
        giving = pick_quotes(replace(wanted, must=must, must_chance=must.chance), pool, reading, order)
        if giving:
            return Decision("answer", giving)
        told = _told_apart(question, reading, words) if must.detail == words.detail("name") else None
        if told is not None and (giving := pick_quotes(replace(wanted, must=told, must_chance=0.0), pool, reading, order)):
            # "whats theo's coworker's name, the guy who likes feet": the sentences on the co-worker name no one, and
            # the one naming him by what the question tells him apart by ("Paul… his girlfriend whose feet he finds
            # sexy") is one the ranker finds unlikely (0.05).
            return Decision("answer", giving)
        # A sentence giving one too unlikely to lead is no answer shown after one that gives none: "what city was
        # theodore born in?" led with "When we first meet Theodore…", then "Theodore Twombly (Joaquin Phoenix)…"
        # for its names. Over the 1,583 probes this refused 6 more not-covered questions and lost 1 answer.
        return Decision("no_evidence", lacking=must.detail)
    exact = bool(words.asks_for_exact_words.search(question))
    if must is not None or not (exact or _asks_for_words(question, found, words)):
        return Decision("answer", picked)
    # A speaker's turn in a conversation the question names is their own words, every sentence of it ("jennifer from
    # the convo piece has a short punchy line…"); asked for a line of the film, a critic's turn is not one.
    # Asked for a line of an essay it names, no one speaking in it ("whats the exact line in the her 2013 review about
    # the thing that haunts every relationship"), every sentence of the essay is its own words.
    # Given to an essay ("one of the reviews says heartbreak is unavoidable…, what's the exact line"), any essay's sentence.
    theirs = exact and the_essays_say(question, words, bool(found.named))
    own_lines = exact and (theirs or not someone_speaks(question, words))
    turns = [
        h.passage.text for h in pool
        if (h.passage.essay_id in found.named or (theirs and not found.named)) and (own_lines or h.passage.speaker)
    ]
    # A transcript an essay prints ("JONZE: For obvious reasons, every interviewer asks me…") is its speakers' words.
    printed = [h.passage.text[a:b] for h in pool if h.passage.speaker is None for a, b in labelled_turns(h.passage)]

    def words_of_someone(text: str) -> bool:
        return quotes_someone(text) or any(text in turn for turn in turns) or any(turn in text for turn in printed)

    if not words_of_someone(picked[0].text):
        # Asked what someone said, she leads with a sentence giving their words when one is likely enough.
        said = pick_quotes(replace(wanted, must=words_of_someone, must_chance=policy.speech_chance), pool, reading, order)
        if said:
            return Decision("answer", said)
        if exact and not any(words_of_someone(e.text) for e in picked):
            # Asked for the very words, she gives no one's telling of them in their place.
            return Decision("no_evidence", lacking=words.detail("words"))
    return Decision("answer", picked)


def _quoted_first(
    wanted: Wanted, picked: tuple[Evidence, ...], pool: Sequence[Hit], reading: Reading, order: Ranked
) -> tuple[Evidence, ...]:
    """Return the quotes led by a sentence holding words the message quotes from an essay, when the first holds none."""
    policy = reading.policy
    holds = holding_the_quoted(wanted.question, pool, reading.idf, policy.quoted_words, policy.quoted_idf)
    if holds is None or holds(picked[0].text):
        return picked
    # "sad blog has a 'why wouldn't we?' sentence defending the earpieces. copy me that line": the sentence holding
    # the words quoted is the one asked about, however the ranker reads the rest of the message.
    held = pick_quotes(replace(wanted, must=holds, must_chance=0.0), pool, reading, order)
    if not held:
        return picked
    lead = held[0]
    rest = [e for e in picked if e.passage.id != lead.passage.id]
    return tuple(replace(e, n=n) for n, e in enumerate([lead, *rest][: len(picked)], start=1))


def _told_apart(question: str, reading: Reading, words: Words) -> Callable[[str], bool] | None:
    """Return a test for a quote giving a name the question lacks and the rarest word of how it tells someone apart.

    None when the question describes no one it asks the name of ("the guy who likes feet": feet) by a word rare
    enough (Policy.told_apart_idf) that a sentence holding it speaks of them, wherever it names them: "Just like Paul
    chooses to love his girlfriend whose feet he finds sexy" never says he is Theodore's co-worker.
    """
    if reading.idf is None or not (said := description(question)):
        return None
    idf = reading.idf
    seen = [t for t in content_terms(said) if not unseen(t, idf) and t not in words.chatter]
    rarest = max(seen, key=idf, default=None)
    if rarest is None or idf(rarest) < reading.policy.told_apart_idf:
        return None

    def tells(text: str) -> bool:
        # In one clause with the word, a name written as a person's is ("Paul"), not a brand's ("GPS"), nor an owner's
        # ("Theodore’s ex-wife": the one described is whom they own).
        return any(
            rarest in content_terms(clause) and any(
                any(c.islower() for c in name) and not POSSESSIVE.search(name) for name in new_names(clause, question, words)
            )
            for clause in (m.group(0) for m in CLAUSE.finditer(text))
        )

    return tells


def _claim_floor(question: str, opinion: bool, words: Words, policy: Policy) -> float:
    """Return how likely the first quote must be for a message checking a claim or asking yes or no of the film.

    "Does theo get a new OS after samantha's gone?" asks whether something holds as a claim does, but of the film, not
    of what a critic said: its floor is lower (Policy.whether_chance). Asked yes or no for a view ("did boone like
    it?"), any view answers it.
    """
    if checks_a_claim(question, words):
        return policy.claim_chance
    return policy.whether_chance if not opinion and asks_whether(question) else 0.0


def _named_quiet(found: Retrieved, opinion: bool, first: float | None, order: Ranked, policy: Policy) -> bool:
    """Tell whether the essays a question names are quiet on it, though the others may not be.

    Asked a view, their likeliest sentence may come nowhere near it (Policy.named_view_chance: "what did the medium
    writer think of the trousers?"); asked anything, it may fall far below the others' likeliest (Policy.named_share:
    "what does the her 2013 review say about the ending?" is the other essays' subject, and its own likeliest
    sentence, "Their relationship is sparkling…", reads no ending). A question about a writer as a person is
    answered from the note on them, whose sentences rank low for any question.
    """
    if not found.named:
        return False
    if opinion and not found.verdict and first is not None and first < policy.named_view_chance:
        return True
    if found.about_writer or order.elsewhere is None or not order.candidates:
        return False
    return order.candidates[0].score < policy.named_share * order.elsewhere


def _answer_test(
    question: str, found: Retrieved, words: Words, policy: Policy, known: frozenset[str] = frozenset(),
) -> AnswerKind | None:
    """Return what a quote must say to answer a question asking for a number, a date, a person or another detail, if any.

    "How many weeks was Her in theaters?" met a sentence about going back to the theater, "who edited her?"
    one about editing. What is asked is read from the message alone: a follow-up is searched after the question
    before it ("how many times did he see it? and who plays amy?"), which asks nothing of it. A question asking
    for views is answered by them, save a view of a side of the film no essay may touch (its music, its prizes),
    which needs a sentence speaking of it; one read as asking views only by the words naming an essay or its writers
    ("what's the name of the shared experience writer's girlfriend?") asks for the name all the same.
    """
    if (score := topic_test(question, words, ("score",))) is not None:
        # "Did the her 2013 review give it a star rating or like a grade?" reads as asking a verdict, which no
        # essay's "Her is a perfect love story" gives.
        return score
    if found.whole or found.verdict:
        return None
    if found.asked is not None and found.asked.another_work and not found.named:
        # Asked who made another film, a quote must give someone as its maker ("But that could have been Charlie
        # Kaufman’s script"); one naming the film in passing gives no one ("Similar to Eternal Sunshine or Annie Hall…").
        # A question naming an essay asks after its writer, whom the note on the essay gives.
        return AnswerKind(words.detail("name"), found.asked.names_a_maker)
    if found.endings or found.openings:
        # "whats the alan watts line the techno lonely review ends on": any sentence of its last passage may be it;
        # asked what one opens on, only its first sentence is.
        edge = found.endings or found.openings
        return AnswerKind(
            words.detail("ending" if found.endings else "opening"), lambda text: any(text in e for e in edge),
            policy.ending_chance,
        )
    if found.opinion and _asks_views(question, found.naming, words):
        # A view of the music or the prizes is still a view of something no essay may speak of.
        return topic_test(question, words)
    return answer_test(question, words, policy, known)


def _asks_views(question: str, naming: frozenset[str], words: Words) -> bool:
    """Tell whether the clauses of a message asking for a detail ask views of it, not the detail itself.

    "anise loved the production design - who was the production designer tho" asks a name: its view is said, not
    asked. Words naming an essay or its writers say whose sentences answer, not that views are asked: "how long before
    writing his essay did the medium writer show the film to his gf" asks a length of time.
    """
    aside = naming | words.the_writers | words.names_an_essay
    asking = [clause for clause in asking_clauses(question) if answer_test(clause, words) is not None]
    return all(is_opinion(unnamed(without_descriptions(clause), aside), words) for clause in asking or [question])


def _asks_for_words(question: str, found: Retrieved, words: Words) -> bool:
    """Tell whether a question asks what someone in the film or an interview said, not what the critics think."""
    return not (found.opinion or found.whole or found.verdict) and asks_for_words_said(question, words)


def _unless_unanswered(
    decision: Decision, question: str, found: Retrieved, words: Words, policy: Policy, known: frozenset[str],
) -> Decision:
    """Refuse a question asking for a number, a date or a person when no passage she would show gives one."""
    must = _answer_test(question, found, words, policy, known)
    if must is not None and not any(must(e.text) for e in decision.evidence):
        return Decision("no_evidence", lacking=must.detail)
    return decision
