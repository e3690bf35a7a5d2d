"""The evaluation harness: the repo's questions, the dev/test split, and the figures on real and known replies."""

from __future__ import annotations

import json
import math
import os
import random
import re
from collections import Counter
from pathlib import Path

import pytest

from companion.cli import main
from companion.config import REPO_ROOT
from companion.errors import CompanionError
from companion.evaluation import (
    KINDS, EvalError, Question, ShuffledSearcher, evaluate, in_split, load_questions, open_eval, split_of,
)
from companion.evaluation_metrics import Figure, groups_hit
from companion.evaluation_report import format_table, report_json
from companion.passages import Passage
from companion.retrieval.store import Hit
from companion.text import fold
from companion.types import Citation, Reply

from tests.conftest import EVAL


@pytest.fixture(scope="module")
def questions():
    return load_questions(EVAL)


@pytest.fixture(scope="module")
def passages(retrieval):
    return retrieval.store.all_passages()


@pytest.fixture(scope="module")
def reports(retrieval, shared_settings, prompts, questions, passages):
    """Evaluate dev with hybrid and the extractive engine, dense, bm25 and a shuffled index, once for the module."""
    from companion.backends.extractive import ExtractiveBackend
    from companion.engine import Engine
    from companion.retrieval.service import open_retrieval

    def engine_over(searcher):
        return Engine(searcher=searcher, backend=ExtractiveBackend(), prompts=prompts)

    dev = in_split(questions, "dev")
    shuffled = ShuffledSearcher(retrieval.searcher, passages)
    found = {"hybrid": evaluate(dev, retrieval.searcher, engine_over(retrieval.searcher),
                                store_passages=passages, name="hybrid", split="dev")}
    for name in ("dense", "bm25"):
        searcher = open_retrieval(shared_settings, retriever=name).searcher
        found[name] = evaluate(dev, searcher, store_passages=passages, name=name, split="dev")
    found["shuffled"] = evaluate(dev, shuffled, engine_over(shuffled), store_passages=passages, name="shuffled",
                                 split="dev")
    return found


def write(tmp_path, *lines: str, name: str = "questions.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = '{"q": "Who wrote Being John Malkovich?", "gold": [["charlie kaufman"]], "kind": "fact"}'


def test_the_repo_carries_its_own_questions(questions):
    assert EVAL.parent.name == "eval"
    assert EVAL.is_relative_to(REPO_ROOT)
    assert len(questions) == 100
    assert questions[0] == Question(
        "What company does Theodore work for?",
        (("beautifulhandwrittenletters.com",), ("beautiful hand-written letters",)), "fact",
    )
    assert {q.kind for q in questions} == set(KINDS)
    assert all(q.gold == () for q in questions if q.kind == "none")
    assert Question("Where do Theo and Samantha have their first real fight?",
                    (("their first spat", "in a cabin"),), "fact") in questions


@pytest.mark.skipif(not os.environ.get("COMPANION_SHARED_EVAL"),
                    reason="set COMPANION_SHARED_EVAL to the shared questions file to compare the copy with it")
def test_the_copy_is_in_step_with_the_shared_questions():
    shared = Path(os.environ["COMPANION_SHARED_EVAL"])
    assert EVAL.read_bytes() == shared.read_bytes(), f"copy {shared} over {EVAL}"


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_loads(tmp_path, kind):
    gold = [] if kind == "none" else [["os1", "operating system"], ["samantha"]]
    path = write(tmp_path, json.dumps({"q": f"a {kind} question?", "gold": gold, "kind": kind}))
    (question,) = load_questions(path)
    assert question.kind == kind and question.answerable == (kind != "none")
    assert question.gold == tuple(tuple(group) for group in gold)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('{"q": "Who?", "gold": [["x"]], "kind": "fact"', "not JSON"),
        ('["Who?", [["x"]], "fact"]', "expected a JSON object"),
        ('{"gold": [["x"]], "kind": "fact"}', "missing q"),
        ('{"q": "  ", "gold": [["x"]], "kind": "fact"}', "missing q"),
        ('{"q": "Who?", "gold": ["x"], "kind": "fact"}', "gold must be a list of groups"),
        ('{"q": "Who?", "gold": [[1]], "kind": "fact"}', "gold must be a list of groups"),
        ('{"q": "Who?", "gold": [[]], "kind": "fact"}', "gold must be a list of groups"),
        ('{"q": "Who?", "gold": "x", "kind": "fact"}', "gold must be a list of groups"),
        ('{"q": "Who?", "gold": [["x"]], "kind": "trivia"}', "unknown kind 'trivia'"),
        ('{"q": "Who?", "gold": [["x"]]}', "unknown kind None"),
        ('{"q": "Who?", "gold": [["x"]], "kind": "none"}', "gold must be []"),
        ('{"q": "Who?", "gold": [], "kind": "compare"}', "needs at least one gold group"),
    ],
)
def test_a_bad_line_names_the_file_the_line_and_the_problem(tmp_path, line, problem):
    path = write(tmp_path, GOOD, "", line)
    with pytest.raises(EvalError) as caught:
        load_questions(path)
    message = str(caught.value)
    assert isinstance(caught.value, CompanionError)
    assert message.startswith(f"{path}, line 3: ")
    assert problem in message
    assert caught.value.line == 3


