"""A message's asking clauses: a view said in passing does not make a question asking a detail ask views."""

from __future__ import annotations

import pytest

from companion.engine.decide import _asks_views
from companion.engine.grammar import asking_clauses
from companion.engine.jobs import job_owner
from tests.helpers import says_none_gives


@pytest.mark.parametrize(("message", "asking"), [
    ("anise loved the production design - who was the production designer tho", ("who was the production designer tho",)),
    ("did her win any oscars? i feel like it got best screenplay or smth", ("did her win any oscars",)),
    ("whats doc sportello's job? one of the essays compares theodore to him", ("whats doc sportello's job",)),
    ("who designed the costumes, the high waisted trousers and all", ("who designed the costumes",)),
    ("so, who plays amy?", ("who plays amy",)),
    # A clause ending in "?" asks, however it opens; a message of one clause asks in it.
    ("in the shared experience essay whats the girlfriends name?", ("in the shared experience essay whats the girlfriends name",)),
    ("theodore's ex-wife", ("theodore's ex-wife",)),
    ("amy adams plays amy, what did the critics think of her?", ("what did the critics think of her",)),
])
def test_a_message_asks_in_the_clauses_opening_as_questions(message, asking):
    assert asking_clauses(message) == asking


@pytest.mark.parametrize(("message", "views"), [
    # A view said in a clause that asks nothing: the clause asking asks a detail.
    ("anise loved the production design - who was the production designer tho", False),
    ("did her win any oscars? i feel like it got best screenplay or smth", False),
    # A detail said in a clause that asks nothing: the clause asking asks views.
    ("samantha morton originally voiced samantha before scarlett, did any reviewer think the recast was right", True),
    ("what did the critics think of the number of people samantha talks to", True),
    # A word for an essay says whose sentences answer, as a word for its writer does.
    ("how long before writing his essay did the medium writer show the film to his gf", False),
    ("what did the essay think of how long the film is", True),
])
def test_views_are_asked_only_in_a_clause_asking(prompts, message, views):
    assert _asks_views(message, frozenset(), prompts.words) is views


@pytest.mark.parametrize("question", [
    "theres a funny bit when he talks to her like an old computer and she messes with him, what does she do",
    "the os keeps going offline, what does he do",
])
def test_what_he_does_asks_no_job_when_no_one_is_named_before(prompts, question):
    assert job_owner(question, prompts.words) is None


def test_what_he_does_asks_the_job_of_whoever_is_asked_after_however_spelt(prompts):
    assert job_owner("who is joaquin pheonix and what does he do", prompts.words) == ("joaquin", "pheonix")


@pytest.mark.parametrize(("question", "detail"), [
    ("anise loved the production design - who was the production designer tho", "a name"),
    ("whats doc sportello's job? one of the essays compares theodore to him", "an occupation"),
])
def test_a_detail_asked_beside_a_view_no_essay_gives_is_said_to_be_missing(reading_engine, prompts, question, detail):
    reading_engine.history.clear()
    reply = reading_engine.ask(question)
    # Both were quoted: Anise's "Visually, I thought the Production Design was amazing", the essays on Theodore.
    assert not reply.grounded and says_none_gives(reply, prompts, detail)
