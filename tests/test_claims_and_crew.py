"""Shapes two blind probe batches found answered though no essay speaks to them: a statement to check that the
nearest sentence neither bears out nor corrects, a crew job answered by someone the essays credit with another, and
how many years answered by any number."""

from __future__ import annotations

import pytest

from companion.engine.answer_kind import answer_test
from companion.engine.claims import checks_a_claim
from companion.engine.grammar import asks_whether
from companion.engine.credits import credited_people, read_credit_question
from companion.engine.names import names_in, names_someone_uncredited
from tests.helpers import says_none_gives

DIRECTOR = "Had he wanted to, Writer/Director Spike Jonze could have explored the futurist angle."
PERFORMANCE = "Joaquin Phoenix’s performance strikes me more as somebody who has miraculously dodged adult cynicism."


@pytest.fixture
def asking_engine(reading_engine):
    reading_engine.history.clear()
    return reading_engine


@pytest.mark.parametrize(
    ("message", "claim"),
    [
        ("one of the reviews says theo's marriage fell apart cause he cheated, is that true", True),
        ("the sad in the best way blogger saw it like three times in theatres right", True),
        ("did any of the critics say its too long?", True),
        ("the techno lonely guy says samantha gets jealous of amy at some point, doesnt he", True),
        ("someone said it rips off electric dreams", True),
        # Asked outright, a guess tagged beside it only offers an answer.
        ("ok dumb q but what is theo's actual job? something about writing stuff for other ppl right", False),
        ("one of the critics mentions jonze was married to another director - who?", False),
        ("which of the writers say its their fav", False),
        # Asked which one critic did something, the deed is taken as done; asked which critics, every view there is.
        ("which critic calls spike jonze a genius?", True),
        ("a reviewer said its an old twilight zone episode stretched out. which one said that", True),
        ("which of the critics thinks the movie is overrated", True),
        ("which critics treat change as built into love in her?", False),
        ("which reviewer is a student?", False),
        # Alternatives ask which holds; asking whether they said anything asks their views.
        ("medium writer says the movie is about big moments or small ones?", False),
        ("did any critic say anything about her performance?", False),
        ("did the critics like the ending?", False),
    ],
)
def test_a_statement_to_check_is_told_from_a_question(prompts, message, claim):
    assert checks_a_claim(message, prompts.words) is claim


def test_a_claim_no_essay_speaks_to_is_refused_as_no_line_saying_so(asking_engine, prompts):
    # "Take Amy Adams’ conveniently named character Amy… the marriage fails" was offered as the nearest they came.
    reply = asking_engine.ask("one of the reviews says theo's marriage ended because he cheated on catherine, is that true")
    assert says_none_gives(reply, prompts, "a line saying so")


def test_which_critic_did_what_none_of_them_does_is_refused_as_no_line_saying_so(asking_engine, prompts):
    # Read as asking outright, it was answered by the nearest sentences about Theodore, none calling him one.
    reply = asking_engine.ask("which critic calls theodore a coward?")
    assert says_none_gives(reply, prompts, "a line saying so")


def test_a_claim_the_essays_bear_out_is_answered(asking_engine):
    reply = asking_engine.ask("boone says the city in her feels like a nightmare, kinda like enter the void, right")
    assert reply.grounded and reply.citations
    assert "nightmares" in reply.answer


@pytest.mark.parametrize(
    ("message", "whether"),
    [
        ("ok so does theo ever tell paul that sam left him", True),
        ("is there a post credits scene? should i stay till the very end", True),
        ("theo's ex - does she remarry?", True),
        ("boone mentions lost in translation, what year did that come out?", False),
        ("who plays amy", False),
        ("amy has a line about how we're only here briefly, can u give me the quote", False),
    ],
)
def test_a_message_asking_yes_or_no_is_told_from_one_asking_what(message, whether):
    assert asks_whether(message) is whether


@pytest.mark.parametrize("question", [
    # Probes: the nearest sentences (on his letters, on Samantha's leaving) say nothing either way.
    "does theo get a new OS after samantha's gone or is he done with them for good",
    "do theo's letters end up getting published as a book at some point",
])
def test_a_yes_or_no_question_no_sentence_comes_near_is_refused_as_no_line_saying_so(asking_engine, prompts, question):
    assert says_none_gives(asking_engine.ask(question), prompts, "a line saying so")


@pytest.mark.parametrize(("question", "said"), [
    ("Does Theodore get to pick what Samantha sounds like when he installs her?", "female voice"),
    ("was amy planning to quit her job?", "a job she planned to leave"),
])
def test_a_yes_or_no_question_the_essays_answer_is_answered(asking_engine, question, said):
    reply = asking_engine.ask(question)
    assert reply.citations and said in reply.answer


def test_the_people_credited_are_read_from_parts_and_the_making():
    texts = [DIRECTOR, "Theodore Twombly (Joaquin Phoenix) is reading a love letter.", PERFORMANCE]
    assert credited_people(texts) == {"spike jonze", "joaquin phoenix", "theodore twombly"}


def test_a_crew_job_is_not_answered_by_someone_credited_with_another(prompts):
    question = "who was the casting director on her"
    known = credited_people([DIRECTOR, "Theodore Twombly (Joaquin Phoenix) is reading a love letter."])
    assert not names_someone_uncredited(DIRECTOR, question, prompts.words, known)
    assert not names_someone_uncredited(PERFORMANCE, question, prompts.words, known)
    assert names_someone_uncredited("Casting was by Ellen Lewis, who found him.", question, prompts.words, known)
    # Without knowing who the essays credit elsewhere, an actor's name reads as a new one.
    assert names_someone_uncredited(PERFORMANCE, question, prompts.words)
    # The job asked for is not someone the essays call "the casting director".
    assert read_credit_question(question, prompts.words).who_is is None