def test_blank_lines_are_skipped_and_an_empty_or_missing_file_is_an_error(tmp_path):
    assert len(load_questions(write(tmp_path, "", GOOD, "   ", GOOD))) == 2
    with pytest.raises(EvalError, match="no questions"):
        load_questions(write(tmp_path, "", ""))
    with pytest.raises(EvalError, match="cannot read"):
        load_questions(tmp_path / "missing.jsonl")


def test_the_split_is_fixed_disjoint_and_covers_every_question(questions):
    dev, test = in_split(questions, "dev"), in_split(questions, "test")
    assert not {q.q for q in dev} & {q.q for q in test}
    assert sorted(q.q for q in dev + test) == sorted(q.q for q in questions) == sorted(
        q.q for q in in_split(questions, "all"))
    # The rule sees the question alone: order and the other questions do not matter, case and spacing do not either.
    shuffled = questions[:]
    random.Random(3).shuffle(shuffled)
    assert {q.q for q in in_split(shuffled[:30], "dev")} == {q.q for q in dev} & {q.q for q in shuffled[:30]}
    assert split_of("Who plays  THEODORE?") == split_of("who plays theodore?")
    # Pinned, so a change of rule cannot pass unnoticed.
    assert [q.split for q in questions[:6]] == ["dev", "dev", "dev", "test", "test", "dev"]
    assert (len(dev), len(test)) == (49, 51)
    with pytest.raises(CompanionError, match="Unknown split 'train'"):
        in_split(questions, "train")


def test_the_readme_table_of_the_split_is_true(questions):
    table = (EVAL.parent / "README.md").read_text("utf-8")
    rows = {m[1]: (int(m[2]), int(m[3]), int(m[4])) for m in re.finditer(r"^\| (\w+) \| (\d+) \| (\d+) \| (\d+) \|$",
                                                                         table, re.M)}
    counts = Counter((q.kind, q.split) for q in questions)
    assert rows == {kind: (counts[kind, "dev"], counts[kind, "test"], counts[kind, "dev"] + counts[kind, "test"])
                    for kind in KINDS}


def test_a_gold_group_is_a_set_of_alternatives():
    gold = [[fold("Joaquin Phoenix"), "phoenix plays"], ["spike jonze"]]
    assert groups_hit(fold("Theodore Twombly (Joaquin Phoenix) writes letters"), gold) == {0}
    assert groups_hit(fold("as phoenix plays him, and Spike Jonze directs"), gold) == {0, 1}
    assert groups_hit(fold("Scarlett Johansson"), gold) == set()


class ScriptedSearcher:
    """Return fixed real passages per question, so every rank is known."""

    name = "scripted"

    def __init__(self, script):
        self.script = script

    def search(self, query, k=5):
        hits = self.script.get(query, [])[:k]
        return [Hit(rank=i, passage=p, score=1.0 / i) for i, p in enumerate(hits, start=1)]


