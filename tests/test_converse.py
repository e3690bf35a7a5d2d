"""She converses: who writes small talk, answers about the person, uncited claims flagged, spoiler care that talks."""

from __future__ import annotations

import importlib.util
from dataclasses import replace

import pytest

from companion.backends.openai import OpenAIBackend
from companion.cli_io import reply_json
from companion.config import BackendSpec
from companion.engine import Engine
from companion.engine.verify import UNCITED_NOTE
from companion.export import export_markdown
from companion.history import Conversation, Turn
from companion.memory import Memory
from companion.types import Exchange
from tests.fakes import FakeSearcher, ForcedRouter, ScriptedBackend, hit, passage
from tests.scripted_server import server, sse_reply  # noqa: F401  (the server fixture)

LETTERS = passage(
    "ebert", 1, "Theodore writes letters for strangers at BeautifulHandwrittenLetters.com. He is lonely, and the "
    "film is warm, beautiful and hopeful about him.",
)
LONELY = passage("dargis", 2, "Loneliness runs through the whole film: Theodore is lonely even in a crowd.")
# Its first words meet "tell me how it ends" as the fake embedder reads words: the ranker has more than chance to go on.
ENDING = passage("boone", 1, "It ends as Samantha leaves, and Theodore and Amy sit together on the rooftop at dusk.")
LONELY_Q = "Do you ever feel lonely?"
SMALL_TALK = {
    "hi, how are you?": "greeting", LONELY_Q: "about_her", "I had a rough day at work.": "feeling",
    "Are you like Samantha?": "about_her", "thank you!": "thanks", "bye for now": "farewell", "ok": "acknowledge",
    "what's my name?": "about_person", "what did I say about the ending?": "about_person",
    "what do you know about me?": "about_person", "spoilers are fine": "acknowledge",
    "I don't mind spoilers": "feeling",
}


def make(prompts, backend, hits=(hit(1, LETTERS),), **kwargs) -> Engine:
    searcher = FakeSearcher(hits)
    return Engine(searcher=searcher, backend=backend, prompts=prompts, router=ForcedRouter(SMALL_TALK), **kwargs)


@pytest.fixture
def memory(tmp_path):
    with Memory(tmp_path / "memory.sqlite3") as store:
        yield store


def careful(engine: Engine, memory: Memory) -> Engine:
    engine.memory = memory
    engine.spoiler_care = lambda: memory.seen_film() is False
    return engine


# 1. Who writes depends on what the backend can do


@pytest.mark.parametrize("text", ["hi, how are you?", LONELY_Q, "I had a rough day at work.", "Are you like Samantha?",
                                  "thank you!", "bye for now", "ok"])
def test_small_talk_goes_to_a_model_that_writes_freely(prompts, memory, text):
    memory.remember("My name is Sam.")
    pieces = ("Sometimes, yes, in the quiet between conversations, when nobody is talking. ", "And you?")
    backend = ScriptedBackend("freely").enqueue(*pieces)
    engine = make(prompts, backend, memory=memory)
    engine.history.append(Exchange("hello", "Hi there!", "greeting"))
    events = list(engine.turn(text))
    reply = events[-1].reply
    assert reply.answer == "".join(pieces).strip()
    assert not reply.grounded and reply.citations == () and reply.uncited == () and reply.route == SMALL_TALK[text]
    # Streamed as it arrives once its start is clearly no echo (a long first piece is).
    assert [e.text for e in events if e.kind == "token"] == list(pieces)
    (request,) = backend.requests
    system, *_, user = request.messages
    assert "You are Samantha" in system.content and "Their name is Sam." in system.content
    assert [(m.role, m.content) for m in request.messages[1:]] == [
        ("user", "hello"), ("assistant", "Hi there!"), ("user", text)
    ], "the history as real turns, and the message as the person wrote it"
    assert request.evidence == ()
    assert engine.searcher.queries == []


@pytest.mark.parametrize("writes", ["frames", "nothing"])
def test_canned_voices_answer_a_feelings_question_rather_than_introduce_themselves(prompts, writes):
    engine = make(prompts, ScriptedBackend(writes))
    reply = engine.ask(LONELY_Q)
    assert reply.answer in prompts.variants["her_feelings"] and engine.backend.requests == []
    assert make(prompts, ScriptedBackend(writes)).ask("Are you like Samantha?").answer in prompts.variants["about_her"]


def test_a_chat_filler_asks_nothing_about_her_feelings(prompts):
    from companion.engine.converse import asks_about_her_feelings

    assert not asks_about_her_feelings("are you real tbh", prompts.words)
    assert not asks_about_her_feelings("ngl are you a person", prompts.words)
    assert asks_about_her_feelings("do you feel lonely tbh", prompts.words)


