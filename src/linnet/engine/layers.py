"""The layers a linear model is made of: ``Input``, ``Dense``, ``Activation("linear")`` and ``Normalization``.

Every layer is an affine map, so any stack of them is still a linear model. A layer declares the shapes of
its trainable variables; the model packs all of them into one flat float32 vector and hands each layer views
into it (``bind``), so optimizers update every parameter with a few vectorised operations.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from .._serialization import KERAS_DTYPE_POLICY, Configurable
from .._validation import (FLOATX, boolean, column_statistics, features, float32_values, positive_int,
                           reject_unknown_kwargs)
from . import initializers

_name_counts: defaultdict[str, int] = defaultdict(int)


def unique_name(prefix: str) -> str:
    """Keras-style per-process names: ``dense``, ``dense_1``, ``dense_2``, ..."""
    count = _name_counts[prefix]
    _name_counts[prefix] += 1
    return prefix if count == 0 else f"{prefix}_{count}"


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def input_dim_from_shape(shape: Any, name: str) -> int:
    """Read the feature count from a Keras input shape such as ``(1,)``, ``[13]`` or ``1``."""
    dims = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    if len(dims) == 2 and dims[0] is None:
        dims = dims[1:]
    if len(dims) != 1:
        raise ValueError(f"{name} must describe one sample of 1-D features, such as (1,) or (13,), "
                         f"received {shape!r}.")
    return positive_int(dims[0], name)


class Layer(Configurable):
    """Base class: an affine map from ``input_dim`` to ``output_dim`` features. Configs are Keras 3's."""

    trainable_names: tuple[str, ...] = ()
    keras_module = "keras.layers"
    keras_defaults: ClassVar[dict[str, tuple]] = {"trainable": (True,), "dtype": (KERAS_DTYPE_POLICY, "float32", None)}

    def __init__(self, name: str | None = None, input_shape: Any = None, input_dim: int | None = None):
        self.name = name if name is not None else unique_name(_snake(type(self).__name__))
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"name must be a non-empty string, received {name!r}.")
        self.declared_input_dim = input_dim_from_shape(input_shape, "input_shape") if input_shape is not None else (
            positive_int(input_dim, "input_dim") if input_dim is not None else None)
        self.input_dim: int | None = None
        self.built = False

    def build(self, input_dim: int) -> None:
        self.input_dim = input_dim
        self.built = True

    def output_dim(self, input_dim: int) -> int:
        return input_dim

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

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
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


def _check_weight_shapes(layer: Layer, weights: Sequence[Any], shapes: list[tuple[int, ...]]) -> None:
    if len(weights) != len(shapes):
        raise ValueError(f"Layer {layer.name!r} expects {len(shapes)} weight arrays with shapes {shapes}, "
                         f"received {len(weights)}.")
    for i, (value, shape) in enumerate(zip(weights, shapes)):
        if np.shape(value) != shape:
            raise ValueError(f"Layer {layer.name!r} weight {i} must have shape {shape}, "
                             f"received shape {np.shape(value)}.")
        float32_values(value, f"Layer {layer.name!r} weight {i}")


class InputLayer(Layer):
    """Declares the number of input features; has no weights and is not listed in ``model.layers``."""

    def __init__(self, shape: Any = None, name: str | None = None, **kwargs):
        reject_unknown_kwargs({k: v for k, v in kwargs.items() if k != "batch_size"}, "Input", ["shape", "name"])
        if shape is None:
            raise ValueError("Input needs a shape, such as Input(shape=(1,)).")
        super().__init__(name=name if name is not None else unique_name("input_layer"), input_shape=shape)

    def get_config(self):
        return {"name": self.name, "shape": [self.declared_input_dim]}

    def get_build_config(self):
        return None


def Input(shape: Any = None, name: str | None = None, **kwargs) -> InputLayer:
    """``keras.Input``: the shape of one sample, e.g. ``Input(shape=(1,))`` for one feature."""
    return InputLayer(shape=shape, name=name, **kwargs)


_LINEAR_ACTIVATIONS = (None, "linear")


def _check_linear(activation: Any) -> None:
    if activation not in _LINEAR_ACTIVATIONS:
        raise ValueError(f"linnet fits linear models, so the activation must be None or 'linear', "
                         f"received {activation!r}. A nonlinear activation would make this a general neural "
                         f"network; use Keras or PyTorch for that.")


