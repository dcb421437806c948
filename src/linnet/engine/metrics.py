"""Streaming regression metrics, logged in ``History`` under Keras' names.

A metric accumulates sums over the batches of an epoch (``update_state``) and reports one number
(``result``); ``reset_state`` starts the next epoch. ``update_state`` takes what Keras 3's does for a one-output
regression (lists, ``(B,)`` or ``(B, 1)``, paired as Keras pairs them) and refuses the rest by name; training
calls ``accumulate``, which skips those checks on the columns it has already checked. Loss-shaped metrics
(``mse``, ``mae``, ``mape``, ...) are the sample-weighted mean of the per-batch loss, exactly like Keras'
``MeanMetricWrapper`` (for any function of ``(y_true, y_pred)``; with ``Metric``, ``Mean`` and ``Sum`` in
``reduction_metrics``). Every metric takes an optional ``sample_weight`` ``(B, 1)``
(``compile(weighted_metrics=...)``): with weights ``w`` a mean becomes ``Σ wᵢ·lᵢ / Σ wᵢ``, and R² uses the
weighted mean of ``y`` and weighted sums of squares, as Keras 3 computes them.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from .._serialization import deserialize as _deserialize
from .._serialization import serialize, without_keras_defaults
from .._validation import text_or_default, unknown_name
from . import losses
from .reduction_metrics import Mean, MeanMetricWrapper, Metric, Sum

__all__ = ["LogCoshError", "Mean", "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanMetricWrapper",
           "MeanOfLoss", "MeanSquaredError", "MeanSquaredLogarithmicError", "Metric", "R2Score",
           "RootMeanSquaredError", "Sum", "deserialize", "get", "get_list", "serialize"]


class MeanOfLoss(Mean):
    """Sample-weighted mean over the epoch of a loss: ``Σ_b B_b·L_b / Σ_b B_b``.

    linnet's own class (Keras' nearest is ``MeanMetricWrapper``): its envelope names its Python module, and
    its config holds the loss's envelope.
    """

    keras_module = None
    of_predictions = True
    update_state = Metric.update_state

    def __init__(self, loss: losses.Loss, name: str | None = None, dtype: Any = None):
        self.loss = loss
        super().__init__(text_or_default(name, "name", loss.name), dtype)

    def accumulate(self, y_true, y_pred, sample_weight):
        if sample_weight is None:
            self.total += self.loss.value_and_grad(y_true, y_pred)[0] * y_true.shape[0]
            self.count += y_true.shape[0]
        else:  # the loss's (1/B) Σ wᵢ·lᵢ times B, over Σ wᵢ
            self.total += self.loss.value_and_grad(y_true, y_pred, sample_weight)[0] * y_true.shape[0]
            self.count += float(sample_weight.sum(dtype=np.float64))

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

    def __init__(self, name: str = "root_mean_squared_error", dtype: Any = None):
        super().__init__(dtype, name)

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

    def __init__(self, class_aggregation: str = "uniform_average", num_regressors: int = 0, name: str = "r2_score",
                 dtype: Any = None):
        """Keras 3's arguments; ``class_aggregation`` and ``num_regressors`` at what linnet computes (one output,
        the plain R²), any other value refused by name."""
        without_keras_defaults(type(self), {"class_aggregation": class_aggregation, "num_regressors": num_regressors})
        super().__init__(dtype, name)

    def reset_state(self):
        self.count, self.sum_y, self.sum_y2, self.squared_error = 0, 0.0, 0.0, 0.0

    def accumulate(self, y_true, y_pred, sample_weight):
        truth = y_true.ravel().astype(np.float64)
        error = y_pred.ravel().astype(np.float64) - truth  # in float64: a float32 difference may overflow
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


def _keras_mean_of(loss: type[losses.Loss], class_name: str, default_name: str) -> type[_KerasMeanOfLoss]:
    """Keras' metric class ``class_name``, the epoch mean of ``loss``: ``cls(name=default_name)``."""
    def __init__(self, name: str = default_name, dtype: Any = None):
        _KerasMeanOfLoss.__init__(self, loss(), name, dtype)

    doc = f"The mean of :class:`linnet.losses.{loss.__name__}` as a metric, Keras' ``{class_name}``."
    return type(class_name, (_KerasMeanOfLoss,), {"__init__": __init__, "__doc__": doc, "__module__": __name__,
                                                  "__qualname__": class_name})


MeanSquaredError = _keras_mean_of(losses.MeanSquaredError, "MeanSquaredError", "mean_squared_error")
MeanAbsoluteError = _keras_mean_of(losses.MeanAbsoluteError, "MeanAbsoluteError", "mean_absolute_error")
MeanAbsolutePercentageError = _keras_mean_of(losses.MeanAbsolutePercentageError, "MeanAbsolutePercentageError",
                                             "mean_absolute_percentage_error")
MeanSquaredLogarithmicError = _keras_mean_of(losses.MeanSquaredLogarithmicError, "MeanSquaredLogarithmicError",
                                             "mean_squared_logarithmic_error")
