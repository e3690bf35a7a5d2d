"""The engine's policy, stage by stage, with a scripted backend and a fake searcher: no index, no model."""

from __future__ import annotations

from dataclasses import replace

import pytest

from companion.engine import Engine, Exchange
from companion.engine.prompting import build_messages
from companion.engine.verify import UNVERIFIED_NOTE, quote_in
from companion.errors import BackendError
from companion.memory import Memory, summary_for_prompt
from companion.policy import POLICY, Policy
from companion.text import markers, quotes
from companion.types import Evidence
from tests.fakes import FakeSearcher, ScriptedBackend, hit, passage

LETTERS = passage(
    "ebert", 1, "Theodore writes letters for strangers at BeautifulHandwrittenLetters.com. He is lonely, and the "
    "film is warm, beautiful and hopeful about him.",
)
AMY = passage(
    "dargis", 1, "Amy makes documentaries and is Theodore's oldest friend. She finds comfort in an operating "
    "system of her own after her marriage ends quietly.",
)
ENDING = passage("boone", 1, "Samantha leaves, and Theodore and Amy sit together on the rooftop at dusk.")
JOB = "What is Theodore's job?"


# The fake search's quotes get whatever chance the ranker gives a bag-of-words match: tests of openers that
# sound sure take them as sure.
SURE = replace(POLICY, unsure_chance=0.0)


def make(prompts, backend, hits=(hit(1, LETTERS),), **kwargs) -> tuple[Engine, FakeSearcher]:
    searcher = FakeSearcher(hits)
    return Engine(searcher=searcher, backend=backend, prompts=prompts, **kwargs), searcher


# Route


def test_small_talk_never_searches_and_never_asks_a_model_that_only_frames(prompts):
    engine, searcher = make(prompts, ScriptedBackend("frames"))
    reply = engine.ask("thank you so much")
    assert reply.route == "thanks" and not reply.grounded and reply.answer in prompts.variants["thanks"]
    assert searcher.queries == [] and engine.backend.requests == []


def test_a_question_about_the_person_is_routed_to_them_and_never_searched(prompts):
    engine, searcher = make(prompts, ScriptedBackend("nothing"))
    reply = engine.ask("what's my name?")
    assert reply.route == "about_person" and reply.citations == () and searcher.queries == []


def test_the_engine_routes_with_the_router_it_is_given(prompts):
    from companion.engine.router import Router

    router = Router({"film": ["who is amy"], "feeling": ["i am blue today"]}, FakeSearcher().embedder)
    engine, searcher = make(prompts, ScriptedBackend("nothing"), router=router)
    assert engine.ask("i am so blue today").route == "feeling" and searcher.queries == []


def test_a_question_in_chat_spellings_is_read_and_searched_in_full_words(prompts):
    engine, searcher = make(prompts, ScriptedBackend("nothing"))
    reply = engine.ask("wat does theodore do abt work in our world")
    # "wat" read as no question word made the message a view told ("Thank you for telling me that").
    assert reply.route == "film" and searcher.queries[-1][0] == "what does theodore do about work in our world"
    assert reply.question == "wat does theodore do abt work in our world"
    assert not any(reply.answer.startswith(line.split("{")[0]) for line in prompts.variants["openers_told"])
    # A follow-up leans on the question as it was read, its chat spellings written out.
    engine.ask("and amy?")
    assert searcher.queries[-1][0] == "what does amy do about work in our world"


def test_a_follow_up_is_searched_with_the_question_before(prompts):
    engine, searcher = make(prompts, ScriptedBackend("nothing"), hits=(hit(1, AMY),))
    engine.ask("What does Amy make?")
    reply = engine.ask("and what about Theodore?")
    assert reply.route == "follow_up"
    # Turning to another person, it asks the question before of them.
    assert searcher.queries[-1][0] == "What does Theodore make?"
    # Naming more than a person to put in place, it is searched together with the question that began them.
    engine.ask("and what about the music in those scenes?")
    assert searcher.queries[-1][0] == "What does Amy make? and what about the music in those scenes?"


def test_one_search_serves_the_decision_and_the_quotes_and_opinions_weigh_more_of_it(prompts):
    from companion.engine.retrieve import retrieve
    from companion.engine.route import Routed

    many = tuple(hit(r, passage("amy", r, f"Amy makes a documentary about her mother, part {r}.")) for r in range(1, 41))
    searcher = FakeSearcher(many)
    fact = retrieve(searcher, Routed("film", "What does Amy make?"), 5, prompts.words)
    opinion = retrieve(searcher, Routed("film", "What do the critics think of Amy?"), 5, prompts.words)
    assert [k for _, k in searcher.queries] == [POLICY.sentence_depth, POLICY.sentence_depth]
    assert len(fact.hits) == 5 and len(opinion.hits) == POLICY.opinion_depth
    assert fact.pool[: len(fact.hits)] == fact.hits and len(fact.pool) == POLICY.sentence_depth