class Dense(Layer):
    """Fully connected linear layer: ``y = x @ kernel + bias``, kernel of shape ``(input_dim, units)``.

    Gradients for a batch with upstream gradient ``G = dL/dy``: ``dL/dkernel = xᵀG``,
    ``dL/dbias = Σ_rows G``, ``dL/dx = G kernelᵀ``.
    """

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 input_shape: Any = None, input_dim: int | None = None, name: str | None = None, **kwargs):
        reject_unknown_kwargs(kwargs, "Dense", ["units", "activation", "use_bias", "kernel_initializer",
                                                "bias_initializer", "input_shape", "input_dim", "name"])
        _check_linear(activation)
        super().__init__(name=name, input_shape=input_shape, input_dim=input_dim)
        self.units = positive_int(units, "units")
        self.activation = activation
        self.use_bias = boolean(use_bias, "use_bias")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.trainable_names = ("kernel", "bias") if use_bias else ("kernel",)
        self.kernel = self.bias = None

    def output_dim(self, input_dim):
        return self.units

    def initial_values(self):
        values = [self.kernel_initializer((self.input_dim, self.units))]
        if self.use_bias:
            values.append(self.bias_initializer((self.units,)))
        return values

    def bind(self, values, grads):
        self.kernel, self._grad_kernel = values[0], grads[0]
        if self.use_bias:
            self.bias, self._grad_bias = values[1], grads[1]

    def call(self, x):
        out = x @ self.kernel
        if self.use_bias:
            out += self.bias
        return out

    def backward(self, x, grad_out, need_input_grad):
        np.dot(x.T, grad_out, out=self._grad_kernel)
        if self.use_bias:
            np.add.reduce(grad_out, axis=0, out=self._grad_bias)  # np.sum, without its Python wrapper
        return grad_out @ self.kernel.T if need_input_grad else None

    def get_weights(self):
        return [w for w in (self.kernel, self.bias) if w is not None]

    keras_defaults: ClassVar[dict[str, tuple]] = {**Layer.keras_defaults, "kernel_regularizer": (None,), "bias_regularizer": (None,),
                      "kernel_constraint": (None,), "bias_constraint": (None,), "quantization_config": (None,)}

    def get_config(self):
        return {**super().get_config(), "units": self.units, "activation": "linear", "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer)}


class Activation(Layer):
    """``Activation("linear")``: the identity. Any other activation is refused (linnet fits linear models)."""

    def __init__(self, activation: Any = "linear", name: str | None = None, **kwargs):
        reject_unknown_kwargs(kwargs, "Activation", ["activation", "name"])
        _check_linear(activation)
        super().__init__(name=name)
        self.activation = activation

    def call(self, x):
        return x

    def backward(self, x, grad_out, need_input_grad):
        return grad_out

    def get_config(self):
        return {**super().get_config(), "activation": "linear"}


class Normalization(Layer):
    """Feature standardisation ``y = (x - mean) / max(sqrt(variance), 1e-7)``, not trained by ``fit``.

    Give ``mean`` and ``variance`` or learn them from data with ``adapt(x)`` (population variance).
    ``dL/dx = G / max(sqrt(variance), 1e-7)``.
    """

    EPSILON = 1e-7

    def __init__(self, axis: int | None = -1, mean: Any = None, variance: Any = None,
                 name: str | None = None, **kwargs):
        reject_unknown_kwargs(kwargs, "Normalization", ["axis", "mean", "variance", "name", "input_shape"])
        if axis not in (-1, 1):
            raise ValueError(f"linnet's Normalization normalizes each feature, so axis must be -1, received {axis!r}.")
        if (mean is None) != (variance is None):
            raise ValueError("Normalization needs both mean and variance, or neither (then call adapt()).")
        super().__init__(name=name)
        self.axis = axis
        self.mean = None if mean is None else np.atleast_1d(float32_values(mean, "mean"))
        self.variance = None if variance is None else np.atleast_1d(float32_values(variance, "variance",
                                                                                   non_negative=True))
        self.count = np.zeros((), dtype=np.int64)

    def adapt(self, data: Any) -> None:
        """Set ``mean`` and ``variance`` to the per-feature mean and population variance of ``data``.

        ``data`` is the rows, or a :class:`linnet.exact.LeastSquaresState` of them (built chunk by chunk,
        merged from parts): then ``variance = |R[:, j]|**2 / W`` from its factor, no rows needed. The statistics
        are computed in float64 and refused when float32 cannot hold them.
        """
        from ..exact.state import LeastSquaresState
        if isinstance(data, LeastSquaresState):
            if data.n == 0 or self.input_dim not in (None, data.n_features):
                raise ValueError(f"data must be a LeastSquaresState of rows with {self.input_dim or 'any number of'} "
                                 f"feature(s), received {data!r}.")
            with np.errstate(over="ignore"):  # an overflow shows up as inf, refused by float32_values
                variance = np.sum(data.factor[:, :-1] ** 2, axis=0) / data.weight
            mean = float32_values(data.mean_x, "the mean of the columns of data")
            variance = float32_values(variance, "the variance of the columns of data", tiny=True)
            count = data.n
        else:
            x = features(data, "data", n_features=self.input_dim, dtype=np.float64)
            (mean, variance), count = column_statistics(x, "data"), x.shape[0]
        self.mean, self.variance = mean.astype(FLOATX), variance.astype(FLOATX)
        self.count = np.asarray(count, dtype=np.int64)

    def build(self, input_dim):
        if self.mean is None:
            self.mean = np.zeros(input_dim, dtype=FLOATX)
            self.variance = np.ones(input_dim, dtype=FLOATX)
        elif self.mean.size == 1 and input_dim > 1:
            self.mean = np.repeat(self.mean, input_dim)
            self.variance = np.repeat(self.variance, input_dim)
        if self.mean.size != input_dim:
            raise ValueError(f"Normalization {self.name!r} holds statistics for {self.mean.size} features, "
                             f"but its input has {input_dim}.")
        super().build(input_dim)

    def scale(self) -> np.ndarray:
        return np.maximum(np.sqrt(self.variance), FLOATX(self.EPSILON))

    def call(self, x):
        return (x - self.mean) / self.scale()

    def backward(self, x, grad_out, need_input_grad):
        return grad_out / self.scale() if need_input_grad else None

    def get_weights(self):
        return [self.mean, self.variance, self.count]

    keras_defaults: ClassVar[dict[str, tuple]] = {**Layer.keras_defaults, "invert": (False,)}

    def get_config(self):
        return {**super().get_config(), "axis": self.axis,
                "mean": None if self.mean is None else self.mean.tolist(),
                "variance": None if self.variance is None else self.variance.tolist()}


LAYER_CLASSES = {cls.__name__: cls for cls in (Dense, Activation, Normalization, InputLayer)}
