"""Regression losses, each with its value and its analytic gradient with respect to the predictions.

Every loss is the mean over the batch of a per-sample loss ``l(e)`` of the error ``e = y_pred - y_true`` (Keras'
reduction ``"sum_over_batch_size"``), so the gradient of a batch of size ``B`` carries the factor ``1/B``. With
sample weights ``w`` it is ``L = (1/B) Σ wᵢ·l(eᵢ)``, still divided by ``B`` (not by ``Σ w``), as in Keras.
``value_and_grad`` is what training calls: one pass gives the batch loss and ``dL/dy_pred``; a subclass only
writes ``pointwise``, the per-sample loss and its derivative.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from .._serialization import Configurable, resolve, serialize  # noqa: F401 (serialize is part of this module's API)
from .._serialization import deserialize as _deserialize
from .._validation import float32_number, regression_pair


class Loss(Configurable):
    """Base class: ``loss(y_true, y_pred) -> float``; subclasses define ``pointwise`` (and may speed up
    ``value_and_grad``).

    The config is Keras 3's: ``name``, ``reduction`` (always ``"sum_over_batch_size"``), ``dtype`` (None)
    and the loss's own parameters.
    """

    name = "loss"
    keras_module = "keras.losses"
    keras_defaults: ClassVar[dict[str, tuple]] = {"reduction": ("sum_over_batch_size",), "dtype": (None, "float32")}
    keras_name: str | None = None  # Keras' default name where it differs from linnet's

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, **self.keras_extras()}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        """Rebuild from Keras' config; ``name`` must be the class's own (linnet's losses are not renamed)."""
        config = dict(config)
        name = config.pop("name", cls.name)
        if name not in (cls.name, cls.keras_name):
            raise ValueError(f"linnet's {cls.__name__} is always named {cls.name!r}. Received: name={name!r}.")
        return super().from_config(config)

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
        """The loss ``(1/B) Σ wᵢ·l(eᵢ)`` of ``y_pred`` against ``y_true``, as Keras 3's ``Loss.__call__``.

        ``y_true``, ``y_pred``: numbers, lists or arrays of shape ``(B,)`` or ``(B, 1)``, the same ``B >= 1``.
        ``sample_weight``: None (every ``wᵢ = 1``), a number, or ``(B,)``/``(B, 1)`` weights >= 0; the weighted
        sum is divided by ``B``, not by ``Σ wᵢ`` (Keras' ``"sum_over_batch_size"``). Computed in float32:
        ``inf`` when an error overflows float32, as in Keras.
        """
        y_true, y_pred, sample_weight = regression_pair(y_true, y_pred, sample_weight, finite=False)
        with np.errstate(over="ignore", invalid="ignore"):
            return self.value_and_grad(y_true, y_pred, sample_weight)[0]

    def value_and_grad(self, y_true: np.ndarray, y_pred: np.ndarray,
                       sample_weight: np.ndarray | None = None) -> tuple[float, np.ndarray]:
        """Return the batch loss ``(1/B) Σ wᵢ·l(eᵢ)`` and its gradient ``dL/dy_pred = wᵢ·l'(eᵢ)/B`` (float32,
        shape of ``y_pred``); ``sample_weight`` ``(B, 1)`` defaults to ones."""
        values, slopes = self.pointwise(y_pred - y_true)
        if sample_weight is not None:
            values, slopes = values * sample_weight, slopes * sample_weight
        scale = 1.0 / values.size
        return float(values.sum()) * scale, (slopes * np.float32(scale)).astype(np.float32, copy=False)

    def pointwise(self, error: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The per-sample loss ``l(e)`` and its derivative ``l'(e)``, each of the shape of ``error``."""
        raise NotImplementedError

    def curvature(self) -> float:
        """Largest second derivative of the per-sample loss with respect to the prediction.

        Used to bound the stable learning rate; 2 for the squared error, 1 for Huber and log-cosh.
        """
        raise NotImplementedError


class MeanSquaredError(Loss):
    """Mean squared error.

    ``L = (1/B) Σ (ŷ - y)²``,  ``dL/dŷ = (2/B)(ŷ - y)``.
    """

    name = "mean_squared_error"

    def value_and_grad(self, y_true, y_pred, sample_weight=None):
        if sample_weight is not None:
            return super().value_and_grad(y_true, y_pred, sample_weight)
        error = y_pred - y_true  # the unweighted step of every tutorial: one dot product, no temporaries
        flat = error.ravel()
        value = float(flat @ flat) / flat.size
        error *= 2.0 / flat.size  # in place: error becomes the gradient (float32 stays float32)
        return value, error

    def pointwise(self, error):
        return error * error, 2.0 * error

    def curvature(self):
        return 2.0


class MeanAbsoluteError(Loss):
    """Mean absolute error.

    ``L = (1/B) Σ |ŷ - y|``,  ``dL/dŷ = sign(ŷ - y) / B`` (0 where ``ŷ = y``).
    """

    name = "mean_absolute_error"

    def pointwise(self, error):
        return np.abs(error), np.sign(error)

    def curvature(self):
        return 0.0


class Huber(Loss):
    """Huber loss with threshold ``delta``.

    With ``e = ŷ - y``: ``L = (1/B) Σ ½e²`` where ``|e| <= δ`` and ``δ(|e| - ½δ)`` elsewhere;
    ``dL/dŷ = clip(e, -δ, δ) / B``.
    """

    name = "huber"
    keras_name = "huber_loss"

    def __init__(self, delta: float = 1.0):
        self.delta = float32_number(delta, "delta", tiny=True, low=0.0, low_open=True)

    def pointwise(self, error):
        size = np.abs(error)
        quadratic = np.minimum(size, self.delta)
        return 0.5 * quadratic * quadratic + self.delta * (size - quadratic), np.clip(error, -self.delta, self.delta)

    def curvature(self):
        return 1.0

    def get_config(self):
        return {**super().get_config(), "delta": self.delta}


_LOG_2 = np.float32(np.log(2.0))  # float32, as Keras subtracts it: log-cosh(0) is 0, and stays float32


class LogCosh(Loss):
    """Logarithm of the hyperbolic cosine of the error.

    ``L = (1/B) Σ log(cosh(e))`` computed stably as ``e + softplus(-2e) - log 2``; ``dL/dŷ = tanh(e) / B``.
    """

    name = "log_cosh"

    def pointwise(self, error):
        return error + np.logaddexp(0.0, -2.0 * error) - _LOG_2, np.tanh(error)

    def curvature(self):
        return 1.0


_BY_NAME = {
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError,
    "huber": Huber, "huber_loss": Huber,
    "log_cosh": LogCosh, "logcosh": LogCosh,
}


def get(identifier: Any) -> Loss:
    """Return a loss from an instance, a Keras name (``"mse"``, ``"huber"``, ...) or a serialized loss."""
    return resolve(Loss, identifier, _BY_NAME, "mse")


def deserialize(envelope: dict[str, Any]) -> Loss:
    """Rebuild a loss from its envelope (``serialize(loss)``)."""
    return _deserialize(envelope, Loss)

