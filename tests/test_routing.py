"""Routing by meaning: the routing set, its split, the real MiniLM router's score on test, and the fast paths."""

from __future__ import annotations

import shutil

import pytest

from companion.config import REPO_ROOT, load_settings
from companion.engine.route import (
    asks_about_the_ending, asks_about_the_whole, asks_for_a_verdict, Routed, is_opinion, route, route_turn,
    tells_a_view,
)
from companion.engine.router import ASKS, Router, clauses, key, unnamed
from companion.errors import PromptError
from companion.evaluation import split_of
from companion.prompts import load_prompts
from companion.routing_set import load_routing_set, score
from companion.types import Exchange
from tests.conftest import PROMPTS
from tests.fakes import BagOfWords

SET = REPO_ROOT / "eval" / "routing.jsonl"
# Written before the router was last tuned and never tuned on (issue 16); dev-only additions live in MORE.
HOLDOUT = REPO_ROOT / "eval" / "routing_holdout.jsonl"
MORE = REPO_ROOT / "eval" / "routing_dev_more.jsonl"


class Refusing:
    """An embedder that fails the test if it is ever asked: the fast path must not embed."""

    model_id = "refusing"

    def embed(self, texts, progress=None):
        raise AssertionError(f"embedded {texts!r}")

    def load(self) -> None:
        """Load nothing."""


@pytest.fixture(scope="module")
def real_router():
    from companion.retrieval.light import LightEmbedder

    settings = load_settings()
    return Router(load_prompts(PROMPTS).routes, LightEmbedder(settings.embedding_model))


def test_the_set_is_large_and_split_by_the_questions_rule():
    items = load_routing_set(SET)
    assert len(items) >= 200
    assert all(item.split == split_of(item.text) for item in items)
    for split in ("dev", "test"):
        routes = {item.route for item in items if item.split == split}
        assert routes == {"film", "follow_up", "greeting", "thanks", "farewell", "feeling", "acknowledge",
                          "about_her", "about_person"}, split


def test_no_route_example_copies_a_test_utterance(prompts):
    examples = {key(text) for texts in prompts.routes.values() for text in texts}
    copied = [item.text for item in load_routing_set(SET) if item.split == "test" and key(item.text) in examples]
    assert copied == []


def test_no_holdout_utterance_became_a_route_example(prompts):
    examples = {key(text) for texts in prompts.routes.values() for text in texts}
    copied = [item.text for item in load_routing_set(HOLDOUT) if key(item.text) in examples]
    # 15 were examples word for word before the holdout was written ("howdy", "i see"); none may be added.
    assert len(copied) <= 15, copied


def test_the_holdout_and_the_dev_additions_are_new_utterances():
    def lines(path):
        return [item.text.strip().lower() for item in load_routing_set(path)]

    seen, holdout, more = lines(SET), lines(HOLDOUT), lines(MORE)
    assert len(holdout) >= 160 and len(set(holdout)) == len(holdout) and len(set(more)) == len(more)
    assert not set(holdout) & set(seen) and not set(more) & (set(seen) | set(holdout))


def test_the_real_router_reaches_the_goal_on_test(real_router, prompts):
    items = [item for item in load_routing_set(SET) if item.split == "test"]
    result = score(items, real_router, prompts.words)
    assert result.accuracy >= 0.95, result.misses


def test_no_film_question_is_routed_away_on_test(real_router, prompts):
    items = [item for item in load_routing_set(SET) if item.split == "test"]
    result = score(items, real_router, prompts.words)
    assert result.film_away == 0, result.misses


def test_no_film_question_in_the_holdout_is_routed_away(real_router, prompts):
    items = [item for item in load_routing_set(HOLDOUT) if item.route == "film"]
    result = score(items, real_router, prompts.words)
    assert result.film_total == 90 and result.film_away == 0, result.misses


@pytest.mark.xfail(strict=True, reason="1 of the holdout's 13 follow-ups goes to small talk (a farewell)")
def test_no_follow_up_in_the_holdout_is_routed_away(real_router, prompts):
    items = [item for item in load_routing_set(HOLDOUT) if item.route == "follow_up"]
    result = score(items, real_router, prompts.words)
    assert result.film_away == 0, result.misses


def test_the_real_router_reaches_the_goal_on_the_holdout(real_router, prompts):
    result = score(load_routing_set(HOLDOUT), real_router, prompts.words)
    assert result.accuracy >= 0.95, result.misses


