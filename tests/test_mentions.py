"""Mentions: asked what an essay it names made of someone it never names, she says so and cites nothing."""

from __future__ import annotations

import pytest

from companion.engine.mentions import Mentions, never_named
from companion.session import shelve
from companion.types import Passage


def passage(essay_id: str, n: int, text: str) -> Passage:
    return Passage(id=f"{essay_id}:{n}", essay_id=essay_id, n=n, title=essay_id.title(), author=None, text=text,
                   start=0, end=len(text))


MENTIONS = Mentions.of([
    passage("a", 1, "Take Amy Adams’ character, for example. I thought the Production Design was amazing."),
    passage("a", 2, "Writer/Director Spike Jonze and the director of photography take a walk."),
    passage("b", 1, "Samantha (Scarlett Johansson) laughs. Spike Jonze wrote it. Theodore Twombly (Joaquin Phoenix) writes."),
    passage("c", 1, "Observe Theodore at work."),
])


def test_the_names_the_essays_give_leave_out_everyday_words_beside_them_and_things_after_the():
    written = {name for _, name in MENTIONS.names}
    assert {"Amy Adams", "Spike Jonze", "Scarlett Johansson"} <= written
    # "Take" and "Director" are written in lower case elsewhere; "the Production Design" is a thing.
    assert not any(name.startswith(("Take", "Director")) or "Design" in name for name in written)


@pytest.mark.parametrize(("question", "asked"), [
    ("what did a think of amy adams", ["Amy Adams"]),
    ("did b like johanssons voice", ["Scarlett Johansson"]),
    ("did b like johansson's voice", ["Scarlett Johansson"]),
    # "amy" alone is the character as much as the actor; a last word the essays use in lower case asks nothing.
    ("what did a think of amy", []),
    ("what did a think of the walk", []),
    # "Theodore" opens another name: alone it asks for no name it ends ("Observe Theodore").
    ("what did a think of theodore", []),
    ("what did a think of twombly", ["Theodore Twombly"]),
])
def test_a_name_is_asked_in_full_or_by_a_last_word_no_essay_uses_in_lower_case(question, asked):
    assert MENTIONS.asked(question) == asked


def test_a_name_the_named_essays_never_give_is_told_with_the_essays_that_do():
    found = never_named(MENTIONS, "what did b think of amy adams", ["b"], frozenset())
    assert found is not None and found.name == "Amy Adams" and found.elsewhere == ("a",)
    assert never_named(MENTIONS, "what did a think of amy adams", ["a"], frozenset()) is None
    # Naming no essay, or naming one that gives any of the names asked, the question is searched.
    assert never_named(MENTIONS, "what did they think of amy adams", [], frozenset()) is None
    assert never_named(MENTIONS, "did b compare spike jonze and amy adams", ["b"], frozenset()) is None


def test_a_writers_own_name_says_whose_words_not_what_about():
    assert MENTIONS.asked("what did spike jonze think of it", skip=frozenset({"jonze"})) == []


@pytest.fixture(scope="module")
def library(retrieval, shared_settings):
    return shelve(retrieval.store, shared_settings)


@pytest.mark.parametrize(("question", "essays", "name"), [
    ("what did the her (2013) reviewer think of amy adams", "*Her (2013)*", "Amy Adams"),
    ("does steven boone say anything about scarlett johanssons voice acting",
     "*What HER Tells Us About Ourselves: A Conversation*", "Scarlett Johansson"),
    ("did anise say anything about the alan watts AI", "*What HER Tells Us About Ourselves: A Conversation*", "Alan Watts"),
])
def test_the_library_tells_which_essays_never_name_what_is_asked(library, prompts, question, essays, name):
    told = library.never_named(question, [e.essay_id for e in library.named(question, prompts.words)])
    assert told is not None and told["essays"] == essays and told["name"] == name
    assert told["elsewhere"] and essays not in told["elsewhere"]


@pytest.mark.parametrize("question", [
    "what did the medium writer think of amy adams",
    "how does boone describe phoenix's acting",
    "what did the critics think of amy adams",
    "what does anise think of theodore",
])
def test_a_question_the_named_essays_can_speak_to_is_searched(library, prompts, question):
    assert library.never_named(question, [e.essay_id for e in library.named(question, prompts.words)]) is None


def test_the_engine_says_the_named_essay_never_names_them_and_cites_nothing(engine, library):
    engine.library = lambda: library
    reply = engine.ask("what did the her 2013 review think of amy adams?")
    assert not reply.citations
    assert "Amy Adams" in reply.answer and "*Her (2013)*" in reply.answer
    assert "*Her, and the Shared Experience*" in reply.answer
