"""Not-covered questions of the shapes three blind probe batches found answered: a comparison with something no essay
names, an actor they only credit, a name asked of someone described by what they thought, a sum, a divorce's date, a
yes-or-no name question, how long something took, a part sharing its name with someone else."""

from __future__ import annotations

import pytest

from companion.engine.answer_kind import answer_test
from companion.engine.compared import compared_with, compares_with_the_unnamed, only_credited
from companion.engine.grammar import description, without_descriptions
from tests.helpers import says_none_gives


@pytest.fixture
def asking_engine(reading_engine):
    reading_engine.history.clear()
    return reading_engine


@pytest.mark.parametrize(
    ("question", "thing"),
    [
        ("does anyone compare her to lars and the real girl? feels like the same idea kinda", ("lar",)),
        ("is it better or worse than ex machina? both about falling for an AI", ("machina",)),
        ("how does her compare to eternal sunshine", ("eternal", "sunshine")),
        ("what other films do the critics compare her to", ()),
        ("what did boone think of the ending", ()),
        # The film after the cue: what it is set beside stands before it.
        ("is titanic a better love story than this?", ("titanic", "better", "love", "story")),
        ("is the ending sadder than the rest of the movie?", ("rest",)),
        # A cue inside a hyphened compound names two sides of something else.
        ("setting aside boone and anise's necessity-versus-choice debate, do the others see it as inevitable?", ()),
        ("it's a man-vs-machine story, but is it better than ex machina?", ("machina",)),
        # "Other than" and "rather than" set nothing beside the film.
        ("the medium guy nearly wrote his year-end piece on something other than her. what was the plan?", ()),
        ("is samantha led by rational thinking rather than feelings, per boone?", ()),
        ("did boone like it more than lost in translation?", ("lost", "translation")),
        # Films described by what they are like set no work of their own beside it.
        ("one critic compares her to films where the city comes off nightmarish rather than dreamy. which films?", ()),
        ("how does it compare to other movies about ai", ()),
        # The film after the cue, chatter or a dash after it, still sets beside it what stands before.
        ("is titanic a better love story than her lol", ("titanic", "better", "love", "story")),
        ("titanic vs this one — which is the stronger romance?", ("titanic",)),
    ],
)
def test_what_a_question_compares_the_film_with_is_read_after_its_cue(prompts, question, thing):
    assert compared_with(question, prompts.words) == thing


@pytest.mark.parametrize(
    ("question", "naming"),
    [
        ("sad blog vs anise on people shutting out everyone around them with their gadgets", {"anise", "sad"}),
        ("is samantha leaving a gut punch? techno-lonely vs the sad-in-the-best-way blog", {"sad", "best", "way", "techno"}),
        ("jonze wrote this one solo — 2013 review vs techno lonely, verdicts?", {"2013", "techno", "lone"}),
    ],
)
def test_an_essay_set_beside_another_is_no_work_compared_with_the_film(prompts, retrieval, question, naming):
    idf = retrieval.searcher.idf
    assert compared_with(question, prompts.words, frozenset(naming)) == ()
    assert not compares_with_the_unnamed(question, prompts.words, idf, frozenset(naming))
    # Beside a work no essay names, the essays named before the cue still compare nothing with it.
    assert compares_with_the_unnamed("does anise compare her to blade runner at all", prompts.words, idf, frozenset({"anise"}))


def test_only_a_comparison_with_a_word_no_passage_uses_is_one_with_the_unnamed(prompts, retrieval):
    idf = retrieval.searcher.idf
    assert compares_with_the_unnamed("how do the critics compare her to ex machina?", prompts.words, idf)
    assert not compares_with_the_unnamed("how does her compare to eternal sunshine or annie hall?", prompts.words, idf)
    assert compares_with_the_unnamed("is titanic a better love story than this?", prompts.words, idf)
    assert not compares_with_the_unnamed("how do the critics compare her to ex machina?", prompts.words, None)


def test_a_comparison_with_a_film_no_essay_names_is_refused_as_such(asking_engine, prompts):
    # "Theodore’s co-worker says Theo is half man/half woman…" was quoted as the nearest the essays came.
    reply = asking_engine.ask("does anyone compare her to lars and the real girl? feels like the same idea kinda")
    assert says_none_gives(reply, prompts, "a comparison with that")
    for question in ("how does her compare to eternal sunshine?", "how does her compare to eternal sunshien?"):
        asking_engine.history.clear()
        reply = asking_engine.ask(question)
        assert reply.grounded and "Eternal Sunshine" in reply.answer