def test_her_name_at_an_edge_may_only_be_calling_her():
    assert [unnamed(t) for t in ("later samantha", "samantha are you real", "samantha", "is samantha real")] == [
        "later", "are you real", "samantha", "is samantha real"]


@pytest.mark.parametrize(("text", "expected"), [
    ("later samantha", "farewell"), ("sup samantha", "greeting"), ("thanks for that samantha", "thanks"),
    ("who voices samantha", "film"), ("what happens to samantha", "film"), ("why did theodore leave samantha", "film"),
    # Beside her name, two or more words no small talk uses name what is asked after, as a search would.
    ("samantha curiosity line", "film"), ("samantha surrogate scene", "film"), ("goodnight samantha sweet dreams", "farewell"),
    ("samantha leaving", "farewell"),
])
def test_her_name_is_read_as_calling_her_unless_the_film_leads_clearly(real_router, text, expected):
    assert real_router.route(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # Close in words to "how's your day going" and "rough day at work", but a question about someone else.
    ("what's the medium guy's day job", "film"), ("what is the medium guy's day job", "film"),
    ("what's up samantha", "greeting"), ("what's new?", "greeting"),
    ("who else have you talked to today", "about_her"), ("what is my name again?", "about_person"),
    # Short, with no name of the film's in it, yet a question about how it did ("was it a flop?" was met as a feeling).
    ("was it a flop?", "film"), ("it flopped right?", "film"), ("did it make its money back", "film"),
    # Asked yes or no of an essay whose title says "sad": it was met as the person feeling sad.
    ("was the sad in the best way post a solo thing or part of some group blog tbh", "film"),
    ("have a good night samantha", "farewell"),
])
def test_a_question_about_neither_of_them_is_about_the_film(real_router, text, expected):
    assert real_router.route(text) == expected


@pytest.mark.parametrize("text", ["keep going", "explain more", "how so?", "more please", "could you say a bit more?"])
def test_asking_the_last_answer_to_go_on_is_a_follow_up(real_router, prompts, text):
    assert route(text, real_router, prompts.words, has_history=True) == "follow_up"


def test_going_on_searches_the_film_question_again_with_what_was_shown(real_router, prompts):
    asked = Exchange("what did the critics think of the ending?", "“It ends at dawn.” [1]", "film")
    more = Exchange("keep going", "“Everything transmutes.” [1]", "follow_up")
    routed = route_turn("more please", [asked, more], real_router, prompts.words)
    assert (routed.route, routed.query) == ("follow_up", asked.question)
    assert "It ends at dawn." in routed.shown and "Everything transmutes." in routed.shown
    # A follow-up that names something leans on the film question, not on "keep going".
    leaning = route_turn("why is it so sad?", [asked, more], real_router, prompts.words)
    assert (leaning.route, leaning.query) == ("follow_up", f"{asked.question} why is it so sad?")
    amy = Exchange("and what about amy?", "“Amy makes games.” [1]", "follow_up")
    # A pronoun stands for the one person it named.
    assert route_turn("why does she do that?", [asked, amy], real_router, prompts.words).query == "why does amy do that?"
    # After another follow-up, one naming something of its own asks the question that began them of it; one
    # naming nothing goes on from the follow-up before it.
    who = Exchange("who is amy?", "“Take Amy Adams’ character Amy.” [1]", "film")
    then = Exchange("and samantha?", "“Samantha (Scarlett Johansson) sees.” [1]", "follow_up", "who is amy? and samantha?")
    assert route_turn("what about theodore?", [who, then], real_router, prompts.words).query == "who is theodore?"
    assert route_turn("why is she like that?", [who, then], real_router, prompts.words).query == (
        "who is amy? and samantha? why is she like that?")
    # A follow-up asking something in words no request to go on uses is searched beside the question it leans on.
    leaving = Exchange("what's the deal with the OS leaving?", "“It ends at dawn.” [1]", "film")
    where = route_turn("where do they go?", [leaving], real_router, prompts.words)
    assert (where.route, where.query) == ("follow_up", f"{leaving.question} where do they go?")
    # Who made the film is asked whole, "it" the film whatever the question before was about.
    assert route_turn("who directed it?", [asked, more], real_router, prompts.words) == Routed("film", "who directed it?")
    # After small talk there is no answer to go on from: nothing is held back.
    hello = Exchange("hi there", "Hello! What would you like to talk about?", "greeting")
    assert route_turn("more please", [hello], real_router, prompts.words).shown == ""


