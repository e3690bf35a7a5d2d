"""A question's word that looks mistyped is offered back as the essays' word; English words and names are not."""

import pytest

from companion.retrieval.lexical import LexicalSearcher
from companion.retrieval.misspelt import english_words, foreign, misspelt, one_edit, respelt
from tests.fakes import passage

ESSAYS = LexicalSearcher.from_passages([
    passage("a", 1, "The critics loved the ending, when Samantha leaves Theodore."),
    passage("a", 2, "Her voice is everything; the void she leaves behind is the film."),
    passage("b", 1, "Amy makes a video game about a mother and usually keeps it to herself."),
])
# The English words the tests read as such: the packaged vocabulary holds these and many more.
ENGLISH = frozenset({"critics", "ending", "samantha", "theodore", "voice", "void", "usually", "oscars", "loses",
                     "bake", "baked", "making", "faking", "take", "what", "think"})


def test_a_mistyped_word_is_offered_back_as_the_word_the_essays_use():
    assert misspelt("whta did teh critcs thnk of teh endign", ESSAYS.idf, ENGLISH) == (
        ("whta", "what"), ("critcs", "critics"), ("thnk", "think"), ("endign", "ending"))
    assert misspelt("who plays samanta", ESSAYS.idf, ENGLISH) == (("samanta", "samantha"),)
    assert misspelt("does amy usualy win", ESSAYS.idf, ENGLISH) == (("usualy", "usually"),)


@pytest.mark.parametrize("question", [
    # English words, in any form the vocabulary holds one of, and words the essays use.
    "how do i bake bread", "what did the critics think of the ending", "is it baking",
    # A name or title written with its capital, chat written without its apostrophe, short chat words.
    "did Her win any Oscars", "whos samantha", "i dont know", "wat abt it lol",
    # Only a changed letter or the first letter away from the essays' word: another word more often than a slip.
    "is she faking it", "what do the oses do",
])
def test_english_words_names_and_chat_are_not_offered_back(question):
    assert misspelt(question, ESSAYS.idf, ENGLISH) == ()


def test_without_word_weights_or_a_vocabulary_nothing_is_offered():
    assert misspelt("whta did the critcs thnk", None, ENGLISH) == ()
    assert misspelt("whta did the critcs thnk", ESSAYS.idf, frozenset()) == ()


def test_a_slip_keeps_its_first_letter_changes_none_and_drops_only_a_doubled_one():
    slips = one_edit("catt")
    assert {"cat", "ctat", "cartt", "catts"} <= slips and not {"att", "batt", "cutt", "ctt"} & slips


def test_a_word_dropped_only_where_it_doubled():
    assert misspelt("what do the critiics say", ESSAYS.idf, ENGLISH) == (("critiics", "critics"),)
    # "voicd" is one letter from "void" too, but a "c" typed for nothing is no slip.
    assert misspelt("who is samantha voicd by", ESSAYS.idf, ENGLISH) == ()


def test_a_mistyped_word_is_written_as_the_word_it_was_taken_for():
    typos = misspelt("whta did the critcs thnk, critcs?", ESSAYS.idf, ENGLISH)
    assert respelt("whta did the critcs thnk, critcs?", typos) == "what did the critics think, critics?"


def test_the_packaged_vocabulary_is_read_as_english_words():
    english = english_words()
    assert len(english) > 20_000 and {"critics", "ending", "voice"} <= english and "critcs" not in english


@pytest.mark.parametrize(("question", "other"), [
    ("qué piensan los críticos del final?", True),
    ("was denken die kritiker über das ende?", True),
    ("彼女の映画はどうですか", True),
    # English, however mistyped, short, or full of words the vocabulary lacks.
    ("whta did teh critcs thnk of teh endign", False),
    ("did the critics love the ending", False),
    ("idk tbh smh", False),
    ("how do i bake sourdough bread", False),
])
def test_a_question_mostly_in_another_language_is_told_from_english(question, other):
    english = ENGLISH | {"final", "die", "das", "del", "los"}
    assert foreign(question, ESSAYS.idf, english, misspelt(question, ESSAYS.idf, english)) is other


def test_without_word_weights_or_a_vocabulary_no_language_is_told():
    assert not foreign("qué piensan los críticos del final?", None, ENGLISH)
    assert not foreign("qué piensan los críticos del final?", ESSAYS.idf, frozenset())