def test_the_passages_of_an_essay_the_question_names_join_the_pool_however_far_they_rank(prompts):
    from companion.engine.retrieve import retrieve
    from companion.engine.route import Routed

    many = [hit(r, passage("amy", r, f"Amy makes a documentary about her mother, part {r}.")) for r in range(1, 41)]
    many += [hit(r, passage("medium", r, f"The writer's girlfriend cries, part {r}.")) for r in range(41, 45)]
    many += [hit(r, passage("amy", r, f"Amy's mother sleeps, part {r}.")) for r in range(45, 50)]
    asked = Routed("film", "what does the medium writer's girlfriend say?")
    named = retrieve(FakeSearcher(many), asked, 5, prompts.words, named=("medium",), naming=frozenset({"medium"}))
    assert named.pool == (*many[: POLICY.sentence_depth], *many[40:44])
    assert retrieve(FakeSearcher(many), asked, 5, prompts.words).pool == tuple(many[: POLICY.sentence_depth])


def test_a_question_naming_an_essay_or_asking_a_credit_is_searched_once_deep(prompts):
    from companion.engine.retrieve import retrieve
    from companion.engine.route import Routed

    many = [hit(r, passage("amy", r, f"Amy makes a documentary about her mother, part {r}.")) for r in range(1, 41)]
    many.append(hit(41, passage("medium", 1, "The writer's girlfriend cries.")))
    searcher = FakeSearcher(many)
    asked = "what does the medium writer's girlfriend say?"
    found = retrieve(searcher, Routed("film", asked), 5, prompts.words, named=("medium",), naming=frozenset({"medium"}))
    retrieve(searcher, Routed("film", "who plays amy?"), 5, prompts.words)
    assert [k for _, k in searcher.queries] == [POLICY.whole_depth, POLICY.whole_depth]
    assert found.hits == tuple(many[: len(found.hits)]) and found.pool == (*many[: POLICY.sentence_depth], many[40])


def test_the_note_on_an_essays_writers_is_searched_only_for_a_question_naming_that_essay(prompts):
    from companion.engine.retrieve import retrieve
    from companion.engine.route import Routed

    note = replace(passage("medium", 0, "Usually a photographer, sometimes I write film essays."), id="medium:note")
    other = replace(passage("amy", 0, "Amy's writer is a critic in Los Angeles."), id="amy:note")
    hits = [hit(1, note), hit(2, LETTERS), hit(3, other), hit(4, AMY)]
    asked = Routed("film", "what does the medium writer do for a living?")
    named = retrieve(FakeSearcher(hits), asked, 5, prompts.words, named=("medium",), naming=frozenset({"medium"}))
    assert [h.passage.id for h in named.pool] == ["medium:note", "ebert:1", "dargis:1"]
    unnamed = retrieve(FakeSearcher(hits), Routed("film", "what does theodore do for a living?"), 5, prompts.words)
    assert [h.passage.id for h in unnamed.pool] == ["ebert:1", "dargis:1"] == [h.passage.id for h in unnamed.hits]
    # Asked about the writers at large, every note may answer; asked their view, none.
    writers = retrieve(FakeSearcher(hits), Routed("film", "which critic is a photographer?"), 5, prompts.words)
    assert [h.passage.id for h in writers.pool] == [h.passage.id for h in hits]
    views = retrieve(FakeSearcher(hits), Routed("film", "what do the critics think of photographers?"), 5, prompts.words)
    assert [h.passage.id for h in views.pool] == ["ebert:1", "dargis:1"]


# Decide


def test_weak_hits_are_refused_in_voice_and_the_model_is_never_asked(prompts):
    engine, _ = make(prompts, ScriptedBackend(), hits=(hit(1, LETTERS, dense=0.1, lexical=0.0),))
    reply = engine.ask("Who won the World Cup?")
    assert not reply.grounded and reply.citations == () and reply.answer in prompts.variants["no_evidence"]
    assert engine.backend.requests == []


def test_the_decision_follows_the_policy_object(prompts):
    middling = (hit(1, LETTERS, dense=0.5, lexical=1.0),)
    assert make(prompts, ScriptedBackend("nothing"), hits=middling)[0].ask(JOB).grounded
    strict = Policy(strong_score=0.6, answer_probability=0.999)
    assert not make(prompts, ScriptedBackend("nothing"), hits=middling, policy=strict)[0].ask(JOB).grounded


