"""The metric protocol (``Metric``) and Keras 3's reduction metrics (``keras/src/metrics/reduction_metrics.py``):
``Mean`` and ``Sum`` of values, and ``MeanMetricWrapper``, the mean of a function of ``(y_true, y_pred)``.

``Mean`` and ``Sum`` take values (``update_state(values, sample_weight)``), reduced per row as Keras 3 reduces
them; they are for your own code, since ``fit`` has predictions to give, not values. The regression metrics that
``compile`` takes by name are in :mod:`linnet.engine.metrics`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from .._serialization import Configurable, function_reference
from .._validation import float32_values, numeric_array, one_of, regression_pair
from . import losses
from .layers.base import unique_name
from .optimizers._arguments import keras_snake_case


class Metric(Configurable):
    """Base class with Keras' ``update_state`` / ``result`` / ``reset_state`` protocol.

    ``direction`` says which way is better, ``"min"`` (an error) or ``"max"`` (a score such as R²): the
    monitoring callbacks read it for ``mode="auto"``. The config is Keras 3's ``{"name", "dtype": "float32"}``
    plus the metric's own parameters.
    """

    keras_module = "keras.metrics"
    keras_defaults: ClassVar[dict[str, tuple]] = {"dtype": ("float32", None)}
    direction = "min"
    of_predictions = True  # update_state takes (y_true, y_pred); Mean and Sum take values, which compile cannot feed

    def __init__(self, dtype: Any = None, name: str | None = None):
        """Keras 3's order, ``(dtype, name)``; ``name`` defaults to the snake-case class name, made unique (Keras'
        ``auto_name``)."""
        name = unique_name(keras_snake_case(type(self).__name__)) if name is None else name
        if not isinstance(name, str) or not name:
            raise TypeError(f"A metric's name must be a non-empty string (it keys the logs). Received: name={name!r}")
        one_of(dtype, "dtype", Metric.keras_defaults["dtype"], _dtype_refusal(dtype))
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


_KERAS_DTYPE_NAMES = frozenset({"bfloat16", "float8_e4m3fn", "float8_e5m2", "string", "mixed_float16",
                                "mixed_bfloat16"})
"""Keras' dtype and dtype-policy names that NumPy does not know (``keras.src.backend.common.dtypes``)."""


def _names_a_dtype(text: str) -> bool:
    """Whether ``text`` names a dtype: NumPy's (``"float32"``, ``"int"``, ``"double"``, ``"f4"``) or Keras' own."""
    if text in _KERAS_DTYPE_NAMES:
        return True
    try:
        np.dtype(text)
    except (TypeError, ValueError, SyntaxError):  # NumPy parses the text: "i4,(" is a SyntaxError
        return False
    return True


def _dtype_refusal(dtype: Any) -> str:
    """Why a metric refuses ``dtype``; a text that names no dtype (``"mine"``, ``"mse"``) is a metric's name given
    first, linnet's earlier ``(name, dtype)`` order, so the message shows the keyword call."""
    refusal = f"linnet's metrics compute in float32. Received: dtype={dtype!r:.100}"
    if not isinstance(dtype, str) or _names_a_dtype(dtype):
        return refusal
    return (f"{refusal}, which is no dtype name: a Metric's arguments are Keras' (dtype, name), not linnet's earlier "
            f"(name, dtype); give the name by keyword, super().__init__(name={dtype!r:.100}).")


class Mean(Metric):
    """The weighted mean ``Σ wᵢ·vᵢ / Σ wᵢ`` of the values passed to ``update_state`` (``wᵢ = 1`` unweighted; 0 before
    any), as Keras 3's ``Mean``: ``Mean().update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])`` gives 2.

    Values of more than one dimension count per row: the mean over a row's values, weighted by its weight(s)."""

    of_predictions = False

    def __init__(self, name: str = "mean", dtype: Any = None):
        super().__init__(dtype, name)

    def reset_state(self):
        self.total, self.count = 0.0, 0

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        """Add ``values`` (a number or an array of numbers, finite), weighted by ``sample_weight`` (None, a number, or
        weights >= 0 per row or per value)."""
        self.add(*samplewise(values, sample_weight, np.mean))

    def add(self, values: np.ndarray, weights: np.ndarray | None) -> None:
        """Add per-row values already weighted, and their weights (None: one per row)."""
        self.total += float(np.sum(values, dtype=np.float64))
        self.count += values.size if weights is None else float(np.sum(weights, dtype=np.float64))

    def result(self):
        return self.total / self.count if self.count else 0.0


class Sum(Metric):
    """The weighted sum ``Σ wᵢ·vᵢ`` of the values passed to ``update_state``, as Keras 3's ``Sum``:
    ``Sum().update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])`` gives 4."""

    of_predictions = False

    def __init__(self, name: str = "sum", dtype: Any = None):
        super().__init__(dtype, name)

    def reset_state(self):
        self.total = 0.0

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        """Add ``values`` weighted by ``sample_weight``, as ``Mean.update_state`` takes them."""
        self.total += float(np.sum(samplewise(values, sample_weight, np.sum)[0], dtype=np.float64))

    def result(self):
        return self.total


