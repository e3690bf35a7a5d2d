"""The evaluation harness, run over the real corpus, index and extractive engine."""

from __future__ import annotations

import json
import math

import pytest

from companion.errors import CompanionError
from companion.evaluation import (
    EvalError, Question, ShuffledSearcher, evaluate, format_table, load_questions, open_eval, report_json,
)
from companion.retrieval.store import Hit
from companion.text import fold

from tests.conftest import EVAL


@pytest.fixture(scope="module")
def questions():
    return load_questions(EVAL)


@pytest.fixture(scope="module")
def passages(retrieval):
    return retrieval.store.all_passages()


@pytest.fixture(scope="module")
def reports(retrieval, shared_settings, prompts, questions, passages):
    """Evaluate hybrid (with the extractive engine), dense, bm25 and a shuffled index once for the module."""
    from companion.backends.extractive import ExtractiveBackend
    from companion.engine import Engine
    from companion.retrieval.service import open_retrieval

    def engine_over(searcher):
        return Engine(searcher=searcher, backend=ExtractiveBackend(), prompts=prompts)

    shuffled = ShuffledSearcher(retrieval.searcher, passages)
    found = {"hybrid": evaluate(questions, retrieval.searcher, engine_over(retrieval.searcher),
                                store_passages=passages, name="hybrid")}
    for name in ("dense", "bm25"):
        searcher = open_retrieval(shared_settings, retriever=name).searcher
        found[name] = evaluate(questions, searcher, store_passages=passages, name=name)
    found["shuffled"] = evaluate(questions, shuffled, engine_over(shuffled), store_passages=passages, name="shuffled")
    return found


def write(tmp_path, *lines: str):
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = '{"q": "Who wrote Being John Malkovich?", "gold": [["charlie kaufman"]], "kind": "fact"}'


def test_the_shared_questions_load(questions):
    assert len(questions) == 22
    assert questions[0] == Question(
        "What company does Theodore work for?",
        (("beautifulhandwrittenletters.com",), ("beautiful hand-written letters",)), "fact",
    )
    assert [q.q for q in questions if not q.answerable] == [
        "What is the population of Tokyo?", "Who composed the music for Blade Runner?",
    ]
    assert all(q.gold == () for q in questions if q.kind == "none")


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('{"q": "Who?", "gold": [["x"]], "kind": "fact"', "not JSON"),
        ('["Who?", [["x"]], "fact"]', "expected a JSON object"),
        ('{"gold": [["x"]], "kind": "fact"}', "missing q"),
        ('{"q": "  ", "gold": [["x"]], "kind": "fact"}', "missing q"),
        ('{"q": "Who?", "gold": ["x"], "kind": "fact"}', "gold must be a list of lists of non-empty strings"),
        ('{"q": "Who?", "gold": [[1]], "kind": "fact"}', "gold must be a list of lists of non-empty strings"),
        ('{"q": "Who?", "gold": [[]], "kind": "fact"}', "gold must be a list of lists of non-empty strings"),
        ('{"q": "Who?", "gold": "x", "kind": "fact"}', "gold must be a list of lists of non-empty strings"),
        ('{"q": "Who?", "gold": [["x"]], "kind": "trivia"}', "unknown kind 'trivia'"),
        ('{"q": "Who?", "gold": [["x"]]}', "unknown kind None"),
        ('{"q": "Who?", "gold": [["x"]], "kind": "none"}', "gold must be []"),
        ('{"q": "Who?", "gold": [], "kind": "fact"}', "needs at least one gold group"),
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


def test_hybrid_retrieval_finds_the_gold_passages(reports):
    hybrid = reports["hybrid"]
    assert hybrid.answerable == 20 and hybrid.unanswerable == 2
    assert hybrid.recall >= 0.95
    assert hybrid.mrr >= 0.85
    assert hybrid.ndcg >= 0.80 and hybrid.coverage >= 0.9
    assert hybrid.no_gold == ()


def test_gold_matches_after_folding_quotes_and_case(reports):
    detail = {d.q: d for d in reports["hybrid"].details}
    # Gold "i'm a bitch, right?" against the essay's "I’m a bitch, right?”".
    amy = detail["What does Amy say after explaining the argument that ended her marriage?"]
    assert amy.gold_in_corpus == 1 and amy.first_rank is not None
    company = detail["What company does Theodore work for?"]
    assert company.groups == 2 and company.gold_in_corpus >= 1


def test_dense_alone_is_measurably_worse_than_hybrid(reports):
    hybrid, dense = reports["hybrid"], reports["dense"]
    assert dense.recall <= hybrid.recall - 0.1
    assert dense.mrr < hybrid.mrr and dense.coverage < hybrid.coverage


def test_a_shuffled_index_scores_low(reports):
    shuffled, hybrid = reports["shuffled"], reports["hybrid"]
    assert shuffled.recall <= 0.5
    assert shuffled.mrr <= 0.3 and shuffled.mrr < hybrid.mrr / 2
    assert shuffled.coverage <= 0.5


def test_the_extractive_engine_refuses_what_the_essays_do_not_cover(reports):
    hybrid = reports["hybrid"]
    assert hybrid.refusal_accuracy == 1.0
    assert hybrid.false_refusals <= 1
    assert hybrid.answered_verified >= 0.9


