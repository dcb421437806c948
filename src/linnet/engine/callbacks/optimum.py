"""``StopAtOptimum``: stop when the training loss is within a relative tolerance of the least-squares loss.

A linear neuron trained with the mean squared error has a known best loss, ``ssr/n`` of least squares on the
same rows, so training can stop when it gets there instead of after a fixed number of epochs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..._validation import FLOATX, boolean, features, real_number, targets
from .base import Callback

EPS32 = float(np.finfo(np.float32).eps)
ROUND_OFF_MARGIN = 4.0
"""A loss above the optimum's by at most this many times :func:`float32_excess` is float32 round-off: "at the
optimum" even where least squares fits exactly (``L* = 0``). (A fixed allowance of ``eps32²·mean(y²)``, used
before, is ~25 times too wide for a target far from 0: y = 3e6 + 0.3x was called converged with its slope at
-0.05 instead of 0.3.)"""


def float32_excess(x: np.ndarray, y: np.ndarray, coef: np.ndarray, intercept: float) -> float:
    """How much the mean squared error of the optimum ``(coef, intercept)`` grows when its parameters are rounded to
    float32, as a trained neuron's are: ``mean((x·c₃₂ + b₃₂ - y)²) - mean((x·c + b - y)²)`` (at least 0). No
    float32 neuron is reliably closer to the optimum than that."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64).reshape(-1)
    coef, intercept = np.asarray(coef, np.float64).reshape(-1), float(intercept)
    with np.errstate(over="ignore", invalid="ignore"):
        exact = np.mean((x @ coef + intercept - y) ** 2)
        rounded = np.mean((x @ coef.astype(np.float32) + float(np.float32(intercept)) - y) ** 2)
    excess = float(rounded - exact)
    return excess if excess > 0 else 0.0


def round_off(x: np.ndarray, y: np.ndarray, coef: np.ndarray, intercept: float) -> float:
    """The loss gap to the optimum that float32 round-off explains: :data:`ROUND_OFF_MARGIN` times
    :func:`float32_excess`, or, for a constant ``y`` (slopes 0 and intercept ``y``, which float32 may hold exactly),
    times ``eps32²·mean(y²)``, the float32 resolution of ``y`` itself: a neuron's float32 output adds no term below
    it, so its slopes stop wherever they are that small (y = 5 leaves them at ~1e-8)."""
    y = np.asarray(y, np.float64).reshape(-1)
    if np.ptp(y) > 0:
        return ROUND_OFF_MARGIN * float32_excess(x, y, coef, intercept)
    return ROUND_OFF_MARGIN * EPS32 ** 2 * float(np.mean(y ** 2))


class StopAtOptimum(Callback):
    """Stop ``fit`` at the end of the first epoch whose weights have a loss at most ``(1 + tolerance)·L*``.

    ``L* = ssr/n`` is the least-squares MSE on ``(x, y)``, the rows ``fit`` trains on (without any validation
    tail), with an intercept iff ``fit_intercept``; ``x`` and ``y`` are rounded to float32 first, as the neuron sees
    them, so ``L*`` is attainable. With an intercept the loss of the end-of-epoch weights is computed exactly, in
    float64, from the loss surface (``L* + (c - c*)'S(c - c*) + (mean(x)·(c - c*) + b - b*)²``, the model folded
    into one affine map), so tolerances far below float32's resolution of the logged loss can be asked for; without
    one, the logged epoch ``loss`` is compared. A gap below float32 round-off (:data:`ROUND_OFF_MARGIN` times the
    optimum's :func:`float32_excess`) also counts
    (an exact fit has ``L* = 0``). ``optimum`` is ``L*`` and ``stopped_epoch`` the epoch stopped at (0-based; None
    if the tolerance was never met). Least squares is solved once, without ``ols``' warnings about its
    coefficients: a rank-deficient or ill-conditioned design leaves ``L*`` and the gap exact, and the answer
    itself, with those warnings, is what ``compare_to_ols`` or ``linnet.stats.ols`` show.

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
        from ...exact import Moments, OLSResult  # on first use: import linnet stays light
        from ...exact.surface import LossSurface
        state = Moments().update(x, y)
        fit_intercept = boolean(fit_intercept, "fit_intercept")
        result = OLSResult.from_moments(state, fit_intercept, warn=False)  # only the least loss is used
        self.optimum = float(result.ssr / result.nobs)
        self._surface = LossSurface(state, least_squares=result) if fit_intercept else None
        power = float(np.mean(y ** 2))
        self._round_off = round_off(x, y, result.coef_, result.intercept_)
        self.threshold = ((1.0 + self.tolerance) * self.optimum + 2 * EPS32 * np.sqrt(power * self.optimum / len(y))
                          + self._round_off)  # for the logged float32 loss, without an intercept
        self.stopped_epoch: int | None = None

    def on_train_begin(self, logs=None):
        self.stopped_epoch = None

    def on_epoch_end(self, epoch, logs=None):
        if self._at_optimum(logs or {}):
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def _at_optimum(self, logs: dict) -> bool:
        if self._surface is None:
            return logs.get("loss") is not None and logs["loss"] <= self.threshold
        coef, intercept = self.model.network.affine()
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run gives inf: not at the optimum
            gap = float(self._surface.gap(coef, intercept))
        return gap <= self.tolerance * self.optimum + self._round_off
