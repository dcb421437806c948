"""New models from a model's description, as Keras 3's ``keras.models.clone_model`` and ``model_from_json`` make
them: the same architecture, names and compile settings, with freshly initialized weights."""

from __future__ import annotations

from collections.abc import Callable

from .. import _validation as check
from .._serialization import serialize
from . import losses, optimizers
from . import metrics as metrics_module
from .layers import InputLayer, Layer
from .plugins import plugin
from .sequential import Sequential


def clone_model(model: Sequential, input_tensors: None = None, clone_function: Callable[[Layer], Layer] | None = None,
                call_function: None = None, recursive: bool = False, **kwargs) -> Sequential:
    """A copy of ``model`` with new layers, ``clone_function(layer)`` for each (by default
    ``type(layer).from_config(layer.get_config())``), so with freshly initialized weights, as Keras 3 does; the same
    name, input layer and (when ``model`` is compiled) compile settings, with a fresh optimizer state.

    linnet's models have no symbolic tensors, call graph or inner models: ``input_tensors`` and ``call_function``
    must be None, and ``recursive`` has nothing to recurse into. Unlike Keras' adapted ``Normalization``, which
    keeps its statistics in its weights (a clone starts from mean 0, variance 1), linnet's keeps them in its config,
    so a clone keeps them.
    """
    check.reject_unknown_kwargs(kwargs, "clone_model", ["model", "input_tensors", "clone_function", "call_function",
                                                        "recursive"])
    if not isinstance(model, Sequential):
        raise TypeError(f"clone_model expects a linnet Sequential model. Received: model={model!r}")
    for name, value in (("input_tensors", input_tensors), ("call_function", call_function)):
        if value is not None:
            raise ValueError(f"linnet's models have no symbolic tensors or call graph, so {name} must be None. "
                             f"Received: {name}={value!r}")
    check.boolean(recursive, "recursive")
    clone_function = _clone_layer if clone_function is None else clone_function
    if not callable(clone_function):
        raise ValueError(f"Expected `clone_function` argument to be a callable. Received: "
                         f"clone_function={clone_function!r}")
    width = model._input_dim()
    inputs = [] if width is None else [InputLayer(shape=(width,), name=getattr(model._input, "name", None))]
    clone = Sequential([*inputs, *(clone_function(layer) for layer in model.layers)], name=model.name)
    if model.compiled:
        clone.compile(optimizer=optimizers.deserialize(serialize(model.optimizer)),
                      loss=None if model.loss is None else losses.deserialize(serialize(model.loss)),
                      metrics=[metrics_module.deserialize(serialize(m)) for m in model.metrics],
                      weighted_metrics=[metrics_module.deserialize(serialize(m)) for m in model.weighted_metrics])
    return clone


def _clone_layer(layer: Layer) -> Layer:
    return type(layer).from_config(layer.get_config())


def model_from_json(json_string: str, custom_objects: None = None) -> Sequential:
    """The model ``model.to_json()`` (linnet's or Keras 3's) describes, with fresh weights, compiled when the JSON
    holds compile settings (as Keras 3 does). What linnet cannot build is refused with a ``ValueError`` naming the
    field; the JSON is checked as a ``.keras`` file's ``config.json`` is."""
    return plugin("model_from_json")(json_string, custom_objects)
