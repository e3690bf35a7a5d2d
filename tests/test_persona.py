"""Samantha's side: follow-ups, spoiler care, small talk in voice, and prompts from another directory."""

from __future__ import annotations

import re
import shutil
import string

import pytest

from companion.backends.extractive import ExtractiveBackend
from companion.engine import Engine
from companion.errors import PromptError
from companion.evaluation_metrics import fold_gold, groups_hit
from companion.engine.decide import asks_for_ending, spoils_ending
from companion.prompts import load_prompts
from companion.text import fold
from tests.conftest import PROMPTS
from tests.fakes import passage


def make_engine(retrieval, prompts, **kwargs) -> Engine:
    return Engine(searcher=retrieval.searcher, backend=ExtractiveBackend(), prompts=prompts, **kwargs)


def filled(template: str) -> re.Pattern[str]:
    """Match any filling of a template's placeholders."""
    parts = string.Formatter().parse(template)
    return re.compile("".join(re.escape(text) + (".+?" if field is not None else "") for text, field, _, _ in parts))


def cited_text(reply) -> str:
    return " ".join(fold(c.passage.text) for c in reply.citations)


def test_a_follow_up_is_searched_with_the_turn_before(retrieval, prompts):
    engine = make_engine(retrieval, prompts)
    engine.ask("What did the critics think of the ending?")
    reply = engine.ask("and what about Amy?")
    assert reply.route == "follow_up" and reply.grounded
    assert "amy" in cited_text(reply)
    alone = make_engine(retrieval, prompts).ask("and what about Amy?")
    assert alone.route == "film"


@pytest.mark.parametrize(
    ("text", "kind"),
    [("hi", "greeting"), ("thank you!", "thanks"), ("I just watched it and I'm sad", "feeling"),
     ("who are you?", "about_her"), ("bye", "farewell")],
)
def test_small_talk_is_warm_and_never_a_refusal(retrieval, prompts, text, kind):
    reply = make_engine(retrieval, prompts).ask(text)
    assert reply.route == kind and reply.citations == ()
    assert "don't cover" not in reply.answer and "none of them speak" not in reply.answer
    assert reply.answer in prompts.variants[kind]


def test_ending_passages_are_found_by_their_content(retrieval, prompts):
    passages = retrieval.store.all_passages()
    words = prompts.words
    spoilers = [p for p in passages if spoils_ending(p, words)]
    assert any("dusk sky" in p.text for p in spoilers)
    assert any("641" in p.text for p in spoilers)
    assert 0 < len(spoilers) < len(passages) / 2
    assert asks_for_ending("How does it end?", words) and asks_for_ending("Tell me about the ending, spoil it", words)
    assert not asks_for_ending("Who is Amy?", words)
    # Asking about Samantha leaving asks about the ending; writing letters for other people gives nothing away.
    assert asks_for_ending("how do the critics differ on samantha leaving?", words)
    assert not spoils_ending(passage("her", 1, "Theodore writes love letters for other people."), words)
    assert spoils_ending(passage("her", 1, "She admits to seeing other people."), words)


def test_spoiler_care_hides_the_ending_until_asked(retrieval, prompts):
    careful = make_engine(retrieval, prompts, spoiler_care=lambda: True)
    reply = careful.ask("How many others is Samantha talking to?")
    assert not any(spoils_ending(c.passage, prompts.words) for c in reply.citations)
    assert "641" not in reply.answer
    asked = careful.ask("What did the critics think of the ending?")
    assert asked.grounded and any(spoils_ending(c.passage, prompts.words) for c in asked.citations)
    open_book = make_engine(retrieval, prompts).ask("How many others is Samantha talking to?")
    assert open_book.grounded


def test_every_reply_of_the_offline_backend_is_in_voice(retrieval, prompts):
    engine = make_engine(retrieval, prompts)
    lines = [filled(line) for name in ("openers", "openers_fact", "openers_one", "openers_unsure", "views", "agree", "contrast")
             for line in prompts.variants[name]]
    seen = set()
    for question in ["Is Samantha rational or emotional?", "What does Amy work on at her job?",
                     "What did the critics think of the ending?", "Who wrote Being John Malkovich?"]:
        engine.history.clear()
        first = engine.ask(question).answer.split("\n\n")[0]
        assert any(line.fullmatch(first) for line in lines), first
        seen.add(first)
    assert len(seen) > 1


