"""Credits: who a question asks after by name, and the sentence that brings them in with their actor."""

from __future__ import annotations

from dataclasses import replace

import pytest

from companion.engine.answer_kind import answer_test
from companion.engine.credits import asked_character, asked_characters, asked_who_is, calls, read_credit_question
from companion.engine.pick import Reading, Wanted, pick_quotes
from companion.policy import POLICY
from companion.retrieval.sentence_vectors import SentenceVectors
from companion.retrieval.sentences import FEATURES, READER_FEATURES
from companion.types import Evidence
from tests.fakes import BagOfWords, hit, passage

# A ranker that goes by the sentence's cosine alone (chance 0.5 at cosine 0.5).
BY_COSINE = (-20.0, 40.0, *([0.0] * (len(FEATURES) - READER_FEATURES - 1)))

MET = passage("her", 2, "Samantha (Scarlett Johansson) sees the world for all of its wonders. They fall deeply.")
TALK = passage("sad", 4, "Who is Samantha to Theodore, and who is Samantha to herself? Samantha is a mystery.")


def test_a_who_is_question_asks_after_the_name_it_gives_alone(prompts):
    words = prompts.words
    assert asked_who_is("who is samantha?", words) == {"samantha"}
    assert asked_who_is("Who's Amy in the movie lol", words) == {"amy"}
    assert asked_who_is("so who is joaquin phoenix", words) == {"joaquin", "phoenix"}
    # Chat may open it with more than one word, as any question may ("lol ok", "hey").
    assert asked_who_is("lol ok who's amy", words) == {"amy"}
    assert asked_who_is("hey, who is samantha?", words) == {"samantha"}
    # A follow-up is searched with the question it leans on, and asks the same of its own name.
    assert asked_who_is("who is amy? and samantha?", words) == {"samantha"}
    assert asked_who_is("who's amy? what about theodore's wife?", words) is None
    # It names nobody, or asks after someone by another's name, or asks something else of them.
    assert asked_who_is("who is she?", words) is None
    assert asked_who_is("who is theodore's ex wife?", words) is None
    assert asked_who_is("who is the girl theodore goes on the blind date with?", words) is None
    assert asked_who_is("what is samantha?", words) is None


@pytest.mark.parametrize(("question", "name"), [
    ("who does amy adams play?", {"amy", "adam"}),
    ("who does joaquin phoenix play in it", {"joaquin", "phoenix"}),
    ("what part does rooney mara play in the movie?", {"rooney", "mara"}),
    ("which character does scarlett johansson voice", {"scarlett", "johansson"}),
    ("so who is scarlett johansson playing?", {"scarlett", "johansson"}),
])
def test_asked_who_an_actor_plays_asks_who_they_are_in_the_film(prompts, question, name):
    assert asked_who_is(question, prompts.words) == name


def test_asked_who_plays_someone_asks_no_who_is(prompts):
    assert asked_who_is("who plays amy?", prompts.words) is None
    assert asked_who_is("what does amy do in the game she plays?", prompts.words) is None


def test_asked_to_tell_about_someone_it_names_asks_who_they_are(prompts):
    words = prompts.words
    assert asked_who_is("tell me about amy", words) == {"amy"}
    assert asked_who_is("ok tell me a bit about joaquin phoenix", words) == {"joaquin", "phoenix"}
    assert asked_who_is("describe samantha", words) == {"samantha"}
    # More goes on from what was said; the film is no one.
    assert asked_who_is("tell me more about amy", words) is None
    assert asked_who_is("tell me about the film", words) is None
    assert asked_who_is("what do critics say about amy", words) is None


def test_the_sentence_crediting_the_one_asked_after_brings_them_in(prompts):
    words = prompts.words
    text = MET.text
    assert read_credit_question("who is samantha?", words).introduced(text) == ("Samantha", "Scarlett Johansson")
    assert read_credit_question("who is scarlett johansson?", words).introduced(text) == ("Samantha", "Scarlett Johansson")
    assert read_credit_question("who is theodore?", words).introduced(text) is None
    assert read_credit_question("what does samantha want?", words).introduced(text) is None


