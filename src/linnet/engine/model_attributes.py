"""Keras 3's model attributes beside training: the weights as ``Variable`` objects (``weights``,
``trainable_weights``, ``non_trainable_weights`` and the ``*_variables`` aliases), ``input_shape``,
``output_shape``, ``pop``, ``metrics_names`` and ``reset_metrics``.

``ModelAttributes`` is mixed into ``Sequential`` (as ``Inference`` and ``BatchMethods`` are): it reads the model's
``_layers``, ``network``, ``declared_input_dim``, ``metrics`` and ``weighted_metrics``.
"""

from __future__ import annotations

import functools

from .. import _validation as check
from .layers import Layer
from .variables import model_variables


def _weights(trainable: bool | None, doc: str) -> property:
    """A read-only property listing the model's weights (``trainable`` None: all of them)."""
    return property(lambda self: [v for v in model_variables(self) if trainable is None or v.trainable == trainable],
                    doc=doc)


class ModelAttributes:
    """What a Keras 3 model tells about itself, and ``pop``."""

    # each name its own property, so that an attempt to set one names it; *_variables are the same lists in Keras 3:
    # a linear model has no seed or metric state among its variables
    weights = _weights(None, "Every weight of the built layers (``variables.model_variables``).")
    variables = _weights(None, "The same list as ``weights``.")
    trainable_weights = _weights(True, "The weights ``fit`` trains (kernels, biases), in ``weights`` order.")
    trainable_variables = _weights(True, "The same list as ``trainable_weights``.")
    non_trainable_weights = _weights(False, "The weights ``fit`` leaves alone (``Normalization``'s mean, variance, "
                                            "count).")
    non_trainable_variables = _weights(False, "The same list as ``non_trainable_weights``.")

    @property
    def input_shape(self) -> tuple[None, int]:
        """``(None, n_features)``, once the model knows its input (built, or declared with layers after it); before,
        Keras' ``AttributeError``."""
        return (None, self._known_input("input"))

    @property
    def output_shape(self) -> tuple[None, int]:
        """``(None, units of the last layer)``, when ``input_shape`` is known."""
        return (None, self._output_dim(self._known_input("output")))

    def _known_input(self, which: str) -> int:
        dim = self._input_dim()
        if dim is None or not self._layers:
            raise AttributeError(f"Sequential model '{self.name}' has no defined {which} shape yet.")
        return dim

    def _output_dim(self, input_dim: int) -> int:
        return functools.reduce(lambda dim, layer: layer.output_dim(dim), self._layers, input_dim)

    def weighted_layers(self) -> tuple[Layer, ...]:
        """The layers with trainable weights, in order (those an optimizer keeps state for)."""
        return tuple(layer for layer in self._layers if layer.trainable_names)

    def build_optimizer(self) -> None:
        """Build the optimizer for the network's variables (refusing another model's) and record the layers with
        weights it keeps state for: ``fit`` refuses it once they change (``add`` or ``pop``)."""
        self.optimizer.build(self.network.sizes, self.network.names)
        self.optimizer.built_for = (self, self.weighted_layers())

    def _refuse_changed_layers(self, what: str) -> None:
        """Refuse to train (``what``) with an optimizer that took steps for other layers with weights than the
        model's now (``add`` or ``pop`` since), naming the layers that differ."""
        owner, old = getattr(self.optimizer, "built_for", (None, ()))
        new = self.weighted_layers()
        if owner is not self or old == new:
            return
        removed = [layer.name for layer in old if all(layer is not kept for kept in new)]
        added = [layer.name for layer in new if all(layer is not had for had in old)]
        changes = "; ".join(f"{change}: {names}" for change, names in (("removed", removed), ("added", added)) if names)
        raise ValueError(f"{what}: the layers with weights changed (add or pop) after the optimizer took steps for "
                         f"the old ones; compile again with a new optimizer before training (Keras 3 refuses an "
                         f"optimizer's unknown variables too). Received: an optimizer with state for the layers "
                         f"{[layer.name for layer in old]}, a model whose layers with weights are "
                         f"{[layer.name for layer in new]} ({changes or 'the same layers in another order'})")

    def _build_if_complete(self) -> None:
        """Build the model, as Keras does after ``add`` and ``pop``, when its input is declared and its stack ends
        with one unit (the layers built before keep their weights)."""
        dim = self.declared_input_dim
        if dim is not None and self._layers and self._output_dim(dim) == 1:
            self.build()

    def pop(self, rebuild: bool = True) -> Layer:
        """Remove the last layer and return it, as Keras 3's ``pop``: the model is built again for what is left
        (``_build_if_complete``) unless ``rebuild=False``. A model without layers raises ``IndexError``, as Keras'.

        The optimizer keeps its state: if the popped layer had weights, ``fit`` refuses it for the smaller model
        (compile again with a new optimizer), where Keras trains on with the state of the weights left.
        """
        rebuild = check.boolean(rebuild, "rebuild")
        if not self._layers:
            raise IndexError(f"pop: Sequential model '{self.name}' has no layers to remove. Received: "
                             f"model.layers=[]")
        layer = self._layers.pop()
        self.network = None
        if rebuild:
            self._build_if_complete()
        return layer

    @property
    def metrics_names(self) -> list[str]:
        """Keras 3's: ``[]`` before ``compile``, ``["loss"]``, or ``["loss", "compile_metrics"]`` when ``compile``
        was given metrics (Keras 3 groups them under one name: ``evaluate(return_dict=True)`` names each)."""
        if not self.compiled:
            return []
        return ["loss", "compile_metrics"] if self.metrics or self.weighted_metrics else ["loss"]

    def reset_metrics(self) -> None:
        """Reset the state of every compiled metric (``result()`` is 0 again), as Keras' ``reset_metrics``."""
        for metric in [*self.metrics, *self.weighted_metrics]:
            metric.reset_state()

