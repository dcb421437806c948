"""The Hessian of a single neuron's loss in its parameters, seen through the fixed layers around it.

A stack with one trainable ``Dense`` layer is affine in its input: the untrained layers before it (a
``Normalization``) map ``[1, x]`` to ``[1, x] @ lift`` and those after it scale the output by a ``gain``. The
Hessian of the mean loss is then ``c·gain²·liftᵀ ((1/n) [1, x]ᵀ [1, x]) lift`` (its kernel block when the layer
has no bias), read from the data's moments.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..exact.state import Moments


@dataclass(frozen=True)
class SingleNeuron:
    """A stack with one trainable ``Dense`` layer: ``y = gain·(([1, x] @ lift)[:, 1:] @ kernel + bias) + offset``."""

    dense: Any
    lift: np.ndarray
    gain: float
    offset: float


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


def spectrum(moments: Moments, lift: np.ndarray, fit_intercept: bool) -> tuple[float, float]:
    """λmax and λmax/λmin of ``(1/n) Xaᵀ Xa`` for ``Xa = [1, x] @ lift`` (without the ones if no intercept)."""
    gram = lift.T @ (moments.gram(fit_intercept=True) / moments.n) @ lift
    eigenvalues = np.linalg.eigvalsh(gram if fit_intercept else gram[1:, 1:])
    largest, smallest = float(eigenvalues[-1]), float(eigenvalues[0])
    return largest, largest / smallest if smallest > 1e-12 * largest else math.inf
