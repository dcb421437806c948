"""``SGD(learning_rate="auto")``: the learning rate (and momentum) of fastest contraction, from the Hessian.

On a single neuron the loss is quadratic (or bounded in curvature) in ``θ = (bias, kernel)``; its Hessian, seen
through the fixed layers around the neuron and with its L2 penalties (``_hessian``), has eigenvalues
``λmin..λmax`` (``κ = λmax/λmin``; directions with zero curvature, along which the loss is flat, are left out).
Gradient descent shrinks the error along each eigenvector by ``|1 − lr·λ|`` per step, which is smallest over the
whole spectrum at

    lr = 2 / (λmax + λmin)                 rate (κ − 1)/(κ + 1)

and heavy-ball momentum ``μ`` shrinks it by at most ``√μ`` when ``(1 − √μ)² ≤ lr·λ ≤ (1 + √μ)²``, which the
choice ``lr = 2(1 + μ)/(λmax + λmin)`` centres; Polyak's optimum is

    μ = ((√κ − 1)/(√κ + 1))²,   lr = 4 / (√λmax + √λmin)²,   rate (√κ − 1)/(√κ + 1).

Mini-batches see noisy gradients of the same Hessian: the rate is chosen for the full batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import boolean
from ..engine.network import built_network
from ..exact.state import Moments
from ._hessian import eigenvalues as hessian_eigenvalues
from ._hessian import single_neuron
from .stability import trainable_x

FLAT = 1e-10
"""Eigenvalues below ``FLAT·λmax`` are flat directions (collinear or constant columns), left out of ``λmin``."""


@dataclass(frozen=True)
class AutoRate:
    """The learning rate and momentum ``SGD(learning_rate="auto")`` uses, and the eigenvalues they come from."""

    learning_rate: float
    momentum: float
    largest_eigenvalue: float
    smallest_eigenvalue: float

    def __str__(self) -> str:
        rule = ("4/(√λmax + √λmin)², momentum ((√κ − 1)/(√κ + 1))²" if self.momentum
                else "2/(λmax + λmin)")
        return (f"learning_rate='auto': {self.learning_rate:.4g}" + (f", momentum {self.momentum:.4g}"
                if self.momentum else "") + f" ({rule}; Hessian eigenvalues {self.smallest_eigenvalue:.4g}.."
                f"{self.largest_eigenvalue:.4g})")


def auto_rate(model, x: Any, momentum: bool = False) -> AutoRate:
    """The rate of fastest contraction of gradient descent for ``model`` (one trainable ``Dense``) on ``x``.

    Examples
    --------
    ``x = [1, 2, 3]`` with MSE and a bias: ``H = (2/3)·[[3, 6], [6, 14]]``, ``λ = (17 ± √265)/3``, so
    ``lr = 2/(34/3) = 3/17 ≈ 0.176``.
    """
    network = built_network(model)
    neuron = single_neuron(network)
    curvature = model.loss.curvature() if model.loss is not None else 0.0
    if neuron is None or not curvature:
        raise ValueError("learning_rate='auto' needs one trainable Dense layer and a loss with curvature (mse, "
                         f"huber, log_cosh). Received: {len(network.layers)} layer(s), loss {model.loss!r}")
    x = trainable_x(x, network.input_dim, np.float64)
    moments = Moments().update(x, np.zeros(x.shape[0]))
    eigenvalues = hessian_eigenvalues(moments, neuron.lift, neuron.dense.use_bias, *neuron.curvature(curvature))
    largest = float(eigenvalues[-1])
    if not largest > 0:
        raise ValueError("learning_rate='auto' needs inputs that vary: the loss has no curvature on x. "
                         f"Received: x with {x.shape[0]} row(s) whose Hessian is zero")
    smallest = float(eigenvalues[eigenvalues > FLAT * largest][0])
    if not boolean(momentum, "momentum"):
        return AutoRate(2.0 / (largest + smallest), 0.0, largest, smallest)
    root = np.sqrt(largest / smallest)
    return AutoRate(4.0 / (np.sqrt(largest) + np.sqrt(smallest)) ** 2, float(((root - 1) / (root + 1)) ** 2),
                    largest, smallest)