def test_something_told_about_themselves_is_noted_back_to_them(prompts, memory):
    text = "i'm a nurse btw"
    engine = Engine(searcher=FakeSearcher((hit(1, LETTERS),)), backend=ScriptedBackend("nothing"), prompts=prompts,
                    router=ForcedRouter({text: "feeling"}), memory=memory)
    reply = engine.ask(text)
    assert reply.answer in {line.format(fact="you are a nurse") for line in prompts.variants["noted"]}
    assert [f.text for f in memory.facts()] == ["is a nurse"], "the chat word it ends on is no part of it"


@pytest.mark.parametrize(("text", "lines"), [
    ("I loved the film!", "feeling_glad"), ("i feel great today", "feeling_glad"),
    ("I had a rough day at work.", "feeling"), ("i didn't enjoy it", "feeling"), ("i loved it but i cried", "feeling"),
])
def test_a_glad_feeling_is_met_gladly_and_a_hard_one_consoled(prompts, text, lines):
    engine = Engine(searcher=FakeSearcher((hit(1, LETTERS),)), backend=ScriptedBackend("nothing"), prompts=prompts,
                    router=ForcedRouter({text: "feeling"}))
    assert engine.ask(text).answer in prompts.variants[lines]


@pytest.mark.parametrize("writes", ["freely", "frames", "nothing"])
def test_a_question_about_the_person_is_answered_from_memory(prompts, memory, writes):
    memory.remember("My name is Sam. The ending made me hopeful.")
    backend = ScriptedBackend(writes)
    if writes == "freely":
        backend.enqueue("You're Sam, of course!")
    engine = make(prompts, backend, memory=memory)
    reply = engine.ask("what's my name?")
    assert reply.route == "about_person" and not reply.grounded and reply.citations == ()
    assert engine.searcher.queries == []
    if writes == "freely":
        assert reply.answer == "You're Sam, of course!"
        system, user = backend.requests[0].messages
        assert "Their name is Sam." in system.content and user.content == "what's my name?"
        assert "hopeful" not in system.content, "only the facts asked for"
    else:
        assert "your name is Sam" in reply.answer and backend.requests == []
        ending = engine.ask("what did I say about the ending?").answer
        assert "the ending made you hopeful" in ending and "Sam" not in ending


@pytest.mark.parametrize("writes", ["freely", "nothing"])
def test_she_says_she_does_not_know_yet_and_asks(prompts, memory, writes):
    engine = make(prompts, ScriptedBackend(writes), memory=memory)
    reply = engine.ask("what's my name?")
    assert reply.answer in prompts.variants["about_person"] and "?" in reply.answer
    assert engine.backend.requests == []


@pytest.mark.parametrize("route", ["film", "greeting"])
def test_an_introduction_is_greeted_by_name_with_no_spoilers_promised(prompts, memory, route):
    text = "hi! I'm Sam and I haven't seen Her yet"
    weak = (hit(1, LETTERS, dense=0.1, lexical=0.0),)
    engine = careful(make(prompts, ScriptedBackend("nothing"), hits=weak), memory)
    engine.router.routes[text] = route
    reply = engine.ask(text)
    assert "Sam" in reply.answer and reply.answer not in prompts.variants["no_evidence"]
    assert any(line in reply.answer for line in prompts.variants["no_spoilers"])
    assert "spoilers are fine" in reply.answer and not reply.grounded


def test_a_follow_up_to_small_talk_searches_its_own_topic(prompts):
    engine = make(prompts, ScriptedBackend("nothing"), hits=(hit(1, LONELY),))
    engine.ask(LONELY_Q)
    reply = engine.ask("ok, what do they say about loneliness?")
    assert engine.searcher.queries[-1][0] == "ok, what do they say about loneliness?"
    assert reply.grounded and reply.citations[0].passage == LONELY


def test_the_loneliness_follow_up_is_answered_from_the_real_essays(retrieval, prompts):
    engine = Engine(searcher=retrieval.searcher, backend=ScriptedBackend("nothing"), prompts=prompts,
                    router=ForcedRouter(SMALL_TALK))
    offer = engine.ask(LONELY_Q)
    assert offer.route == "about_her"
    reply = engine.ask("ok, what do they say about loneliness?")
    assert reply.grounded and any("lonel" in c.passage.text.lower() for c in reply.citations)


# 3. Spoiler care that talks


