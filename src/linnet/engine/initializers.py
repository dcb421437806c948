"""Weight initializers with Keras' names, defaults and formulas.

An initializer is called with a shape and returns a float32 array. Random ones draw from
``linnet.random.generator(seed)``: with ``seed=None`` from linnet's seeded default generator.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, ClassVar

import numpy as np

from .. import random as _random
from .._serialization import Configurable, resolve, serialize  # noqa: F401 (serialize is part of this module's API)
from .._serialization import deserialize as _deserialize
from .._validation import FLOATX, allocatable, float32_number, non_negative_int


class Initializer(Configurable):
    """Base class: ``initializer(shape) -> float32 array``. Configs are Keras 3's."""

    keras_module = "keras.initializers"

    def __call__(self, shape: int | tuple[int, ...], dtype=FLOATX) -> np.ndarray:
        """Values of ``shape``, a tuple of ints >= 0 or an int ``n`` (meaning ``(n,)``, as Keras' ``Zeros()(3)``), as
        ``dtype`` (a NumPy dtype of numbers; None keeps the float64 drawn)."""
        dtype, shape = _dtype(dtype), _shape(shape)
        allocatable(math.prod(shape), "shape", f"shape={shape}")  # drawn in float64
        return np.asarray(self.draw(shape), dtype=dtype)

    def draw(self, shape: tuple[int, ...]) -> np.ndarray:
        raise NotImplementedError


def _dtype(dtype: Any) -> np.dtype | None:
    """``dtype`` as a NumPy dtype of numbers (or None), refused naming ``dtype`` when it is none."""
    try:
        parsed = None if dtype is None else np.dtype(dtype)
    except (TypeError, ValueError):
        parsed = np.dtype(object)
    if parsed is not None and parsed.kind not in "biuf":
        raise TypeError(f"dtype must be a NumPy dtype of numbers, such as 'float32' (the default). "
                        f"Received: dtype={dtype!r:.100}")
    return parsed


def _shape(shape: Any) -> tuple[int, ...]:
    """``shape`` as a tuple of ints >= 0 (an int ``n`` is ``(n,)``), each dimension checked by ``non_negative_int``;
    the error names the whole shape."""
    dims = (shape,) if isinstance(shape, numbers.Integral) else shape
    try:
        return tuple(non_negative_int(dim, "shape") for dim in dims)
    except TypeError:  # not iterable, or a dimension that is not an int
        raise TypeError(f"shape must be an int or a tuple of ints, such as (3, 1). Received: shape={shape!r}") from None
    except ValueError:
        raise ValueError(f"shape must have no negative dimension. Received: shape={shape!r}") from None


class Constant(Initializer):
    """Every value equals ``value``."""

    def __init__(self, value: float = 0.0):
        self.value = float32_number(value, "value")

    def draw(self, shape):
        return np.full(shape, self.value)

    def get_config(self):
        return {"value": self.value}


class Zeros(Constant):
    """Every value is 0."""

    def __init__(self):
        super().__init__(0.0)

    def get_config(self):
        return {}


class Ones(Constant):
    """Every value is 1."""

    def __init__(self):
        super().__init__(1.0)

    def get_config(self):
        return {}


class _Seeded(Initializer):
    def __init__(self, seed: int | None = None):
        _random.generator(seed)  # validates the seed
        self.seed = seed

    def draw(self, shape):
        return self.sample(_random.generator(self.seed), shape)

    def sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        raise NotImplementedError

    def get_config(self):
        """``{"seed": seed}``; a Generator seed is the caller's stream, not a number, so it is written as None."""
        return {"seed": None if isinstance(self.seed, np.random.Generator) else self.seed}


class RandomUniform(_Seeded):
    """Uniform draws from ``[minval, maxval)``."""

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None):
        super().__init__(seed)
        self.minval = float32_number(minval, "minval")
        self.maxval = float32_number(maxval, "maxval")
        if self.maxval <= self.minval:
            raise ValueError(f"maxval must be greater than minval. Received: minval={minval}, maxval={maxval}")

    def sample(self, rng, shape):
        return rng.uniform(self.minval, self.maxval, size=shape)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


class RandomNormal(_Seeded):
    """Normal draws with mean ``mean`` and standard deviation ``stddev``."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        super().__init__(seed)
        self.mean = float32_number(mean, "mean")
        self.stddev = float32_number(stddev, "stddev", low=0.0)

    def sample(self, rng, shape):
        return rng.normal(self.mean, self.stddev, size=shape)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class GlorotUniform(_Seeded):
    """Glorot/Xavier uniform: ``U(-limit, limit)`` with ``limit = sqrt(6 / (fan_in + fan_out))``.

    Keras' ``VarianceScaling(scale=1, mode="fan_avg", distribution="uniform")``; for a ``(1, 1)`` kernel the
    limit is ``sqrt(3)``. The fans are Keras' (``compute_fans``): ``(d, d)`` for a shape ``(d,)``, ``(a, b)`` for
    ``(a, b)``, and ``(a·r, b·r)`` for ``(..., a, b)``, ``r`` the product of the leading (receptive field) sizes.
    Keras' ``input_axes`` and ``output_axes`` (other fans) are taken at None only.
    """

    keras_defaults: ClassVar[dict[str, tuple]] = {"input_axes": (None,), "output_axes": (None,)}
    keras_positional = ("input_axes", "output_axes")

    def __init__(self, seed: int | None = None):
        super().__init__(seed)

    def sample(self, rng, shape):
        fan_in, fan_out = _fans(shape)
        limit = math.sqrt(3.0 / max(1.0, (fan_in + fan_out) / 2.0))
        return rng.uniform(-limit, limit, size=shape)


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """Keras' ``compute_fans``: ``(fan_in, fan_out)`` of a weight of ``shape``."""
    if len(shape) < 2:
        return (shape[0], shape[0]) if shape else (1, 1)
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


_BY_NAME = {
    "glorot_uniform": GlorotUniform,
    "zeros": Zeros,
    "ones": Ones,
    "constant": Constant,
    "random_uniform": RandomUniform,
    "random_normal": RandomNormal,
}


def get(identifier: Any) -> Initializer:
    """Return an initializer from an instance, a Keras name (``"glorot_uniform"``) or a serialized one."""
    return resolve(Initializer, identifier, _BY_NAME, "glorot_uniform")


def deserialize(envelope: dict[str, Any]) -> Initializer:
    """Rebuild an initializer from its envelope (``serialize(initializer)``)."""
    return _deserialize(envelope, Initializer)

