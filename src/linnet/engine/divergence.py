"""What the training loop keeps and says when a run diverges: the best weights so far, and the message."""

from __future__ import annotations

import math

import numpy as np


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