def test_telling_what_they_made_of_it_is_taken_in_before_the_critics(retrieval, prompts):
    engine = make_engine(retrieval, prompts)
    told = set(prompts.variants["openers_told"])
    for statement in ["i didn't like the ending though", "the ending made me cry"]:
        engine.history.clear()
        reply = engine.ask(statement)
        assert reply.grounded and reply.answer.split("\n\n")[0] in told, reply.answer
    # Asking, however it opens, is answered as a question.
    for question in ["i wonder what the critics thought of the ending", "i loved it, why did samantha leave?"]:
        engine.history.clear()
        assert engine.ask(question).answer.split("\n\n")[0] not in told
    # Told something no essay speaks to, she asks after it instead of saying she has no answer.
    engine.history.clear()
    unmet = engine.ask("my cat slept through the whole movie")
    assert not unmet.grounded and unmet.answer in prompts.variants["told_unmet"]


def test_a_mistyped_question_is_read_as_the_essays_spell_it_and_says_so(retrieval, prompts):
    engine = make_engine(retrieval, prompts)
    reply = engine.ask("whta did teh critcs thnk of teh endign")
    note = "(I read ‘whta’, ‘critcs’, ‘thnk’ and ‘endign’ as ‘what’, ‘critics’, ‘think’ and ‘ending’.)"
    assert reply.grounded and reply.answer.split("\n\n")[0] == note
    assert any("ending" in fold(c.passage.text) for c in reply.citations)
    # Read so, and still nothing in the essays: turned away saying how it was read.
    engine.history.clear()
    turned = engine.ask("what does theodre eat for brekfast on sundays in wintr")
    filled_lines = [line.format(words="‘theodre’", meant="‘theodore’") for line in prompts.variants["misspelt"]]
    assert not turned.grounded and turned.answer in filled_lines
    # Nothing mistyped: no note.
    engine.history.clear()
    assert not engine.ask("who plays theodore?").answer.startswith("(I read")
    # Another language is no slip of English: she says which language she reads.
    engine.history.clear()
    other = engine.ask("was denken die kritiker über das ende?")
    assert not other.grounded and other.answer in prompts.variants["not_english"]


def test_prompts_from_another_directory_and_a_broken_one(tmp_path):
    custom = tmp_path / "prompts"
    shutil.copytree(PROMPTS, custom)
    (custom / "greeting.md").write_text("Hey you, it's Sam.\n", "utf-8")
    assert load_prompts(custom).variants["greeting"] == ("Hey you, it's Sam.",)
    (custom / "welcome_back.md").write_text("Welcome back, {nme}!\n", "utf-8")
    with pytest.raises(PromptError, match="welcome_back.md"):
        load_prompts(custom)


def test_she_does_not_sound_sure_when_even_the_likeliest_quote_is_unlikely_to_answer(retrieval, prompts):
    engine = make_engine(retrieval, prompts)
    # Read as a chat reads: with the index's sentences, their written questions and the maps they teach.
    engine.reader, engine.sentences = retrieval.reader, retrieval.sentences
    unsure = set(prompts.variants["openers_unsure"])
    # The essays name Jennifer Anise as a critic and a filmmaker, never what she likes to eat.
    reply = engine.ask("what's jennifer anise's favourite food lol")
    assert reply.grounded and reply.answer.split("\n\n")[0] in unsure
    engine.history.clear()
    sure = engine.ask("What company does Theodore work for?")
    assert sure.answer.split("\n\n")[0] not in unsure
    assert groups_hit(fold(sure.answer), fold_gold([["beautifulhandwrittenletters.com"], ["beautiful hand-written letters"]]))


def test_a_chain_of_follow_ups_each_asks_after_its_own_name(engine):
    engine.ask("who plays theodore?")
    assert "Amy Adams" in engine.ask("and amy?").answer.split("\n\n")[0]
    assert "Rooney Mara" in engine.ask("and his wife?").answer.split("\n\n")[0]
    engine.history.clear()
    engine.ask("who is amy?")
    assert "Scarlett Johansson" in engine.ask("and samantha?").answer.split("\n\n")[0]
    assert "Joaquin Phoenix" in engine.ask("what about theodore?").answer.split("\n\n")[0]


def test_two_replies_running_do_not_close_alike(engine):
    first = engine.ask("who plays theodore?").answer.split("\n\n")
    second = engine.ask("and amy?").answer.split("\n\n")
    assert first[-1] != second[-1]