def test_a_follow_up_turning_to_something_it_names_is_no_request_for_more(real_router, prompts):
    asked = Exchange("who plays theodore?", "“Theodore Twombly (Joaquin Phoenix)” [1]", "film")
    routed = route_turn("and his wife?", [asked], real_router, prompts.words)
    assert (routed.route, routed.query, routed.shown) == ("follow_up", "who plays theodore's wife?", "")


@pytest.mark.parametrize(("before", "then", "asked"), [
    ("what did boone think of the film?", "and anise?", "what did anise think of the film?"),
    ("who plays theodore?", "what about Amy?", "who plays Amy?"),
    ("what did the critics think of the ending?", "and the music?", "what did the critics think of the music?"),
    ("what did the critics think of theodore?", "and what about amy?", "what did the critics think of amy?"),
    ("who is joaquin phoenix?", "and scarlett johansson?", "who is scarlett johansson?"),
    ("What did the critics think of the ending?", "and Amy?", "What did the critics think of Amy?"),
    ("Who plays Theodore?", "and amy?", "Who plays amy?"),
    ("what did the critics say about loneliness?", "and love?", "what did the critics say about love?"),
    # A pronoun stands for the one person the question before named ("his wife" is Theodore's).
    ("who plays theodore?", "and his wife?", "who plays theodore's wife?"),
    # A person turned to takes the place of the one person the question before named, however long its subject.
    ("what does theodore do for work?", "and amy?", "what does amy do for work?"),
    ("why did samantha leave?", "and amy?", "why did amy leave?"),
    ("is theodore a good person", "what about amy?", "is amy a good person"),
    # Searched beside the question before: an essay is no subject, and two people named leave no one to replace.
    ("what does the medium writer say about amy?", "and the techno-lonely guy?",
     "what does the medium writer say about amy? and the techno-lonely guy?"),
    ("how do theodore and samantha meet?", "and amy?", "how do theodore and samantha meet? and amy?"),
])
def test_a_follow_up_asks_the_question_before_it_of_what_it_names(real_router, prompts, before, then, asked):
    routed = route_turn(then, [Exchange(before, "“A quote.” [1]", "film")], real_router, prompts.words)
    assert (routed.route, routed.query) == ("follow_up", asked)


@pytest.mark.parametrize(("before", "then", "asked"), [
    ("tell me about amy", "what's her job?", "what's amy's job?"),
    ("who is amy?", "what does she do for a living?", "what does amy do for a living?"),
    ("what did boone think of the ending?", "did he cry?", "did boone cry?"),
    ("who is samantha?", "why does she leave him?", "why does samantha leave him?"),
    ("what did anise think of Her?", "did she like the ending?", "did anise like the ending?"),
    ("who plays amy adams's character?", "is her part big?", "is amy adams's part big?"),
    ("who is samantha?", "do the critics like her?", "do the critics like samantha?"),
    # Only the first pronoun of a kind is written out.
    ("what do the critics think about theodore", "does he get over his divorce?", "does theodore get over his divorce?"),
    # A question naming a woman may still say "him" of the man named before.
    ("who is alan watts?", "what does samantha learn from him?", "what does samantha learn from alan watts?"),
    ("who is theodore?", "does samantha really love him?", "does samantha really love theodore?"),
])
def test_a_pronoun_stands_for_the_one_person_the_question_before_named(real_router, prompts, before, then, asked):
    routed = route_turn(then, [Exchange(before, "“A quote.” [1]", "film")], real_router, prompts.words)
    assert (routed.route, routed.query) == ("follow_up", asked)


@pytest.mark.parametrize(("before", "then"), [
    # Two people she could be, or none: searched beside the question before, as any follow-up leaning on it.
    ("how are amy and samantha alike?", "what's her job?"),
    ("who plays theodore?", "what's her job?"),
    # The film's title, not a woman; a question naming its own person.
    ("who is amy?", "what did the critics think of Her?"),
    ("who is amy?", "what does samantha think of her?"),
])
def test_a_pronoun_with_no_one_person_to_stand_for_is_left_as_written(real_router, prompts, before, then):
    routed = route_turn(then, [Exchange(before, "“A quote.” [1]", "film")], real_router, prompts.words)
    assert routed.query in (then, f"{before} {then}")


