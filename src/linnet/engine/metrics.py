"""Streaming regression metrics, logged in ``History`` under Keras' names.

A metric accumulates sums over the batches of an epoch (``update_state``) and reports one number
(``result``); ``reset_state`` starts the next epoch. ``update_state`` takes what Keras 3's does for a one-output
regression (lists, ``(B,)`` or ``(B, 1)``, paired as Keras pairs them) and refuses the rest by name; training
calls ``accumulate``, which skips those checks on the columns it has already checked. Loss-shaped metrics
(``mse``, ``mae``, ...) are the sample-weighted mean of the per-batch loss, exactly like Keras'
``MeanMetricWrapper``. Every metric takes an optional ``sample_weight`` ``(B, 1)``
(``compile(weighted_metrics=...)``): with weights ``w`` a mean becomes ``Σ wᵢ·lᵢ / Σ wᵢ``, and R² uses the
weighted mean of ``y`` and weighted sums of squares, as Keras 3 computes them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from .._serialization import Configurable, serialize
from .._serialization import deserialize as _deserialize
from .._validation import regression_pair, unknown_name
from . import losses


class Metric(Configurable):
    """Base class with Keras' ``update_state`` / ``result`` / ``reset_state`` protocol.

    ``direction`` says which way is better, ``"min"`` (an error) or ``"max"`` (a score such as R²): the
    monitoring callbacks read it for ``mode="auto"``. The config is Keras 3's ``{"name", "dtype": "float32"}``
    plus the metric's own parameters.
    """

    keras_module = "keras.metrics"
    keras_defaults: ClassVar[dict[str, tuple]] = {"dtype": ("float32", None)}
    direction = "min"

    def __init__(self, name: str):
        self.name = name
        self.reset_state()

    def reset_state(self) -> None:
        raise NotImplementedError

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add a batch: ``y_true`` and ``y_pred`` numbers, lists or arrays of shape ``(B,)`` or ``(B, 1)``, finite;
        ``sample_weight`` None, a number or ``(B,)``/``(B, 1)``, >= 0. Anything else is a named error. An error
        beyond float32 makes the result ``inf``, as in Keras, without NumPy's overflow warning."""
        pair = regression_pair(y_true, y_pred, sample_weight)
        with np.errstate(over="ignore", invalid="ignore"):
            self.accumulate(*pair)

    def accumulate(self, y_true: np.ndarray, y_pred: np.ndarray, sample_weight: np.ndarray | None) -> None:
        """``update_state`` on checked float32 columns ``(B, 1)`` (weights ``(B, 1)`` or None): what training
        calls once per batch. A subclass written as for Keras, with ``update_state`` only, is called through it."""
        if type(self).update_state is Metric.update_state:
            raise NotImplementedError(f"{type(self).__name__} must define update_state (or accumulate).")
        self.update_state(y_true, y_pred, sample_weight)

    def result(self) -> float:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, **self.keras_extras()}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class MeanOfLoss(Metric):
    """Sample-weighted mean over the epoch of a loss: ``Σ_b B_b·L_b / Σ_b B_b``.

    linnet's own class (Keras' nearest is ``MeanMetricWrapper``): its envelope names its Python module, and
    its config holds the loss's envelope.
    """

    keras_module = None

    def __init__(self, loss: losses.Loss, name: str | None = None):
        self.loss = loss
        super().__init__(name or loss.name)

    def reset_state(self):
        self.total, self.count = 0.0, 0

    def accumulate(self, y_true, y_pred, sample_weight):
        if sample_weight is None:
            self.total += self.loss.value_and_grad(y_true, y_pred)[0] * y_true.shape[0]
            self.count += y_true.shape[0]
        else:  # the loss's (1/B) Σ wᵢ·lᵢ times B, over Σ wᵢ
            self.total += self.loss.value_and_grad(y_true, y_pred, sample_weight)[0] * y_true.shape[0]
            self.count += float(sample_weight.sum(dtype=np.float64))

    def result(self):
        return self.total / self.count if self.count else 0.0

    def get_config(self):
        return {**super().get_config(), "loss": serialize(self.loss)}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> MeanOfLoss:
        if isinstance(config, dict) and "loss" in config:
            config = {**config, "loss": losses.get(config["loss"])}
        return super().from_config(config)


class _KerasMeanOfLoss(MeanOfLoss):
    """A ``MeanOfLoss`` Keras has under its own name: Keras' module and config, the loss implied by the class."""

    keras_module = "keras.metrics"

    def get_config(self):
        return Metric.get_config(self)


