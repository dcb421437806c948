"""``model.weights`` and its kin: each weight as a read-only ``Variable`` with Keras 3's ``path``, ``name``, ``shape``,
``dtype`` and ``trainable``, listed in Keras' order (layer by layer, each layer's trainable weights first).

linnet's weights are NumPy arrays, views into one flat float32 vector that training updates in place (Keras'
are ``Variable`` objects of the backend); a ``Variable`` here shows the current values (``value``, a read-only
view; ``numpy()``, a copy) and is changed only through ``model.set_weights``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .layers import Layer


class Variable:
    """One weight of a model, as Keras 3 shows it: ``<Variable path=sequential/dense/kernel, shape=(1, 1),
    dtype=float32, value=[[0.5]]>``. ``np.asarray(variable)`` is its value."""

    def __init__(self, layer: Layer, index: int, path: str, trainable: bool):
        self._layer, self._index = layer, index
        self.path, self.trainable = path, trainable
        self.name = path.rsplit("/", 1)[-1]

    @property
    def value(self) -> np.ndarray:
        """The current values, a read-only view (``model.set_weights`` changes them)."""
        view = self._layer.get_weights()[self._index].view()
        view.flags.writeable = False
        return view

    shape = property(lambda self: tuple(self.value.shape), doc="The weight's shape, a tuple.")
    dtype = property(lambda self: str(self.value.dtype), doc="``'float32'`` (``'int64'`` for a count), as Keras'.")

    def numpy(self) -> Any:
        """A copy of the values (a NumPy scalar for a 0-d weight, as Keras gives ``count``)."""
        return np.array(self.value)[()]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return np.array(self.value, dtype=dtype) if copy else np.asarray(self.value, dtype=dtype)

    def __repr__(self) -> str:
        return f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype}, value={self.numpy()}>"


def model_variables(model) -> list[Variable]:
    """Every weight of ``model``'s built layers, as ``Variable`` objects, in the order of ``get_weights``: layer by
    layer, ``trainable_names`` then ``non_trainable_names`` (a weight a layer does not name is ``"variable"``)."""
    found = []
    for layer in model.layers:
        names = (*layer.trainable_names, *layer.non_trainable_names)
        for index in range(len(layer.get_weights()) if layer.built else 0):
            name = names[index] if index < len(names) else "variable"
            found.append(Variable(layer, index, f"{model.name}/{layer.name}/{name}",
                                  index < len(layer.trainable_names)))
    return found