def test_after_asking_who_played_or_made_it_a_pronoun_stands_for_the_one_the_answer_named(real_router, prompts):
    def then(before: str, answer: str, question: str) -> str:
        return route_turn(question, [Exchange(before, answer, "film")], real_router, prompts.words).query

    cast = "That's Scarlett Johansson, as Samantha.\n\nIn *Her (2013)*: “Samantha (Scarlett Johansson) sees.” [1]"
    assert then("who plays samantha?", cast, "what else has she been in?") == "what else has Scarlett Johansson been in?"
    made = "It's Spike Jonze; you can see it in the essays' own words, Writer/Director Spike Jonze."
    assert then("who directed her?", made, "what else has he made?") == "what else has Spike Jonze made?"
    # The actor, not the part the question named, whichever way the answer writes the part.
    theodore = "That's Joaquin Phoenix, as Theodore Twombly.\n\nIn *Her (2013)*: “Theodore Twombly (Joaquin Phoenix).” [1]"
    assert then("who plays theodore?", theodore, "is he good?") == "is Joaquin Phoenix good?"
    assert then("who plays theodore?", theodore, "and his wife?") == "who plays theodore's wife?"
    # Of several the answer credits, the first, each actor named before their part.
    leads = "That's Joaquin Phoenix as Theodore Twombly, Scarlett Johansson as Samantha and Amy Adams as Amy."
    assert then("who plays the lead?", leads, "is he good in it?") == "is Joaquin Phoenix good in it?"
    assert then("who stars in her?", leads, "what else has she been in?") == "what else has Scarlett Johansson been in?"
    # Asked who someone is, the pronoun is still that someone, not the actor the answer names.
    who = "Amy is Amy Adams's part in the film."
    assert then("who is amy?", who, "what's her job?") == "what's amy's job?"
    # After a question that was itself a follow-up, the answer is the one given to it.
    asked = Exchange("who plays samantha?", cast, "film")
    good = Exchange("is she good in it?", "Let me find it for you.", "follow_up", "is Scarlett Johansson good in it?")
    later = route_turn("what else has she been in?", [asked, good], real_router, prompts.words)
    assert later.query == "what else has Scarlett Johansson been in?"


def test_a_pronoun_stands_for_whom_the_follow_up_just_before_asked_for(real_router, prompts):
    # "who made it?" after "what's the movie about?" was searched with it; its answer named the maker.
    about = Exchange("what's the movie about", "Oh, five of the critics speak to this.", "film")
    made = Exchange(
        "who made it", "It's Spike Jonze; you can see it in the essays' own words, Writer/Director Spike Jonze.",
        "follow_up", "what's the movie about who made it",
    )
    later = route_turn("what else has he made", [about, made], real_router, prompts.words)
    assert later.query == "what else has Spike Jonze made"


def test_a_follow_up_whose_pronoun_was_written_out_is_the_question_a_later_one_turns(real_router, prompts):
    cast = "That's Scarlett Johansson, as Samantha.\n\nIn *Her (2013)*: “Samantha (Scarlett Johansson) sees.” [1]"
    asked = Exchange("who plays samantha?", cast, "film")
    good = Exchange("is she good in it?", "Let me find it for you.", "follow_up", "is Scarlett Johansson good in it?")
    later = route_turn("what about joaquin phoenix?", [asked, good], real_router, prompts.words)
    assert later.query == "is joaquin phoenix good in it?"


def test_a_query_is_told_as_its_question_with_pronouns_written_out(prompts):
    from companion.engine.pronouns import pronouns_written_out

    words = prompts.words
    assert pronouns_written_out("is she good in it?", "is Scarlett Johansson good in it?", words)
    assert pronouns_written_out("what's her job?", "what's amy's job?", words)
    assert not pronouns_written_out("and amy?", "who is amy?", words)
    assert not pronouns_written_out("keep going", "who is amy?", words)
    assert not pronouns_written_out("who made it", "what's the movie about who made it", words)


def test_asked_whether_another_agrees_a_follow_up_asks_them_the_question_before(real_router, prompts):
    writers = lambda: frozenset({"boone", "anise", "medium", "techno", "lone"})  # noqa: E731
    before = [Exchange("what does boone think of the ending?", "“A quote.” [1]", "film")]

    def asked(then: str, history=before) -> str:
        return route_turn(then, history, real_router, prompts.words, writers=writers).query

    assert asked("does anise agree?") == "what does anise think of the ending?"
    assert asked("does the medium writer agree with him?") == "what does the medium writer think of the ending?"
    assert asked("do the others agree?") == "what does the other critics think of the ending?"
    # With nothing asked before, it asks what it says.
    assert asked("does anise agree?", []) == "does anise agree?"


