"""``Normalization``: ``(x - mean) / sqrt(variance)`` per feature, as Keras 3's layer, adapted from rows or from a
least-squares state."""

from __future__ import annotations

import numbers
from typing import Any, ClassVar

import numpy as np

from ..._validation import (
    FLOATX,
    boolean,
    column_statistics,
    features,
    float32_statistics,
    float32_values,
    items,
    one_of,
    reject_unknown_kwargs,
)
from .base import Layer


class Normalization(Layer):
    """Feature standardisation ``y = (x - mean) / max(sqrt(variance), 1e-7)``, not trained by ``fit``.

    Give ``mean`` and ``variance`` or learn them from data with ``adapt(x)`` (population variance).
    ``dL/dx = G / max(sqrt(variance), 1e-7)``. ``invert=True`` (as in Keras) maps back to the data's units,
    ``y = mean + x·max(sqrt(variance), 1e-7)``, e.g. after a neuron trained on a standardized target.
    """

    EPSILON = 1e-7
    non_trainable_names = ("mean", "variance", "count")  # get_weights' order, as Keras names them

    def __init__(self, axis: int | None = -1, mean: Any = None, variance: Any = None,
                 invert: bool = False, *, name: str | None = None, **kwargs):
        reject_unknown_kwargs(kwargs, "Normalization", ["axis", "mean", "variance", "invert", "name", "input_shape"])
        axis = _feature_axis(axis)
        if (mean is None) != (variance is None):
            raise ValueError("Normalization needs both mean and variance, or neither (then call adapt()).")
        super().__init__(name=name)
        self.axis = axis
        self.invert = boolean(invert, "invert")
        self.mean = None if mean is None else _statistic(mean, "mean")
        self.variance = None if variance is None else _statistic(variance, "variance", non_negative=True)
        if self.mean is not None and self.mean.size != self.variance.size and min(self.mean.size,
                                                                                  self.variance.size) > 1:
            raise ValueError(f"mean and variance must hold one value per feature each (or one for every feature). "
                             f"Received: mean.shape={self.mean.shape}, variance.shape={self.variance.shape}")
        self.count = np.zeros((), dtype=np.int64)

    def adapt(self, data: Any) -> None:
        """Set ``mean`` and ``variance`` to the per-feature mean and population variance of ``data``.

        ``data`` is the rows, or a :class:`linnet.exact.LeastSquaresState` of them (built chunk by chunk,
        merged from parts): then ``variance = |R[:, j]|**2 / W`` from its factor, no rows needed. The statistics
        are computed in float64 and refused when float32 cannot hold them.
        """
        from ...exact.state import LeastSquaresState
        if isinstance(data, LeastSquaresState):
            if data.n == 0 or self.input_dim not in (None, data.n_features):
                raise ValueError(f"data must be a LeastSquaresState of rows with {self.input_dim or 'any number of'} "
                                 f"feature(s). Received: data={data!r}")
            (mean, variance), count = float32_statistics(data.mean_x, data.variance_x, "data"), data.n
        else:
            x = features(data, "data", n_features=self.input_dim, dtype=np.float64)
            (mean, variance), count = column_statistics(x, "data"), x.shape[0]
        self.mean, self.variance = mean.astype(FLOATX), variance.astype(FLOATX)
        self.count = np.asarray(count, dtype=np.int64)

    def weight_shapes(self, input_dim: int) -> list[tuple[int, ...]]:
        return [(input_dim,), (input_dim,), ()]  # mean, variance, count (Keras' weights)

    def build(self, input_dim):
        if self.mean is None:
            self.mean = np.zeros(input_dim, dtype=FLOATX)
            self.variance = np.ones(input_dim, dtype=FLOATX)
        elif input_dim > 1:  # one value is every feature's, as Keras broadcasts each
            self.mean, self.variance = (np.repeat(v, input_dim) if v.size == 1 else v
                                        for v in (self.mean, self.variance))
        features = self.mean.size if self.mean.size != input_dim else self.variance.size
        if features != input_dim:
            raise ValueError(f"Normalization {self.name!r} holds statistics for {features} features, "
                             f"but its input has {input_dim}.")
        super().build(input_dim)

    def scale(self) -> np.ndarray:
        return np.maximum(np.sqrt(self.variance), FLOATX(self.EPSILON))

    def call(self, x):
        return self.mean + x * self.scale() if self.invert else (x - self.mean) / self.scale()

    def backward(self, x, grad_out, need_input_grad):
        if not need_input_grad:
            return None
        return grad_out * self.scale() if self.invert else grad_out / self.scale()

    def get_weights(self):
        return [self.mean, self.variance, self.count]

    keras_defaults: ClassVar[dict[str, tuple]] = Layer.keras_defaults

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "invert": self.invert,
                "mean": None if self.mean is None else self.mean.tolist(),
                "variance": None if self.variance is None else self.variance.tolist()}


def _feature_axis(axis: Any) -> int:
    """``axis`` as a Python int. Keras' is an int, ints (``tuple(axis)``) or None, and a bool is none of them (Keras 3
    takes ``True`` for axis 1); linnet normalizes each feature: -1, or 1, the same axis of 2-D rows (alone in a tuple
    or list too)."""
    expected = "an int, a tuple of ints or None"
    parts = [axis] if axis is None or isinstance(axis, numbers.Integral) else items(axis, "axis", expected)
    if not all(part is None or (isinstance(part, numbers.Integral) and not isinstance(part, bool)) for part in parts):
        raise TypeError(f"axis must be {expected}. Received: axis={axis!r:.100} ({type(axis).__name__})")
    single = parts[0] if len(parts) == 1 else axis  # Keras' get_config writes the tuple (-1,)
    return int(one_of(single, "axis", (-1, 1), f"linnet's Normalization normalizes each feature, so axis must be -1. "
                                               f"Received: axis={axis!r}"))


def _statistic(value: Any, name: str, **rules: Any) -> np.ndarray:
    """A ``mean`` or ``variance`` given: float32 values, one per feature (a number is every feature's), not none."""
    array = np.atleast_1d(float32_values(value, name, **rules))
    if array.size == 0:
        raise ValueError(f"{name} must hold one value per feature, or one for every feature. Received: {name} with "
                         f"shape {array.shape}")
    return array
