"""One turn end to end with the extractive backend: evidence, refusal, verbatim quotes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

import pytest

from companion.backends.base import BaseBackend, GenerationRequest
from companion.engine import MAX_QUESTION_CHARS, Engine
from companion.errors import BackendError, InputError
from companion.session import shelve
from companion.engine.verify import quote_in
from companion.text import markers, quotes
from tests.conftest import EVAL
from tests.helpers import says_none_gives


def assert_grounded(reply):
    assert reply.grounded
    cited = {c.n: c for c in reply.citations}
    assert markers(reply.answer) and set(markers(reply.answer)) == set(cited)
    for paragraph in reply.answer.split("\n\n"):
        for n in markers(paragraph):
            for quote in quotes(paragraph):
                assert quote_in(quote, cited[n].passage), (n, quote)
    assert all(c.verified for c in reply.citations)


def test_the_ending_is_answered_from_several_essays(engine):
    reply = engine.ask("What did the critics think of the ending?")
    assert_grounded(reply)
    assert len({c.passage.essay_id for c in reply.citations}) >= 2
    assert reply.backend == "extractive" and reply.model is None


@pytest.mark.parametrize(
    "question",
    ["What did the critics think of the ending?", "did the medium guy agree with his friend that the ending is about death"],
)
def test_a_friends_reading_of_the_ending_is_never_quoted_without_the_writers_dispute(engine, question):
    # Shared Experience reports a friend's reading ("…to contemplate death.") and turns it down in the next sentence.
    reply = engine.ask(question)
    assert_grounded(reply)
    said = [q for q in quotes(reply.answer) if "contemplate death" in q]
    assert said and all("I disagree" in q for q in said)


@pytest.mark.parametrize(
    "question",
    ["How much money did Her make?", "What is the population of Tokyo?", "Who composed the music for Blade Runner?"],
)
def test_uncovered_questions_are_refused_in_voice(engine, question):
    reply = engine.ask(question)
    assert not reply.grounded
    assert reply.citations == ()
    assert markers(reply.answer) == []
    assert "essay" in reply.answer


@pytest.mark.parametrize("question", ["who wrote her?", "who wrote the screenplay?", "who wrote the script for her"])
def test_who_wrote_the_film_is_answered_from_the_credit_though_it_shares_few_words(engine, question):
    engine.history.clear()
    reply = engine.ask(question)
    assert_grounded(reply)
    first_line = reply.answer.splitlines()[0]
    assert "Spike Jonze" in first_line and "Writer/Director Spike Jonze" in first_line
    # "That could have been Charlie Kaufman's script" says whose script it resembles, not whose it is.
    assert "Kaufman" not in first_line
    assert len(reply.citations) == 1


def test_who_wrote_the_music_is_no_credit_for_the_writer(engine):
    engine.history.clear()
    assert "Spike Jonze" not in engine.ask("who wrote the music?").answer.splitlines()[0]


@pytest.mark.parametrize("question", [
    "How many weeks was Her in theaters?", "how much does an OS1 cost in the movie", "Who edited Her?",
    "who plays the girl theodore goes on the blind date with", "When is Spike Jonze's birthday?",
    "How much was Scarlett Johansson paid for Her?",
])
@pytest.mark.parametrize("reader", [False, True])
def test_a_number_date_or_person_no_quote_gives_is_not_quoted_around(engine, reading_engine, question, reader):
    reply = (reading_engine if reader else engine).ask(question)
    assert not reply.grounded and not reply.citations


@pytest.mark.parametrize(("question", "detail"), [
    ("How tall is Joaquin Phoenix?", "a measurement"), ("how old was joaquin phoenix when he made this", "an age"),
    ("what's paul's girlfriend called in the movie", "a name"), ("what's the name of theodore's dog", "a name"),
])
def test_a_detail_the_essays_speak_around_is_said_to_be_missing(reading_engine, prompts, question, detail):
    reading_engine.history.clear()
    reply = reading_engine.ask(question)
    # Each was quoted around: "…in the middle of an incredible three-year run…", "…Theodore chooses to let love in",
    # "He works at BeautifulHandwrittenLetters.com…" for the dog.
    assert not reply.grounded and says_none_gives(reply, prompts, detail)


@pytest.mark.parametrize("reader", [False, True])
def test_a_name_no_quote_gives_is_not_quoted_around(engine, reading_engine, reader):
    reply = (reading_engine if reader else engine).ask("what's the name of the video game amy is working on")
    assert not reply.grounded and not reply.citations


@pytest.mark.parametrize("question", [
    "What is the name of the operating system Theodore buys?", "what's amy adams' character called?",
])
def test_a_name_a_quote_gives_is_quoted(reading_engine, question):
    reply = reading_engine.ask(question)
    assert_grounded(reply)


def test_a_number_a_quote_states_in_words_is_quoted(engine):
    engine.history.clear()
    reply = engine.ask("how many times has steven boone seen it / planning to see it")
    assert_grounded(reply)
    assert "a third time" in reply.answer


@pytest.mark.parametrize("question", ["who plays theo's ex wife?", "who plays his ex-wife?"])
def test_a_part_a_quote_credits_is_answered_with_the_actor(engine, question):
    engine.history.clear()
    reply = engine.ask(question)
    assert_grounded(reply)
    assert "Rooney Mara" in reply.answer


def test_asked_what_someone_said_she_leads_with_their_words(reading_engine):
    # The likeliest sentence ("It's Samantha needing to be an OS…") says what she wants in the writer's words.
    reply = reading_engine.ask("what does samantha say she wants right after she gets switched on")
    assert_grounded(reply)
    assert "‘to learn everything about everything.’" in quotes(reply.answer)[0]


def test_a_quote_goes_on_to_the_sentence_saying_what_it_means(reading_engine):
    reading_engine.history.clear()
    reply = reading_engine.ask("what does boone mean by empaths")
    assert_grounded(reply)
    # It stopped on "…the group most vividly represented here: empaths.", the meaning left out.
    assert "Not literal psychics, but people with extraordinary emotional intelligence and compassion." in quotes(reply.answer)[0]


def test_a_quote_never_stops_inside_a_quotation(reading_engine):
    reply = reading_engine.ask("what are the questions jonze says go through his head when he checks for texts")
    assert_grounded(reply)
    quote = quotes(reply.answer)[0]
    assert "Is anyone thinking about me? Does anyone love me?’" in quote
    # Nor on the question the quotation closes with: what Jonze says next comes along.
    assert quote.endswith("to look if there are any texts on the screen.")


@pytest.mark.parametrize("question", [
    "who voices the OS?", "who is the voice of the AI?", "who plays the computer?", "tell me about samantha",
])
def test_samantha_asked_about_by_name_or_by_what_she_is_is_credited(engine, question):
    engine.history.clear()
    reply = engine.ask(question)
    assert_grounded(reply)
    assert "Scarlett Johansson" in reply.answer.splitlines()[0]
    assert "Scarlett Johansson" in quotes(reply.answer)[0]


@pytest.mark.parametrize("question", ["how many people is samantha talking to?", "how many others is samantha talking to?"])
def test_a_number_asked_for_leads_from_the_sentence_giving_it(reading_engine, question):
    # The likeliest sentence ("Do you talk to someone else while we're talking? Samantha: Yes.") gives no number;
    # the one giving it comes later in the same passage, which would give one quote only.
    reply = reading_engine.ask(question)
    assert_grounded(reply)
    assert "8,316" in reply.answer.splitlines()[0]
    assert "Samantha: 8,316." in quotes(reply.answer)[0]


def test_a_follow_up_asks_only_what_it_says(engine):
    # Searched after "how many times…", "and who plays amy?" asks for no number, and Amy Adams shares Amy's name.
    engine.history.clear()
    engine.ask("how many times has steven boone seen it?")
    reply = engine.ask("and who plays amy?")
    assert_grounded(reply)
    assert "Amy Adams" in reply.answer.splitlines()[0]


@pytest.mark.parametrize("question", [
    "who's in the cast?", "what actors are in it?", "who stars in her?", "who's in it?", "who's the main character?",
    "who's the main guy in her",
])
def test_who_is_in_the_film_hears_each_credit_of_the_cast(engine, question):
    engine.history.clear()
    reply = engine.ask(question)
    assert_grounded(reply)
    shown = quotes(reply.answer)
    # Every passage is searched for a credit, so each lead is heard however few words the question shares.
    assert all(actor in " ".join(shown) for actor in ("Joaquin Phoenix", "Scarlett Johansson", "Amy Adams"))
    assert len({c.passage.id for c in reply.citations}) == len(reply.citations) == 3
    # Her first line names them all, each with the part the quotes give; each quote opens on its credit.
    first = reply.answer.splitlines()[0]
    assert all(f"{actor} as" in first for actor in ("Joaquin Phoenix", "Scarlett Johansson", "Amy Adams"))
    assert not any(quote.startswith("Theodore sports a hideously trendy mustache") for quote in shown)
    # The lead first, as a film's billing has it: the essays name Theodore more often than anyone.
    assert "Joaquin Phoenix" in shown[0] and first.index("Joaquin Phoenix") < first.index("Amy Adams")


def test_who_made_the_film_is_answered_from_a_credit_its_words_rank_low(engine):
    # "who made this movie?" shares no word with "Writer/Director Spike Jonze"; its passage ranks past the pool
    # other questions' quotes are picked from.
    engine.history.clear()
    reply = engine.ask("who made this movie?")
    assert_grounded(reply)
    assert "Writer/Director Spike Jonze" in reply.answer.splitlines()[0]


@pytest.mark.parametrize(("question", "actor"), [("who plays theo?", "Joaquin Phoenix"), ("who plays sam?", "Scarlett Johansson")])
def test_a_nickname_is_answered_from_the_credit_of_the_name_it_starts(engine, question, actor):
    engine.history.clear()
    reply = engine.ask(question)
    assert_grounded(reply)
    assert actor in reply.answer.splitlines()[0]


@pytest.mark.parametrize(("question", "credit"), [
    ("who voices samantha?", "Samantha (Scarlett Johansson) sees the world for all of its wonders, and her brio pulls "
                             "Theodore away from his gloom."),
    ("who plays theodore?", "Theodore Twombly (Joaquin Phoenix) has been separated from his wife (Rooney Mara) for "
                            "nearly a year."),
    ("who plays amy?", "Take Amy Adams’ conveniently named character Amy, for example."),
])
def test_asked_who_plays_a_part_the_credit_is_quoted_alone(engine, question, credit):
    # The sentences beside a credit were joined for their chance of answering: four sentences to give one credit.
    engine.history.clear()
    reply = engine.ask(question)
    assert_grounded(reply)
    assert quotes(reply.answer) == [credit]


def test_asked_who_someone_is_the_credit_goes_on_to_say(engine):
    engine.history.clear()
    reply = engine.ask("who is samantha?")
    assert_grounded(reply)
    (shown,) = quotes(reply.answer)
    assert shown.startswith("Samantha (Scarlett Johansson) sees the world") and "Their relationship" in shown


def test_who_plays_the_lead_hears_the_lead_credited(engine):
    engine.history.clear()
    reply = engine.ask("who plays the main character?")
    assert_grounded(reply)
    assert "Joaquin Phoenix" in " ".join(quotes(reply.answer))


def test_a_question_naming_an_essay_is_answered_from_that_essay_alone(reading_engine, retrieval, shared_settings):
    engine = replace(reading_engine, library=lambda: shelve(retrieval.store, shared_settings))
    reply = engine.ask("in the medium essay, what did he expect the movie to be before seeing it?")
    assert_grounded(reply)
    # The techno-lonely essay's "twenty or so years from now" was quoted beside it.
    assert {c.passage.essay_id for c in reply.citations} == {"shared-experience"}


def test_counting_the_critics_who_liked_it_hears_their_views(engine):
    engine.history.clear()
    assert_grounded(engine.ask("how many critics liked it?"))


def test_eval_refusals_and_answers(engine):
    # The original 22 questions, the ones today's evidence thresholds were fit to (see eval/README.md);
    # the other 78 are measured by `companion eval`, not held to these bars.
    rows = [json.loads(line) for line in EVAL.read_text("utf-8").splitlines()[:22]]
    for row in rows:
        engine.history.clear()
        reply = engine.ask(row["q"])
        if row["kind"] == "none":
            assert not reply.grounded, row["q"]
        elif reply.grounded:
            assert_grounded(reply)
    answered = sum(engine.ask(r["q"]).grounded for r in rows if r["kind"] != "none")
    assert answered >= 0.8 * sum(1 for r in rows if r["kind"] != "none")


def test_the_same_question_gets_the_same_reply(engine):
    first = engine.ask("Is Samantha rational or emotional?")
    engine.history.clear()
    assert engine.ask("Is Samantha rational or emotional?").answer == first.answer
    # Asked again in the same chat, the quotes are the same but she does not open or close with the same words.
    again = engine.ask("Is Samantha rational or emotional?").answer.split("\n\n")
    said = first.answer.split("\n\n")
    assert again[1:-1] == said[1:-1] and again[0] != said[0] and again[-1] != said[-1]


def test_events_arrive_in_order(engine):
    kinds = [e.kind for e in engine.turn("What does Samantha feel inferior about?")]
    assert kinds[0] == "status"
    assert kinds[-2:] == ["citations", "done"]
    assert "token" in kinds


@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_empty_input_is_refused_clearly(engine, text):
    with pytest.raises(InputError, match="empty"):
        engine.ask(text)
    assert [e.kind for e in engine.turn(text)] == ["error"]


def test_enormous_input_is_refused_clearly(engine):
    with pytest.raises(InputError, match="characters"):
        engine.ask("love " * MAX_QUESTION_CHARS)


class CutBackend(BaseBackend):
    """A backend whose stream breaks after two pieces, like a dropped connection."""

    name = "cut"
    model = "cut-1"

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        yield "The writers say “"
        yield f"{request.evidence[0].passage.text[:40]}” [1]"
        raise BackendError("the server closed the stream")


def test_a_cut_stream_keeps_the_partial_reply(retrieval, prompts):
    engine = Engine(searcher=retrieval.searcher, backend=CutBackend(), prompts=prompts)
    events = list(engine.turn("What did the critics think of the ending?"))
    assert "error" in [e.kind for e in events]
    reply = events[-1].reply
    assert not reply.complete and reply.error == "the server closed the stream"
    assert reply.answer.startswith("The writers say")
    assert [c.n for c in reply.citations] == [1]
    followup = engine.ask("Is Samantha rational or emotional?")
    assert followup.answer and len(engine.history) == 2


def test_messages_carry_persona_evidence_and_history(engine):
    engine.ask("Is Samantha rational or emotional?")
    evidence = engine.messages("And Amy?", ())
    assert evidence[0].role == "system" and "Samantha" in evidence[0].content
    assert [m.role for m in evidence[1:]] == ["user", "assistant", "system", "user"]
    assert "Remember: you are Samantha" in evidence[-2].content
    assert "And Amy?" in evidence[-1].content


@pytest.mark.parametrize(
    ("sentence", "ok"),
    [
        ("Oh, I love that you asked about this.", True),
        ("You're right!", False),
        ("That's a difficult question, but let me share what I found.", True),
        ("Her made $1.1 billion at the box office, I think.", False),
        ("I think the director was too focused on the plot.", False),
        ("Evelin Stang wrote it, I'm sure of it.", False),
        ("I wonder what Amy would say to you.", False),
        ("Samantha: I love this question.", False),
    ],
)
def test_only_a_personal_factless_framing_is_shown(prompts, sentence, ok):
    from companion.engine.compose import acceptable_framing

    assert acceptable_framing(sentence, "What did the critics think of the ending?", prompts.words) is ok


@pytest.mark.parametrize("question", ["is it sci-fi?", "is her a scifi movie?"])
def test_a_short_form_is_read_written_out(engine, question):
    # No essay says "sci-fi": asked as written, it was refused as something the essays never touch.
    engine.history.clear()
    reply = engine.ask(question)
    assert_grounded(reply)
    assert any("science fiction" in quote for quote in quotes(reply.answer))


def test_sam_and_scarjo_are_read_as_samantha_and_scarlett_johansson(reading_engine):
    # No essay says "Sam": "what does sam make instead of photos of them" was refused as touching nothing they say.
    reply = reading_engine.ask("what does sam make instead of photos of them")
    assert_grounded(reply)
    assert any("piano pieces" in quote for quote in quotes(reply.answer))


@pytest.mark.parametrize(("question", "actor", "part"), [
    ("who does amy adams play?", "Amy Adams", "Amy"),
    ("what part does rooney mara play in the movie?", "Rooney Mara", "wife"),
    ("which character does scarlett johansson voice", "Scarlett Johansson", "Samantha"),
])
def test_asked_who_an_actor_plays_she_leads_with_their_credit(engine, question, actor, part):
    engine.history.clear()
    reply = engine.ask(question)
    assert_grounded(reply)
    first = reply.answer.splitlines()[0]
    assert actor in first and part in first
    assert actor in quotes(reply.answer)[0]


def test_a_plain_word_for_what_the_essays_say_otherwise_is_read_in_their_word(engine):
    # No essay says "funny"; Boone says Jonze "teases humor" out of his characters. It was refused.
    engine.history.clear()
    reply = engine.ask("is the movie funny at all?")
    assert_grounded(reply)
    assert any("humor" in quote or "comedic" in quote for quote in quotes(reply.answer))


@pytest.mark.parametrize("question", ["give me an overview of the essays", "quote me something beautiful from the reviews"])
def test_asking_for_an_overview_or_a_quote_is_answered_from_the_essays(engine, question):
    engine.history.clear()
    reply = engine.ask(question)
    assert reply.grounded and reply.citations and all(c.verified for c in reply.citations), reply.answer
