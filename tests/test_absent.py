"""Shapes a blind probe batch found answered though no essay speaks to it: whether the critics bring up a thing of
several words none of them uses (a theory, a book, another film), met by the sentence nearest the rest of the question."""

from __future__ import annotations

import pytest

from companion.engine.absent import absent_run, asks_of_the_critics, takes_up_the_absent
from tests.helpers import says_none_gives

SEEN = frozenset({"theodore", "samantha", "camera", "voic"})


def idf(term: str) -> float:
    return 1.0 if term in SEEN else 9.0


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("do any of the critics analyze her through laura mulvey's theory of the male gaze", True),
        ("did the her 2013 reviewer compare it to blue valentine", True),
        ("did anyone compare it to electric dreams", True),
        ("what did the critics think of the male gaze", True),
        ("what does samantha say about the male gaze", False),
        ("does theodore have a sister", False),
        # "one" names an essay only as "the sad one".
        ("does one of them wear a hat", False),
    ],
)
def test_a_question_asking_what_the_critics_do_is_told(prompts, question, asks):
    assert asks_of_the_critics(question, prompts.words) is asks


def test_the_longest_run_skips_words_about_the_essays_and_chatter_breaks_it(prompts):
    words = prompts.words
    assert absent_run("laura mulvey's theory of the camera", idf, words.about_the_essays, words.chatter) == 3
    # "critics" is about the essays: it neither counts nor ends the run.
    assert absent_run("mulvey critics kuleshov", idf, words.about_the_essays, words.chatter) == 2
    assert absent_run("mulvey tbh kuleshov", idf, words.about_the_essays, words.chatter) == 1
    assert absent_run("theodore samantha camera", idf, words.about_the_essays, words.chatter) == 0


def test_without_word_weights_nothing_is_absent(prompts):
    assert not takes_up_the_absent("do any critics cite sherry turkle's alone together", prompts.words, None, 3)


def test_a_thing_no_essay_names_is_refused(named_engine, prompts):
    # "Technology has made it its own realm. This is how it makes us lonely…" was quoted as if it cited her.
    reply = named_engine.ask(
        "Does any critic cite Sherry Turkle's book Alone Together to back up the idea that technology leaves us lonely?"
    )
    assert not reply.citations and not says_none_gives(reply, prompts, "a name")
    named_engine.history.clear()
    reply = named_engine.ask("did any of the reviewers compare her to lost in translation / sofia coppola?")
    assert reply.citations and "Coppola" in reply.answer
