"""The sentence ranker: a logistic model of each sentence's chance of holding the answer, linear or quadratic.

A linear ranker is a tuple, (bias, one weight per feature). The quadratic one also weighs every product of two
standardised features (a cosine counts for more when the words match too), and maps its chances onto the scale the
policy's floors were calibrated on, by the quantiles of each question's likeliest chances over the same questions, so
a floor keeps cutting about the same share of the likeliest sentences and mostly the order within a question changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from companion.errors import CompanionError


class RankerError(CompanionError):
    """A ranker's numbers do not fit together."""


@dataclass(frozen=True)
class QuadraticRanker:
    """A logistic model over standardised features and their pairwise products, its chances mapped by quantiles."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    bias: float
    linear: tuple[float, ...]
    # One weight per product z_i * z_j with i <= j, row by row: (0,0), (0,1), ..., (0,n-1), (1,1), ...
    pairs: tuple[float, ...]
    # The raw chance at each quantile of the likeliest sentences' chances, rising, and the reference's at the same one.
    knots: tuple[float, ...]
    mapped: tuple[float, ...]

    def __post_init__(self) -> None:
        width = len(self.mean)
        if not width or len(self.scale) != width or len(self.linear) != width:
            raise RankerError(f"a quadratic ranker needs as many means, scales and weights as features ({width})")
        if len(self.pairs) != width * (width + 1) // 2:
            raise RankerError(f"a quadratic ranker over {width} features needs {width * (width + 1) // 2} pair weights")
        if any(s <= 0 for s in self.scale):
            raise RankerError("a quadratic ranker's scales must be positive")
        if len(self.knots) < 2 or len(self.knots) != len(self.mapped):
            raise RankerError("a quadratic ranker needs at least two knots, each with its mapped chance")
        if any(b < a for a, b in zip(self.knots, self.knots[1:])) or any(b < a for a, b in zip(self.mapped, self.mapped[1:])):
            raise RankerError("a quadratic ranker's knots and mapped chances must rise")

    @property
    def width(self) -> int:
        """Return how many features a row must have."""
        return len(self.mean)

    def raw(self, features):
        """Return each row's chance before the map onto the floors' scale."""
        import numpy as np

        logit = self.bias + quadratic_terms(features, self.mean, self.scale) @ np.asarray(self.linear + self.pairs)
        return 1.0 / (1.0 + np.exp(-logit))

    def chances(self, features):
        """Return each row's chance on the scale the floors were calibrated on."""
        import numpy as np

        return np.interp(self.raw(features), self.knots, self.mapped)


Ranker = Sequence[float] | QuadraticRanker


def quadratic_terms(features, mean: Sequence[float], scale: Sequence[float]):
    """Return each row's standardised features followed by every product of two of them (i <= j), row by row."""
    import numpy as np

    z = (np.asarray(features, dtype=np.float64) - np.asarray(mean)) / np.asarray(scale)
    upper = np.triu_indices(z.shape[1])
    return np.hstack([z, z[:, upper[0]] * z[:, upper[1]]])


def ranker_width(model: Ranker) -> int:
    """Return how many features a ranker reads."""
    return model.width if isinstance(model, QuadraticRanker) else len(model) - 1


def answer_chances(features, model: Ranker):
    """Return each row's fitted chance of holding the answer."""
    import numpy as np

    if isinstance(model, QuadraticRanker):
        return model.chances(features)
    bias, *weights = model
    return 1.0 / (1.0 + np.exp(-(bias + features @ np.asarray(weights, dtype=np.float64))))
