"""The Hessian of a single neuron's loss in its parameters, seen through the fixed layers around it.

A stack with one trainable ``Dense`` layer is affine in its input: the untrained layers before it (a
``Normalization``) map ``[1, x]`` to ``[1, x] @ lift`` and those after it scale the output by a ``gain``. The
Hessian of the mean loss is then ``c·gain²·liftᵀ ((1/n) [1, x]ᵀ [1, x]) lift`` (its kernel block when the layer
has no bias), read from the data's moments, plus ``2·diag(bias_l2, l2, ..., l2)`` when the layer has L2 penalties.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..engine.regularizers import L1L2
from ..exact.state import Moments


@dataclass(frozen=True)
class SingleNeuron:
    """A stack with one trainable ``Dense`` layer: ``y = gain·(([1, x] @ lift)[:, 1:] @ kernel + bias) + offset``."""

    dense: Any
    lift: np.ndarray
    gain: float
    offset: float

    def curvature(self, loss_curvature: float) -> tuple[float, np.ndarray]:
        """``(c·gain², ridge)``, the last two arguments of :func:`eigenvalues` and :func:`spectrum` for a loss of
        curvature ``c`` (``Loss.curvature()``): ``c`` seen through the output gain, and the curvature the layer's
        L2 penalties add (:func:`penalty_curvature`)."""
        return loss_curvature * self.gain ** 2, penalty_curvature(self.dense)


def _layers_map(layers, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """``(A, b)`` such that the affine ``layers`` map ``z`` (``dim`` features) to ``z @ A + b``."""
    def run(z):
        for layer in layers:
            z = layer.call(z)
        return np.asarray(z, dtype=np.float64)
    offset = run(np.zeros((1, dim)))
    return run(np.eye(dim)) - offset, offset[0]


def _lift(matrix: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """``T`` with ``[1, z] @ T = [1, z @ matrix + offset]``."""
    lift = np.zeros((matrix.shape[0] + 1, matrix.shape[1] + 1))
    lift[0, 0], lift[0, 1:], lift[1:, 1:] = 1.0, offset, matrix
    return lift


def prefix_lift(network) -> np.ndarray:
    """The lift of the untrained layers before the first trainable one (a ``Normalization``, say)."""
    return _lift(*_layers_map(network.layers[:network.first_trainable], network.input_dim))


def single_neuron(network) -> SingleNeuron | None:
    trainable = [i for i, layer in enumerate(network.layers) if layer.trainable_names]
    if len(trainable) != 1:
        return None
    index = trainable[0]
    gain, offset = _layers_map(network.layers[index + 1:], 1)
    return SingleNeuron(network.layers[index], prefix_lift(network), float(gain[0, 0]), float(offset[0]))


def standardizing_lift(moments: Moments) -> np.ndarray:
    """The lift of ``(x - mean) / std`` (a constant column keeps std 1)."""
    std = np.sqrt(np.diag(moments.sxx) / moments.n)
    std = np.where(std > 0, std, 1.0)
    return _lift(np.diag(1.0 / std), -moments.mean_x / std)


def penalty_curvature(dense) -> np.ndarray:
    """``2·(bias_l2, l2, ..., l2)``: what the ``Dense`` layer's L2 penalties add to the diagonal of the Hessian in
    (bias, kernel) (``l2·w²`` has second derivative ``2·l2``). L1 adds no curvature; a regularizer other than
    L1/L2/L1L2 is not counted."""
    def l2(regularizer) -> float:
        return regularizer.l2 if isinstance(regularizer, L1L2) else 0.0
    return 2.0 * np.append(l2(dense.bias_regularizer), np.full(dense.kernel.shape[0], l2(dense.kernel_regularizer)))


def eigenvalues(moments: Moments, lift: np.ndarray, fit_intercept: bool, curvature: float,
                ridge: np.ndarray | None) -> np.ndarray:
    """Ascending eigenvalues of ``H = curvature·liftᵀ((1/n) [1, x]ᵀ [1, x])lift + diag(ridge)`` (``ridge`` over
    (bias, kernel), from :func:`penalty_curvature`; None: no penalty), without the bias row and column if there is
    no intercept."""
    hessian = curvature * (lift.T @ (moments.gram(fit_intercept=True) / moments.n) @ lift)
    if ridge is not None:
        hessian = hessian + np.diag(ridge)
    return np.linalg.eigvalsh(hessian if fit_intercept else hessian[1:, 1:])


def spectrum(moments: Moments, lift: np.ndarray, fit_intercept: bool, curvature: float,
             ridge: np.ndarray | None) -> tuple[float, float]:
    """λmax and λmax/λmin of :func:`eigenvalues`' ``H``."""
    values = eigenvalues(moments, lift, fit_intercept, curvature, ridge)
    largest, smallest = float(values[-1]), float(values[0])
    return largest, largest / smallest if smallest > 1e-12 * largest else math.inf
