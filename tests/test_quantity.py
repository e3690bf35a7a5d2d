"""A question asking for a number, and a quote stating one."""

from __future__ import annotations

import pytest

from companion.engine.quantity import asks_for_a_number, states_a_number


@pytest.mark.parametrize("question", [
    "How many weeks was Her in theaters?", "how old was joaquin phoenix when he made this", "How tall is Joaquin Phoenix?",
    "What year did the first Blade Runner come out?", "How much was Scarlett Johansson paid for Her?",
    "how much does an OS1 cost in the movie", "how much did it make at the box office",
])
def test_a_count_an_age_a_year_or_a_sum_asks_for_a_number(prompts, question):
    assert asks_for_a_number(question, prompts.words)


@pytest.mark.parametrize("question", [
    "how much does theodore love samantha?", "what did the critics think of the ending?", "how does it end?",
    "how long are theodore and samantha together?",
])
def test_a_question_of_degree_or_opinion_asks_for_none(prompts, question):
    assert not asks_for_a_number(question, prompts.words)


@pytest.mark.parametrize("text", ["Samantha: 8,316.", "I plan to see it a third time myself.", "born in 1974", "a dozen films"])
def test_a_number_in_figures_or_words_is_stated(prompts, text):
    assert states_a_number(text, prompts.words)


@pytest.mark.parametrize("text", [
    "He brings home OS1, a personally-tailored operating system.", "It is one of the best films of the year.",
    "The first time I saw it, I cried.",
])
def test_a_name_with_a_figure_or_a_one_counts_nothing(prompts, text):
    assert not states_a_number(text, prompts.words)
