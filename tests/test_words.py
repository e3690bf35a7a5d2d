"""The word lists in prompts/words.toml: loaded as written, and a broken file named with what is wrong."""

from __future__ import annotations

import re
import shutil

import pytest

from companion.errors import PromptError
from tests.conftest import PROMPTS
from companion.words import FILENAME, load_words


@pytest.fixture
def prompts_copy(tmp_path):
    shutil.copy(PROMPTS / FILENAME, tmp_path / FILENAME)
    return tmp_path


def test_other_names_are_read_as_folded_words_longest_first(prompts):
    also = prompts.words.also_called
    assert (("operating", "system"), "samantha") in also and (("os",), "samantha") in also
    assert [len(other) for other, _ in also] == sorted((len(other) for other, _ in also), reverse=True)


@pytest.mark.parametrize("question", ["who's the director?", "who’s the director?", "whos the director", "WHO'S THE DIRECTOR"])
def test_a_listed_apostrophe_matches_a_curly_one_or_none(prompts, question):
    assert prompts.words.asks_who_made.search(question)


def test_a_phrase_without_an_apostrophe_does_not_match_one_with_it(prompts):
    from companion.words import phrases_pattern

    assert phrases_pattern(["whose film is"]).search("whose film is it?")
    assert not phrases_pattern(["whose film is"]).search("who's film is it?")
    assert not phrases_pattern(["who's"]).search("who is")


# The list [asks_for_an_amount] holds, whatever its words: a case breaking it must find it to break.
AMOUNT_WORDS = re.compile(r"(\[asks_for_an_amount\]\n(?:#.*\n)*words = )\[[^\]]*\]")


@pytest.mark.parametrize(("edit", "problem"), [
    (lambda text: text + "\n[broken\n", "is not valid TOML"),
    (lambda text: text + "\n[made_up]\nwords = [\"x\"]\n", "unknown list [made_up]"),
    (lambda text: text.replace("[months]", "[months_gone]"), "unknown list [months_gone]"),
    (lambda text: AMOUNT_WORDS.sub(r"\1[]", text, count=1), "[asks_for_an_amount] words must be a non-empty list"),
    (lambda text: AMOUNT_WORDS.sub(r'\1["how *much"]', text, count=1), "at most one * at its end"),
    (lambda text: text.replace('samantha = ["os",', 'samantha = [3, "os",'), "[also_called] samantha must be a non-empty list"),
    (lambda text: text.replace('age = "an age"\n', ""), "[details] table must name each of number, year, age"),
    (lambda text: text.replace('age = "an age"', 'age = " "'), "[details] age must be what she calls it"),
])
def test_a_broken_word_file_is_named_with_what_is_wrong(prompts_copy, edit, problem):
    path = prompts_copy / FILENAME
    path.write_text(edit(path.read_text("utf-8")), "utf-8")
    with pytest.raises(PromptError) as caught:
        load_words(prompts_copy)
    assert str(path) in str(caught.value) and problem in str(caught.value)


def test_a_missing_list_is_named(prompts_copy):
    path = prompts_copy / FILENAME
    text = path.read_text("utf-8")
    start = text.index("[also_called]")
    path.write_text(text[:start] + text[text.index("\n[", start + 1) :], "utf-8")
    with pytest.raises(PromptError, match=r"\[also_called\] table .* is missing or empty"):
        load_words(prompts_copy)


def test_what_a_refusal_calls_a_detail_is_read_from_the_file(prompts_copy):
    from companion.engine.answer_kind import answer_test

    path = prompts_copy / FILENAME
    path.write_text(path.read_text("utf-8").replace('age = "an age"', 'age = "how old anyone is"'), "utf-8")
    words = load_words(prompts_copy)
    assert answer_test("how old is spike jonze?", words).detail == "how old anyone is"
    assert answer_test("how tall is joaquin phoenix?", words).detail == "a measurement"