def test_every_quote_is_verbatim_and_every_citation_verified(reports):
    hybrid = reports["hybrid"]
    assert hybrid.quotes_verbatim == 1.0
    assert hybrid.citation_validity == 1.0
    assert sum(d.quotes for d in hybrid.details) >= 20


def test_shuffling_is_a_fixed_permutation_to_other_passages(retrieval, passages):
    one = ShuffledSearcher(retrieval.searcher, passages, seed=0)
    again = ShuffledSearcher(retrieval.searcher, passages, seed=0)
    other = ShuffledSearcher(retrieval.searcher, passages, seed=1)
    assert {k: v.id for k, v in one.mapping.items()} == {k: v.id for k, v in again.mapping.items()}
    assert {k: v.id for k, v in one.mapping.items()} != {k: v.id for k, v in other.mapping.items()}
    assert sorted(v.id for v in one.mapping.values()) == sorted(p.id for p in passages)
    assert all(k != v.id for k, v in one.mapping.items())
    query = "What shot accompanies Samantha's goodbye?"
    inner, swapped = retrieval.searcher.search(query, 5), one.search(query, 5)
    assert [(h.rank, h.score) for h in swapped] == [(h.rank, h.score) for h in inner]
    assert [h.passage.id for h in swapped] == [one.mapping[h.passage.id].id for h in inner]
    assert one.idf("theodore") == retrieval.searcher.idf("theodore")


class ScriptedSearcher:
    """Return fixed real passages per question, so every rank is known."""

    name = "scripted"

    def __init__(self, script):
        self.script = script

    def search(self, query, k=5):
        return [Hit(rank=i, passage=p, score=1.0 / i) for i, p in enumerate(self.script[query][:k], start=1)]


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
        '{"q": "both", "gold": [["dust falling through the air"], ["empaths"]], "kind": "opinion"}',
        '{"q": "Tokyo", "gold": [], "kind": "none"}',
    )
    script = {
        "dust": [filler[0], filler[1], dust[0], filler[2]],  # first relevant at 3
        "empaths": [empaths[0], filler[0], empaths[1]],  # relevant at 1 and 3 of 3 in the corpus
        "lasagna": filler[:10],  # no gold passage exists
        "both": [filler[0], empaths[0], *filler[1:7], dust[0]],  # group 2 at rank 2, group 1 at rank 9
    }
    report = evaluate(load_questions(path), ScriptedSearcher(script), store_passages=passages)

    def dcg(*ranks):
        return sum(1 / math.log2(r + 1) for r in ranks)

    assert report.answerable == 4 and report.unanswerable == 1
    assert [d.first_rank for d in report.details] == [3, 1, None, 2, None]
    assert report.recall == pytest.approx(3 / 4)
    assert report.mrr == pytest.approx((1 / 3 + 1 + 0 + 1 / 2) / 4)
    per_question = [dcg(3) / dcg(1), dcg(1, 3) / dcg(1, 2, 3), 0.0, dcg(2, 9) / dcg(1, 2, 3, 4)]
    assert [d.ndcg for d in report.details[:4]] == pytest.approx(per_question)
    assert report.ndcg == pytest.approx(sum(per_question) / 4)
    assert report.coverage == pytest.approx((1 + 1 + 0 + 1 / 2) / 4)
    assert report.no_gold == ("lasagna",)
    assert report.refusal_accuracy is None and report.quotes_verbatim is None
    assert evaluate(load_questions(path), ScriptedSearcher(script), store_passages=passages, k=3).recall == 0.75
    assert evaluate(load_questions(path), ScriptedSearcher(script), store_passages=passages, k=2).recall == 0.5


def test_the_table_puts_retrievers_side_by_side(reports):
    table = format_table(reports)
    header = table.splitlines()[0].split()
    assert header == ["hybrid", "dense", "bm25", "shuffled"]
    for metric in ("recall@5", "MRR@10", "nDCG@10", "coverage@8", "refusal accuracy",
                   "answered with verified citation", "citation validity", "quotes verbatim", "false refusals"):
        assert metric in table
    assert "misses (shuffled):" in table
    assert "—" in table  # dense and bm25 were measured without an engine


def test_the_json_report_is_plain_data(reports):
    data = json.loads(json.dumps(report_json(reports["hybrid"])))
    assert data["retriever"] == "hybrid" and data["k"] == 5
    assert set(data["metrics"]) >= {"recall@5", "MRR@10", "nDCG@10", "coverage@8", "refusal accuracy"}
    assert data["metrics"]["recall@5"] == reports["hybrid"].recall
    assert len(data["questions"]) == 22
    assert {"q", "kind", "first_rank", "refused", "cited", "verified"} <= set(data["questions"][0])


def test_open_eval_measures_the_retriever_it_was_asked_for(shared_settings, passages):
    settings = shared_settings.with_overrides(backend="extractive")
    searcher, found, engine = open_eval(settings, retriever="bm25", shuffled=True)
    assert isinstance(searcher, ShuffledSearcher) and searcher.inner.name == "bm25"
    assert [p.id for p in found] == [p.id for p in passages]
    assert engine.searcher is searcher and engine.backend.name == "extractive"
    assert open_eval(settings, retriever="dense", answers=False)[2] is None
