"""``Input``, ``Dense`` and ``Activation("linear")``: the affine layers of Keras that a linear model needs."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ..._serialization import without_keras_defaults
from ..._validation import boolean, integer_at_least, one_of, positive_int, reject_unknown_kwargs
from ..._warnings import warn
from .. import initializers, regularizers
from .base import Layer, input_dim_from_shape, unique_name


class InputLayer(Layer):
    """Declares the number of input features; has no weights and is not listed in ``model.layers``.

    The width comes from ``shape`` (one sample's, ``(3,)``) or ``batch_shape`` (``(None, 3)`` or ``(32, 3)``), as in
    Keras 3, which also takes the legacy ``input_shape`` (with its deprecation warning) and ``batch_input_shape``. A
    batch size, there or in ``batch_size``, is accepted and ignored: Keras too trains and predicts on batches of
    any size with it (its ``Dense`` takes no fixed batch dimension), and linnet has none."""

    keras_defaults: ClassVar[dict[str, tuple]] = {
        **Layer.keras_defaults, "sparse": (None, False), "ragged": (None, False), "input_tensor": (None,),
        "optional": (False,)}
    keras_positional = ("batch_size", "dtype", "sparse", "ragged", "batch_shape", "input_tensor", "optional", "name")

    def __init__(self, shape: Any = None, *, name: str | None = None, **kwargs):
        cls = type(self)
        given = {key: value for key in _SHAPE_KEYWORDS if (value := kwargs.pop(key, None)) is not None}
        kwargs = without_keras_defaults(cls, kwargs)
        reject_unknown_kwargs(kwargs, cls.__name__, ["shape", "name", *_SHAPE_KEYWORDS, *cls.keras_defaults])
        width = _input_width(cls.__name__, shape, given)
        super().__init__(name=name if name is not None else unique_name("input_layer"), input_dim=width)

    def get_config(self):
        return {"name": self.name, "shape": [self.declared_input_dim]}

    def get_build_config(self):
        return None


_SHAPE_KEYWORDS = ("batch_size", "batch_shape", "input_shape", "batch_input_shape")
"""InputLayer's keywords besides ``shape`` that say its shape: Keras' and its legacy ones."""


def _input_width(where: str, shape: Any, given: dict[str, Any]) -> int:
    """The number of features ``shape`` or the ``_SHAPE_KEYWORDS`` ``given`` (those not None) declare, refusing what
    Keras 3's InputLayer refuses (``shape`` and ``batch_shape`` together, ``batch_size`` and ``batch_shape``
    together, neither) and a shape given twice under its legacy name (Keras takes the legacy one)."""
    for legacy, current, value in (("input_shape", "shape", shape),
                                   ("batch_input_shape", "batch_shape", given.get("batch_shape"))):
        if legacy in given and value is not None:
            raise ValueError(f"{where} takes {current} or Keras' legacy {legacy}, not both. Received: {current}="
                             f"{value!r:.100} and {legacy}={given[legacy]!r:.100}.")
    shape_name = "shape"
    if "input_shape" in given:
        warn("Argument `input_shape` is deprecated. Use `shape` instead.")  # Keras' warning
        shape, shape_name = given["input_shape"], "input_shape"
    batch_name = "batch_input_shape" if "batch_input_shape" in given else "batch_shape"
    batch_shape = given.get(batch_name)
    if batch_shape is None:
        if shape is None:
            raise ValueError(f"{where} needs a shape, such as shape=(1,) or batch_shape=(None, 1). Received: neither.")
        integer_at_least(given.get("batch_size"), "batch_size", 0, allow_none=True)
        return input_dim_from_shape(shape, shape_name)
    for other, value in ((shape_name, shape), ("batch_size", given.get("batch_size"))):
        if value is not None:
            raise ValueError(f"You cannot pass both `{other}` and `{batch_name}` at the same time (as in Keras). "
                             f"Received: {other}={value!r:.100} and {batch_name}={batch_shape!r:.100}.")
    return input_dim_from_shape(batch_shape, batch_name, batch=True)


def Input(shape: Any = None, batch_size: Any = None, dtype: Any = None, sparse: Any = None, ragged: Any = None,
          batch_shape: Any = None, name: str | None = None, tensor: Any = None, optional: bool = False) -> InputLayer:
    """``keras.Input``: the shape of one sample, e.g. ``Input(shape=(1,))`` for one feature, or ``batch_shape=(None,
    1)``. Keras' other arguments are taken at the values linnet's float32, dense input corresponds to (a batch size
    is accepted and ignored, see :class:`InputLayer`)."""
    return InputLayer(shape, batch_size=batch_size, dtype=dtype, sparse=sparse, ragged=ragged,
                      batch_shape=batch_shape, name=name, input_tensor=tensor, optional=optional)


_LINEAR_ACTIVATIONS = (None, "linear")


def _check_linear(activation: Any) -> None:
    one_of(activation, "activation", _LINEAR_ACTIVATIONS,
           f"linnet fits linear models, so the activation must be None or 'linear'; a nonlinear activation would "
           f"make this a general neural network: use Keras or PyTorch for that. Received: activation={activation!r}")


_DENSE_ARGUMENTS_ONLY = {"activity_regularizer": (None,), "lora_rank": (None,), "lora_alpha": (None,)}
"""Keras' Dense arguments for features linnet lacks that its config does not write: taken at None only."""