@pytest.mark.parametrize("release", ["spoilers are fine", "I don't mind spoilers"])
def test_spoilers_are_held_back_with_a_way_to_ask_then_released(prompts, memory, release):
    engine = careful(make(prompts, ScriptedBackend("nothing"), hits=(hit(1, ENDING), hit(2, LETTERS))), memory)
    engine.ask("I haven't seen it yet.")
    held = engine.ask("Where do Theodore and Amy sit together?")
    assert held.answer in prompts.variants["spoiler"] and "spoilers are fine" in held.answer
    assert engine.ask(release).answer in prompts.variants["spoilers_released"]
    for _ in range(2):
        told = engine.ask("Where do Theodore and Amy sit together?")
        assert told.grounded and ENDING in [c.passage for c in told.citations]
    assert memory.seen_film() is False, "the choice is the conversation's; what they told her is unchanged"


def test_telling_a_view_the_ending_would_answer_is_held_back_as_a_question_is(prompts, memory):
    engine = careful(make(prompts, ScriptedBackend("nothing"), hits=(hit(1, ENDING), hit(2, LETTERS))), memory)
    engine.ask("I haven't seen it yet.")
    engine.router.routes["i think theodore and amy on the roof was sweet"] = "film"
    held = engine.ask("i think theodore and amy on the roof was sweet")
    # The essays do speak to it: she says why she keeps them back, not that none of them wrote about it.
    assert held.answer in prompts.variants["spoiler"] and held.answer not in prompts.variants["told_unmet"]


def test_tell_me_how_it_ends_answers_and_releases(prompts, memory):
    engine = careful(make(prompts, ScriptedBackend("nothing"), hits=(hit(1, ENDING), hit(2, LETTERS))), memory)
    engine.ask("I haven't seen it yet.")
    assert ENDING in [c.passage for c in engine.ask("tell me how it ends").citations]
    assert ENDING in [c.passage for c in engine.ask("Where do Theodore and Amy sit together?").citations]


def test_an_answer_that_leaves_the_ending_out_says_so(prompts, memory):
    engine = careful(make(prompts, ScriptedBackend("nothing"), hits=(hit(1, LETTERS), hit(2, ENDING))), memory)
    engine.ask("I haven't seen it yet.")
    reply = engine.ask("Is Theodore lonely, and is Amy?")
    assert reply.grounded and [c.passage for c in reply.citations] == [LETTERS]
    assert any(reply.answer.endswith(line) for line in prompts.variants["held_back"])
    assert "641" not in reply.answer and "rooftop" not in reply.answer


# 2. No uncited film claim passes as grounded (scripted OpenAI-compatible servers on loopback)


def served(server, prompts, *pieces, hits=(hit(1, LETTERS),)) -> Engine:
    server.script.append(sse_reply(*pieces))
    backend = OpenAIBackend(BackendSpec(name="scripted-server", type="openai", base_url=f"{server.url}/v1",
                                        model="m", retries=0))
    return make(prompts, backend, hits=hits)


FABRICATED = "Her earned $312 million worldwide and won four Oscars."


def test_a_fabricated_reply_is_not_grounded_and_its_claims_are_listed(server, prompts):
    engine = served(server, prompts, "Oh, I love this question! ", FABRICATED, " What do you think?")
    # Asked of its box office she would refuse before any model is asked: none of the essays speaks of takings.
    reply = engine.ask("How did Her do with audiences?")
    shaped = reply_json(reply)
    assert len(server.seen) == 1 and not reply.grounded and shaped["grounded"] is False
    assert shaped["uncited"] == [FABRICATED] and reply.uncited == (FABRICATED,)
    assert f"{FABRICATED}{UNCITED_NOTE}" in reply.answer and reply.answer.count(UNCITED_NOTE) == 1
    turn = Turn(1, 1, reply.question, reply.answer, reply.grounded, (), "scripted-server", "m", True, None, 0.0)
    assert f"Oscars.{UNCITED_NOTE}" in export_markdown(Conversation(1, "box office", 0.0, 0.0, 1), [turn])


def test_a_wrong_citation_is_not_grounded(server, prompts):
    engine = served(server, prompts, "Theodore writes “love letters to his late wife” [1].")
    reply = engine.ask("What is Theodore's job?")
    assert not reply.grounded and not reply.citations[0].verified
    assert reply.uncited == ("Theodore writes “love letters to his late wife”.",) and UNCITED_NOTE not in reply.answer


def test_a_claim_citing_a_passage_never_given_is_uncited(server, prompts):
    engine = served(server, prompts, "Amy sits with Theodore on the rooftop at dusk [4]. He writes “letters for "
                    "strangers” [1].")
    reply = engine.ask("What is Theodore's job?")
    assert reply.grounded and reply.dropped == 1
    assert reply.uncited == ("Amy sits with Theodore on the rooftop at dusk.",)
    assert reply.answer.startswith(f"Amy sits with Theodore on the rooftop at dusk.{UNCITED_NOTE} He writes")


