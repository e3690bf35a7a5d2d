"""Retrieve: search the essays for a routed question, deeper when it asks for opinions."""

from __future__ import annotations

from dataclasses import dataclass

from companion.engine.credits import CreditQuestion, read_credit_question
from companion.engine.endings import asks_how_an_essay_ends, asks_how_an_essay_opens, edge_passages
from companion.engine.jobs import job_owner, says_the_job
from companion.engine.library import asks_about_a_writer, unnamed
from companion.engine.route import Routed, asks_about_the_whole, asks_for_a_verdict, is_opinion
from companion.policy import POLICY, Policy
from companion.retrieval.search import Searcher
from companion.retrieval.spelling import in_essays_spelling, written_out
from companion.retrieval.units import opening_sentence
from companion.text import stemmed_words
from companion.types import Hit
from companion.words import Words


@dataclass(frozen=True)
class Retrieved:
    """The passages found for a query, best first, and whether the query asks for opinions."""

    query: str
    opinion: bool
    hits: tuple[Hit, ...]
    # The same ranking further down, whose sentences compete to be quoted (hits is its head).
    pool: tuple[Hit, ...] = ()
    # Answers already given on this question ("keep going"): their quotes are not quoted again.
    shown: str = ""
    # The question asks about the film as a whole: every essay speaks to it, so all of them are searched.
    whole: bool = False
    # The question asks what the critics made of the film ("did they like it?"): each essay's verdict is heard.
    verdict: bool = False
    # The essays the question names ("did Anise like it?"), by id, and the words naming them: a verdict asked of
    # them is theirs alone.
    named: tuple[str, ...] = ()
    naming: frozenset[str] = frozenset()
    # What the query asks a credit for (who plays, who made, who is), read once for every stage after this one.
    asked: CreditQuestion | None = None
    # It asks about the writer it names as a person ("what does anise do for a living?"): the note on them answers.
    about_writer: bool = False
    # It asks what an essay ends on: the texts of the essays' last passages (the named ones'), which alone answer it.
    endings: tuple[str, ...] = ()
    # It asks what an essay opens on: the first sentences of their first passages, likewise.
    openings: tuple[str, ...] = ()


def retrieve(
    searcher: Searcher, routed: Routed, k: int, words: Words, policy: Policy = POLICY, named: tuple[str, ...] = (),
    naming: frozenset[str] = frozenset(),
) -> Retrieved:
    """Search with the routed query; opinions look deeper so that every essay with a view can be heard.

    One search serves both: the decision weighs the head of the ranking, quotes are picked from all of it. A
    question asking for a credit ("who made this movie?") searches every passage for one, as film writing words
    it ("Writer/Director Spike Jonze"), wherever the question's words rank it: past the usual reach, the passages
    crediting what it asks join the pool. The essays the query names (named, by id, and the words naming them, from
    the library) make the question theirs alone: their passages past the usual reach join the pool too. What is
    asked is read from the query with its short forms written out; it is searched, and weighed, with each word the
    essays spell another way ("OSes", "theatre") in their spelling.
    """
    # "Is it sci-fi?" is read, searched and weighed as "is it science fiction?".
    said = written_out(routed.query, words.short_forms, searcher.idf)
    verdict = asks_for_a_verdict(said, words, naming)
    opinion = verdict or is_opinion(said, words)
    asked = read_credit_question(said, words)
    # "Who's the main character?" asks who plays the leads, though its words are those of a question about the whole.
    whole = asks_about_the_whole(said, words) and not asked.cast
    depth = max(k, policy.opinion_depth) if opinion else k
    credit = asked.asks
    # "What does theodore's ex-wife do for a living?" is refused only when no passage says hers: all are read for one.
    job = job_owner(said, words) or ()
    everything = whole or verdict
    reach = max(depth, policy.sentence_depth)
    query = in_essays_spelling(said, searcher.idf)
    ending = asks_how_an_essay_ends(said, words)
    opening = not ending and asks_how_an_essay_opens(said, words, bool(named))
    deep = everything or credit or named or bool(job) or ending or opening
    pool = searcher.search(query, policy.whole_depth if deep else reach)
    # Every passage is searched for a question asking how an essay ends or opens, so that each essay's last or first
    # one is known.
    last = {h.passage.id for h in edge_passages(pool, named)} if ending else set()
    first = {h.passage.id for h in edge_passages(pool, named, first=True)} if opening else set()
    if deep and not everything:
        # Past the usual reach, only the passages that credit what is asked, say the job asked, or belong to an essay
        # the question names, join it: reading every sentence of all 89 passages made "who plays amy?" half a second
        # slower. The search ranks the first passages alike however deep it goes, so the reach holds what the decision
        # was fitted on.
        pool = [*pool[:reach], *(
            h for h in pool[reach:]
            if (credit and asked.answered_by(h.passage.text)) or h.passage.essay_id in named
            or (job and says_the_job(h.passage.text, job, words)) or h.passage.id in last | first
        )]
    # The note on an essay's writers answers questions about them: naming the essay ("is anise a critic?"), or the
    # writers at large, asking no view of theirs once the words for them are set aside ("which critic is a
    # photographer?", not "what did the critics think of the camera work?"). To any other question its "Los
    # Angeles-based" or "first assistant camera" would be beside the point.
    # Asked whether they write about something ("does any critic talk about the beach scene?"), it asks what the
    # essays take up: "Notes from the Dunes" in the note on Anise was quoted for the beach.
    writers = bool(set(stemmed_words(said)) & words.the_writers) and not named and not is_opinion(
        unnamed(said, words.the_writers), words
    ) and not words.discussing.search(said)
    pool = [h for h in pool if not h.passage.note or writers or h.passage.essay_id in named]
    return Retrieved(
        query=query, opinion=opinion, hits=tuple(pool[:depth]), pool=tuple(pool), shown=routed.shown,
        whole=whole, verdict=verdict, named=named, naming=naming, asked=asked,
        about_writer=asks_about_a_writer(said, words, naming),
        endings=tuple(h.passage.text for h in pool if h.passage.id in last),
        openings=tuple(opening_sentence(h.passage.text) for h in pool if h.passage.id in first),
    )
