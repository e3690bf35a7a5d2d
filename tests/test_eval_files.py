"""The question files under eval/: each loads, each gold phrase is in the essays, and the held-out set is new."""

from __future__ import annotations

import json

import pytest

from companion.config import REPO_ROOT
from companion.evaluation import dev_questions, in_split, load_questions
from companion.text import fold

FILES = (
    "questions.jsonl", "extra_dev.jsonl", "more_dev.jsonl", "chat_dev.jsonl", "probe_dev.jsonl", "paraphrase_dev.jsonl",
    "holdout.jsonl",
)
ESSAYS = fold(" ".join(path.read_text(encoding="utf-8") for path in sorted((REPO_ROOT / "corpus").glob("*.md"))))


@pytest.mark.parametrize("name", FILES)
def test_every_gold_phrase_is_in_the_essays(name):
    # A phrase no essay holds could never be met: its question would count as missed whatever she quoted.
    missing = [(q.q, phrase) for q in load_questions(REPO_ROOT / "eval" / name)
               for group in q.gold for phrase in group if fold(phrase) not in ESSAYS]
    assert not missing


def test_the_held_out_questions_are_none_of_the_others():
    held = {fold(q.q) for q in load_questions(REPO_ROOT / "eval" / "holdout.jsonl")}
    others = {fold(q.q) for name in FILES[:-1] for q in load_questions(REPO_ROOT / "eval" / name)}
    assert len(held) == 50 and not held & others


def test_each_paraphrase_rewords_a_dev_question_and_keeps_its_gold():
    # A paraphrase of a test question, or one answered by other phrases, would tune on test or measure something else.
    dev = {q.q: q for q in dev_questions()}
    path = REPO_ROOT / "eval" / "paraphrase_dev.jsonl"
    lines = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    assert len(lines) == 2 * len(dev) == 450
    assert all(line["of"] in dev and line["style"] in ("close", "far") for line in lines)
    assert all(tuple(map(tuple, line["gold"])) == dev[line["of"]].gold and line["kind"] == dev[line["of"]].kind for line in lines)
    test = {fold(q.q) for q in in_split(load_questions(REPO_ROOT / "eval" / "questions.jsonl"), "test")}
    assert not {fold(line["q"]) for line in lines} & test