def test_who_someone_is_is_answered_by_the_sentence_bringing_them_in_first(prompts):
    hits = [hit(1, TALK), hit(2, MET)]
    chosen = replace(POLICY, sentence_ranker_alone=BY_COSINE, short_sentence=0, quote_chance=0.0)

    def pick(question: str):
        wanted = Wanted(question, asked=read_credit_question(question, prompts.words))
        return pick_quotes(wanted, hits, Reading(BagOfWords(), SentenceVectors(), lambda t: 1.0, chosen, prompts.words))

    met = pick("who is samantha?")
    assert met[0].passage.id == MET.id and met[0].chance is None
    # The credit brings her in: nothing likelier pads it.
    assert len(met) == 1
    # Asked something else about her, the likeliest sentence goes first.
    assert pick("is samantha a mystery to herself?")[0].passage.id == TALK.id


def test_a_sentence_crediting_by_itself_is_quoted_without_the_one_before(prompts):
    voice = passage("lonely", 4, "Theodore sports a hideously trendy mustache. "
                    "His relationship with Samantha (whose voice is rendered by Scarlett Johansson) is traversed.")
    chosen = replace(POLICY, sentence_ranker_alone=BY_COSINE, short_sentence=0, quote_chance=0.0)
    reading = Reading(BagOfWords(), SentenceVectors(), lambda t: 1.0, chosen, prompts.words)
    asked = read_credit_question("who voices samantha?", prompts.words)
    [quote] = pick_quotes(Wanted("who voices samantha?", asked=asked), [hit(1, voice)], reading)
    assert quote.text.startswith("His relationship with Samantha") and "mustache" not in quote.text


def test_the_first_line_names_who_plays_the_one_asked_after(prompts):
    from companion.engine.compose import Job, quote_reply
    from companion.engine.recall import Remembered

    span = (0, MET.text.index(".") + 1)

    def first(question: str) -> str:
        job = Job(question=question, query=question, evidence=(Evidence(1, MET, span=span),),
                  remembered=Remembered(facts=()), window=(), idf=None, max_tokens=100, temperature=0.0,
                  asked=read_credit_question(question, prompts.words))
        return quote_reply(job, prompts)[0]

    lines = {line.format(actor="Scarlett Johansson", character="Samantha")
             for line in prompts.variants["answer_character"]}
    assert first("who is samantha?") in lines
    assert first("who is scarlett johansson?") in lines
    assert first("what does samantha see?") not in lines


def test_a_follow_up_asks_the_cast_question_of_its_own_name(prompts):
    words = prompts.words
    assert asked_character("who plays theodore? and amy?", words) == "amy"
    assert asked_character("who plays theodore? what about samantha? and his wife?", words) == "wife"
    assert asked_character("who plays theodore?", words) == "theodore"
    assert asked_who_is("who is amy? and samantha? what about theodore?", words) == {"theodore"}


@pytest.mark.parametrize(("question", "characters", "cast"), [
    # "was" owns nothing, and "cast" is the question's cue, not a part: it asks about the one Amy owns.
    ("which actor was cast as amy's ex? the one who leaves her mid-movie", ("ex",), False),
    ("which actress was cast as samantha", ("samantha",), False),
    ("who plays theo's ex wife?", ("wife",), False),
    ("who is in the cast", (), True),
])
def test_a_cast_question_asks_about_the_part_after_its_cue_and_owner(prompts, question, characters, cast):
    asked = read_credit_question(question, prompts.words)
    assert (asked.characters, asked.cast) == (characters, cast)


@pytest.mark.parametrize(("question", "character"), [
    ("who's theodore played by?", "theodore"), ("who is the ex wife played by", "wife"),
    ("samantha is voiced by who", "samantha"), ("whos the OS voiced by lol", "samantha"),
    ("who is played by joaquin phoenix?", "joaquin"),
    # What follows the question's sentence only describes the part.
    ("amy is played by who again? the neighbor friend", "amy"),
])
def test_a_part_named_before_a_passive_cue_is_the_one_asked_about(prompts, question, character):
    asked = read_credit_question(question, prompts.words)
    assert asked.characters == (character,) and not asked.cast


@pytest.mark.parametrize("question", [
    "who directed her?", "who directed it", "whos the director", "who directed the film her (2013)?",
    "who wrote the movie Her (2013)", "who wrote the script?",
])
def test_a_who_made_question_naming_this_film_or_none_asks_about_this_one(prompts, question):
    work = read_credit_question(question, prompts.words).work
    assert work is not None and work.itself


def test_a_who_made_question_naming_another_film_asks_about_it(prompts):
    asked = read_credit_question("who directed the master?", prompts.words)
    assert asked.work is not None and asked.work.name == "the master" and asked.another_work
    assert not read_credit_question("who directed her?", prompts.words).another_work


