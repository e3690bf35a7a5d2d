"""Quoted: the words a message sets in quote marks, which the sentence holding them answers."""

from dataclasses import replace

import pytest

from companion.engine.quoted import holding_the_quoted, quoted_phrases
from companion.engine.decide import _quoted_first
from companion.engine.pick import Reading, Wanted, pick_quotes, rank_pool
from companion.policy import POLICY
from companion.retrieval.sentence_vectors import SentenceVectors
from tests.fakes import BagOfWords, hit, passage
from tests.test_pick import BY_COSINE

EARPIECE = passage(
    "sad", 4,
    "It would be easy to label this anti-social. If we can exist in a world where we hear what we want, why wouldn’t we?",
    title="Her makes me sad in the best possible way",
)
DATED = passage("her", 1, "Her (2013) is a love story in a different time than ours.", title="Her (2013)")
# Each word's rarity as the essays use it: "love" is everywhere, "email" rare.
RARITY = {"love": 1.2, "display": 3.6, "email": 4.1}


def rarity(term: str) -> float:
    """Return a word's rarity, 0 for a word not listed."""
    return RARITY.get(term, 0.0)


@pytest.mark.parametrize(("message", "phrases"), [
    # Curly or straight, single or double marks; an apostrophe inside the phrase stays in it.
    ("sad blog has a ‘why wouldn’t we?’ sentence. copy me that line", ("why wouldn't we",)),
    ("the 'privileged people's problems' jab in the convo piece", ("privileged people's problems",)),
    ('what does boone say to ppl who complain it has no "real problems"', ("real problems",)),
    # A possessive is no quote mark, nor is one word set in marks a phrase.
    ("is theo's and sam's thing real", ()),
    ("it's theo's 'thing' right", ()),
])
def test_a_message_quotes_the_phrases_it_sets_in_marks(message, phrases):
    assert quoted_phrases(message) == phrases


def test_a_sentence_holding_words_the_message_quotes_from_a_passage_is_told_apart():
    holds = holding_the_quoted("sad blog has a 'why wouldn't we?' sentence, copy me that line", [hit(1, EARPIECE)], rarity, 3, 3.0)
    assert holds is not None
    assert holds("If we can exist in a world where we hear what we want, why wouldn’t we?")
    assert not holds("It would be easy to label this anti-social.")


@pytest.mark.parametrize("message", [
    # Words no passage holds, and a title's, quote no line.
    "does the blog say 'privacy is dead' anywhere?",
    "what does the 'Her (2013)' review make of the ending?",
    "the blog's 'why' bit",
])
def test_words_no_passage_holds_or_a_title_holds_quote_no_line(message):
    assert holding_the_quoted(message, [hit(1, EARPIECE), hit(2, DATED)], rarity, 3, 3.0) is None


def test_a_phrase_of_everyday_words_tells_no_line_apart():
    # "samantha is 'in love' with 641 people at once…" quotes words five passages use.
    pool = [hit(1, passage("sad", 1, "Samantha is in love with 641 others and with display emails."))]
    assert holding_the_quoted("samantha is 'in love' with 641 people", pool, rarity, 3, 3.0) is None
    assert holding_the_quoted("what happens when he says 'display emails'", pool, rarity, 3, 3.0) is not None
    # Without word statistics, only a phrase long enough tells one apart.
    assert holding_the_quoted("what happens when he says 'display emails'", pool, None, 3, 3.0) is None
    assert holding_the_quoted("is he 'in love with 641' others", pool, None, 3, 3.0) is not None


def test_the_sentence_holding_the_words_quoted_leads_the_quotes():
    # "sad blog has a 'why wouldn't we?' sentence defending the earpieces. copy me that line": the ranker read the
    # rest of the message and led with the earpiece sentence, not the line asked for.
    likely = passage("sad", 1, "Everyone wears an earpiece in the film. It is easy to call that anti-social.")
    line = passage("sad", 2, "If we can hear what we want, why wouldn’t we?")
    hits = [hit(1, likely), hit(2, line)]
    chosen = replace(POLICY, sentence_ranker_alone=BY_COSINE, short_sentence=0, quote_chance=0.99)
    reading = Reading(BagOfWords(), SentenceVectors(), lambda t: 1.0, chosen, None)
    wanted = Wanted("the sentence with 'why wouldn't we?' - everyone wears an earpiece in the film, copy me that line")
    order = rank_pool(wanted, hits, reading)
    picked = pick_quotes(wanted, hits, reading, order)
    assert [e.passage.id for e in picked] == [likely.id]
    led = _quoted_first(wanted, picked, hits, reading, order)
    assert [e.passage.id for e in led] == [line.id] and [e.n for e in led] == [1]