def test_the_arithmetic_on_known_ranks(tmp_path, passages):
    def having(text):
        return [p for p in passages if text in fold(p.text)]

    dust, empaths = having("dust falling through the air"), having("empaths")
    assert len(dust) == 1 and len(empaths) == 3
    filler = [p for p in passages if p not in dust + empaths][:10]
    path = write(
        tmp_path,
        '{"q": "dust", "gold": [["Dust falling through the air"]], "kind": "opinion"}',
        '{"q": "empaths", "gold": [["empaths"]], "kind": "opinion"}',
        '{"q": "lasagna", "gold": [["quantum lasagna"]], "kind": "fact"}',
        '{"q": "both", "gold": [["dust falling through the air"], ["empaths"]], "kind": "compare"}',
        '{"q": "either", "gold": [["quantum lasagna", "dust falling through the air"]], "kind": "quote"}',
        '{"q": "Tokyo", "gold": [], "kind": "none"}',
    )
    script = {
        "dust": [filler[0], filler[1], dust[0], filler[2]],  # first relevant at 3
        "empaths": [empaths[0], filler[0], empaths[1]],  # relevant at 1 and 3 of 3 in the corpus
        "lasagna": filler[:10],  # no gold passage exists
        "both": [filler[0], empaths[0], *filler[1:7], dust[0]],  # group 2 at rank 2, group 1 at rank 9
        "either": [dust[0]],  # one phrase of the only group is enough
    }
    report = evaluate(load_questions(path), ScriptedSearcher(script), store_passages=passages)

    def dcg(*ranks):
        return sum(1 / math.log2(r + 1) for r in ranks)

    assert report.answerable == 5 and report.unanswerable == 1
    assert [d.first_rank for d in report.details] == [3, 1, None, 2, 1, None]
    assert report.recall == Figure(4, 5)
    assert report.mrr.value == pytest.approx((1 / 3 + 1 + 0 + 1 / 2 + 1) / 5) and report.mrr.n == 5
    per_question = [dcg(3) / dcg(1), dcg(1, 3) / dcg(1, 2, 3), 0.0, dcg(2, 9) / dcg(1, 2, 3, 4), 1.0]
    assert [d.ndcg for d in report.details[:5]] == pytest.approx(per_question)
    assert report.ndcg.value == pytest.approx(sum(per_question) / 5)
    assert report.coverage.value == pytest.approx((1 + 1 + 0 + 1 / 2 + 1) / 5)
    assert report.no_gold == ("lasagna",)
    assert report.quote_answers is None and report.quotes_verbatim is None
    assert report.of_kind("opinion").recall == Figure(2, 2) and report.of_kind("fact").recall == Figure(0, 1)
    assert evaluate(load_questions(path), ScriptedSearcher(script), store_passages=passages, k=3).recall == Figure(4, 5)
    assert evaluate(load_questions(path), ScriptedSearcher(script), store_passages=passages, k=2).recall == Figure(3, 5)


PHOENIX = Passage(id="a:1", essay_id="a", n=1, title="A", author=None, start=0, end=1,
                  text="Theodore Twombly (Joaquin Phoenix) writes other people’s letters. The city is pastel and warm.")
SAD = Passage(id="b:1", essay_id="b", n=1, title="B", author=None, start=0, end=1,
              text="It is a film of a particular kind of melancholy, and of Theodore’s loneliness.")


def replied(answer, *cited, grounded=True, error=None):
    citations = tuple(Citation(n, p, verified=True) for n, p in enumerate(cited, start=1))
    return Reply(question="", answer=answer, grounded=grounded, citations=citations, backend="hand", model=None,
                 error=error)


class HandEngine:
    """Give hand-written replies, so every reader figure is known in advance."""

    def __init__(self, replies):
        self.replies = replies
        self.history = []

    def ask(self, text):
        return self.replies[text]