def test_another_films_maker_is_given_only_as_someone_s_work(prompts):
    words = prompts.words
    malkovich = read_credit_question("who wrote being john malkovich, was it jonze too", words)
    assert malkovich.names_a_maker("But that could have been Charlie Kaufman’s script, and some of us knew it")
    annie = read_credit_question("who directed annie hall", words)
    assert not annie.names_a_maker("Similar to Eternal Sunshine or Annie Hall, the tale of these two lovers is complex.")
    # Someone the question names is no answer to it, whosever work the quote makes it.
    jonze = read_credit_question("did spike jonze direct the master?", words)
    assert not jonze.names_a_maker("It's hard not to admire Spike Jonze’s ability to stay close to his love story.")


@pytest.mark.parametrize(("question", "maker"), [
    ("who directed annie hall", None),
    ("who wrote the where the wild things are book", None),
    ("who wrote being john malkovich", "Charlie Kaufman"),
    ("who directed the master", "Paul Thomas Anderson"),
])
def test_asked_who_made_another_film_she_quotes_only_a_sentence_giving_its_maker(reading_engine, question, maker):
    # Dev and probe questions: the essays name Annie Hall in passing, and Charlie Kaufman's script.
    reading_engine.history.clear()
    reply = reading_engine.ask(question)
    assert bool(reply.citations) == (maker is not None), reply.answer
    assert (maker or "name") in reply.answer


def test_a_passive_cue_naming_nobody_asks_for_the_whole_cast(prompts):
    assert read_credit_question("played by who?", prompts.words).cast


def test_a_compound_part_is_read_part_by_part(prompts):
    words = prompts.words
    assert asked_character("who plays his ex-wife?", words) == "wife"
    assert asked_character("who plays his ex wife?", words) == "wife"
    assert asked_character("who plays the ex-girlfriend?", words) == "girlfriend"
    # A possessive typed without its apostrophe owns the part after it.
    assert asked_character("who plays theodores wife", words) == "wife"
    assert asked_character("who plays theodores ex-wife?", words) == "wife"
    assert asked_characters("who plays the os and theodore", words) == ("samantha", "theodore")


def test_a_first_line_opening_with_a_part_in_lower_case_starts_with_a_capital(prompts):
    from companion.engine.compose import Job, answer_line
    from companion.engine.recall import Remembered

    wife = passage("her", 1, "Theodore Twombly (Joaquin Phoenix) has been separated from his wife (Rooney Mara).")
    job = Job(question="who is rooney mara?", query="who is rooney mara?", evidence=(Evidence(1, wife, span=(0, len(wife.text))),),
              remembered=Remembered(facts=()), window=(), idf=None, max_tokens=100, temperature=0.0,
              asked=read_credit_question("who is rooney mara?", prompts.words))
    line = answer_line(job, prompts)
    assert line is not None and "Rooney Mara" in line and line[0].isupper()


@pytest.mark.parametrize("question", ["who's in the cast?", "what actors are in it?", "who stars in her?", "who plays the main character?"])
def test_naming_no_part_asks_for_the_whole_cast(prompts, question):
    assert read_credit_question(question, prompts.words).cast


@pytest.mark.parametrize("question", [
    "who's the main character?", "who is the protagonist?", "who are the main characters in her?", "who's the lead",
    "so who's the main guy in the movie?", "who is the star?",
])
def test_asked_who_the_lead_is_in_words_for_a_lead_asks_for_the_whole_cast(prompts, question):
    assert read_credit_question(question, prompts.words).cast


@pytest.mark.parametrize("question", [
    "who is the main character's ex wife?", "who is the main critic?", "who is theodore?", "who is the film about?",
    "who are the critics?",
])
def test_a_who_question_about_someone_else_is_not_the_whole_cast(prompts, question):
    assert not read_credit_question(question, prompts.words).cast


@pytest.mark.parametrize("question", ["who plays amy?", "what did the critics think of the cast?", "who edited her?"])
def test_a_part_a_view_or_a_job_is_not_the_whole_cast(prompts, question):
    assert not read_credit_question(question, prompts.words).cast


def test_a_nickname_calls_the_character_it_starts():
    assert calls("theo", "Theodore Twombly") and calls("wife", "his wife")
    assert not calls("am", "Amy") and not calls("theodore", "Theo")


