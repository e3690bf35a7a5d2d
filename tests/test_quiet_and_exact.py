"""Not-covered questions of the shapes new probe batches found answered: an essay quiet beside the others, a line asked
word for word, a writer's name asked around, a place someone studied, a view of the film's music."""

from __future__ import annotations

import pytest

from companion.engine.answer_kind import answer_test, someone_speaks, topic_test
from companion.engine.decide import _named_quiet
from companion.engine.kinds import names_a_place
from companion.engine.pick import Ranked
from companion.engine.retrieve import Retrieved
from companion.policy import POLICY
from companion.retrieval.sentences import Candidate
from companion.session import shelve
from tests.helpers import says_none_gives


def _candidate(score: float) -> Candidate:
    return Candidate(passage_id="e:1", text="A sentence.", start=0, end=11, sentence_start=0, score=score, dense=0.5,
                     lexical=0.0, hit_rank=1)


@pytest.mark.parametrize(
    ("best", "elsewhere", "named", "about_writer", "quiet"),
    [
        (0.05, 0.47, ("her-2013",), False, True),
        (0.05, 0.30, ("her-2013",), False, False),
        (0.05, 0.47, (), False, False),
        (0.05, 0.47, ("what-her-tells-us",), True, False),
        (0.05, None, ("her-2013",), False, False),
    ],
)
def test_an_essay_saying_far_less_than_the_others_is_quiet_on_it(best, elsewhere, named, about_writer, quiet):
    found = Retrieved(query="q", opinion=True, hits=(), pool=(), named=named, about_writer=about_writer)
    order = Ranked((_candidate(best),), 0, elsewhere=elsewhere)
    assert _named_quiet(found, False, best, order, POLICY) is quiet


def test_asked_what_an_essay_says_of_what_only_the_others_discuss_she_says_it_is_quiet(named_engine, prompts):
    # Its likeliest sentence ("Their relationship is sparkling and mutually beneficial…", at 0.05) was quoted as
    # the closest the her 2013 review came to the ending, which the other essays read at length.
    reply = named_engine.ask("what does the her 2013 review say about the ending when samantha and the other OSes leave?")
    said = [line.format(essays="*Her (2013)*") for line in prompts.variants["named_quiet"]]
    assert reply.answer in said and not reply.citations
    named_engine.history.clear()
    reply = named_engine.ask("which films does the her 2013 review compare it to")
    assert reply.grounded and "Eternal Sunshine" in reply.answer


def test_a_line_asked_for_word_for_word_that_no_essay_quotes_is_not_given_by_a_telling(named_engine, prompts):
    reply = named_engine.ask("amy says falling in love is like socially acceptable insanity or something. how does the line go exactly")
    assert says_none_gives(reply, prompts, "that line word for word")
    named_engine.history.clear()
    reply = named_engine.ask("whats the exact line amy says about herself right after she explains the fight w her husband")
    assert reply.grounded and "I’m a bitch, right?" in reply.answer


def test_a_line_asked_of_a_named_conversation_may_be_a_turn_of_its_speaker(named_engine):
    # Every sentence of Anise's turn is her own words, though none is in quotation marks.
    reply = named_engine.ask(
        "jennifer from the convo piece has a short punchy line about how if you stop changing in a relationship its "
        "basically over, exact words pls"
    )
    assert reply.grounded and reply.citations


def test_asked_what_someone_says_in_a_transcript_an_essay_prints_their_turn_is_quoted(named_engine):
    # The heading's colon made it someone's words, and it was quoted in place of Jonze's answer.
    reply = named_engine.ask("in that interview magazine excerpt, what does jonze say literally every journalist asks him about")
    assert reply.grounded and "every interviewer asks me about that" in reply.answer
    assert "Nicole Holofcener chats with Spike Jonze" not in reply.answer


def test_a_line_of_a_named_essay_asked_word_for_word_is_its_own_sentence(named_engine, prompts):
    # No one speaks in the line asked for: the essay's own sentence is the line, not a telling of someone's.
    reply = named_engine.ask(
        "theres a line in the her 2013 review about it being a love story in a different time, something about rules "
        "and expectations? exact wording pls"
    )
    assert reply.grounded and "a love story in a different time than ours" in reply.answer
    # Asked for what someone in the film says, word for word, the essay's telling of it is still no one's words.
    named_engine.history.clear()
    reply = named_engine.ask("in the her 2013 review, whats the exact line samantha says about the past being a story we tell ourselves")
    assert says_none_gives(reply, prompts, "that line word for word")


