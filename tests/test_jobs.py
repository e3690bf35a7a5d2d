"""A question asking what someone does for a living, and a quote saying it of them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from companion.engine.answer_kind import answer_test
from companion.engine.jobs import job_owner, says_the_job
from companion.session import shelve
from tests.helpers import says_none_gives

LETTERS = (
    "Theodore Twombly (Joaquin Phoenix) has been separated from his wife (Rooney Mara) for nearly a year. "
    "He works at BeautifulHandwrittenLetters.com, phantom-writing heartfelt, personal letters to people he’s never met."
)


@pytest.mark.parametrize(("question", "owner"), [
    ("What does Theodore's ex-wife do for a living?", ("exwife",)),
    ("what does theo's ex wife do for work", ("wife",)),
    ("what's rooney mara's character's job", ("mara",)),
    ("whats amy's job", ("amy",)),
    ("ok dumb q but what is theo's actual job in the movie?", ("theo",)),
    # Asked "what does he do?", anyone named before may be whom "he" says.
    ("who's steven boone? what does he do", ("steven", "boone")),
    # Someone's someone named before "she" is whom she stands for, not the one owning her.
    ("paul's girlfriend at the beach day, what does she do for a living?", ("girlfriend",)),
    ("theo's ex wife, what does she do for work", ("wife",)),
    # "Professionally" asks a job as "for a living" does.
    ("steven boone — what does he do professionally?", ("steven", "boone")),
    # A writer speaks of their work as "I", and a job asked of no one in particular is anyone's.
    ("what does the medium writer do for a living", ()),
    ("what does amy have to work on at her job that she hates", ()),
])
def test_a_job_question_says_whose_job_it_asks(prompts, question, owner):
    assert job_owner(question, prompts.words) == owner


@pytest.mark.parametrize("question", [
    "what does theo do when samantha goes offline and he can't reach her",
    "why would jonze play the sex scene over a totally black screen, what does that do?",
    "was amy planning to quit her job?",
    "theodore's job is so dystopian lol",
    # Asked what is said about a job, its words are what is asked: these were refused when no quote said the job.
    "what does amy say about her job?", "what's the line where theodore talks about his job",
])
def test_what_someone_does_in_the_story_or_a_word_about_a_job_asks_no_job(prompts, question):
    assert job_owner(question, prompts.words) is None


@pytest.mark.parametrize(("question", "text", "answers"), [
    # "What does Theodore's ex-wife do for a living?" was answered by his job, said of "he" after a sentence naming her.
    ("What does Theodore's ex-wife do for a living?", LETTERS, False),
    ("What did Theodore's father do for a living?", "Theodore works at a company writing personalized letters.", False),
    ("what's rooney mara's character's job", LETTERS, False),
    ("what does theo's ex wife do for work", "Elsewhere, Theodore’s ex-wife says, with a laugh, “Everything makes you cry”.", False),
    # Whose job it is stands before the word saying it, with no one else named between, or it is their title.
    ("whats amy's job", "Amy Adams’ frump is in quiet despair at having to work on a video game.", True),
    ("what was theo's job again?", "Theodore works at a company writing personalized letters for other people.", True),
    ("What is Steven Boone's day job?", "Steven Boone is a film critic and video essayist for Fandor.", True),
    ("what does spike jonze do for a living", "Had he wanted to, Writer/Director Spike Jonze could have explored it.", True),
    ("whats amy's job", "Amy watches as Theodore, her old friend, works late.", False),
    ("what was theo's job again?", "Theodore’s ex-wife works as a writer.", False),
    # "He" opening a sentence is whom the sentence before opens with: Theodore, not the wife it names after him.
    ("what's theo's job according to the her 2013 review", LETTERS, True),
    ("what does rooney mara's character do for work", LETTERS, False),
    ("whats amy's job", "Amy Adams is lovely. He works at a company writing letters.", False),
    ("what was theo's job again?", "Amy calls Theodore. She works on a video game.", False),
])
def test_a_job_is_answered_only_by_a_quote_saying_it_of_whom_it_asks(prompts, question, text, answers):
    must = answer_test(question, prompts.words)
    assert must is not None and must.detail == "an occupation" and must(text) is answers


def test_a_job_asked_of_anyone_is_answered_by_any_word_of_work(prompts):
    assert says_the_job("I’m a grad student, so I watched it twice.", (), prompts.words)
    assert not says_the_job("I watched it twice and cried.", (), prompts.words)


def test_a_job_no_essay_says_of_whom_it_asks_is_said_to_be_missing(reading_engine, prompts):
    reading_engine.history.clear()
    reply = reading_engine.ask("What does Theodore's ex-wife do for a living?")
    # It was quoted around with his job: "He works at BeautifulHandwrittenLetters.com…".
    assert not reply.grounded and says_none_gives(reply, prompts, "an occupation")


def test_a_job_said_of_whom_it_asks_is_quoted_however_unlikely_the_ranker_finds_it(reading_engine, retrieval, shared_settings):
    # A session's engine reads the library, so that "steven boone" names his essay, whose note gives his job.
    engine = replace(reading_engine, library=lambda: shelve(retrieval.store, shared_settings))
    # The note's "Steven Boone is a film critic…" comes at a chance of 0.06; below Policy.kind_chance it was refused.
    reply = engine.ask("who's steven boone, like what does he do")
    assert reply.grounded and "film critic" in reply.answer



def test_a_job_said_after_a_sentence_naming_them_is_quoted(reading_engine):
    reading_engine.history.clear()
    # Refused as no essay giving an occupation: "He works at…" was no one's job.
    reply = reading_engine.ask("what's theo's job according to the her 2013 review")
    assert reply.grounded and "He works at BeautifulHandwrittenLetters.com" in reply.answer
