"""A regularized model's penalty in the units of ``x``: what its exact (penalized) optimum minimizes.

A ``Dense`` layer's ``kernel_regularizer`` penalizes the kernel ``k`` the neuron sees. With fixed layers before it
that scale each input (a ``Normalization``: ``x' = x·A + a``, ``A`` diagonal) and a gain after it, the model's
coefficients in the units of ``x`` are ``cⱼ = gain·Aⱼⱼ·kⱼ``, so ``l1·|kⱼ| = (l1/|gain·Aⱼⱼ|)·|cⱼ|`` and
``l2·kⱼ² = (l2/(gain·Aⱼⱼ)²)·cⱼ²``: per-coefficient penalties for :func:`linnet.exact.penalized.penalized`. A
``bias_regularizer`` maps to the intercept only when nothing shifts or scales around the neuron.
"""

from __future__ import annotations

import numpy as np

from ..engine.regularizers import L1L2
from ..exact.penalized import Penalty
from ._hessian import single_neuron


def model_penalty(network) -> Penalty | None:
    """The ``Penalty`` (in the units of ``x`` and ``y``) of a built network, or None when nothing is regularized.

    Raises ValueError for what has no exact penalized answer here: regularizers on several trainable layers, a
    fixed layer mixing the inputs, a regularized bias behind a shift, or a regularizer that is not L1/L2/L1L2.
    """
    if not network.regularized:
        return None
    neuron = single_neuron(network)
    if neuron is None:
        raise ValueError("The exact penalized optimum is computed for one trainable Dense layer; this model has "
                         f"regularizers on a stack of {len(network.regularized)} or more trainable layers.")
    matrix, shift = neuron.lift[1:, 1:], neuron.lift[0, 1:]
    if np.count_nonzero(matrix - np.diag(np.diag(matrix))):
        raise ValueError("The exact penalized optimum needs the layers before the regularized Dense layer to scale "
                         "each input on its own (as Normalization does); these mix the inputs.")
    scale = np.abs(neuron.gain * np.diag(matrix))
    kernel = _factors(neuron.dense.kernel_regularizer, "kernel_regularizer")
    bias = _factors(neuron.dense.bias_regularizer if neuron.dense.use_bias else None, "bias_regularizer")
    if any(bias) and (np.any(shift) or neuron.offset or neuron.gain != 1.0):
        raise ValueError("The exact penalized optimum with a bias_regularizer needs the Dense layer to see x as it "
                         "is (no Normalization or scaling around it): the penalty on its bias is then not a "
                         "penalty on the intercept in the units of y.")
    return Penalty(kernel[0] / scale, kernel[1] / scale ** 2, *bias)


def _factors(regularizer, name: str) -> tuple[float, float]:
    if regularizer is None:
        return 0.0, 0.0
    if not isinstance(regularizer, L1L2):
        raise ValueError(f"The exact penalized optimum is known for L1, L2 and L1L2 penalties. Received: "
                         f"{name}={regularizer!r}")
    return regularizer.l1, regularizer.l2