@pytest.mark.parametrize(("before", "then", "asked"), [
    ("what did boone think of amy?", "and what did anise say?", "what did anise think of amy?"),
    ("did anise like the ending?", "and what does boone think about it?", "did boone like the ending?"),
    ("what did the medium writer think of the ending?", "and what did anise think?", "what did anise think of the ending?"),
    # The words for the essay after a writer's name give way with it.
    ("what did the medium writer think of the ending?", "and anise?", "what did anise think of the ending?"),
])
def test_a_follow_up_asking_another_writer_what_they_made_of_it_asks_them_the_question_before(
    real_router, prompts, before, then, asked,
):
    writers = lambda: frozenset({"boone", "anise", "medium", "techno", "lone"})  # noqa: E731
    history = [Exchange(before, "“A quote.” [1]", "film")]
    assert route_turn(then, history, real_router, prompts.words, writers=writers).query == asked


def test_a_pronoun_after_small_talk_stands_for_no_one(real_router, prompts):
    # "Hi, I'm Amy" names the person, not the film's Amy.
    routed = route_turn("what's her job?", [Exchange("hi, i'm amy", "Hello, Amy!", "greeting")], real_router, prompts.words)
    assert routed.query == "what's her job?"


def test_a_follow_up_naming_an_essay_turns_a_question_asked_of_a_writer_to_it(real_router, prompts):
    def turned(before: str, then: str) -> str:
        writers = lambda: frozenset({"boone", "anise", "medium", "techno", "lone"})  # noqa: E731
        return route_turn(then, [Exchange(before, "“A quote.” [1]", "film")], real_router, prompts.words,
                          writers=writers).query

    assert turned("did boone like it?", "what about the medium writer?") == "did the medium writer like it?"
    assert turned("what did boone think of the ending", "and the medium one?") == "what did the medium one think of the ending"
    assert turned("what did anise think of the ending?", "and the techno-lonely guy?") == (
        "what did the techno-lonely guy think of the ending?")
    # Asked of Amy, not of a writer: the essay it names is who is asked about her.
    assert turned("what do the critics say about amy?", "and the medium writer?") == (
        "what do the critics say about amy? and the medium writer?")
    # Without the library, an essay named is searched beside the question as before.
    plain = route_turn("what about the medium writer?", [Exchange("did boone like it?", "“A quote.” [1]", "film")],
                       real_router, prompts.words)
    assert plain.query == "did boone like it? what about the medium writer?"


def test_a_follow_up_turning_to_the_other_critics_asks_them_what_one_was_asked(real_router, prompts):
    def turned(before: str, then: str):
        writers = lambda: frozenset({"boone", "anise", "medium", "techno", "lone"})  # noqa: E731
        return route_turn(then, [Exchange(before, "“A quote.” [1]", "film")], real_router, prompts.words,
                          writers=writers)

    others = turned("what did boone think of the ending?", "and the others?")
    assert others.query == "what did the other critics think of the ending?" and others.route == "follow_up"
    # The critic just heard is not quoted again.
    assert others.shown == "“A quote.” [1]"
    assert turned("did the medium writer like it?", "what about everyone else?").query == "did the other critics like it?"
    assert turned("did the techno-lonely guy like it", "and the rest of the critics?").query == "did the other critics like it"
    # Asked of no critic, there is no one to turn from: searched beside it, quoting anything.
    plain = turned("who plays theodore?", "and the others?")
    assert plain.query == "who plays theodore? and the others?" and plain.shown == ""


def test_going_on_after_a_follow_up_goes_on_with_what_it_asked(real_router, prompts):
    boone = Exchange("what did boone think of the film?", "“You keep going back.” [1]", "film")
    anise = Exchange("and anise?", "“A love letter to love.” [1]", "follow_up", "what did anise think of the film?")
    routed = route_turn("keep going", [boone, anise], real_router, prompts.words)
    assert routed.query == "what did anise think of the film?"
    assert "You keep going back." in routed.shown and "A love letter to love." in routed.shown


