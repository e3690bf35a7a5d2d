"""Learn how a person's question sits against the sentence that answers it: a linear map on question vectors.

MiniLM puts a question near sentences that share its words, not near the sentence that answers it ("who was Jonze
married to?" lands far from "his ex-wife, Sofia Coppola"). The questions written for the sentences
(companion/asked.py) are pairs of the two, so a square matrix applied to the question's vector can be fit, at ingest,
to move each written question toward its own sentence and away from the others (a softmax over the sentences that
have questions, started at the identity and held near it). A new question is moved the same way, and its cosine to
each sentence is one more column for the quote ranker. The sentence vectors stay as they are, so nothing else is
embedded again, and a question costs one matrix product.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Adam's usual moments; the rate and steps are Policy.adapter_*.
BETAS = (0.9, 0.999)
EPSILON = 1e-8


@dataclass(frozen=True)
class AdapterSettings:
    """How the map is fit: steps over all pairs, step size, the softmax's sharpness and the pull to the identity."""

    steps: int
    rate: float
    sharpness: float
    pull: float


@dataclass(frozen=True, eq=False)
class QueryAdapter:
    """A square matrix that moves a question's unit vector toward the sentences answering such questions."""

    matrix: object

    def adapt(self, query):
        """Return the question's vector moved by the matrix, at unit length."""
        import numpy as np

        moved = np.asarray(query, dtype=np.float32) @ self.matrix
        return moved / (np.linalg.norm(moved) or 1.0)


def fit_adapter(questions, sentences, answers: Sequence[int], settings: AdapterSettings) -> QueryAdapter | None:
    """Fit the map from question vectors to the sentence each answers (answers[i] indexes sentences); None without pairs.

    Full-batch Adam on the mean cross-entropy of each question's softmax over all the sentences, plus the pull times
    the squared distance of the matrix from the identity. Deterministic: no sampling. In float32: float64 took twice
    as long (9.0 against 4.2 s for the reader's 768 x 768 map) and moved no cosine by more than 2e-7.
    """
    import numpy as np

    Q = np.asarray(questions, dtype=np.float32)
    S = np.asarray(sentences, dtype=np.float32)
    if not len(Q) or len(S) < 2 or len(answers) != len(Q):
        return None
    dims = Q.shape[1]
    identity = np.eye(dims, dtype=np.float32)
    W = identity.copy()
    first = np.zeros_like(W)
    second = np.zeros_like(W)
    target = np.zeros((len(Q), len(S)), dtype=np.float32)
    target[np.arange(len(Q)), np.asarray(answers)] = 1.0
    for step in range(1, settings.steps + 1):
        moved = Q @ W
        length = np.linalg.norm(moved, axis=1, keepdims=True)
        length[length == 0] = 1.0
        unit = moved / length
        logits = settings.sharpness * unit @ S.T
        logits -= logits.max(axis=1, keepdims=True)
        chances = np.exp(logits)
        chances /= chances.sum(axis=1, keepdims=True)
        toward_unit = settings.sharpness * ((chances - target) / len(Q)) @ S
        toward_moved = (toward_unit - unit * (toward_unit * unit).sum(axis=1, keepdims=True)) / length
        gradient = Q.T @ toward_moved + 2.0 * settings.pull * (W - identity)
        first = BETAS[0] * first + (1 - BETAS[0]) * gradient
        second = BETAS[1] * second + (1 - BETAS[1]) * gradient**2
        W -= settings.rate * (first / (1 - BETAS[0] ** step)) / (np.sqrt(second / (1 - BETAS[1] ** step)) + EPSILON)
    return QueryAdapter(W)