def test_a_crew_job_no_essay_names_anyone_for_is_refused(named_engine, prompts):
    # "Writer/Director Spike Jonze…" and "Joaquin Phoenix’s performance…" were quoted as the answer.
    reply = named_engine.ask("who was the casting director on her")
    assert says_none_gives(reply, prompts, "a name")
    named_engine.history.clear()
    assert "Spike Jonze" in named_engine.ask("who directed her?").answer


def test_a_detail_given_only_by_a_quote_too_unlikely_to_lead_is_refused(asking_engine, prompts):
    # Led with "When we first meet Theodore…", then "Theodore Twombly (Joaquin Phoenix)…" for the names it holds.
    reply = asking_engine.ask("what city was theodore born in?")
    assert says_none_gives(reply, prompts, "a name")
    asking_engine.history.clear()
    assert "Joaquin Phoenix" in asking_engine.ask("who plays theodore?").answer


def test_how_many_years_asks_a_number_of_them(prompts):
    test = answer_test("how many years has theo been working at the letter writing place", prompts.words)
    assert test is not None and test.detail == "a number"
    assert not test("Theodore is reading one of the thousands of love letters he’s written for someone else.")
    assert not test("He has worked there for years.")
    assert test("He has worked there for three years.")
    count = answer_test("how many letters has he written", prompts.words)
    assert count is not None and count("He has written thousands of love letters.")


@pytest.mark.parametrize(
    ("text", "gives"),
    [
        ("Take Amy Adams’ conveniently named character Amy, for example.", False),
        ("Theodore Twombly (Joaquin Phoenix) is reading a love letter in narration.", False),
        ("Joaquin Phoenix, in the middle of an incredible three-year run that includes starring roles in Paul Thomas "
         "Anderson’s The Master and Inherent Vice, delves deep within himself.", True),
    ],
)
def test_what_else_someone_is_known_for_needs_another_work_named(prompts, text, gives):
    known = frozenset({"amy adams", "joaquin phoenix"})
    test = answer_test("what else is amy adams known for, besides this", prompts.words, known=known)
    assert test is not None and test.detail == "a word about their other work"
    assert test(text) is gives


def test_what_else_someone_made_is_answered_only_by_another_work(named_engine, prompts):
    # "Writer/Director Spike Jonze could have explored the futurist angle…" gave a name of the kind, and led.
    reply = named_engine.ask("what other movies has spike jonze directed")
    assert reply.grounded and "Being John Malkovich" in reply.answer
    named_engine.history.clear()
    reply = named_engine.ask("what else has scarlett johansson been in")
    assert says_none_gives(reply, prompts, "a word about their other work")


@pytest.mark.parametrize(
    ("question", "detail", "text", "gives"),
    [
        ("How many brothers and sisters does Amy have?", "a word about their family",
         "It’s the conclusion to a story about how these two characters shared a special relationship.", False),
        ("How many brothers and sisters does Amy have?", "a word about their family", "She has two brothers.", True),
        ("does theodore have any brothers or sisters", "a word about their family",
         "Take Amy Adams’ conveniently named character Amy, for example.", False),
        ("do theo and catherine have kids", "a word about their family", "They never had children.", True),
    ],
)
def test_a_question_about_someones_family_needs_a_word_about_family(prompts, question, detail, text, gives):
    test = answer_test(question, prompts.words)
    assert test is not None and test.detail == detail and test(text) is gives


def test_the_askers_own_family_asks_nothing_of_the_essays(prompts):
    message = "i watched it with my little sister and she thought the ending was about death, did any critic think so?"
    assert answer_test(message, prompts.words) is None
    # A family word only saying which game is asked about leaves the name asked for.
    test = answer_test("what's the name of the mom video game amy is stuck designing?", prompts.words)
    assert test is not None and test.detail == "a name"


INTRODUCED = (
    "Theodore shows all the symptoms of a calloused heart, and after too many sleepless nights decides to bring home "
    "OS1, a personally-tailored, artificially intelligent operating system. Her name is Samantha."
)


def test_a_name_given_by_a_pronoun_names_what_the_sentence_before_brought_in(prompts):
    test = answer_test("whats the AI's name", prompts.words)
    assert test is not None and test.detail == "a name"
    assert test(INTRODUCED)
    assert not test("Her name is Samantha.")
    assert not test("Theodore meets his ex-wife for lunch. Her name is Catherine.")


def test_a_contraction_opening_a_sentence_is_no_part_of_the_name_after_it():
    assert [m.group(0) for m in names_in("It’s Samantha needing to be an OS.")] == ["Samantha", "OS"]
    assert [m.group(0) for m in names_in("Take Amy Adams’ character.")] == ["Take Amy Adams’"]


def test_a_word_opening_a_sentence_and_the_writers_i_are_no_name():
    assert names_in("When I go to see it again, I want to go alone.") == []
    assert [m.group(0) for m in names_in("Then I met Spike Jonze.")] == ["Spike Jonze"]


def test_the_ai_is_named_from_where_it_is_brought_in(named_engine):
    reply = named_engine.ask("whats the AI's name")
    assert reply.grounded and reply.answer.startswith("It's Samantha")
    named_engine.history.clear()
    # The OS is called two things ("OS1, a personally-tailored… operating system. Her name is Samantha."): the first
    # quote gives both, and a quote giving two names leads with neither.
    called = named_engine.ask("what is the OS called")
    first_quote = called.answer.split("\n\n")[1]
    assert called.grounded and "OS1" in first_quote and "Her name is Samantha." in first_quote