def test_reader_figures_on_known_replies(tmp_path, passages):
    path = write(
        tmp_path,
        '{"q": "who plays theodore?", "gold": [["joaquin phoenix"]], "kind": "fact"}',
        '{"q": "who directed it?", "gold": [["spike jonze"]], "kind": "fact"}',
        '{"q": "is it sad?", "gold": [["melancholy"], ["theodore\'s loneliness"]], "kind": "opinion"}',
        '{"q": "who made the music?", "gold": [["arcade fire"]], "kind": "fact"}',
        '{"q": "population of tokyo?", "gold": [], "kind": "none"}',
        '{"q": "who scored blade runner?", "gold": [], "kind": "none"}',
    )
    hand = HandEngine({
        # Two quotes shown, one holds the answer (the gold matches whatever the case).
        "who plays theodore?": replied(
            'He is played by "Theodore Twombly (Joaquin Phoenix) writes" [1]\n\nAnd "The city is pastel and warm" [1].',
            PHOENIX),
        "who directed it?": replied("The essays don't say.", grounded=False),
        # The first quote is not in the passage it cites, so it is not shown, though it names the answer.
        "is it sad?": replied('One says "a deep melancholy everywhere" [1] and "of Theodore\'s loneliness" [1].', SAD),
        "who made the music?": replied("", grounded=False, error="the backend broke"),
        "population of tokyo?": replied("The essays don't cover that.", grounded=False),
        "who scored blade runner?": replied('Maybe "The city is pastel and warm" [1].', PHOENIX),
    })
    report = evaluate(load_questions(path), ScriptedSearcher({}), hand, store_passages=passages)
    # Answerable and not failed: theodore, directed, sad. Shown quotes: 2 + 0 + 1 (curly apostrophe folded).
    assert report.quote_answers == Figure(2, 3)
    assert report.quote_precision == Figure(2, 3)
    assert report.answerable_refused == Figure(1, 3)
    assert report.not_covered_refused == Figure(1, 2)
    assert report.quotes_per_reply == Figure(3, 2, "ratio")
    assert report.quotes_verbatim == Figure(4, 5)
    assert report.failed == Figure(1, 6)
    assert [d.shown for d in report.details] == [2, 0, 1, 0, 0, 1]
    assert [d.shown_gold for d in report.details] == [1, 0, 1, 0, 0, 0]
    assert report.of_kind("fact").quote_answers == Figure(1, 2)
    assert report.of_kind("none").quote_answers is None
    assert str(report.quote_answers) == "0.667 (2/3)" and str(report.quotes_per_reply) == "1.50 (3 in 2)"
    assert str(report.mrr) == "0.000 (n=4)"


def test_controls_and_invariants_on_dev(reports):
    hybrid, dense, shuffled = reports["hybrid"], reports["dense"], reports["shuffled"]
    assert hybrid.answerable + hybrid.unanswerable == 49 and hybrid.split == "dev"
    assert hybrid.no_gold == ()
    assert dense.recall.value < hybrid.recall.value and dense.mrr.value < hybrid.mrr.value
    assert shuffled.recall.value <= 0.4 and shuffled.mrr.value < hybrid.mrr.value / 2
    assert shuffled.quote_answers.value < hybrid.quote_answers.value
    assert hybrid.quotes_verbatim.value == 1.0 and hybrid.citation_validity.value == 1.0
    assert hybrid.failed == Figure(0, 49)
    assert hybrid.quote_answers.n == hybrid.answerable_refused.n == hybrid.answerable
    assert hybrid.not_covered_refused.n == hybrid.unanswerable


def test_hybrid_with_the_extractive_engine_holds_its_dev_figures(reports):
    # Floors a little under today's dev figures, so a change that loses ground fails here.
    hybrid = reports["hybrid"]
    assert hybrid.recall.value >= 0.75
    assert hybrid.coverage.value >= 0.75
    assert hybrid.quote_answers.value >= 0.4
    assert hybrid.answerable_refused.value <= 0.25


@pytest.mark.parametrize(("total", "n", "low", "high"), [
    (5, 10, 0.2366, 0.7634), (0, 10, 0.0, 0.2775), (10, 10, 0.7225, 1.0), (1, 20, 0.0089, 0.2361),
])
def test_a_share_comes_with_its_wilson_interval(total, n, low, high):
    # Published values of the Wilson score interval at 95%.
    assert Figure(total, n).interval() == pytest.approx((low, high), abs=1e-4)


def test_a_mean_a_ratio_or_nothing_measured_has_no_interval():
    assert Figure(3.2, 4, "mean").interval() is None and Figure(3, 2, "ratio").interval() is None
    assert Figure(0, 0).interval() is None and Figure(0, 0).shown() == "— (0)"
    assert Figure(2, 4, "mean").shown() == "0.500 (n=4)"


