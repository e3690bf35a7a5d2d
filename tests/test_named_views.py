"""A view asked of an essay the question names, when none of that essay's sentences comes near it."""

from __future__ import annotations

from dataclasses import replace

from companion.session import shelve


def test_a_view_asked_of_an_essay_that_never_speaks_to_it_is_refused(reading_engine, retrieval, shared_settings):
    engine = replace(reading_engine, library=lambda: shelve(retrieval.store, shared_settings))
    # The Medium essay says nothing of Theodore's job: its likeliest sentence, "Usually these year-end things go in
    # one of two ways…", came at a chance of 0.009 and was quoted as the nearest it comes.
    reply = engine.ask("what did the medium writer think about theos job ghostwriting love letters for strangers")
    assert not reply.grounded and not reply.citations
    # A view it does hold is still heard, however unsure the ranker is of it.
    reply = engine.ask("jennifer (the convo one), why does she think the movie got that title")
    assert reply.grounded


def test_a_view_an_essay_never_speaks_to_is_said_to_be_missing_from_that_essay(reading_engine, retrieval, shared_settings, prompts):
    engine = replace(reading_engine, library=lambda: shelve(retrieval.store, shared_settings))
    engine.history.clear()
    reply = engine.ask("what did the medium writer think about theos job ghostwriting love letters for strangers")
    # It said no essay speaks to it, though the others may: she names the one asked of.
    said = [line.format(essays="*Her, and the Shared Experience* (on Medium)") for line in prompts.variants["named_quiet"]]
    assert reply.answer in said


def test_a_question_naming_an_essay_is_answered_at_its_own_bar(reading_engine, retrieval, shared_settings):
    engine = replace(reading_engine, library=lambda: shelve(retrieval.store, shared_settings))
    engine.history.clear()
    # Its chance of an answer is 0.34, under the bar for questions naming no essay (0.35): it was refused.
    reply = engine.ask("why does the techno lonely reviewer think the movie dodges being sappy")
    assert reply.grounded and reply.citations