@pytest.mark.parametrize(("question", "character"), [
    ("who voices the OS?", "samantha"), ("who plays the operating system in her?", "samantha"),
    ("who is the voice of the AI?", "samantha"), ("who plays the computer?", "samantha"),
    ("who voices amy's os?", "os"), ("who does the voice of the alan watts os?", "alan"),
    # A person the other name only describes is someone else: this was answered "That's Scarlett Johansson, as Samantha".
    ("who voices the OS1 setup guy that asks theo about his mom", "os1"),
])
def test_what_else_a_character_is_called_asks_about_them(prompts, question, character):
    assert asked_character(question, prompts.words) == character


@pytest.mark.parametrize("text", [
    "Samantha (Scarlett Johansson) sees the world for all of its wonders.",
    "His relationship with Samantha (whose voice is rendered by Scarlett Johansson with a beautiful allure) is traversed.",
])
def test_the_os_is_credited_as_samantha(prompts, text):
    assert read_credit_question("who voices the OS?", prompts.words).credited(text) == ("Samantha", "Scarlett Johansson")
    assert read_credit_question("who is the OS?", prompts.words).introduced(text) == ("Samantha", "Scarlett Johansson")


@pytest.mark.parametrize(("question", "characters"), [
    ("who plays theodore and samantha?", ("theodore", "samantha")),
    ("who plays theodore and who plays amy?", ("theodore", "amy")),
    ("who are the actors for theodore and amy", ("theodore", "amy")),
    ("who plays theodore, amy & the os", ("theodore", "amy", "samantha")),
    ("who is theodore and amy played by", ("theodore", "amy")),
    # Asking something else after the part, or a follow-up turning to another part, is not asking after both.
    ("who plays theodore and what is his job?", ("theodore",)),
    ("who plays theodore? and amy?", ("amy",)),
])
def test_a_cast_question_may_ask_after_several_parts(prompts, question, characters):
    assert asked_characters(question, prompts.words) == characters


def test_a_question_after_several_parts_is_asked_of_each_and_credited_for_each(prompts):
    from companion.engine.compose import Job, answer_line
    from companion.engine.recall import Remembered

    asked = read_credit_question("who plays theodore and samantha?", prompts.words)
    assert [part.characters for part in asked.parts()] == [("theodore",), ("samantha",)]
    one = read_credit_question("who plays samantha?", prompts.words)
    assert one.parts() == (one,)
    him = passage("her", 1, "Theodore Twombly (Joaquin Phoenix) has been separated from his wife (Rooney Mara).")
    evidence = tuple(Evidence(n, p, span=(0, len(p.text))) for n, p in enumerate((him, MET), 1))

    def line(question: str) -> str | None:
        job = Job(question=question, query=question, evidence=evidence, remembered=Remembered(facts=()), window=(),
                  idf=None, max_tokens=100, temperature=0.0, asked=read_credit_question(question, prompts.words))
        return answer_line(job, prompts)

    both = "Joaquin Phoenix as Theodore Twombly and Scarlett Johansson as Samantha"
    assert line("who plays theodore and samantha?") in {t.format(credits=both) for t in prompts.variants["answer_casts"]}
    # Only one of the parts credited: the line names the one the quotes give.
    alone = line("who plays theodore and catherine?")
    assert alone is not None and "Joaquin Phoenix" in alone and "Scarlett" not in alone


@pytest.mark.parametrize(("question", "asks"), [
    ("who is amy? what does she do?", False),
    ("who plays amy? whats her job?", False),
    ("who directed it? what else has he made?", False),
    ("who is amy? and samantha?", True),
    ("who plays theodore? i forgot", True),
    ("what is her job? who is amy?", True),
])
def test_a_follow_up_asking_something_new_asks_no_credit_of_the_question_before_it(prompts, question, asks):
    assert read_credit_question(question, prompts.words).asks is asks


@pytest.mark.parametrize("question", ["who designed the costumes, the high waisted trousers and all", "who edited her?"])
def test_an_actor_credited_with_a_part_does_no_job_on_the_film(prompts, question):
    must = answer_test(question, prompts.words)
    # "…the high waisted trousers" was answered by Samantha's credit, the quote run on to it.
    assert not must("His relationship with Samantha (whose voice is rendered by Scarlett Johansson) is traversed.")
    assert must("The costumes are by Casey Storm, who dressed Theodore in high-waisted trousers.")
