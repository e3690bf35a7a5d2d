"""The sentence ranker's two forms: the linear tuple and the quadratic model with its map onto the floors' scale."""

from __future__ import annotations

import math

import numpy as np
import pytest

from companion.errors import CompanionError
from companion.policy import POLICY
from companion.ranker import QuadraticRanker, RankerError, answer_chances, ranker_width
from companion.ranker_weights import RANKER, REFERENCE
from companion.retrieval.sentences import FEATURES

IDENTITY = (0.0, 1.0)


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def test_a_quadratic_ranker_without_pair_weights_is_the_linear_one_on_standardised_features():
    quadratic = QuadraticRanker((1.0, 2.0), (2.0, 0.5), -0.5, (0.8, -1.2), (0.0, 0.0, 0.0), IDENTITY, IDENTITY)
    # The same model on the raw features: z = (x - mean) / scale, folded into the bias and weights.
    linear = (-0.5 - 0.8 * 1.0 / 2.0 + 1.2 * 2.0 / 0.5, 0.8 / 2.0, -1.2 / 0.5)
    rows = np.array([[0.0, 0.0], [3.0, 2.5], [-1.0, 4.0]])
    assert np.allclose(answer_chances(rows, quadratic), answer_chances(rows, linear))


def test_pair_weights_multiply_the_standardised_features_in_row_order():
    # Pairs (0,0), (0,1), (1,1): only the product of the two features is weighed.
    ranker = QuadraticRanker((0.0, 0.0), (1.0, 1.0), 0.0, (0.0, 0.0), (0.0, 2.0, 0.0), IDENTITY, IDENTITY)
    chances = answer_chances(np.array([[1.0, 1.0], [1.0, -1.0], [3.0, 0.0]]), ranker)
    assert chances == pytest.approx([sigmoid(2.0), sigmoid(-2.0), 0.5])


def test_chances_are_mapped_onto_the_reference_scale_keeping_their_order():
    # A raw chance of 0.5 is where the reference's is 0.2: a floor of 0.2 cuts where 0.5 did.
    ranker = QuadraticRanker((0.0,), (1.0,), 0.0, (1.0,), (0.0,), (0.0, 0.5, 1.0), (0.0, 0.2, 1.0))
    rows = np.array([[-3.0], [0.0], [0.5], [3.0]])
    raw = ranker.raw(rows)
    mapped = answer_chances(rows, ranker)
    assert mapped[1] == pytest.approx(0.2)
    assert list(np.argsort(mapped)) == list(np.argsort(raw))
    assert mapped[0] < raw[0] and 0.0 <= mapped.min() and mapped.max() <= 1.0


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        (dict(scale=(1.0,)), "as many means, scales and weights"),
        (dict(pairs=(0.0, 0.0)), "3 pair weights"),
        (dict(scale=(1.0, 0.0)), "scales must be positive"),
        (dict(knots=(0.0,), mapped=(0.0,)), "at least two knots"),
        (dict(knots=(0.0, 0.6, 0.4)), "must rise"),
        (dict(mapped=(0.0, 0.9, 0.1)), "must rise"),
    ],
)
def test_numbers_that_do_not_fit_together_are_refused_with_what_is_wrong(fields, says):
    good = dict(mean=(0.0, 0.0), scale=(1.0, 1.0), bias=0.0, linear=(0.0, 0.0), pairs=(0.0, 0.0, 0.0),
                knots=(0.0, 0.5, 1.0), mapped=(0.0, 0.2, 1.0))
    with pytest.raises(RankerError, match=says) as raised:
        QuadraticRanker(**{**good, **fields})
    assert isinstance(raised.value, CompanionError)


def test_the_shipped_ranker_reads_every_feature_and_maps_zero_and_one_to_themselves():
    assert POLICY.ranker(True) is RANKER
    assert ranker_width(RANKER) == len(FEATURES) == ranker_width(REFERENCE)
    assert (RANKER.knots[0], RANKER.mapped[0], RANKER.knots[-1], RANKER.mapped[-1]) == (0.0, 0.0, 1.0, 1.0)
    # The map lowers chances overall: the quadratic model is surer of its best sentence than the linear one was.
    middle = len(RANKER.knots) // 2
    assert RANKER.mapped[middle] < RANKER.knots[middle]
