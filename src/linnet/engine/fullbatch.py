"""Full-batch training from the least-squares state: every step costs O(p²), whatever the number of rows.

For the mean squared error of one neuron, ``θ = (kernel; bias)`` and the design ``D = [x, 1]`` (n rows), the
full-batch loss and gradient need only the cross-products of ``[D, y]``::

    L(θ) = |Dθ - y|² / n,        ∇L(θ) = (2/n)(DᵀD·θ - Dᵀy)

A :class:`~linnet.exact.state.LeastSquaresState` holds them (one pass over the data, mergeable across files,
chunks or a cluster's partitions). Any ``p + 2`` rows ``C = [Dc, yc]`` with ``CᵀC = [D, y]ᵀ[D, y]`` give the
same residual norm ``|Dc·θ - yc| = |Dθ - y|`` for every θ, and so the same loss and gradient once scaled by
``sqrt((p + 2) / n)``. ``C`` is the state's centered factor ``R`` (a zero in the column of ones) stacked with
``sqrt(W)·[mean_x, 1, mean_y]``: ``RᵀR + W·m·mᵀ`` is the uncentered ``Σ wᵢ zᵢzᵢᵀ`` of ``zᵢ = [xᵢ, 1, yᵢ]``.

So one full-batch epoch is the trainer's fused step on a batch of ``p + 2`` rows, and SGD, momentum, RMSprop
and Adam follow Keras' ``batch_size=n`` run to float32 round-off (the loss Keras logs is the same mean over the
``n`` rows, before the update). Sample weights are Keras': ``L = Σ wᵢ lᵢ / n``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._validation import FLOATX
from ..exact.state import LeastSquaresState
from .sources import ArrayBatches


class FullBatch:
    """A data source of one batch per epoch, all the rows of ``state``, for ``fit(x=FullBatch(state))``.

    ``fit(x, y, batch_size="full")`` builds one from in-memory arrays; ``linnet.dask.full_batch`` from a Dask
    collection. It serves the fused one-neuron MSE step only (one ``Dense`` unit with a bias, ``loss="mse"``,
    no metrics): any other model is refused when the first epoch starts.

    Parameters
    ----------
    state : LeastSquaresState
        The rows to train on, already reduced (``state.n`` rows, ``state.n_features`` features).

    Examples
    --------
    >>> from linnet.exact import LeastSquaresState
    >>> batch = FullBatch(LeastSquaresState().update([[1.0], [2.0], [3.0]], [2.0, 4.0, 6.0]))
    >>> batch.n_samples, batch.n_features, len(batch)
    (3, 1, 1)
    """

    def __init__(self, state: LeastSquaresState) -> None:
        if not isinstance(state, LeastSquaresState):
            raise TypeError(f"FullBatch expects a linnet LeastSquaresState. Received: {type(state).__name__}")
        if state.n < 1:
            raise ValueError(f"FullBatch needs a state holding at least one row. Received: {state!r}")
        self.state = state.copy()
        self.n_features = state.n_features
        self.n_samples = state.n
        self.nbytes = 0  # the design below is already built: the fused step costs no copy of the data

    def __len__(self) -> int:
        return 1

    def design_batches(self) -> ArrayBatches:
        """The one batch as ``p + 2`` design rows ``[Dc, 1-column]`` and targets, scaled to give ``L`` and ``∇L``."""
        state, p = self.state, self.n_features
        rows = np.zeros((p + 2, p + 2))
        rows[:p + 1, :p] = state.factor[:, :p]
        rows[:p + 1, p + 1] = state.factor[:, p]
        rows[p + 1] = math.sqrt(state.weight) * np.concatenate([state.mean_x, [1.0, state.mean_y]])
        rows *= math.sqrt((p + 2) / state.n)
        design = np.ascontiguousarray(rows[:, :p + 1], dtype=FLOATX)
        return ArrayBatches(design, rows[:, p + 1:].astype(FLOATX), batch_size=p + 2, shuffle=False)

    def epoch(self, rng: Any):
        """Refuse: only the fused one-neuron MSE step can train from the state (see the class docstring)."""
        raise ValueError("Full-batch training from the least-squares state (batch_size='full') needs the fused "
                         "one-neuron step: a model of one Dense unit with a bias, compiled with loss='mse' and no "
                         "metrics. Train other models with an integer batch_size. Received: a model that is not "
                         "of that form.")

    def __repr__(self) -> str:
        return f"FullBatch(n_samples={self.n_samples}, n_features={self.n_features})"


def full_batch_arrays(x: np.ndarray, y: np.ndarray) -> FullBatch:
    """:class:`FullBatch` of checked in-memory arrays ``x (n, p)``, ``y (n, 1)`` (float32; one pass in float64)."""
    return FullBatch(LeastSquaresState(x.shape[1]).update(x, y[:, 0]))
