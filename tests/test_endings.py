"""A question asking what an essay ends on, answered from an essay's last passage."""

from __future__ import annotations

from dataclasses import replace

import pytest

from companion.engine.endings import asks_how_an_essay_ends, asks_how_an_essay_opens, edge_passages
from companion.retrieval.units import opening_sentence
from companion.session import shelve
from tests.fakes import hit, passage


@pytest.mark.parametrize("question", [
    "whats the alan watts line one of the reviews ends on",
    "one of the reviews closes with a quote from that philosopher guy the OS is based on, what's the line",
    "what's the closing line in the review that calls it a flawless romance",
    "which alan watts line does the techno lonely review end on",
    "what's the last line of theodore's favourite review",
])
def test_a_question_asking_what_an_essay_ends_on(prompts, question):
    assert asks_how_an_essay_ends(question, prompts.words)


@pytest.mark.parametrize("question", [
    # The film's ending, not an essay's.
    "what does the movie end on", "how does the film end?",
    # Its ending quoted, to ask something else of it.
    "the sad in the best way blog ends with 'this song is everything' - which song was it tho?",
    # Asked yes or no, not for the line.
    "does any review end with a quote?",
    "amy also gets close to an OS right? whose was it",
])
def test_a_question_not_asking_what_an_essay_ends_on(prompts, question):
    assert not asks_how_an_essay_ends(question, prompts.words)


@pytest.mark.parametrize(("question", "named"), [
    ("how does the techno lonely guy describe spike jonze in the very first line lol", True),
    ("techno lonely opens by calling jonze a ... what lol", True),
    ("what's the first line of the medium essay?", False),
    ("how does the sad in the best way blog start off?", False),
])
def test_a_question_asking_what_an_essay_opens_on(prompts, question, named):
    assert asks_how_an_essay_opens(question, prompts.words, named)


@pytest.mark.parametrize("question", [
    # The film's opening, or a first line in it, not an essay's.
    "how does the film open?", "what is theo's first line to samantha", "what's the first line of the movie",
    # Its opening quoted, to ask something else of it.
    "the techno lonely review opens with 'spike jonze is a high-brow nut' - what did he mean",
    # Asked yes or no, not for the line.
    "does any review open with a question?",
])
def test_a_question_not_asking_what_an_essay_opens_on(prompts, question):
    assert not asks_how_an_essay_opens(question, prompts.words)


def test_an_essay_opens_on_the_first_sentence_of_its_first_passage_of_body():
    first, last, other = passage("a", 1, "It opens. Then more."), passage("a", 7, "It ends."), passage("b", 3, "B opens.")
    note = replace(passage("a", 0, "A. Critic writes."), id="a:note")
    hits = [hit(1, last), hit(2, other), hit(3, first), hit(4, note)]
    assert [h.passage for h in edge_passages(hits, first=True)] == [first, other]
    assert opening_sentence(first.text) == "It opens."


def test_each_essay_ends_on_its_last_passage_of_body():
    first, last, other = passage("a", 1, "It opens."), passage("a", 7, "It ends."), passage("b", 3, "B ends.")
    note = replace(passage("a", 9, "A. Critic writes."), id="a:note")
    hits = [hit(1, last), hit(2, other), hit(3, first), hit(4, note)]
    assert [h.passage for h in edge_passages(hits)] == [last, other]
    assert [h.passage for h in edge_passages(hits, named=("b",))] == [other]


@pytest.mark.parametrize(("question", "line"), [
    # The techno-lonely review's last passage quotes Alan Watts; the sentence came nowhere near the top of the ranking.
    ("one of the reviews closes with a quote from that philosopher guy the OS is based on, what's the line",
     "the universe perceiving itself through our eyes"),
    ("what are the closing words of the medium essay?", "I am in that space too, and I love her."),
    # Sentences on Jonze from every passage but the first outranked its opening line.
    ("how does the techno lonely guy describe spike jonze in the very first line lol", "Spike Jonze is a high-brow nut"),
    ("what's the first line of the medium essay?", "I started writing mini wrap-ups of my year in films"),
])
def test_the_line_an_essay_closes_or_opens_on_is_quoted(reading_engine, retrieval, shared_settings, question, line):
    engine = replace(reading_engine, library=lambda: shelve(retrieval.store, shared_settings))
    engine.history.clear()
    reply = engine.ask(question)
    assert reply.grounded and line in reply.answer