def test_the_ending_is_kept_from_someone_who_has_not_seen_it(prompts):
    hits = (hit(1, ENDING), hit(2, LETTERS))
    careful, _ = make(prompts, ScriptedBackend("nothing"), hits=hits, spoiler_care=lambda: True)
    held = careful.ask("Where do Theodore and Amy sit together?")
    assert not held.grounded and held.answer in prompts.variants["spoiler"]
    asked = careful.ask("How does it end for Theodore and Amy?")
    assert asked.grounded and ENDING in [c.passage for c in asked.citations]
    open_book, _ = make(prompts, ScriptedBackend("nothing"), hits=hits)
    assert ENDING in [c.passage for c in open_book.ask("Where do Theodore and Amy sit together?").citations]


def test_spoiling_passages_below_the_best_are_left_out(prompts):
    careful, _ = make(prompts, ScriptedBackend("nothing"), hits=(hit(1, LETTERS), hit(2, ENDING)),
                      spoiler_care=lambda: True)
    reply = careful.ask("Is Theodore lonely, and is Amy?")
    assert reply.grounded and [c.passage for c in reply.citations] == [LETTERS]


# Compose, chosen from the backend's declared capabilities


def test_a_model_that_writes_freely_sees_the_evidence_and_is_verified(prompts):
    backend = ScriptedBackend("freely").enqueue("He writes “letters for strangers” [1]. ", "Samantha leaves him [7].")
    engine, _ = make(prompts, backend)
    reply = engine.ask(JOB)
    (request,) = backend.requests
    assert [e.passage for e in request.evidence] == [LETTERS] and "[1] From" in request.messages[-1].content
    assert reply.grounded and [(c.n, c.verified) for c in reply.citations] == [(1, True)]
    assert "[7]" not in reply.answer and reply.dropped == 1


def test_a_misquote_by_a_free_writer_is_flagged(prompts):
    engine, _ = make(prompts, ScriptedBackend("freely").enqueue("He writes “love letters for his wife” [1]."))
    reply = engine.ask(JOB)
    assert UNVERIFIED_NOTE in reply.answer and not reply.citations[0].verified


def test_a_model_that_frames_adds_one_sentence_and_code_lays_out_the_quotes(prompts):
    backend = ScriptedBackend("frames").enqueue("Oh, I love that you asked me this. ", "It made $300 million", ".")
    engine, _ = make(prompts, backend)
    reply = engine.ask("What do the critics think of Theodore?")
    (request,) = backend.requests
    assert request.max_tokens == POLICY.framing_tokens and request.evidence == ()
    assert backend.abandoned == 1, "the model's stream is closed once the first sentence is in"
    framing, *paragraphs, closer = reply.answer.split("\n\n")
    assert framing == "Oh, I love that you asked me this." and "million" not in reply.answer
    assert closer in prompts.variants["closers"] and reply.grounded
    for paragraph in paragraphs:
        (n,) = markers(paragraph)
        assert all(quote_in(q, LETTERS) for q in quotes(paragraph))


def test_a_framing_that_states_facts_is_replaced_by_an_opener(prompts):
    backend = ScriptedBackend("frames").enqueue("The director made $300 million at the box office. ", "Yes.")
    reply = make(prompts, backend, policy=SURE)[0].ask("What do the critics think of Theodore?")
    # The one passage found is one essay's: the opener speaks of no writers in the plural.
    assert reply.answer.split("\n\n")[0] in prompts.variants["openers_one"]


def test_a_backend_that_writes_nothing_is_never_asked(prompts):
    engine, _ = make(prompts, ScriptedBackend("nothing"), policy=SURE)
    reply = engine.ask("What do the critics think of Theodore?")
    assert engine.backend.requests == [] and reply.grounded and reply.citations[0].passage == LETTERS
    assert reply.answer.split("\n\n")[0] in prompts.variants["openers_one"]


def test_the_recall_line_is_placed_and_streamed_by_the_quote_composers(prompts, tmp_path):
    with Memory(tmp_path / "memory.sqlite3") as memory:
        memory.remember("I loved Amy.")
        engine, _ = make(prompts, ScriptedBackend("nothing"), hits=(hit(1, AMY),), memory=memory)
        events = list(engine.turn("What do the critics think of Amy?"))
        reply = events[-1].reply
        assert "you loved Amy" in reply.answer.split("\n\n")[1]
        assert "".join(e.text for e in events if e.kind == "token").strip() == reply.answer
        backend = ScriptedBackend("freely").enqueue("Amy is “Theodore's oldest friend” [1].")
        writer, _ = make(prompts, backend, hits=(hit(1, AMY),), memory=memory)
        written = writer.ask("What do the critics think of Amy?")
        assert "you loved Amy" not in written.answer and "loved Amy" in backend.requests[0].messages[0].content