class RootMeanSquaredError(Metric):
    """``RMSE = sqrt(Σ wᵢ(ŷᵢ - yᵢ)² / Σ wᵢ)`` (``wᵢ = 1`` unweighted) over every sample since the last reset."""

    def __init__(self, name: str = "root_mean_squared_error"):
        super().__init__(name)

    def reset_state(self):
        self.squared_error, self.count = 0.0, 0

    def accumulate(self, y_true, y_pred, sample_weight):
        error = (y_pred - y_true).ravel()
        if sample_weight is None:
            self.squared_error += float(error @ error)
            self.count += error.size
        else:
            self.squared_error += float(sample_weight.ravel().astype(np.float64) @ np.square(error, dtype=np.float64))
            self.count += float(sample_weight.sum(dtype=np.float64))

    def result(self):
        return math.sqrt(self.squared_error / self.count) if self.count else 0.0


class R2Score(Metric):
    """``R² = 1 - Σ wᵢ(yᵢ - ŷᵢ)² / Σ wᵢ(yᵢ - ȳ)²``, ``ȳ = Σ wᵢyᵢ / Σ wᵢ`` (``wᵢ = 1`` unweighted), over every
    sample since the last reset."""

    keras_defaults: ClassVar[dict[str, tuple]] = {**Metric.keras_defaults, "class_aggregation": ("uniform_average",),
                                                  "num_regressors": (0,)}
    direction = "max"

    def __init__(self, name: str = "r2_score"):
        super().__init__(name)

    def reset_state(self):
        self.count, self.sum_y, self.sum_y2, self.squared_error = 0, 0.0, 0.0, 0.0

    def accumulate(self, y_true, y_pred, sample_weight):
        truth = y_true.ravel().astype(np.float64)
        error = (y_pred - y_true).ravel().astype(np.float64)
        weight = np.ones_like(truth) if sample_weight is None else sample_weight.ravel().astype(np.float64)
        self.count += float(weight.sum())
        self.sum_y += float(weight @ truth)
        self.sum_y2 += float(weight @ (truth * truth))
        self.squared_error += float(weight @ (error * error))

    def result(self):
        if not self.count:
            return 0.0
        total = self.sum_y2 - self.sum_y ** 2 / self.count
        return 1.0 - self.squared_error / total if total > 0 else 0.0


class MeanSquaredError(_KerasMeanOfLoss):
    """The mean squared error as a metric."""

    def __init__(self, name: str = "mean_squared_error"):
        super().__init__(losses.MeanSquaredError(), name)


class MeanAbsoluteError(_KerasMeanOfLoss):
    """The mean absolute error as a metric."""

    def __init__(self, name: str = "mean_absolute_error"):
        super().__init__(losses.MeanAbsoluteError(), name)


_SPECIAL = {
    "root_mean_squared_error": RootMeanSquaredError, "rmse": RootMeanSquaredError,
    "r2_score": R2Score, "r2": R2Score,
}


def get(identifier: Any) -> Metric:
    """Return a metric from an instance or a name; a name is also the key it is logged under.

    Loss names (``"mse"``, ``"mean_absolute_error"``, ``"huber"``, ...) give the epoch mean of that loss.
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Metric) and identifier is not MeanOfLoss:
        return identifier()
    if isinstance(identifier, losses.Loss):
        return MeanOfLoss(identifier)
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if not isinstance(identifier, str):
        raise TypeError(f"metric must be a name such as 'mae' or a linnet Metric. Received: metric={identifier!r}")
    key = identifier.lower()
    if key in _SPECIAL:
        return _SPECIAL[key](name=identifier)
    try:
        return MeanOfLoss(losses.get(key), name=identifier)
    except ValueError:
        raise unknown_name("metric", identifier, [*_SPECIAL, *losses._BY_NAME]) from None


def get_list(identifiers: Any, name: str, taken: Sequence[Metric] = ()) -> list[Metric]:
    """``compile``'s ``metrics``/``weighted_metrics``: a list of identifiers (None is empty). A weighted metric
    whose name an unweighted one already has is renamed ``weighted_<name>``, as Keras 3 does."""
    if identifiers is None:
        return []
    if isinstance(identifiers, str) or not isinstance(identifiers, (list, tuple)):
        raise TypeError(f"{name} must be a list such as ['mae']. Received: {name}={identifiers!r}")
    metrics = [get(identifier) for identifier in identifiers]
    for metric in metrics:
        if metric.name in {other.name for other in taken}:
            metric.name = f"weighted_{metric.name}"
    return metrics


def deserialize(envelope: dict[str, Any]) -> Metric:
    """Rebuild a metric from its envelope (``serialize(metric)``)."""
    return _deserialize(envelope, Metric)