def samplewise(values: Any, sample_weight: Any, reduce: Callable) -> tuple[np.ndarray, np.ndarray | None]:
    """``values`` (finite numbers) and ``sample_weight`` (None or numbers >= 0) checked, then reduced by
    :func:`reduce_samplewise`."""
    weights = None if sample_weight is None else float32_values(sample_weight, "sample_weight", non_negative=True)
    return reduce_samplewise(float32_values(values, "values"), weights, reduce)


def reduce_samplewise(values: np.ndarray, weights: np.ndarray | None,
                      reduce: Callable) -> tuple[np.ndarray, np.ndarray | None]:
    """Keras 3's ``reduce_to_samplewise_values``: ``values`` times ``weights`` (same rank after squeezing or expanding
    a last axis of 1; broadcast), then each reduced by ``reduce`` (``np.mean``, ``np.sum``) to one number per row."""
    if weights is not None:
        values, weights = _same_rank(values, weights)
        if values.ndim > weights.ndim:
            values = reduce(values, axis=tuple(range(weights.ndim, values.ndim)))
        try:
            weights = np.broadcast_to(weights, values.shape)
        except ValueError:
            raise ValueError(f"sample_weight must be a number, one weight per row or one per value of values "
                             f"{values.shape}. Received: sample_weight.shape={weights.shape}") from None
        values = values * weights
        weights = reduce(weights, axis=tuple(range(1, weights.ndim))) if weights.ndim > 1 else weights
    return (reduce(values, axis=tuple(range(1, values.ndim))) if values.ndim > 1 else values), weights


def _check_options(fn: Callable[..., Any], options: dict[str, Any]) -> None:
    """Refuse keyword arguments ``fn`` does not take, before they fail at the first batch: Keras' loss functions
    (``linnet.losses.FUNCTIONS``) are tried on one sample, any other function's signature is bound."""
    import inspect
    try:
        if fn in losses.FUNCTIONS.values():
            one = np.zeros((1, 1), np.float32)
            fn(one, one, **options)
        else:
            inspect.signature(fn).bind(None, None, **options)
    except (TypeError, ValueError) as error:
        raise TypeError(f"fn {getattr(fn, '__name__', fn)!s:.60} does not take these keyword arguments ({error}). "
                        f"Received: {options!r:.100}") from None


def _same_rank(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keras' ``squeeze_or_expand_to_same_rank``: where the ranks differ by one and the longer ends in an axis of 1,
    a rank-1 partner gains that axis, any other loses it."""
    if values.ndim == weights.ndim + 1 and values.shape[-1] == 1:
        return (values, weights[:, None]) if weights.ndim == 1 else (values[..., 0], weights)
    if weights.ndim == values.ndim + 1 and weights.shape[-1] == 1:
        return (values[:, None], weights) if values.ndim == 1 else (values, weights[..., 0])
    return values, weights


class MeanMetricWrapper(Mean):
    """The weighted mean of ``fn(y_true, y_pred, **kwargs)``, a function returning one value per sample, as Keras 3's
    ``MeanMetricWrapper``: ``MeanMetricWrapper(linnet.keras.losses.mean_absolute_percentage_error)``.

    ``fn`` gets float32 columns ``(B, 1)``. A model file stores ``fn`` by name, as Keras does, so only Keras' loss
    functions (``linnet.losses.FUNCTIONS``) can be read back.
    """

    of_predictions = True
    update_state = Metric.update_state  # (y_true, y_pred, sample_weight), checked, then accumulate

    def __init__(self, fn: Callable[..., Any], name: str | None = None, dtype: Any = None, **kwargs: Any):
        if not callable(fn):
            raise TypeError(f"fn must be a function of (y_true, y_pred) returning one value per sample. "
                            f"Received: fn={fn!r}")
        _check_options(fn, kwargs)
        self.fn, self.fn_kwargs = fn, kwargs
        super().__init__(name if name is not None else unique_name("mean_metric_wrapper"), dtype)

    def accumulate(self, y_true, y_pred, sample_weight):
        what = f"the values of {self.name}'s fn"
        values = numeric_array(self.fn(y_true, y_pred, **self.fn_kwargs), what)
        if values.ndim == 0 or values.shape[0] != y_true.shape[0]:
            raise ValueError(f"{what} must hold one value per sample, {y_true.shape[0]} for this batch. Received: "
                             f"shape {values.shape}")
        if np.isnan(values).any():  # (an infinity is an overflow's value, as in Keras)
            raise ValueError(f"{what} hold NaN (first for sample {int(np.argwhere(np.isnan(values))[0][0])}): the "
                             f"function, not the data, gave it.")
        self.add(*reduce_samplewise(values.astype(np.float32), sample_weight, np.mean))

    def get_config(self):
        fn = function_reference(getattr(self.fn, "__name__", repr(self.fn)))
        return {**super().get_config(), "fn": fn, **self.fn_kwargs}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> MeanMetricWrapper:
        if isinstance(config, dict) and "fn" in config:
            config = {**config, "fn": losses.loss_function(config["fn"], metric=True)}
        return super().from_config(config)