def test_a_well_cited_reply_is_grounded_with_nothing_uncited(server, prompts):
    engine = served(server, prompts, "Oh, I love this one. ", "Theodore writes “letters for strangers” [1]. ",
                    "It's such a tender job, isn't it? I'd love to know what you think.")
    reply = engine.ask("What is Theodore's job?")
    assert reply.grounded and reply.uncited == () and UNCITED_NOTE not in reply.answer
    assert reply_json(reply)["uncited"] == []


def test_a_film_reply_that_calls_the_person_by_name_claims_nothing_by_it(prompts, memory):
    memory.remember("My name is Sam.")
    said = "It's always a special day, Sam. He writes “letters for strangers” [1]."
    engine = make(prompts, ScriptedBackend("freely").enqueue(said), memory=memory)
    reply = engine.ask("What is Theodore's job?")
    assert reply.route == "film" and reply.grounded and reply.answer == said and reply.uncited == ()
    assert make(prompts, ScriptedBackend("freely").enqueue(said)).ask("What is Theodore's job?").uncited == (
        "It's always a special day, Sam.",
    ), "a name she does not know as theirs is a name in the film"


def test_answers_from_memory_and_small_talk_are_never_checked_for_film_claims(prompts, memory):
    memory.remember("My name is Sam.")
    # The line the transcript showed marked: her memory answer, opening on neither "I" nor "you".
    known = {**prompts.variants, "person_known": ("Here's what I remember: {facts}. Did I get that right?",)}
    backend = ScriptedBackend("freely").enqueue("You're Emily!")
    engine = make(prompts, backend, memory=memory)
    engine.prompts = replace(prompts, variants=known)
    reply = engine.ask("what's my name?")
    assert reply.answer == "Here's what I remember: your name is Sam. Did I get that right?"
    chat = "It's always a special day, Sam. Theodore would say so too, and Amy would laugh at him for it."
    backend.enqueue(chat)
    small = engine.ask("hi, how are you?")
    assert small.answer == chat
    assert UNCITED_NOTE not in reply.answer + small.answer and reply.uncited == small.uncited == ()


# 4. The real llama.cpp server with SmolLM2 on loopback, for one free-writing path

needs_server = pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp.server") is None or importlib.util.find_spec("uvicorn") is None,
    reason="llama-cpp-python[server] is not installed (make setup installs it)",
)


@needs_server
def test_small_talk_reaches_smollm2_behind_llama_cpp_server(server_url, prompts):
    backend = OpenAIBackend(BackendSpec(name="llama-server", type="openai", base_url=server_url, max_tokens=48,
                                        quote_first=False))
    try:
        assert backend.capabilities.writes == "freely"
        engine = make(prompts, backend)
        reply = engine.ask("hi, how are you?")
    finally:
        backend.close()
    canned = {line for name in ("greeting", "met", "her_feelings", "about_her") for line in prompts.variants[name]}
    assert reply.route == "greeting" and reply.answer and reply.answer not in canned
    assert not reply.grounded and reply.citations == () and reply.complete


from tests.test_openai_server import server_url  # noqa: E402,F401  (starts llama_cpp.server once per module)


def test_an_uncited_note_is_never_doubled_nor_shown_to_the_model(prompts):
    from companion.engine.prompting import build_messages
    from companion.engine.verify import mark_uncited

    claim = "Her earned $312 million worldwide."
    # A model that copied the note from the history it saw: the sentence keeps exactly one.
    copied = f"{claim}{UNCITED_NOTE} Anyway, how are you?"
    assert mark_uncited(copied, [claim]).count("(uncited)") == 1
    assert mark_uncited(f"{claim} Anyway, how are you?", [claim]).count("(uncited)") == 1
    window = (Exchange("how did it do?", f"{claim}{UNCITED_NOTE}"),)
    messages = build_messages(prompts, "and the Oscars?", (), window)
    assert not any("(uncited)" in m.content for m in messages)
    assert any(claim in m.content for m in messages if m.role == "assistant")


def test_prompts_load_without_the_unused_person_template(prompts, tmp_path):
    import shutil

    from companion.prompts import load_prompts

    copy = shutil.copytree(prompts.directory, tmp_path / "prompts")
    (copy / "person.md").unlink(missing_ok=True)
    assert load_prompts(copy).variants.keys() == prompts.variants.keys()
