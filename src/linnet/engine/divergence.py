"""When a run has diverged (``exploding``, ``DivergenceError``), and what the training loop then keeps and says: the
best weights so far, and the message."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

EXPLOSION_FACTOR = 1e4
RISING_EPOCHS = 3


class DivergenceError(ArithmeticError):
    """Training stopped because the loss became NaN or infinite; ``history`` holds the epochs before it."""

    def __init__(self, message: str, history=None):
        super().__init__(message)
        self.history = history


def exploding(losses: Sequence[float]) -> bool:
    """Whether a run of epoch losses has diverged: a loss is NaN or infinite, or the last loss is more than
    ``EXPLOSION_FACTOR`` (10⁴) times the first and rose in each of the last ``RISING_EPOCHS`` (3) epochs.

    Above the stable learning rate the error along the steepest direction grows by ``|1 - lr·λmax| > 1`` per
    step, so the loss grows geometrically and passes any fixed multiple of its start within a few dozen
    epochs. A converging run stays near or below its first loss: momentum and Adam can overshoot, but by
    factors of a few, not 10⁴, and a single spike is not three rises in a row. The rule compares with the
    first epoch's loss, the scale of the problem; a run that starts at (almost) zero loss, such as one
    initialized at an exact fit, can trip it.

    The rule lives in the engine, not in ``diagnostics``, because the loop applies it: like ``TerminateOnNaN``
    it is the loop's safety, which stops a run before its weights overflow and restores the best ones.
    ``linnet.diagnostics.exploding`` is this function.
    """
    values = [float(value) for value in losses]
    if not all(math.isfinite(value) for value in values):
        return True
    if len(values) <= RISING_EPOCHS or values[-1] <= EXPLOSION_FACTOR * values[0]:
        return False
    recent = values[-RISING_EPOCHS - 1:]
    return all(later > earlier for earlier, later in itertools.pairwise(recent))


class BestWeights:
    """The weights at the end of the epoch with the lowest loss, kept to restore after a divergence."""

    def __init__(self, params: np.ndarray):
        self.params, self.loss = params.copy(), math.inf

    def offer(self, loss: float, params: np.ndarray) -> None:
        if loss < self.loss:
            self.loss = loss
            self.params[...] = params

    def restore(self, params: np.ndarray) -> None:
        params[...] = self.params


def divergence_message(epoch: int, what: str, optimizer) -> str:
    return (f"Training diverged in epoch {epoch + 1}: {what}. The weights were restored to those of the epoch "
            f"with the lowest loss (or the initial ones). The learning rate ({optimizer.learning_rate:g}) is "
            f"probably too large for the scale of the inputs: try a smaller learning rate, or normalize the "
            f"inputs (a Normalization layer adapted to x, or standardized features).")