LogCoshError = _keras_mean_of(losses.LogCosh, "LogCoshError", "logcosh")  # named "logcosh" as in Keras
KERAS_MEANS = {type(cls().loss): cls for cls in (MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
                                                 MeanSquaredLogarithmicError, LogCoshError)}
"""Keras' metric class of the mean of each loss class (a model file writes a renamed ``MeanOfLoss`` as it)."""


_BY_NAME = {
    "root_mean_squared_error": RootMeanSquaredError, "rmse": RootMeanSquaredError,
    "r2_score": R2Score, "r2": R2Score,
    "log_cosh_error": LogCoshError, "mean": Mean, "sum": Sum, "mean_metric_wrapper": MeanMetricWrapper,
}
"""Metric names that are not loss names (a loss name gives the mean of that loss); case-insensitive."""
_CLASSES = {cls.__name__: cls for cls in (
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError, LogCoshError,
    RootMeanSquaredError, R2Score, Mean, Sum, MeanMetricWrapper)}
"""Keras' metric classes by their names (``"LogCoshError"``), as Keras' ``metrics.get`` finds them."""


def get(identifier: Any) -> Metric:
    """Return a metric from an instance, a class, a function of ``(y_true, y_pred)`` or a name; a name is also the
    key it is logged under, a function's name likewise.

    Loss names (``"mse"``, ``"mape"``, ``"huber"``, ...) and Keras' loss functions give the epoch mean of that loss;
    any other function, the mean of its values (``MeanMetricWrapper``).
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, type):
        return _of_class(identifier)
    if isinstance(identifier, losses.Loss):
        return MeanOfLoss(identifier)
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        name = getattr(identifier, "__name__", None)
        if identifier in losses.FUNCTIONS.values():
            return MeanOfLoss(losses.get(identifier), name=name)
        return MeanMetricWrapper(identifier, name=name)
    if not isinstance(identifier, str):
        raise TypeError(f"metric must be a name such as 'mae' or a linnet Metric. Received: metric={identifier!r}")
    cls = _CLASSES.get(identifier) or _BY_NAME.get(identifier.lower())
    if cls is not None:
        return cls(name=identifier)
    try:
        return MeanOfLoss(losses.get(identifier.lower()), name=identifier)
    except ValueError:
        raise unknown_name("metric", identifier, [*_BY_NAME, *losses._BY_NAME]) from None


def _of_class(cls: type) -> Metric:
    if issubclass(cls, Metric) and cls is not MeanOfLoss:
        return cls()
    if issubclass(cls, losses.Loss):
        return MeanOfLoss(cls())
    raise TypeError(f"metric must be a name such as 'mae', a linnet Metric or its class. Received: metric={cls!r}")


def get_list(identifiers: Any, name: str, taken: Sequence[Metric] | None = None) -> list[Metric]:
    """``compile``'s ``metrics``/``weighted_metrics``: a list of identifiers (None is empty), named apart as Keras 3
    names their results (``CompileMetrics.result``): a metric whose name an earlier one of the list has becomes
    ``<name>_1``, ``<name>_2``, ...; a weighted metric whose name is ``taken`` (by the unweighted ones) becomes
    ``weighted_<name>``, then ``weighted_<name>_1``, ... (``taken`` is None for the unweighted list)."""
    if identifiers is None:
        return []
    if isinstance(identifiers, str) or not isinstance(identifiers, (list, tuple)):
        raise TypeError(f"{name} must be a list such as ['mae']. Received: {name}={identifiers!r}")
    metrics = [get(identifier) for identifier in identifiers]
    for metric in metrics:
        if not metric.of_predictions:
            raise TypeError(f"{name} must hold metrics of (y_true, y_pred), such as 'mae'; {metric!r} averages the "
                            f"values given to its update_state(values), which fit cannot give it (call it yourself, "
                            f"or wrap a function of (y_true, y_pred) in MeanMetricWrapper). Received: "
                            f"{name}={identifiers!r}")
    return _named_apart(metrics, {other.name: 1 for other in taken or ()}, weighted=taken is not None)


def _named_apart(metrics: list[Metric], counts: dict[str, int], weighted: bool) -> list[Metric]:
    """``metrics`` with names apart from each other and from ``counts`` (the names given so far, with their uses);
    a renamed metric is a copy, so that a metric object given to ``compile`` keeps its name. A suffix is never one
    already given (``[MeanAbsoluteError(name="mae_1"), "mae", "mae"]``: ``mae_1``, ``mae``, ``mae_2``), and a
    metric named ``loss``, which would hide the loss in the logs, is refused."""
    named = []
    for metric in metrics:
        if metric.name == "loss":
            raise ValueError("A metric named 'loss' would hide the loss in the logs and the History; give it another "
                             "name. Received: name='loss'")
        name = f"weighted_{metric.name}" if weighted and metric.name in counts else metric.name
        base = name
        while name in counts:
            counts[base] += 1
            name = f"{base}_{counts[base] - 1}"
        counts[name] = 1
        if name != metric.name:
            metric = copy.deepcopy(metric)
            metric.name = name
        named.append(metric)
    return named


def deserialize(envelope: dict[str, Any]) -> Metric:
    """Rebuild a metric from its envelope (``serialize(metric)``)."""
    return _deserialize(envelope, Metric)