def test_a_line_a_message_gives_to_an_essay_is_an_essays_own_sentence(named_engine, prompts):
    # "one of the reviews says…" gives the words to a review, naming none: any essay's sentence is the line. It was
    # refused as a telling of someone's words.
    reply = named_engine.ask(
        "one of the reviews says heartbreak is unavoidable once consciousness gets involved, what's the exact line"
    )
    assert reply.grounded and "heartbreak" in reply.answer.lower()
    named_engine.history.clear()
    reply = named_engine.ask("what's the exact line samantha says about the past being a story we tell ourselves")
    assert says_none_gives(reply, prompts, "that line word for word")


@pytest.mark.parametrize(("question", "speaks"), [
    ("whats the exact line samantha says when she leaves, in the techno lonely review", True),
    ("what's the exact line he says to amy on the roof", True),
    ("right after calling her his fav movie of all time the medium writer adds a super short sentence. word for word pls", False),
    ("the exact line the medium writer says about loneliness?", False),
    # Having a line is saying it.
    ("amy has a line about how we're only here briefly, can u give me the quote", True),
])
def test_a_line_asked_of_a_named_essay_is_someones_only_when_a_person_says_it(prompts, question, speaks):
    assert someone_speaks(question, prompts.words) is speaks


def test_a_line_a_review_has_is_the_essays_own(named_engine):
    # Asked for "that line word for word", she said the essays never give it: no one was read as speaking it.
    reply = named_engine.ask("one of the reviews has a line like you can't be happy unless you love yourself. exact wording?")
    assert reply.grounded and "you can’t be truly happy without loving yourself" in reply.answer


def test_a_comparison_with_the_essays_own_words_is_theirs_to_answer(named_engine):
    # "the movie's LA" held "movie", no passage's word (a common one, left out of every passage's), so the comparison
    # was read as one with something no essay names, and refused.
    reply = named_engine.ask("techno lonely compares the movie's LA to a relationship, what's that line")
    assert reply.grounded and "This Los Angeles, like a relationship, is a beautiful mess." in reply.answer


@pytest.mark.parametrize(
    "question",
    [
        "whats the name of the guy who wrote the medium essay",
        "who actually wrote the her (2013) review? like what's their name",
        "who is the sad in the best way blogger, like whats their name",
    ],
)
def test_a_writers_name_asked_around_goes_to_the_library(retrieval, shared_settings, prompts, question):
    assert shelve(retrieval.store, shared_settings).asked_about(question, prompts.words)


def test_a_blogs_writer_asked_after_by_name_is_said_to_be_unnamed(named_engine):
    reply = named_engine.ask("who is the sad in the best way blogger, like whats their name and what blog is it on")
    assert not reply.citations and "Star Wars" not in reply.answer


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("And what she and her fellow OSs seem to emerge with is a spiritual awakening.", False),
        ("The bubbles have become an economic necessity, but Spike’s ironic romanticism pulls these characters out.", False),
        ("He went to film school at New York University before moving west.", True),
    ],
)
def test_a_character_or_a_first_name_is_no_place_someone_studied(prompts, text, place):
    assert names_a_place(text, "where did steven boone go to school?", prompts.words) is place


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("who did the score?", "music"),
        ("what did the critics think of the soundtrack", "music"),
        ("did the critics think it deserved the oscar?", "award"),
        ("what did the critics think of the ending", None),
    ],
)
def test_a_side_of_the_film_the_essays_may_never_touch_is_read_from_any_question(prompts, question, kind):
    test = topic_test(question, prompts.words)
    assert (test.detail if test else None) == (prompts.words.detail(kind) if kind else None)


def test_a_songs_name_is_asked_before_a_word_about_songs(prompts):
    # "This song is everything" speaks of a song and names none.
    test = answer_test("which song does the sad in the best way blogger link at the end of the post?", prompts.words)
    assert test is not None and test.detail == prompts.words.detail("name")
    assert not test("Does it need a physical outlet? This song is everything, btw")


def test_a_view_of_the_music_no_essay_speaks_of_is_refused_as_such(named_engine, prompts):
    # Its likeliest sentence ("It’s not about predicting the future…") was quoted as the nearest it came.
    reply = named_engine.ask("does the her (2013) reviewer say anything about the soundtrack or score")
    assert says_none_gives(reply, prompts, "a word about its music")