class Dense(Layer):
    """Fully connected linear layer: ``y = x @ kernel + bias``, kernel of shape ``(input_dim, units)``.

    Gradients for a batch with upstream gradient ``G = dL/dy``: ``dL/dkernel = xᵀG``,
    ``dL/dbias = Σ_rows G``, ``dL/dx = G kernelᵀ``. ``kernel_regularizer`` and ``bias_regularizer``
    (``linnet.regularizers``) add ``penalty()`` to every batch loss and its gradient to the weights' gradients.
    """

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None, *,
                 input_shape: Any = None, input_dim: int | None = None, name: str | None = None, **kwargs):
        kwargs = without_keras_defaults(type(self), kwargs, {**self.keras_defaults, **_DENSE_ARGUMENTS_ONLY})
        reject_unknown_kwargs(kwargs, type(self).__name__, [
            "units", "activation", "use_bias", "kernel_initializer", "bias_initializer", "input_shape", "input_dim",
            "name", "kernel_regularizer", "bias_regularizer", *type(self).keras_defaults])
        _check_linear(activation)
        super().__init__(name=name, input_shape=input_shape, input_dim=input_dim)
        self.units = positive_int(units, "units")
        self.activation = activation
        self.use_bias = boolean(use_bias, "use_bias")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.trainable_names = ("kernel", "bias") if use_bias else ("kernel",)
        self.kernel = self.bias = None

    def weight_shapes(self, input_dim: int) -> list[tuple[int, ...]]:
        return [(input_dim, self.units), (self.units,)] if self.use_bias else [(input_dim, self.units)]

    def output_dim(self, input_dim):
        return self.units

    def initial_values(self):
        drawn_by = (self.kernel_initializer, self.bias_initializer)
        return [initializer(shape) for initializer, shape in zip(drawn_by, self.weight_shapes(self.input_dim))]

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

    def _regularized(self):
        """``(regularizer, weight, its gradient view)`` for each weight with a regularizer."""
        pairs = [(self.kernel_regularizer, self.kernel, getattr(self, "_grad_kernel", None))]
        if self.use_bias:
            pairs.append((self.bias_regularizer, self.bias, getattr(self, "_grad_bias", None)))
        return [(regularizer, w, g) for regularizer, w, g in pairs if regularizer is not None]

    @property
    def regularized(self) -> bool:
        return self.kernel_regularizer is not None or (self.use_bias and self.bias_regularizer is not None)

    def penalty(self) -> float:
        """``Σ regularizer(weight)`` over the regularized weights (0 without regularizers)."""
        return sum(regularizer(w) for regularizer, w, _ in self._regularized())

    def add_penalty_gradient(self) -> None:
        """Add each regularizer's gradient to the gradient of its weight."""
        for regularizer, w, grad in self._regularized():
            grad += regularizer.gradient(w)

    keras_defaults: ClassVar[dict[str, tuple]] = {
        **Layer.keras_defaults, "kernel_constraint": (None,), "bias_constraint": (None,),
        "quantization_config": (None,)}
    keras_positional = ("activity_regularizer", "kernel_constraint", "bias_constraint", "lora_rank", "lora_alpha",
                        "quantization_config")

    def get_config(self):
        return {**super().get_config(), "units": self.units, "activation": "linear", "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer)}


class Activation(Layer):
    """``Activation("linear")``: the identity. Any other activation is refused (linnet fits linear models)."""

    def __init__(self, activation: Any, *, name: str | None = None, **kwargs):
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
