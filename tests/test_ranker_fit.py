"""The sentence ranker's fit (benchmarks/ranker_fit.py): a plain logistic model, or one that also weighs each question's first place."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest

from companion.config import REPO_ROOT

pytest.importorskip("sklearn")


@pytest.fixture(scope="module")
def ranker_fit():
    benchmarks = str(REPO_ROOT / "benchmarks")
    sys.path.insert(0, benchmarks)
    try:
        spec = importlib.util.spec_from_file_location("ranker_fit", REPO_ROOT / "benchmarks" / "ranker_fit.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(benchmarks)


def questions(seed: int, count: int = 60, size: int = 12, many: bool = False):
    """Return (features, labels) blocks: one answering sentence a question, found by the first feature mostly.

    many: every other question has eight answering sentences, found by the second feature instead: they hold most of
    the answering sentences, and weigh most in each sentence's own loss.
    """
    rng = np.random.default_rng(seed)
    blocks = []
    for i in range(count):
        x = rng.normal(size=(size, 2))
        y = np.zeros(size, dtype=int)
        if many and i % 2:
            y[np.argsort(-x[:, 1])[:8]] = 1
        else:
            y[int(np.argmax(x[:, 0] + rng.normal(scale=0.3, size=size)))] = 1
        blocks.append((x, y))
    return blocks


def test_without_the_listwise_loss_the_fit_is_sklearns_logistic_regression(ranker_fit):
    from sklearn.linear_model import LogisticRegression

    from companion.ranker import quadratic_terms

    blocks = questions(1)
    ranker = ranker_fit.fit(blocks, C=0.5)
    X = np.vstack([x for x, _ in blocks])
    y = np.concatenate([v for _, v in blocks])
    P = quadratic_terms(X, np.asarray(ranker.mean), np.asarray(ranker.scale))
    centre, spread = P.mean(axis=0), P.std(axis=0)
    model = LogisticRegression(C=0.5, max_iter=10000, tol=1e-10).fit((P - centre) / spread, y)
    assert np.allclose(ranker.raw(X), model.predict_proba((P - centre) / spread)[:, 1], atol=1e-4)


def test_the_listwise_loss_puts_the_one_answering_sentence_first_more_often(ranker_fit):
    train, held = questions(2, 80, many=True), questions(3, 40)

    def firsts(ranker) -> int:
        return sum(int(y[int(np.argmax(ranker.raw(x)))]) for x, y in held)

    # Each sentence's own loss is ruled by the questions with many answers; each question counts once in a softmax.
    assert firsts(ranker_fit.fit(train, C=0.5, listwise=1.0)) > firsts(ranker_fit.fit(train, C=0.5)) + 3