@pytest.mark.parametrize("text", ["keep going", "why is that?", "more please"])
def test_asking_for_more_is_no_follow_up_with_nothing_before_it(real_router, prompts, text):
    assert route(text, real_router, prompts.words, has_history=False) != "follow_up"
    assert real_router.route(text, follow_up=False) != "follow_up"


def test_emoji_saying_a_feeling_are_read_as_their_word():
    assert key("😭😭😭") == "sad sad sad" and key("who plays amy 😂?") == "who plays amy haha"
    # Any other emoji is dropped, as punctuation is.
    assert key("morning 🌞 who wrote the score?") == "morning who wrote the score"


@pytest.mark.parametrize(("text", "expected"), [("😭😭😭", "feeling"), ("😂😂", "acknowledge"), ("❤️", "acknowledge")])
def test_a_message_of_emoji_alone_is_met_as_what_they_say(real_router, text, expected):
    assert real_router.route(text) == expected


@pytest.mark.parametrize("text", ["thanks samantha, bye", "ok cool, see you later", "thanks, that was lovely. goodnight samantha"])
def test_a_goodbye_ending_small_talk_closes_it(real_router, text):
    assert real_router.route(text) == "farewell"


@pytest.mark.parametrize("text", [
    "who is talking in the conversation one", "who talks in the conversation?", "whats the deal with the title lol",
])
def test_a_message_opening_as_a_question_is_no_goodbye(real_router, text):
    # Its "talking" sits close to "talk soon": it was met with "Goodnight".
    assert real_router.route(text) == "film"


def test_a_reaction_opening_with_what_or_a_goodbye_is_not_read_as_asking(real_router):
    assert not ASKS.match(key("what a film!")) and not ASKS.match(key("what an ending"))
    assert ASKS.match(key("what about the ending?")) and ASKS.match(key("who wrote it"))
    assert real_router.route("bye, talk soon") == "farewell"


@pytest.mark.parametrize("text", [
    "hi! what did critics think of the ending?", "I cried at the end, why does she leave?",
    "thanks! and who is catherine?", "rough day... do the reviewers think theodore is lonely?",
])
def test_a_film_question_inside_small_talk_goes_to_the_essays(real_router, text):
    assert real_router.route(text) == "film"


def test_an_exact_example_is_routed_without_embedding(prompts):
    router = Router(prompts.routes, Refusing())
    assert [router.route(t) for t in ("OK!", "thanks 🙏", "Bye", "hi", "who are you?")] == [
        "acknowledge", "thanks", "farewell", "greeting", "about_her"]


def test_without_an_embedder_only_exact_examples_are_small_talk(prompts):
    router = Router(prompts.routes, None)
    assert router.route("ok") == "acknowledge"
    assert router.route("hey there, lovely weather") == "film"


def test_the_person_is_named_before_a_question_is_about_them(prompts):
    router = Router({"about_person": ["what did i say"], "about_her": ["what did you say"], "film": ["who is amy"]},
                    BagOfWords())
    assert router.route("what did i say about it") == "about_person"
    assert router.route("what did you say about it") == "about_her"


@pytest.mark.parametrize(("text", "expected"), [
    ("what did i think of amy, i told you before", "about_person"), ("have i said if i liked the ending", "about_person"),
    ("do you remember what i said about the ending?", "about_person"), ("did i tell you my favourite scene?", "about_person"),
    ("what did the critics think of amy?", "film"), ("i told my friend about it, did the critics like the ending?", "film"),
])
def test_asking_her_to_recall_what_they_said_is_about_the_person(real_router, prompts, text, expected):
    assert route(text, real_router, prompts.words) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("i liked it", "feeling"), ("i loved the film", "feeling"), ("i didn't like it much", "feeling"),
    ("what did i say i liked?", "about_person"), ("my favourite scene?", "about_person"),
])
def test_telling_how_they_found_it_is_no_question_about_themselves(real_router, prompts, text, expected):
    assert real_router.route(text) in ("about_person", expected), "the router reads it as about them, or as meant"
    assert route(text, real_router, prompts.words) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("is it good?", "film"), ("any good?", "film"), ("worth it?", "film"), ("was it good", "film"),
    ("it was good", "feeling"), ("the movie was good", "feeling"),
])
def test_a_short_question_whether_it_is_good_goes_to_the_essays_and_saying_so_is_a_feeling(real_router, prompts, text, expected):
    assert route(text, real_router, prompts.words) == expected