def test_the_table_shows_every_rate_with_its_count(reports):
    table = format_table(reports)
    assert table.splitlines()[0].split() == ["hybrid", "dense", "bm25", "shuffled"]
    for metric in ("recall@5", "MRR@10", "nDCG@10", "coverage@8", "quote answers", "quote precision",
                   "answerable refused", "not-covered refused", "quotes per reply", "quotes verbatim"):
        assert metric in table
    hybrid = reports["hybrid"]
    low, high = hybrid.recall.interval()
    assert f"({hybrid.recall.total:g}/{hybrid.answerable}) [{low:.2f}-{high:.2f}]" in table
    assert f"(n={hybrid.answerable})" in table
    assert "by kind (hybrid):" in table
    assert table.split("by kind (hybrid):\n")[1].splitlines()[0].split() == hybrid.kinds()
    assert "misses (shuffled):" in table
    assert "—" in table  # dense and bm25 were measured without an engine


def test_the_json_report_is_plain_data_with_counts_and_kinds(reports):
    hybrid = reports["hybrid"]
    data = json.loads(json.dumps(report_json(hybrid)))
    assert data["retriever"] == "hybrid" and data["split"] == "dev" and data["k"] == 5
    low, high = hybrid.recall.interval()
    assert data["metrics"]["recall@5"] == {"value": hybrid.recall.value, "total": hybrid.recall.total,
                                           "n": hybrid.answerable, "low": low, "high": high}
    assert set(data["metrics"]["MRR@10"]) == {"value", "total", "n"}  # a mean has no share's interval
    assert set(data["kinds"]) == set(KINDS)
    assert data["kinds"]["none"]["not-covered refused"]["n"] == hybrid.unanswerable
    assert data["kinds"]["none"]["recall@5"] is None
    assert len(data["questions"]) == 49
    assert {"q", "kind", "first_rank", "refused", "shown", "shown_gold"} <= set(data["questions"][0])


def test_open_eval_measures_the_retriever_it_was_asked_for(shared_settings, passages):
    settings = shared_settings.with_overrides(backend="extractive")
    searcher, found, engine = open_eval(settings, retriever="bm25", shuffled=True)
    assert isinstance(searcher, ShuffledSearcher) and searcher.inner.name == "bm25"
    assert [p.id for p in found] == [p.id for p in passages]
    assert engine.searcher is searcher and engine.backend.name == "extractive"
    # Test questions never reach the person's memory, nor does their memory shape the answers.
    assert engine.memory is None and engine.spoiler_care is None
    assert open_eval(settings, retriever="dense", answers=False)[2] is None


def test_the_eval_command_measures_one_split(shared_settings, tmp_path, capsys):
    lines = [GOOD, '{"q": "What shot accompanies Samantha\'s goodbye?", "gold": [["dust falling"]], "kind": "opinion"}',
             '{"q": "What is the population of Tokyo?", "gold": [], "kind": "none"}']
    path = write(tmp_path, *lines)
    wanted = [json.loads(line)["q"] for line in lines if split_of(json.loads(line)["q"]) == "test"]
    code = main(["eval", str(path), "--split", "test", "--retriever", "bm25", "--no-answers", "--json",
                 "--data-dir", str(shared_settings.data_dir), "--corpus", str(shared_settings.corpus_dir),
                 "--prompts", str(shared_settings.prompts_dir)])
    captured = capsys.readouterr()
    assert code == 0
    data = json.loads(captured.out)["bm25"]
    assert len(wanted) == 2 and data["split"] == "test" and [q["q"] for q in data["questions"]] == wanted
    assert data["metrics"]["recall@5"] == {"value": 1.0, "total": 1, "n": 1, "low": pytest.approx(0.2065, abs=1e-4),
                                           "high": 1.0}
    assert f"split test, {len(wanted)} of 3 questions" in captured.err
    assert main(["eval", str(write(tmp_path, "{oops", name="bad.jsonl"))]) == 1
    assert f"{tmp_path / 'bad.jsonl'}, line 1: not JSON" in capsys.readouterr().err