@pytest.mark.parametrize(
    ("clause", "kept"),
    [
        ("whats the name of the friend who thought the ending was about death", "whats the name of the friend"),
        ("what did the critic who loved it say about amy", "what did the critic"),
        ("who thought the ending was sad", "who thought the ending was sad"),
        ("which critic thought it was sad", "which critic thought it was sad"),
    ],
)
def test_a_relative_clause_describing_someone_is_set_aside(clause, kept):
    assert without_descriptions(clause) == kept


@pytest.mark.parametrize(
    ("message", "told"),
    [
        ("whats theo's coworker's name, the guy who likes feet", "who likes feet"),
        ("whats the name of theodores coworker, the guy who's into his girlfriends feet", "who's into his girlfriends feet"),
        ("whats the name of theodore's coworker?", ""),
    ],
)
def test_how_a_message_tells_apart_whom_it_asks_after_is_its_relative_clause(message, told):
    assert description(message) == told


def test_a_name_asked_of_someone_told_apart_by_a_rare_word_is_given_from_the_sentence_saying_it(asking_engine):
    # The sentences on the co-worker name no one; "Paul… his girlfriend whose feet he finds sexy" ranks far below them.
    reply = asking_engine.ask("whats theo's coworker's name, the guy who likes feet")
    assert reply.grounded and "Just like Paul chooses to love his girlfriend whose feet" in reply.answer


@pytest.mark.parametrize("question", [
    # "…she feels inferior to Theodore’s ex-wife because she doesn’t have a body": an owner's name, not hers.
    "whats the name of the girl who comes over to be samantha's body stand-in?",
    # "…a previous generation AI… with a monotone GPS voice": a brand, not a person.
    "what's the name of the woman who stands in as the AI's body",
])
def test_a_name_beside_the_telling_word_that_is_no_persons_gives_no_name(asking_engine, prompts, question):
    assert says_none_gives(asking_engine.ask(question), prompts, "a name")


def test_a_name_asked_of_someone_described_by_a_view_needs_a_name(asking_engine, prompts):
    # "thought" made it read as asking a view, and "I once discussed this ending with a friend…" was quoted.
    reply = asking_engine.ask("whats the name of the friend who thought the ending was about them contemplating death")
    assert says_none_gives(reply, prompts, "a name")


@pytest.mark.parametrize(
    ("question", "text", "gives"),
    [
        ("how much do ppl pay theo's company for one of those letters",
         "Theodore is reading one of the thousands of love letters he’s written for someone else’s relationship.", False),
        ("how much did her cost to make", "It cost $23 million to make.", True),
        ("how much was she paid", "She was paid two million dollars.", True),
        # A word for the sum asks it without "how much".
        ("what was ScarJo's paycheck for working on Her?", "She was paid two million dollars.", True),
        ("do we ever find out the price of the OS1 software in the film?",
         "In the same way that tech companies are perfectly content to hand us wildly advanced technology.", False),
    ],
)
def test_a_sum_is_a_number_in_money(prompts, question, text, gives):
    test = answer_test(question, prompts.words)
    assert test is not None and test.detail == "a sum" and test(text) is gives


@pytest.mark.parametrize("question", ["what's jonze's date of birth?", "the shared experience essay guy, what's his birth date?"])
def test_a_date_of_birth_asks_a_date(prompts, question):
    test = answer_test(question, prompts.words)
    assert test is not None and test.detail == "a date"
    assert not test("Only recently has Jonze thrown his screenwriting hat in the ring.")


def test_when_after_a_moment_of_the_film_asks_no_date(prompts):
    # "when" told which moment, and "shot" the kind of picture: it was refused as asking a date.
    question = "at the end when they say farewell there's an image of particles drifting through the air — what is that shot?"
    assert answer_test(question, prompts.words) is None


def test_when_a_marriage_ended_asks_a_date(prompts):
    test = answer_test("when did spike jonze and sofia coppola actually get divorced", prompts.words)
    assert test is not None and test.detail == "a date"
    assert not test("It’s almost as if Jonze has wandered into the stylistic neighborhood of his ex-wife, Sofia Coppola.")
    assert test("They divorced in December 2003.")
    assert answer_test("Do we actually see Amy break down crying when she tells Theodore about the divorce?", prompts.words) is None