@pytest.mark.parametrize("text", ["hey there! my name's jordan and i haven't watched it yet", "my name is sam"])
def test_telling_their_name_is_a_greeting_though_it_reads_like_asking_it(real_router, prompts, text):
    assert route(text, real_router, prompts.words) == "greeting"


@pytest.mark.parametrize("text", ["tell me a joke", "can we be friends?", "are we friends", "did you like it?"])
def test_asking_her_for_herself_is_about_her(real_router, prompts, text):
    # They went to her line about what she remembers of them, or to a goodbye.
    assert route(text, real_router, prompts.words) == "about_her"


@pytest.mark.parametrize("text", ["did anise like it", "did boone like it", "did the medium writer like it"])
def test_asking_whether_a_critic_liked_it_goes_to_the_essays(real_router, prompts, text):
    assert route(text, real_router, prompts.words) == "film"


def test_clauses_split_a_greeting_from_its_question():
    assert clauses("Hi! What did critics think of the ending?") == ["hi", "what did critics think of the ending"]
    assert clauses("good morning 🌞 who wrote the score") == ["good morning", "who wrote the score"]
    assert clauses("it's theodore's ex-wife") == ["it's theodore's ex wife"]


def test_the_example_matrix_is_cached_by_the_examples(prompts, tmp_path):
    Router(prompts.routes, BagOfWords(), cache_dir=tmp_path).warm()
    (cached,) = tmp_path.glob("routes-*.npy")
    edited = {**prompts.routes, "thanks": prompts.routes["thanks"] + ("ta very much",)}
    Router(edited, BagOfWords(), cache_dir=tmp_path).warm()
    assert len(list(tmp_path.glob("routes-*.npy"))) == 2 and cached.exists()


@pytest.mark.parametrize("damage", ["missing", "empty"])
def test_a_missing_or_empty_route_file_is_named(tmp_path, damage):
    target = tmp_path / "prompts"
    shutil.copytree(PROMPTS, target)
    path = target / "routes" / "about_person.txt"
    if damage == "missing":
        path.unlink()
    else:
        path.write_text("# only a comment\n\n", encoding="utf-8")
    with pytest.raises(PromptError, match="about_person.txt"):
        load_prompts(target)


@pytest.mark.parametrize(
    ("asks", "text", "expected"),
    [
        (asks_about_the_ending, "what did the critics think of the ending?", True),
        (asks_about_the_ending, "thoughts on the ending lol", True),
        (asks_about_the_ending, "what do the essays say about the final scene?", True),
        (asks_about_the_ending, "did his friend think the ending was about death?", False),
        (asks_about_the_ending, "what do the OSes end up finding?", False),
        (asks_about_the_ending, "what do the critics think of amy?", False),
        (asks_about_the_ending, "what did ppl think of the ending", True),
        (asks_about_the_ending, "what did people think about how it ends?", True),
        (asks_about_the_ending, "how do the critics differ on samantha leaving", True),
        (asks_about_the_ending, "what did the critics think of the oses leaving?", True),
        (asks_about_the_ending, "what did anise think of the ending?", False),
        (asks_for_a_verdict, "did the critics like it?", True),
        (asks_for_a_verdict, "what did the critics think of the movie?", True),
        (asks_for_a_verdict, "is her worth watching?", True),
        (asks_for_a_verdict, "was the movie any good?", True),
        (asks_for_a_verdict, "what's the overall verdict?", True),
        (asks_for_a_verdict, "what are the main themes?", False),
        (asks_for_a_verdict, "do the critics think her is a perfect love story?", False),
        (asks_for_a_verdict, "did the reviewers like the popcorn at the theater", False),
        (asks_for_a_verdict, "what do the critics think of amy?", False),
        (asks_for_a_verdict, "who plays amy?", False),
        (asks_for_a_verdict, "what did everyone think of the film?", True),
        (asks_for_a_verdict, "did people love it?", True),
        (asks_for_a_verdict, "how did the critics rate it?", True),
        (asks_for_a_verdict, "what do the critics say about love in the film?", False),
        (asks_for_a_verdict, "what did the critics think of the score?", False),
        (asks_for_a_verdict, "any opinions on the rating of the film?", False),
        (asks_for_a_verdict, "do people in the film judge him for dating an os?", False),
        (asks_for_a_verdict, "did any critic cry lol", False),
        (asks_for_a_verdict, "were the reviewers moved by it?", False),
        (asks_for_a_verdict, "hi! did the critics like it?", True),
        (asks_for_a_verdict, "hey, quick q: did anyone hate it?", True),
        (asks_for_a_verdict, "so is it worth watching or nah", True),
        (asks_for_a_verdict, "which critic is the most negative about it", True),
        (asks_for_a_verdict, "is it worth watching rn", True),
        (asks_for_a_verdict, "ngl did the critics like it tbh", True),
        (asks_for_a_verdict, "are the reviews mostly gushing or mixed", True),
        (asks_for_a_verdict, "did the critics rave about it or pan it?", True),
        (asks_for_a_verdict, "does the camera pan across the city?", False),
        (asks_for_a_verdict, "was it overrated according to the critics", True),
        (asks_for_a_verdict, "is it a masterpiece according to them", True),
        (asks_for_a_verdict, "is the ending a masterpiece?", False),
        (asks_for_a_verdict, "which critic liked it the least?", True),
        (asks_for_a_verdict, "which reviewer was least impressed", True),
        (asks_for_a_verdict, "which critic liked the ending least?", False),
        (asks_for_a_verdict, "who did the score?", False),
        (asks_for_a_verdict, "is it rated r?", False),
    ],
)
def test_questions_about_the_ending_or_the_verdict_as_a_whole_are_told_from_narrower_ones(prompts, asks, text, expected):
    assert asks(text, prompts.words) is expected


