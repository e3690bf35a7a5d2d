"""Quantities: a question asking for a number is answered only by a quote that states one."""

from __future__ import annotations

import re

from companion.words import Words

# A numeral standing as a number ("8,316", "3", "1950s"), not inside a name ("OS1").
NUMERAL = re.compile(r"\b\d")


def asks_for_a_number(question: str, words: Words) -> bool:
    """Tell whether a question asks how many, how old or tall, which year, or how much something cost."""
    if words.asks_for_a_number.search(question):
        return True
    return bool(words.asks_for_an_amount.search(question) and words.amounts.search(question))


def states_a_number(text: str, words: Words) -> bool:
    """Tell whether a text states a number, in figures or in words ("8,316", "a third time")."""
    return bool(NUMERAL.search(text) or words.number_words.search(text))
