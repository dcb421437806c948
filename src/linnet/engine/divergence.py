"""When a run has diverged (``exploding``, ``DivergenceError``), and what the training loop then keeps and says: the
best weights so far, and the message."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from .optimizers import SGD

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
    """The weights the epoch with the lowest loss started from, kept to restore after a divergence.

    An epoch's loss is measured along its steps from the weights it started from, so those are the weights it
    vouches for; its last steps may already have thrown the weights far off (finite, but huge), and the next
    epoch, with a higher loss, started from them.
    """

    def __init__(self, params: np.ndarray):
        self.params, self.start, self.loss = params.copy(), params.copy(), math.inf

    def begin(self, params: np.ndarray) -> None:
        """Note the weights an epoch starts from."""
        self.start[...] = params

    def offer(self, loss: float) -> None:
        """Keep the epoch's starting weights if its ``loss`` is the lowest so far."""
        if loss < self.loss:
            self.loss = loss
            self.params[...] = self.start

    def restore(self, params: np.ndarray) -> None:
        params[...] = self.params


def divergence_message(epoch: int, what: str, optimizer, sample_weight: np.ndarray | None = None) -> str:
    """What diverged, what was restored, and the likely cause: sample weights whose mean exceeds
    :data:`WEIGHT_SCALE`, else the learning rate for the scale of the inputs."""
    cause = _weights_cause(sample_weight, optimizer) if sample_weight is not None else None
    return (f"Training diverged in epoch {epoch + 1}: {what}. The weights were restored to those the epoch "
            f"with the lowest loss started from (the initial ones if none). " + (cause or
            f"The learning rate ({optimizer.learning_rate:g}) is probably too large for the scale of the inputs: "
            f"try a smaller learning rate, or normalize the inputs (a Normalization layer adapted to x, or "
            f"standardized features)."))


WEIGHT_SCALE = 10.0
"""Sample weights of a larger mean are named as the cause of a divergence: the loss ``Σ w·l / n`` and its gradient
grow with ``mean(w)``, so SGD steps as with a learning rate ``mean(w)`` times its own (the adaptive optimizers
divide that scale out of their steps), and float32 overflows sooner. Below it the learning rate, the usual cause,
is named."""


def _weights_cause(sample_weight: np.ndarray, optimizer) -> str | None:
    """The sample weights as the cause, when their mean exceeds ``WEIGHT_SCALE``; SGD's step scaled by them is named
    only for SGD (Adam and the other adaptive optimizers take steps of about the learning rate whatever the scale)."""
    mean, largest = float(np.mean(sample_weight, dtype=np.float64)), float(np.max(sample_weight))
    if not mean > WEIGHT_SCALE:
        return None
    scaled_steps = (f" and SGD steps as with a learning rate {mean:.3g} times {optimizer.learning_rate:g}"
                    if isinstance(optimizer, SGD) else "")
    return (f"The sample weights are large: the loss and its gradient are sums weighted by them, so they overflow "
            f"float32 sooner{scaled_steps}. Divide sample_weight by its mean: the minimum stays where it is, since "
            f"only the weights' ratios place it. Received: sample_weight with mean {mean:.3g} and largest "
            f"{largest:.3g}")
