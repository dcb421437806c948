"""Regression losses, each with its value and its analytic gradient with respect to the predictions.

Every loss is the mean over the batch of a per-sample loss ``l(e)`` of the error ``e = y_pred - y_true`` (Keras'
reduction ``"sum_over_batch_size"``), so the gradient of a batch of size ``B`` carries the factor ``1/B``. With
sample weights ``w`` it is ``L = (1/B) Σ wᵢ·l(eᵢ)``, still divided by ``B`` (not by ``Σ w``), as in Keras.
``value_and_grad`` is what training calls: one pass gives the batch loss and ``dL/dy_pred``; a subclass only
writes ``pointwise``, the per-sample loss of the error and its derivative, or ``per_sample`` for a loss that reads
the target itself (MAPE, MSLE).

Keras' loss functions (``mean_squared_error``, ``huber``, ``mean_absolute_percentage_error``, ...) are here too:
each returns the per-sample losses, shape ``(B,)``, and ``compile(loss=function)`` trains with its class.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from .._serialization import Configurable, resolve, serialize, without_keras_defaults  # noqa: F401 (serialize is part of this module's API)
from .._serialization import deserialize as _deserialize
from .._validation import among, float32_number, regression_pair


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

    def __init__(self, name: str | None = None, reduction: str = "sum_over_batch_size", dtype: Any = None):
        """Keras 3's arguments, at what linnet's loss is (``reduction="sum_over_batch_size"``, its own ``name``,
        ``dtype`` None or ``"float32"``); any other value, or keyword (``Configurable``), is refused by name."""
        without_keras_defaults(type(self), {"reduction": reduction, "dtype": dtype})
        self._own_name(self.name if name is None else name)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, **self.keras_extras()}

    @classmethod
    def _own_name(cls, name: Any) -> None:
        if not among(name, (cls.name, cls.keras_name)):  # linnet's losses are not renamed
            raise ValueError(f"linnet's {cls.__name__} is always named {cls.name!r}. Received: name={name!r:.100}.")

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        """Rebuild from Keras' config; ``name`` must be the class's own (linnet's losses are not renamed)."""
        config = dict(config)
        cls._own_name(config.pop("name", cls.name))
        return super().from_config(config)

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
        """The loss ``(1/B) Σ wᵢ·l(eᵢ)`` of ``y_pred`` against ``y_true``, as Keras 3's ``Loss.__call__``.

        ``y_true``, ``y_pred``: numbers, lists or arrays of shape ``(B,)`` or ``(B, 1)``, the same ``B >= 1``.
        ``sample_weight``: None (every ``wᵢ = 1``), a number, or ``(B,)``/``(B, 1)`` weights >= 0; the weighted
        sum is divided by ``B``, not by ``Σ wᵢ`` (Keras' ``"sum_over_batch_size"``). Computed in float32:
        ``inf`` when an error of finite values overflows float32, as in Keras. A NaN or infinite value is refused
        by name, as ``fit`` and the metrics refuse it (Keras returns nan or inf).
        """
        y_true, y_pred, sample_weight = regression_pair(y_true, y_pred, sample_weight)
        with np.errstate(over="ignore", invalid="ignore"):
            return self.value_and_grad(y_true, y_pred, sample_weight)[0]

    def value_and_grad(self, y_true: np.ndarray, y_pred: np.ndarray,
                       sample_weight: np.ndarray | None = None) -> tuple[float, np.ndarray]:
        """Return the batch loss ``(1/B) Σ wᵢ·l(eᵢ)`` and its gradient ``dL/dy_pred = wᵢ·l'(eᵢ)/B`` (float32,
        shape of ``y_pred``); ``sample_weight`` ``(B, 1)`` defaults to ones."""
        values, slopes = self.per_sample(y_true, y_pred)
        if sample_weight is not None:
            values, slopes = values * sample_weight, slopes * sample_weight
        scale = 1.0 / values.size
        return float(values.sum()) * scale, (slopes * np.float32(scale)).astype(np.float32, copy=False)

    def per_sample(self, y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The per-sample loss ``l(y, ŷ)`` and its derivative ``∂l/∂ŷ``, each of the shape of ``y_pred``; by default
        ``pointwise`` of the error ``ŷ - y``."""
        return self.pointwise(y_pred - y_true)

    def pointwise(self, error: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The per-sample loss ``l(e)`` and its derivative ``l'(e)``, each of the shape of ``error``."""
        raise NotImplementedError

    def curvature(self) -> float:
        """Largest second derivative of the per-sample loss with respect to the prediction, over every target and
        prediction: what the diagnostics bound the stable learning rate with (2 for the squared error, 1 for Huber
        and log-cosh). 0 where no constant bounds it: the loss is piecewise linear in the prediction (MAE, MAPE), or its
        curvature grows with the target (MSLE). The diagnostics then derive no learning rate from it:
        ``SGD(learning_rate="auto")`` refuses the loss, and ``fit`` gives no stability warning.
        """
        raise NotImplementedError


class _KerasLoss(Loss):
    """One of Keras' losses: ``(reduction, name, dtype)``, the order of Keras' ``LossFunctionWrapper`` (not Loss')."""

    def __init__(self, reduction: str = "sum_over_batch_size", name: str | None = None, dtype: Any = None):
        super().__init__(name, reduction, dtype)


class MeanSquaredError(_KerasLoss):
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


class MeanAbsoluteError(_KerasLoss):
    """Mean absolute error.

    ``L = (1/B) Σ |ŷ - y|``,  ``dL/dŷ = sign(ŷ - y) / B`` (0 where ``ŷ = y``).
    """

    name = "mean_absolute_error"

    def pointwise(self, error):
        return np.abs(error), np.sign(error)

    def curvature(self):
        return 0.0


class Huber(_KerasLoss):
    """Huber loss with threshold ``delta``.

    With ``e = ŷ - y``: ``L = (1/B) Σ ½e²`` where ``|e| <= δ`` and ``δ(|e| - ½δ)`` elsewhere;
    ``dL/dŷ = clip(e, -δ, δ) / B``.
    """

    name = "huber"
    keras_name = "huber_loss"

    def __init__(self, delta: float = 1.0, reduction: str = "sum_over_batch_size", name: str | None = None,
                 dtype: Any = None):
        super().__init__(reduction, name, dtype)
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


class LogCosh(_KerasLoss):
    """Logarithm of the hyperbolic cosine of the error.

    ``L = (1/B) Σ log(cosh(e))`` computed stably as ``e + softplus(-2e) - log 2``; ``dL/dŷ = tanh(e) / B``.
    """

    name = "log_cosh"

    def pointwise(self, error):
        return error + np.logaddexp(0.0, -2.0 * error) - _LOG_2, np.tanh(error)

    def curvature(self):
        return 1.0


EPSILON = np.float32(1e-7)  # Keras' backend.epsilon(): MAPE divides by at least it, MSLE clips to it


class MeanAbsolutePercentageError(_KerasLoss):
    """Mean absolute percentage error, Keras' ``"mape"``.

    ``L = (100/B) Σ |ŷ - y| / max(|y|, ε)``,  ``dL/dŷ = 100·sign(ŷ - y) / (B·max(|y|, ε))``, ``ε = 1e-7``: as
    in Keras, a target of 0 divides by ε (its error counts 1e9 times), never by zero.
    """

    name = "mean_absolute_percentage_error"

    def per_sample(self, y_true, y_pred):
        scale = np.maximum(np.abs(y_true), EPSILON)
        ratio = (y_pred - y_true) / scale
        return 100.0 * np.abs(ratio), 100.0 * np.sign(ratio) / scale

    def curvature(self):
        return 0.0  # piecewise linear in the prediction, as MAE


class MeanSquaredLogarithmicError(_KerasLoss):
    """Mean squared logarithmic error, Keras' ``"msle"``.

    ``L = (1/B) Σ u²`` with ``u = log(max(ŷ, ε) + 1) - log(max(y, ε) + 1)``, ``ε = 1e-7``;
    ``dL/dŷ = 2u / (B·(ŷ + 1))`` where ``ŷ >= ε``, else 0. As in Keras, negative targets and predictions count as
    ε, so a prediction below ε gets no gradient.
    """

    name = "mean_squared_logarithmic_error"

    def per_sample(self, y_true, y_pred):
        shifted = np.maximum(y_pred, EPSILON) + 1.0
        gap = np.log(shifted) - np.log(np.maximum(y_true, EPSILON) + 1.0)
        return gap * gap, np.where(y_pred >= EPSILON, 2.0 * gap / shifted, 0.0)

    def curvature(self):
        """0: no constant. ``∂²l/∂ŷ² = 2(1 - u)/(ŷ + 1)²`` reaches ``2(1 + log(1 + y))`` at ``ŷ = 0``, growing with the
        target, and is negative beyond ``u = 1``; its gradient is bounded, so no learning rate makes it explode."""
        return 0.0


_BY_NAME = {
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError, "mae": MeanAbsoluteError,
    "mean_absolute_error": MeanAbsoluteError, "huber": Huber, "huber_loss": Huber, "log_cosh": LogCosh,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError, "mape": MeanAbsolutePercentageError,
    "mean_squared_logarithmic_error": MeanSquaredLogarithmicError, "msle": MeanSquaredLogarithmicError,
    "logcosh": LogCosh}


def _unreduced(cls: type[Loss], name: str) -> Callable[..., np.ndarray]:
    """Keras' loss function ``name``: ``cls``'s per-sample losses, before their mean over the batch."""
    def function(y_true: Any, y_pred: Any, **config: Any) -> np.ndarray:
        y_true, y_pred, _ = regression_pair(y_true, y_pred, finite=False)
        with np.errstate(over="ignore", invalid="ignore"):
            return cls(**config).per_sample(y_true, y_pred)[0].ravel()

    function.__name__ = function.__qualname__ = name
    function.__doc__ = (f"``{name}(y_true, y_pred)``: the loss of each sample, shape ``(B,)``, float32 (the formula of "
                        f":class:`{cls.__name__}`, whose mean over the batch is the loss). ``y_true``, ``y_pred``: "
                        f"``(B,)`` or ``(B, 1)``, one output (Keras reads a 1-D pair as B outputs, and averages them).")
    return function


mean_squared_error = _unreduced(MeanSquaredError, "mean_squared_error")
mean_absolute_error = _unreduced(MeanAbsoluteError, "mean_absolute_error")
mean_absolute_percentage_error = _unreduced(MeanAbsolutePercentageError, "mean_absolute_percentage_error")
mean_squared_logarithmic_error = _unreduced(MeanSquaredLogarithmicError, "mean_squared_logarithmic_error")
huber = _unreduced(Huber, "huber")
log_cosh = _unreduced(LogCosh, "log_cosh")
FUNCTIONS = {function.__name__: function for function in (
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error, mean_squared_logarithmic_error, huber,
    log_cosh)}
"""Keras' loss functions by name (Keras writes a function into a config as its name)."""


def get(identifier: Any) -> Loss:
    """Return a loss from an instance, a class, a Keras name (``"mse"``, ``"huber"``, ...), one of Keras' loss
    functions (``mean_absolute_percentage_error``) or a serialized loss."""
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier) and not isinstance(identifier, Loss):
        return _BY_NAME[loss_function(identifier).__name__]()
    return resolve(Loss, identifier, _BY_NAME, "mse")


def loss_function(identifier: Any, metric: bool = False) -> Callable[..., np.ndarray]:
    """One of Keras' loss functions, from itself, its name, or the envelope Keras writes for it
    (``{"class_name": "function", "config": name, ...}``); any other function is refused: linnet trains with the
    gradients its own losses define, and a config stores a function's name, not its code (``metric``: the function
    of a metric read from a config, which the message names)."""
    name = identifier.get("config") if isinstance(identifier, dict) else getattr(identifier, "__name__", identifier)
    found = FUNCTIONS.get(name) if isinstance(name, str) else None
    if found is None or (callable(identifier) and identifier is not found):
        if metric:
            raise ValueError(f"A metric's function read from a config must be one of Keras' loss functions: "
                             f"{', '.join(FUNCTIONS)} (a config stores a function's name, not its code). Received: "
                             f"{identifier!r}")
        raise ValueError(f"A loss function must be one of linnet's: {', '.join(FUNCTIONS)} (linnet trains with the "
                         f"gradients its losses define, and a config stores a function's name, not its code); write a "
                         f"Loss subclass for another loss. Received: {identifier!r}")
    return found


def deserialize(envelope: dict[str, Any]) -> Loss:
    """Rebuild a loss from its envelope (``serialize(loss)``)."""
    return _deserialize(envelope, Loss)

