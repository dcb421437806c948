"""The computation of a stack of linear layers: build, pack parameters, forward and backward passes.

This is the engine's data path: a batch ``(x, y)`` goes in, the loss and the gradient of every parameter come
out, and the optimizer updates one flat float32 vector. Where the batches come from (arrays in memory, file
chunks, a cluster) is the concern of ``sources``, and the loop that feeds them here of ``trainer``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._validation import FLOATX
from .layers import Layer
from .layers.base import MAX_PARAMETERS, first_beyond_limit
from .losses import MeanSquaredError


class Network:
    """A built stack of layers sharing one flat parameter vector ``params`` and gradient vector ``grads``."""

    def __init__(self, layers: Sequence[Layer], input_dim: int):
        self.layers = list(layers)
        self.input_dim = input_dim
        _refuse_beyond_limit(self.layers, input_dim)
        dim, values = input_dim, []
        for layer in self.layers:
            kept = layer.built and layer.input_dim == dim and _bound_values(layer)
            if not kept:
                layer.build(dim)
            values += kept or layer.initial_values()
            dim = layer.output_dim(dim)
        if dim != 1:
            raise ValueError(f"linnet fits one-output regression models, so the last layer must have 1 unit; "
                             f"this stack ends with {dim} units.")
        self.sizes = [value.size for value in values]
        self.names = [name for layer in self.layers for name in layer.trainable_names]  # Keras': "kernel", "bias"
        self.params = np.concatenate([v.ravel() for v in values]).astype(FLOATX) if values else np.zeros(0, FLOATX)
        self.grads = np.zeros_like(self.params)
        self._bind(values)
        trainable = [i for i, layer in enumerate(self.layers) if layer.trainable_names]
        self.first_trainable = trainable[0] if trainable else len(self.layers)
        self._lone = self.layers[0] if len(self.layers) == 1 and trainable else None  # the one-neuron fast path
        self._theta = self.params.reshape(-1, 1)  # (kernel; bias) as one column, for design-matrix batches
        self._grads_row = self.grads.reshape(1, -1)
        self._errors = np.empty((0, 1), dtype=FLOATX)  # the residuals of the last design batch
        self.regularized = [layer for layer in self.layers if layer.regularized]

    def _bind(self, values: list[np.ndarray]) -> None:
        offset, index = 0, 0
        for layer in self.layers:
            views, grad_views = [], []
            for _ in layer.trainable_names:
                shape, size = values[index].shape, values[index].size
                views.append(self.params[offset:offset + size].reshape(shape))
                grad_views.append(self.grads[offset:offset + size].reshape(shape))
                offset, index = offset + size, index + 1
            layer.bind(views, grad_views)

    def __setstate__(self, state: dict) -> None:
        """After unpickling or deep-copying, make the layers view the (copied) flat vectors again."""
        self.__dict__.update(state)
        self._bind([w for layer in self.layers for w in layer.get_weights()[:len(layer.trainable_names)]])
        self._theta, self._grads_row = self.params.reshape(-1, 1), self.grads.reshape(1, -1)

    def set_weights(self, weights: list) -> None:
        """Set every layer's weight arrays, in the order of ``Sequential.get_weights``; count and shapes must match."""
        expected = sum(len(layer.get_weights()) for layer in self.layers)
        if len(weights) != expected:
            raise ValueError(f"set_weights expects {expected} arrays (as get_weights returns). "
                             f"Received: {len(weights)} arrays")
        for layer in self.layers:
            count = len(layer.get_weights())
            layer.set_weights(weights[:count])
            weights = weights[count:]

    def takes_design(self, loss, metrics) -> bool:
        """Whether batches may come as design matrices ``[x, 1]`` (see :meth:`mse_step`).

        True for the tutorials' model: one ``Dense`` layer with a bias, nothing else, the mean squared error,
        no metric (metrics need the predictions, which the fused step does not form) and no regularizer.
        """
        return (self._lone is not None and self._lone.trainable_names == ("kernel", "bias")
                and type(loss) is MeanSquaredError and not metrics and not self.regularized)

    def penalty(self) -> float:
        """The layers' regularization penalty ``Σ regularizer(weight)``, added to every batch loss (Keras)."""
        return sum(layer.penalty() for layer in self.regularized)

    def mse_step(self, design: np.ndarray, y: np.ndarray) -> float:
        """Fill ``grads`` for the MSE of a lone neuron on ``design = [x, 1]``; return the batch loss.

        With ``θ = (kernel; bias)``: ``e = design·θ - y``, ``L = eᵀe / B``, ``∇θ = (2/B)·eᵀ·design``: one
        product forward and one backward, where the layered path needs five operations more. On a view of wider
        rows (a file source's ``[x, 1, y]``) the products are ``matmul``, which calls BLAS with the row stride where
        ``dot`` falls back to a slower loop (1024 x 21 float32: 8 µs against 18 µs a step; the same result); on
        contiguous rows (arrays in memory) they stay ``dot``: 1.3 µs against 1.9 µs for the two at batch 32, and an
        epoch of 1M x 20 at batch 32 took ~210 ms against ~300 ms with ``matmul`` (~240 against ~275 ms without
        the background gather: more than the calls' difference, for reasons not pinned down).
        """
        rows = design.shape[0]
        if self._errors.shape[0] < rows:
            self._errors = np.empty((rows, 1), dtype=FLOATX)
        product = np.dot if design.flags.c_contiguous else np.matmul
        error = product(design, self._theta, out=self._errors[:rows])  # into a kept buffer: no allocation
        error -= y
        flat = error.ravel()
        value = float(np.dot(flat, flat)) / rows
        error *= 2.0 / rows
        product(error.T, design, out=self._grads_row)
        return value

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Predictions ``(n, 1)`` for a float32 batch ``(n, input_dim)``."""
        for layer in self.layers:
            x = layer.call(x)
        return x

    def gradient(self, x: np.ndarray, y: np.ndarray, loss,
                 sample_weight: np.ndarray | None = None) -> tuple[float, np.ndarray]:
        """Fill ``grads`` with ``dL/dparams`` on batch ``(x, y)``; return the batch loss and the predictions.

        ``sample_weight`` ``(B, 1)`` weights each sample's loss, as Keras does: ``L = (1/B) Σ wᵢ·lᵢ``; the
        layers' regularization penalty (with the weights before the update) is added, and its gradient.
        """
        value, prediction = self._data_gradient(x, y, loss, sample_weight)
        if self.regularized:
            value += self.penalty()
            for layer in self.regularized:
                layer.add_penalty_gradient()
        return value, prediction

    def _data_gradient(self, x, y, loss, sample_weight) -> tuple[float, np.ndarray]:
        lone = self._lone
        if lone is not None:  # one trainable layer and nothing else: no list of inputs to keep
            prediction = lone.call(x)
            value, grad = (loss.value_and_grad(y, prediction) if sample_weight is None  # a user's loss may not
                           else loss.value_and_grad(y, prediction, sample_weight))  # take weights
            lone.backward(x, grad, False)
            return value, prediction
        inputs = [x]
        for layer in self.layers:
            inputs.append(layer.call(inputs[-1]))
        prediction = inputs[-1]
        value, grad = (loss.value_and_grad(y, prediction) if sample_weight is None
                       else loss.value_and_grad(y, prediction, sample_weight))
        for i in range(len(self.layers) - 1, self.first_trainable - 1, -1):
            grad = self.layers[i].backward(inputs[i], grad, i > self.first_trainable)
        return value, prediction

    def affine(self) -> tuple[np.ndarray, float]:
        """The whole stack as one map ``y = x @ coef + intercept`` (float64), in the units of ``x``."""
        eye = np.eye(self.input_dim, dtype=np.float64)
        intercept = self._forward64(np.zeros((1, self.input_dim)))
        coef = self._forward64(eye) - intercept
        return coef.ravel(), float(intercept.ravel()[0])

    def _forward64(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.call(x.astype(np.float64))
        return np.asarray(x, dtype=np.float64)


def _refuse_beyond_limit(layers: Sequence[Layer], input_dim: int) -> None:
    """Refuse, before anything is allocated, layers holding more than ``MAX_PARAMETERS`` values together (what a
    model file may hold: a model saved must load)."""
    beyond = first_beyond_limit(layers, input_dim)
    if beyond is not None:
        i, _, total = beyond
        layer = layers[i]
        received = f"units={layer.units} ({layer.name!r})" if hasattr(layer, "units") else repr(layer)
        raise ValueError(f"The layers up to {layer.name!r} on {input_dim:,} inputs would hold {total:,} weights; "
                         f"a linnet model holds at most {MAX_PARAMETERS:,}. Received: {received}")


def _bound_values(layer: Layer) -> list[np.ndarray]:
    """Copies of the trainable weights of a layer already built and bound (a layer of a model built before, as
    when ``Sequential.add`` builds again: Keras keeps them), or [] for a layer without weights yet."""
    weights = layer.get_weights()[:len(layer.trainable_names)]
    return [np.array(w) for w in weights] if len(weights) == len(layer.trainable_names) else []


def built_network(model):
    """``model.network``, building it first from a declared ``Input`` shape (as Keras builds on ``Input``).

    An undeclared input shape raises ``build``'s ValueError, which says how to declare it.
    """
    if getattr(linnet_model(model), "network", None) is None:
        model.build()
    return model.network


def linnet_model(model):
    """``model`` if it is a linnet model (a ``Sequential``, or what has its ``network``, ``build``, ``loss`` and
    ``optimizer``), else a TypeError: what a diagnostic of a model is given."""
    if not all(hasattr(model, attribute) for attribute in ("network", "build", "loss", "optimizer")):
        raise TypeError(f"model must be a linnet model such as Sequential([Input((1,)), Dense(1)]). "
                        f"Received: model={model!r:.100} ({type(model).__name__})")
    return model
