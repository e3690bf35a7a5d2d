"""The evidence decision on dev questions, off-topic ones refused, and the framing filter on real framings."""

from __future__ import annotations

import json

import pytest

from companion.config import REPO_ROOT
from companion.engine.compose import acceptable_framing
from companion.engine.covering import covers, unseen_share
from companion.engine.decide import _answer_test
from companion.engine.retrieve import Retrieved
from companion.engine.route import is_opinion
from companion.policy import POLICY
from companion.retrieval.lexical import LexicalSearcher, unseen
from companion.types import Hit, Passage

FRAMINGS = REPO_ROOT / "eval" / "framings.jsonl"
PASSAGE = Passage(id="e:1", essay_id="e", n=1, title="An Essay", author=None, start=0, end=10,
                  text="Theodore writes letters for strangers.")

# Dev questions (eval/questions.jsonl dev half and eval/extra_dev.jsonl): never from the test half.
ANSWERABLE = [
    "What company does Theodore work for?", "What is the name of the operating system Theodore buys?",
    "who voices samantha?", "Why does Samantha wake Theodore up in the middle of the night?",
    "Are the characters in Her empaths?", "what does samantha say when theodore wants to touch her",
]
NOT_COVERED = [
    "how high did the Her soundtrack get on the charts?", "what is her rated? R or PG-13?",
    "Did Her win any Oscars?", "who directed ex machina", "Who composed the music for Blade Runner?",
    "how many golden globes did her win",
]


@pytest.mark.parametrize("question", ANSWERABLE)
def test_dev_questions_the_essays_answer_are_covered(retrieval, question):
    searcher = retrieval.searcher
    hits = searcher.search(question, 5)
    assert covers(question, hits, searcher.idf, embedder=searcher.embedder)


@pytest.mark.parametrize("question", NOT_COVERED)
def test_dev_questions_the_essays_do_not_answer_are_refused(retrieval, prompts, question):
    searcher = retrieval.searcher
    hits = searcher.search(question, 5)
    assert not covers(question, hits, searcher.idf, meta=prompts.words.about_the_essays, embedder=searcher.embedder)


def test_only_words_no_passage_holds_count_as_unseen():
    idf = {"theodore": 1.0, "box": 5.0, "\0": 5.0}.get
    hits = [Hit(rank=1, passage=PASSAGE, score=1.0, dense=0.5, lexical=1.0)]
    assert unseen_share("Theodore box", hits, lambda t: idf(t, 5.0)) == pytest.approx(5.0 / 6.0)
    # An idf that ranks no word above another cannot tell unseen words; words in the hits are seen.
    assert unseen_share("Theodore letters", hits, lambda t: 1.0) == 0.0
    assert unseen_share("Theodore box", hits, lambda t: idf(t, 5.0), meta={"box"}) == 0.0


def test_a_word_is_unseen_when_no_passage_holds_it():
    idf = LexicalSearcher.from_passages([PASSAGE, PASSAGE]).idf
    assert unseen("zeppelin", idf) and not unseen("letter", idf) and not unseen("theodore", idf)


def test_chatter_no_passage_holds_asks_nothing_but_chatter_they_hold_still_counts():
    idf = {"theodore": 1.0, "box": 5.0, "lol": 5.0, "\0": 5.0}.get
    hits = [Hit(rank=1, passage=PASSAGE, score=1.0, dense=0.5, lexical=1.0)]
    assert unseen_share("Theodore box lol", hits, lambda t: idf(t, 5.0), chatter={"lol"}) == pytest.approx(5.0 / 6.0)
    assert unseen_share("Theodore lol", hits, lambda t: idf(t, 5.0), chatter={"lol"}) == 0.0
    # A chatter word a passage holds stays a word of the question: it does not raise the unseen words' share.
    assert unseen_share("Theodore box", hits, lambda t: idf(t, 5.0), chatter={"theodore"}) == pytest.approx(5.0 / 6.0)


def framings():
    return [json.loads(line) for line in FRAMINGS.read_text("utf-8").splitlines() if line.strip()]


def test_no_framing_labelled_unfit_passes(prompts):
    passed = [f["framing"] for f in framings() if not f["acceptable"] and acceptable_framing(f["framing"], f["q"], prompts.words)]
    assert passed == []


@pytest.mark.parametrize("framing", ["I'm so sorry for your loss.", "The critic is a friend who has praised me."])
def test_a_condolence_or_an_invented_relationship_is_rejected(prompts, framing):
    assert not acceptable_framing(framing, "What did the critics think of the ending?", prompts.words)


def test_most_fit_framings_pass(prompts):
    fit = [f for f in framings() if f["acceptable"]]
    passed = [f for f in fit if acceptable_framing(f["framing"], f["q"], prompts.words)]
    assert len(fit) >= 5 and len(passed) >= len(fit) // 2


@pytest.mark.parametrize(("question", "naming", "asks"), [
    # Read as asking views only by the words naming the essay's writer, it still asks for a name.
    ("what's the name of the shared experience writer's girlfriend?", {"shar", "experience"}, True),
    # A view asked of the critics is answered by their views, whatever it names.
    ("what do the critics think of the name of the os?", set(), False),
])
def test_a_question_naming_a_writer_still_asks_for_the_detail_it_asks(prompts, question, naming, asks):
    found = Retrieved(question, opinion=is_opinion(question, prompts.words), hits=(), naming=frozenset(naming))
    assert found.opinion
    assert (_answer_test(question, found, prompts.words, POLICY) is not None) is asks


@pytest.mark.parametrize("question", [
    "did the her 2013 review give it a star rating or like a grade?",
    "what score did the critics give it, like out of 10?",
])
def test_asked_for_a_score_a_verdict_is_no_answer(prompts, question):
    # Read as asking a verdict, "star rating or like a grade" was answered "Her is a perfect love story".
    found = Retrieved(question, opinion=True, hits=(), verdict=True)
    must = _answer_test(question, found, prompts.words, POLICY)
    assert must is not None and must.detail == "a score"
    assert not must("But since that is what the film is about, it should be said that Her is a perfect love story.")
    assert must("I'd give it four stars out of five, and a grade of A.")


def test_a_verdict_asked_without_a_score_asks_no_detail(prompts):
    found = Retrieved("did the her 2013 review rate it well?", opinion=True, hits=(), verdict=True)
    assert _answer_test(found.query, found, prompts.words, POLICY) is None