def test_a_dislike_is_recalled_in_the_second_person(prompts, tmp_path):
    with Memory(tmp_path / "memory.sqlite3") as memory:
        memory.remember("i dont like amy")
        engine, _ = make(prompts, ScriptedBackend("nothing"), hits=(hit(1, AMY),), memory=memory)
        assert "you do not like amy" in engine.ask("What do the critics think of Amy?").answer.split("\n\n")[1]
        assert "They do not like amy." in summary_for_prompt(memory.facts())


class CountingMemory(Memory):
    """Memory that counts how often the engine reads every fact."""

    reads = 0

    def facts(self):
        self.reads += 1
        return super().facts()


def test_memory_is_read_once_per_turn(prompts, tmp_path):
    with CountingMemory(tmp_path / "memory.sqlite3") as memory:
        memory.remember("I loved Amy.")
        backend = ScriptedBackend("freely", context_size=10_000, counts_tokens=True).enqueue("Amy [1].")
        engine, _ = make(prompts, backend, hits=(hit(1, AMY),), memory=memory)
        engine.history[:] = [Exchange(f"question {i}", "answer") for i in range(5)]
        memory.reads = 0
        engine.ask("What do the critics think of Amy?")
        assert memory.reads == 1


# Fit: trimming a prompt works on a copy


def test_fitting_a_prompt_never_changes_the_history(prompts):
    history = [Exchange(f"Question number {i}?", "An answer of several words. " * 10) for i in range(10)]
    evidence_engine, _ = make(prompts, ScriptedBackend("freely", counts_tokens=True))
    evidence = (Evidence(1, LETTERS),)
    one_exchange = evidence_engine.backend.count_tokens(build_messages(prompts, JOB, evidence, history[-1:]))
    backend = ScriptedBackend("freely", context_size=one_exchange + 100, counts_tokens=True)
    engine, _ = make(prompts, backend, max_tokens=100)
    engine.history[:] = history
    prompt = engine.fit(JOB, evidence, 100)
    assert engine.history == history
    assert [m.content for m in prompt.messages if m.role == "user"][:-1] == [history[-1].question]
    backend.enqueue("He writes “letters for strangers” [1].")
    engine.ask(JOB)
    assert engine.history[:10] == history and len(engine.history) == 11
    assert sum(m.role == "assistant" for m in backend.requests[0].messages) == 1


# Verify and record: how a turn ends


def test_a_failure_before_any_words_is_not_grounded_and_not_recorded(prompts):
    backend = ScriptedBackend("freely").enqueue(BackendError("the server went away: start it again"))
    engine, _ = make(prompts, backend)
    events = list(engine.turn(JOB))
    reply = events[-1].reply
    assert [e.kind for e in events][-3:] == ["error", "citations", "done"]
    assert reply.answer == "" and not reply.grounded and not reply.complete and "went away" in reply.error
    assert engine.history == []


def test_a_stopped_turn_closes_the_model_and_keeps_what_arrived(prompts):
    # A written reply is shown a sentence at a time (engine/cleanup.py), each once the next one starts.
    said = "He writes “letters for strangers” [1], every one for somebody else. It's such a tender job."
    backend = ScriptedBackend("freely").enqueue(said[:68], said[68:], " And", " more")
    engine, _ = make(prompts, backend)
    run = engine.turn(JOB)
    tokens = 0
    for event in run:
        tokens += event.kind == "token"
        if tokens == 2:
            break
    assert run.draft("streaming").answer == said
    run.close()
    reply = run.stop("stopped")
    assert backend.abandoned == 1 and reply.error == "stopped" and not reply.complete
    assert reply.answer == said and reply.citations[0].verified
    assert run.stop("again") is reply and engine.history == [Exchange(JOB, reply.answer)]


@pytest.mark.parametrize(("writes", "requests"), [("freely", 1), ("frames", 1), ("nothing", 0)])
def test_the_composer_is_chosen_from_the_capabilities(prompts, writes, requests):
    backend = ScriptedBackend(writes)
    if requests:
        backend.enqueue("I love that you asked me this. ", "He writes “letters for strangers” [1].")
    reply = make(prompts, backend)[0].ask(JOB)
    assert len(backend.requests) == requests and reply.grounded and reply.citations
