"""The layer protocol: a layer declares the shapes of its trainable variables, receives views into the model's
one flat float32 parameter vector (``bind``), and maps inputs forward (``call``) and gradients back
(``backward``). Also the Keras-style per-process layer names and the input-shape rule.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from ..._serialization import KERAS_DTYPE_POLICY, Configurable
from ..._validation import features, float32_values, integer_at_least, items, positive_int

_name_counts: defaultdict[str, int] = defaultdict(int)


def unique_name(prefix: str) -> str:
    """Keras-style per-process names: ``dense``, ``dense_1``, ``dense_2``, ..."""
    count = _name_counts[prefix]
    _name_counts[prefix] += 1
    return prefix if count == 0 else f"{prefix}_{count}"


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


MAX_FEATURES = 1_000_000
"""Input features a model may take (the model files' reader holds to the same limits) ..."""
MAX_PARAMETERS = 10_000_000
"""... and values in all its layer weights together (40 MB in float32; each optimizer slot holds as many again)."""


def input_dim_from_shape(shape: Any, name: str, *, batch: bool = False) -> int:
    """Read the feature count from a Keras input shape such as ``(1,)``, ``[13]`` or ``1`` (or ``(None, 13)``); with
    ``batch``, from Keras' ``batch_shape``, ``(batch size or None, features)``, whose batch size is checked, not kept
    (a linnet model takes batches of any size)."""
    try:
        dims = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    except TypeError:
        raise TypeError(f"{name} must be a positive integer or a tuple such as (1,) or (13,). "
                        f"Received: {name}={shape!r} ({type(shape).__name__})") from None
    if batch:
        if len(dims) != 2:
            raise ValueError(f"{name} must be (batch size or None, features), such as (None, 13). Received: "
                             f"{name}={shape!r:.100}")
        integer_at_least(dims[0], f"{name}[0]", 0, allow_none=True, expected="a batch size (an integer >= 0) or None")
        dims = dims[1:]
    elif len(dims) == 2 and dims[0] is None:
        dims = dims[1:]
    if len(dims) != 1:
        raise ValueError(f"{name} must describe one sample of 1-D features, such as (1,) or (13,). "
                         f"Received: {name}={shape!r}")
    dim = positive_int(dims[0], name)
    if dim > MAX_FEATURES:
        raise ValueError(f"{name} declares {dim:,} features; a linnet model takes at most {MAX_FEATURES:,}. "
                         f"Received: {name}={shape!r}")
    return dim


class Layer(Configurable):
    """Base class: an affine map from ``input_dim`` to ``output_dim`` features. Configs are Keras 3's."""

    trainable_names: tuple[str, ...] = ()
    non_trainable_names: tuple[str, ...] = ()  # Keras' names of the weights after those, which fit does not train
    keras_module = "keras.layers"
    keras_defaults: ClassVar[dict[str, tuple]] = {"trainable": (True,), "dtype": (KERAS_DTYPE_POLICY, "float32", None)}

    def __init__(self, *, name: str | None = None, input_shape: Any = None, input_dim: int | None = None):
        self.name = name if name is not None else unique_name(_snake(type(self).__name__))
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"name must be a non-empty string. Received: name={name!r}")
        self.declared_input_dim = input_dim_from_shape(input_shape, "input_shape") if input_shape is not None else (
            positive_int(input_dim, "input_dim") if input_dim is not None else None)
        self.input_dim: int | None = None
        self.built = False

    def build(self, input_dim: int) -> None:
        self.input_dim = input_dim
        self.built = True

    def output_dim(self, input_dim: int) -> int:
        return input_dim

    def weight_shapes(self, input_dim: int) -> list[tuple[int, ...]]:
        """The shapes of the layer's weights (``get_weights``' order) for ``input_dim`` inputs, known before they
        are allocated (none here)."""
        return []

    def weight_count(self, input_dim: int) -> int:
        """Values in the layer's weights for ``input_dim`` inputs: the sum of the products of their shapes."""
        return sum(math.prod(shape) for shape in self.weight_shapes(input_dim))

    def initial_values(self) -> list[np.ndarray]:
        """Fresh values of the trainable variables, in ``trainable_names`` order."""
        return []

    def bind(self, values: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Take views into the model's flat parameter and gradient vectors."""

    def call(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, x: np.ndarray, grad_out: np.ndarray, need_input_grad: bool) -> np.ndarray | None:
        """Write the parameter gradients for input ``x``; return ``dL/dx`` when asked."""
        raise NotImplementedError

    def get_weights(self) -> list[np.ndarray]:
        return []

    regularized = False  # whether penalty() can be non-zero (Dense with a regularizer)

    def penalty(self) -> float:
        """The regularization penalty this layer adds to the loss (``linnet.regularizers``); 0 by default."""
        return 0.0

    def add_penalty_gradient(self) -> None:
        """Add the penalty's gradient to the layer's weight gradients (nothing by default)."""

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        weights = items(weights, "weights", "a list of arrays, in the order of get_weights()")
        _check_weight_shapes(self, weights, [w.shape for w in self.get_weights()])
        for target, value in zip(self.get_weights(), weights):
            target[...] = value

    def __call__(self, x: Any) -> np.ndarray:
        x = features(x, "x", n_features=self.input_dim)
        if not self.built:
            raise ValueError(f"Layer {self.name!r} is not built yet; add it to a model and build the model first.")
        return self.call(x)

    def get_config(self) -> dict[str, Any]:
        """``name``, Keras' ``trainable`` and ``dtype``, and the declared ``input_dim`` when there is one."""
        config = {"name": self.name, **self.keras_extras()}
        if self.declared_input_dim is not None:
            config["input_dim"] = self.declared_input_dim
        return config

    def get_build_config(self) -> dict[str, Any] | None:
        """Keras' ``build_config``: the input shape the layer was built for, None before it is built."""
        return {"input_shape": [None, self.input_dim]} if self.built else None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


def first_beyond_limit(layers: Sequence[Layer], input_dim: int) -> tuple[int, int, int] | None:
    """``(i, dim, total)`` for the first of ``layers`` (fed ``input_dim`` features) at which together they hold more
    than ``MAX_PARAMETERS`` weights (``dim``: its inputs, ``total``: the weights up to it), or None; nothing is
    allocated."""
    dim, total = input_dim, 0
    for i, layer in enumerate(layers):
        total += layer.weight_count(dim)
        if total > MAX_PARAMETERS:
            return i, dim, total
        dim = layer.output_dim(dim)
    return None


def _check_weight_shapes(layer: Layer, weights: Sequence[Any], shapes: list[tuple[int, ...]]) -> None:
    if len(weights) != len(shapes):
        raise ValueError(f"Layer {layer.name!r} expects {len(shapes)} weight arrays with shapes {shapes}. "
                         f"Received: {len(weights)} weight arrays")
    for i, (value, shape) in enumerate(zip(weights, shapes)):
        if np.shape(value) != shape:
            raise ValueError(f"Layer {layer.name!r} weight {i} must have shape {shape}. "
                             f"Received: weight {i} with shape {np.shape(value)}")
        float32_values(value, f"Layer {layer.name!r} weight {i}")