def test_a_verdict_may_be_asked_of_a_critic_the_library_names(prompts):
    words = prompts.words
    assert asks_about_the_ending("what did anise think of the ending?", words, frozenset({"anise"}))
    assert asks_about_the_ending("did the techno-lonely guy like the ending?", words, frozenset({"techno", "lone"}))
    assert asks_for_a_verdict("did anise like the movie?", words, frozenset({"anise"}))
    assert not asks_for_a_verdict("did anise like the movie?", words)
    assert asks_for_a_verdict("what did the techno-lonely review think of the film?", words, frozenset({"techno", "lone"}))
    assert not asks_for_a_verdict("what did anise think of amy?", words, frozenset({"anise"}))
    # Beside the words naming a writer, "guy" or "person" is that writer.
    assert asks_for_a_verdict("did the medium person like it", words, frozenset({"medium"}))
    assert not asks_for_a_verdict("did the medium guy like amy", words, frozenset({"medium"}))
    # Words that only name an essay ask nothing about the film as a whole.
    assert not asks_about_the_whole("did the medium writer like it?", words)
    assert asks_about_the_whole("what is the movie about?", words)


@pytest.mark.parametrize(("question", "opinion"), [
    ("what does samantha look like?", False),
    ("what does her voice sound like", False),
    ("what do the critics say samantha sounds like?", True),
    ("did the reviewers like amy?", True),
    # After a comma, "like" only fills a pause in chat.
    ("whats his ex wife's name in the movie, like the character", False),
    ("i didn't like it, like at all. did they?", True),
])
def test_like_in_a_comparison_asks_no_opinion(prompts, question, opinion):
    assert is_opinion(question, prompts.words) is opinion


@pytest.mark.parametrize(("text", "tells"), [
    ("i didn't like the ending though", True),
    ("the ending made me cry", True),
    ("honestly i found theodore kind of creepy", True),
    ("i loved what she said at the end", True),
    # Asking, with a question mark, a question's opening in any clause or inside it, or a request.
    ("i didn't like the ending, did the critics?", False),
    ("i'm confused about the part where the screen goes black, what's going on there", False),
    ("omg i just finished it why did samantha go", False),
    ("i wonder what the critics thought of the ending", False),
    ("i'd love to hear what boone thought", False),
    ("tell me about amy", False),
    # Nothing of theirs in it: a question written without its mark.
    ("whats amy's job", False),
])
def test_a_message_telling_what_they_made_of_it_is_told_from_a_question(text, tells):
    assert tells_a_view(text) is tells


@pytest.mark.parametrize("question", [
    "give me an overview of the essays", "summarize the five reviews in one line each", "sum up each review in a line",
    "whats the synopsis", "give me a summary of the reviews",
])
def test_asking_for_a_summary_asks_about_the_film_as_a_whole(prompts, question):
    # Each was refused as something no essay speaks to ("overview", "give", "five" read as words the essays lack).
    assert asks_about_the_whole(question, prompts.words)
