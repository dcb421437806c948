"""``StopAtOptimum``: stop when the training loss is within a relative tolerance of the least-squares loss.

A linear neuron trained with the mean squared error has a known best loss, ``ssr/n`` of least squares on the
same rows, so training can stop when it gets there instead of after a fixed number of epochs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..._validation import FLOATX, features, real_number, targets
from ...exact.results import OLSResult
from ...exact.state import Moments
from .base import Callback

EPS32 = float(np.finfo(np.float32).eps)
ROUND_OFF = EPS32 ** 2
"""Losses below ``ROUND_OFF·mean(y²)`` are float32 round-off of the predictions: "at the optimum" even when
least squares fits exactly (``L* = 0``)."""


class StopAtOptimum(Callback):
    """Stop ``fit`` at the end of the first epoch whose ``loss`` is at most ``(1 + tolerance)·L*``.

    ``L* = ssr/n`` is the least-squares MSE on ``(x, y)``, the rows ``fit`` trains on (without any validation
    tail), with an intercept iff ``fit_intercept``; ``x`` and ``y`` are rounded to float32 first, as the neuron sees
    them, so ``L*`` is attainable; a loss below float32 round-off, ``ROUND_OFF·mean(y²)``, also counts (an exact fit
has ``L* = 0``). The epoch's ``loss`` is Keras' running mean of the batch losses, each taken before
    its update: with one batch per epoch, the loss of the weights the epoch started from. ``optimum`` is ``L*``
    and ``stopped_epoch`` the epoch stopped at (0-based; None if the tolerance was never met).

    Examples
    --------
    ``StopAtOptimum(x, y, tolerance=1e-4)`` in ``fit(x, y, epochs=1000, batch_size=len(x), callbacks=[...])``
    ends as soon as the loss is within 0.01% of least squares'.
    """

    def __init__(self, x: Any, y: Any, tolerance: float = 1e-3, fit_intercept: bool = True):
        super().__init__()
        x = features(x, "x", dtype=FLOATX).astype(np.float64)
        y = targets(y, x.shape[0], "y", dtype=FLOATX)[:, 0].astype(np.float64)
        self.tolerance = real_number(tolerance, "tolerance", low=0.0)
        result = OLSResult.from_moments(Moments().update(x, y), bool(fit_intercept))
        self.optimum = float(result.ssr / result.nobs)
        power = float(np.mean(y ** 2))
        self.threshold = ((1.0 + self.tolerance) * self.optimum + 2 * EPS32 * np.sqrt(power * self.optimum / len(y))
                          + ROUND_OFF * power)
        self.stopped_epoch: int | None = None

    def on_train_begin(self, logs=None):
        self.stopped_epoch = None

    def on_epoch_end(self, epoch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and loss <= self.threshold:
            self.stopped_epoch = epoch
            self.model.stop_training = True