@pytest.mark.parametrize(
    ("question", "text", "gives"),
    [
        ("who's the lady in the weird dead cat phone sex bit, does she have a name",
         "He’s shown having phone sex and taking no pleasure from it; his partner introduces a cat-strangling kink.",
         False),
        ("who's the lady in the phone sex bit, does she have a name", "The lady, called Carla, is lonely.", True),
        ("does the dog have a name", "The dog, named Rex, barks.", True),
    ],
)
def test_a_question_whether_someone_has_a_name_asks_for_it(prompts, question, text, gives):
    test = answer_test(question, prompts.words)
    assert test is not None and test.detail == "a name" and test(text) is gives


def test_a_yes_or_no_name_question_no_essay_answers_is_refused(asking_engine, prompts):
    # "But for Theodore this person exists…", beside the phone sex, was quoted as the answer.
    reply = asking_engine.ask("who's the lady in the weird dead cat phone sex bit, does she have a name")
    assert says_none_gives(reply, prompts, "a name")


RUN = "Theodore Twombly (Joaquin Phoenix) has been separated from his wife (Rooney Mara) for nearly a year."
VOICE = "His relationship with Samantha (whose voice is rendered by Scarlett Johansson with a beautiful allure) grows."


@pytest.mark.parametrize(
    ("question", "actor"),
    [
        ("did any of the critics say how good rooney mara was?", "Rooney Mara"),
        ("what did they think of mara as the ex-wife", "Rooney Mara"),
        ("what do critics think of scarlett johansson's voice", None),
        ("was joaquin phoenix good", None),
        ("what did the critics think of the ending", None),
    ],
)
def test_an_actor_named_only_in_a_bare_credit_is_only_credited(question, actor):
    texts = [RUN, VOICE, "Joaquin Phoenix’s performance strikes me as fine.", "Samantha (Scarlett Johansson) sees."]
    assert only_credited(question, texts) == actor


def test_a_view_of_an_actor_the_essays_only_credit_is_refused_as_such(asking_engine, prompts):
    # A sentence about Theodore's mustache and Anise on the production design were quoted as the nearest.
    reply = asking_engine.ask("did any critic say anything about rooney mara's acting? she was barely in it but i thought she was great")
    assert says_none_gives(reply, prompts, "a word about that actor beyond a credit")
    asking_engine.history.clear()
    reply = asking_engine.ask("what do critics think of scarlett johansson's voice?")
    assert reply.grounded and "beautiful allure" in reply.answer


@pytest.mark.parametrize(
    ("question", "text", "gives"),
    [
        ("how long did spike jonze spend writing the script for this",
         "Only recently has Jonze thrown his screenwriting hat in the ring, yet Her feels remarkably sure-footed.", False),
        ("how long were they together?", "The timeline of Her is never made clear.", True),
        ("How long have Theodore and his wife been apart?", RUN, True),
    ],
)
def test_how_long_asks_for_a_length_of_time(prompts, question, text, gives):
    test = answer_test(question, prompts.words)
    assert test is not None and test.detail == "a length of time" and test(text) is gives
    assert answer_test("how long is the movie", prompts.words).detail == "a measurement"


@pytest.mark.parametrize(
    ("text", "gives"),
    [("Maybe it’s just a few weeks, maybe years, who can say for sure?", False), ("They shot it in 40 days.", True)],
)
def test_how_long_in_a_unit_asks_a_count_of_them(prompts, text, gives):
    # Asked "in days", a length with no number ("a few weeks") gives none: it was quoted as the answer.
    test = answer_test("how long was the shoot for her, in days?", prompts.words)
    assert test is not None and test.detail == "a number" and test(text) is gives


def test_a_question_about_piano_pieces_is_answered_by_the_piano_pieces(asking_engine):
    # "songs" asks about music, and "writing piano pieces" said none of its words: she said no essay speaks of music.
    reply = asking_engine.ask("how come samantha writes those little piano songs")
    assert reply.grounded and "piano pieces" in reply.answer


@pytest.mark.parametrize(
    ("text", "gives"),
    [
        ("Joaquin Phoenix, in the middle of an incredible three-year run that includes starring roles in Paul Thomas "
         "Anderson’s The Master and Inherent Vice, delves deep within himself.", False),
        ("Paul (Chris Pratt) is his co-worker.", True),
    ],
)
def test_a_part_named_inside_someone_elses_full_name_is_no_credit_of_it(prompts, text, gives):
    assert answer_test("who plays paul the coworker? i know that guy from somewhere", prompts.words)(text) is gives
    assert answer_test("who plays theodore", prompts.words)(RUN)
