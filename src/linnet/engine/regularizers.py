"""Weight regularizers with Keras 3's names, defaults and formulas: ``L1``, ``L2``, ``L1L2``.

A regularizer maps a weight array ``w`` to a penalty that is added to the loss of every batch (training and
evaluation alike, so the logged ``loss`` and ``val_loss`` include it, as in Keras)::

    L1L2(l1, l2)(w) = l1·Σ|wᵢ| + l2·Σwᵢ²        gradient  l1·sign(wᵢ) + 2·l2·wᵢ

(``sign(0) = 0``, as TensorFlow's gradient of ``abs``). ``L1(l1)`` is ``L1L2(l1, 0)`` and ``L2(l2)`` is
``L1L2(0, l2)``; by name, ``"l1"``, ``"l2"`` and ``"l1_l2"`` give ``l1 = 0.01`` and/or ``l2 = 0.01``, Keras'
defaults (``L1L2()`` itself defaults to no penalty, as in Keras). The penalized optimum of a one-neuron model is
computed exactly by :mod:`linnet.exact.penalized`; ``docs/regularization.md`` derives the scaling.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._serialization import Configurable, resolve
from .._serialization import deserialize as _deserialize
from .._serialization import serialize as _serialize
from .._validation import float32_scalar, numeric_array


def _factor(value: Any, name: str) -> float:
    """Keras' ``validate_float_arg``: a finite, non-negative int or float (None means the default, 0), which
    float32 holds (``float32_scalar``: the gradient is float32)."""
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not (isinstance(value, int) or np.isfinite(value)) or value < 0:
        raise ValueError(f"Invalid value for argument {name}: expected a non-negative float. "
                         f"Received: {name}={value!r}")
    return float(float32_scalar(value, name))  # compared before float(): an int such as 10**400 is beyond it


class Regularizer(Configurable):
    """Base class: ``regularizer(w) -> penalty`` and ``gradient(w) -> d penalty / d w``."""

    keras_module = "keras.regularizers"

    def __call__(self, w: np.ndarray) -> float:
        raise NotImplementedError

    def gradient(self, w: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class L1L2(Regularizer):
    """``l1·Σ|w| + l2·Σw²``; the gradient is ``l1·sign(w) + 2·l2·w``."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self.l1, self.l2 = _factor(l1, "l1"), _factor(l2, "l2")

    def __call__(self, w):
        """The penalty of the weights ``w``: ``inf`` where ``Σw²`` overflows; a term whose factor is 0 is left out
        (``0·inf`` would make an infinite weight's L2 penalty NaN)."""
        w = numeric_array(w, "x").astype(np.float64)
        with np.errstate(over="ignore"):
            terms = ((self.l1, np.abs(w).sum()), (self.l2, (w * w).sum()))
            return sum((factor * float(term) for factor, term in terms if factor), 0.0)

    def gradient(self, w):
        w = np.asarray(w)
        grad = (2.0 * self.l2) * w
        if self.l1:
            grad = grad + self.l1 * np.sign(w)
        return grad.astype(w.dtype, copy=False)

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    """``l1·Σ|w|`` (Keras' default ``l1 = 0.01``)."""

    def __init__(self, l1: float = 0.01):
        super().__init__(0.01 if l1 is None else l1, 0.0)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    """``l2·Σw²`` (Keras' default ``l2 = 0.01``)."""

    def __init__(self, l2: float = 0.01):
        super().__init__(0.0, 0.01 if l2 is None else l2)

    def get_config(self):
        return {"l2": self.l2}


l1_l2 = L1L2  # Keras 3's alias (``keras.regularizers.l1_l2`` is the class, defaults 0)

_BY_NAME = {"l1": L1, "l2": L2, "l1l2": L1L2}


def get(identifier: Any) -> Regularizer | None:
    """A regularizer from an instance, a name (``"l1"``, ``"l2"``, ``"l1_l2"``, ``"L1L2"``), an envelope, or
    None (no penalty), as ``keras.regularizers.get``.

    ``"l1_l2"`` gives ``L1L2(0.01, 0.01)``, the defaults Keras 3 documents for that name (Keras 3.15 itself
    refuses the string; ``"L1L2"``/``"l1l2"`` give ``L1L2()``, no penalty, as in Keras).
    """
    if identifier is None:
        return None
    if isinstance(identifier, str) and identifier.lower() == "l1_l2":
        return L1L2(0.01, 0.01)
    return resolve(Regularizer, identifier, _BY_NAME, "l2")


def serialize(regularizer: Regularizer | None) -> dict[str, Any] | None:
    """The Keras 3 envelope of ``regularizer`` (None stays None, as in a Keras layer config)."""
    return None if regularizer is None else _serialize(regularizer)


def deserialize(envelope: dict[str, Any]) -> Regularizer:
    """Rebuild a regularizer from its envelope (``serialize(regularizer)``)."""
    return _deserialize(envelope, Regularizer)
