"""Translating Keras 3's Sequential config (``config.json`` of a ``.keras`` file, ``model.get_config()``,
``model.to_json()``) to and from linnet's layers and compile settings, refusing with the field named anything
linnet cannot represent. Written in two forms: Keras 3.15.1's, key for key (``get_config``), and the keys Keras
3.3 reads (``.keras`` files, which older releases open too).

linnet's objects already serialize to Keras 3's envelope (``linnet._serialization``); what differs is only
around them: Keras lists an ``InputLayer`` among the layers (linnet keeps the input width on the model), shares
the dtype policy by ``shared_object_id``, writes Normalization's ``axis`` as a list, and names losses and
metrics by string (``"mse"``) where linnet may have its own class (``MeanOfLoss``, written back as its name, or as
Keras' ``MeanMetricWrapper`` of the loss function where Keras has no such metric name, e.g. ``"huber"``).
"""

from __future__ import annotations

from typing import Any

from .._serialization import KERAS_DTYPE_POLICY, serialize
from .fields import mapping, refuse, sequence, text

LAYERS = ("Dense", "Activation", "Normalization")
_ABSENT = ("activity_regularizer", "kernel_constraint", "bias_constraint", "lora_rank", "quantization_config")
"""Dense/layer options that must be null (or absent): features a linear neuron here does not have."""
_DROPPED_ON_WRITE = ("input_dim",)


def model_envelope(model, full: bool = False) -> dict[str, Any]:
    """Keras' envelope of ``model`` (what ``model.to_json()`` holds, and ``config.json`` of a ``.keras`` file):
    its ``sequential_config``, ``build_config`` once built and ``compile_config`` (``{}`` when not compiled)."""
    envelope = {"module": "keras", "class_name": "Sequential", "config": sequential_config(model, full),
                "registered_name": None}
    if model.built:
        envelope["build_config"] = {"input_shape": [None, model.network.input_dim]}
    envelope["compile_config"] = keras_compile(model) if model.compiled else {}
    return envelope


def sequential_config(model, full: bool) -> dict[str, Any]:
    """Keras 3's ``Sequential.get_config()`` of ``model``: name, trainable, dtype, the layers (an ``InputLayer``
    first once the input width is known) and then ``build_input_shape``. ``full``: every key Keras 3.15.1 writes
    (VarianceScaling initializers with their ``input_axes``/``output_axes``, the input layer's ``ragged`` and
    ``optional``, Normalization as an adapted layer); else the keys Keras 3.3 reads, Keras-only keys at their
    defaults left out (``.keras`` files)."""
    width = model.network.input_dim if model.built else model.declared_input_dim
    layers = [_keras_layer(layer, full) for layer in model.layers]
    config = {"name": model.name, "trainable": True, "dtype": KERAS_DTYPE_POLICY, "layers": layers}
    if width is not None:
        name = model._input.name if model._input is not None else "input_layer"
        config["layers"] = [_input_layer(name, width, full), *layers]
        config["build_input_shape"] = [None, width]
    return config


def _input_layer(name: str, width: int, full: bool) -> dict[str, Any]:
    config = {"batch_shape": [None, width], "dtype": "float32", "sparse": False, "ragged": False, "name": name,
              "optional": False}
    return {"module": "keras.layers", "class_name": "InputLayer",
            "config": {k: v for k, v in config.items() if full or k not in _NEWER_INPUT_KEYS},
            "registered_name": None}


_NEWER_INPUT_KEYS = ("ragged", "optional")
"""Keys of Keras 3.15.1's InputLayer config that Keras 3.3 refuses."""


def _keras_layer(layer, full: bool) -> dict[str, Any]:
    """A layer's envelope in a Sequential config (``sequential_config``), without linnet's ``input_dim``. In the
    full form a Normalization is Keras' adapted layer, its statistics in its weights (``save_weights``), not in
    its config (the ``.keras`` writer keeps them in the config, Keras' form for given statistics)."""
    if not full:
        return conservative(layer)
    envelope = serialize(layer)
    config = {key: _with_axes(value) for key, value in envelope["config"].items() if key not in _DROPPED_ON_WRITE}
    if envelope["class_name"] == "Normalization":
        config.update(axis=[config["axis"]], mean=None, variance=None)
    if envelope["class_name"] == "Activation":
        envelope.pop("build_config", None)  # Keras' Activation has no build(), so it records no input shape
    envelope["config"] = config
    return envelope


def _with_axes(value: Any) -> Any:
    """A VarianceScaling initializer's envelope with the ``input_axes``/``output_axes`` Keras >= 3.9 writes."""
    if isinstance(value, dict) and value.get("class_name") in _VARIANCE_SCALING:
        return {**value, "config": {**value["config"], **dict.fromkeys(_AXES)}}
    return value


_VARIANCE_SCALING = ("GlorotUniform",)
"""linnet's initializers that are Keras' VarianceScaling."""


def conservative(obj) -> dict[str, Any]:
    """``serialize(obj)`` without the Keras-only keys at their defaults (Keras fills them in; a Keras release
    older than the key, such as 3.3 for ``quantization_config``, refuses them) and without ``input_dim``."""
    envelope = serialize(obj)
    defaults = type(obj).keras_defaults
    envelope["config"] = {key: value for key, value in envelope["config"].items()
                          if key not in _DROPPED_ON_WRITE and not (key in defaults and value == defaults[key][0])}
    return envelope


def keras_compile(model) -> dict[str, Any]:
    """Keras' ``compile_config``: the optimizer, loss and metric envelopes (linnet-only metrics by name)."""
    optimizer = conservative(model.optimizer)
    rate = optimizer["config"]["learning_rate"]
    if isinstance(rate, dict) and (rate.get("registered_name") is not None or rate.get("class_name") == "function"):
        raise ValueError(f"Cannot write optimizer.learning_rate to a Keras config (a .keras file, model.to_json()): "
                         f"Keras can rebuild a number or one of its own schedules, not a callable or a custom "
                         f"schedule. Received: {rate!r}")
    return {"optimizer": optimizer, "loss": None if model.loss is None else conservative(model.loss),
            "loss_weights": None, "metrics": [_keras_metric(metric) for metric in model.metrics],
            "weighted_metrics": [_keras_metric(metric) for metric in model.weighted_metrics] or None,
            "run_eagerly": False, "steps_per_execution": 1, "jit_compile": "auto"}


KERAS_METRIC_NAMES = frozenset({"mse", "mae", "mape", "msle", "mean_squared_error", "mean_absolute_error",
                                "mean_absolute_percentage_error", "mean_squared_logarithmic_error"})
"""The names of a loss Keras 3.15.1 takes as a metric (``keras.metrics.get``); ``"huber"`` and ``"log_cosh"`` it
does not."""


def _wrapped(metric) -> dict[str, Any]:
    """A linnet metric of a loss under a name Keras does not resolve (``metrics=["huber"]``, or ``"mae"`` renamed
    ``mae_1``) as Keras' equivalent, the name kept: the loss's metric class where Keras has one (read back, it gives
    the same numbers), else ``MeanMetricWrapper`` of the loss's function, its options (Huber's ``delta``) passed on."""
    from ..engine.losses import FUNCTIONS
    from ..engine.metrics import KERAS_MEANS
    from ..engine.reduction_metrics import MeanMetricWrapper
    kind = KERAS_MEANS.get(type(metric.loss))
    if kind is not None:
        return conservative(kind(name=metric.name))
    options = {key: value for key, value in metric.loss.get_config().items()
               if key not in ("name", "reduction", "dtype")}
    return conservative(MeanMetricWrapper(FUNCTIONS[metric.loss.name], name=metric.name, **options))


def _keras_metric(metric) -> Any:
    envelope = conservative(metric)
    if envelope["registered_name"] is None:
        return envelope
    if type(metric).__name__ == "MeanOfLoss":
        return metric.name if metric.name in KERAS_METRIC_NAMES else _wrapped(metric)
    raise ValueError(f"Cannot write the metric {metric.name!r} ({type(metric).__name__}) to a Keras config: Keras "
                     f"has no such class. Received: {envelope!r}")


def input_layer(spec: dict, entries: list, build_config: Any, member: str, prefix: str) -> tuple[Any, str | None, list]:
    """The input width (from the ``InputLayer``'s ``batch_shape``, else the model's ``build_input_shape``; None
    when neither is there), the ``InputLayer``'s name (None without one) and the layers after it, of the config
    ``spec`` at ``prefix`` in ``member`` (as refusals name it)."""
    if entries and isinstance(entries[0], dict) and entries[0].get("class_name") == "InputLayer":
        field = f"{prefix}layers[0].config"
        config = mapping(entries[0].get("config"), member, field)
        shape = config.get("batch_shape", config.get("batch_input_shape"))
        name = text(config["name"], member, f"{field}.name") if "name" in config else None
        return _width(shape, f"{field}.batch_shape", member), name, entries[1:]
    shape = spec.get("build_input_shape")
    if shape is None and isinstance(build_config, dict):
        shape = build_config.get("input_shape")
    return (None if shape is None else _width(shape, f"{prefix}build_input_shape", member)), None, entries


def _width(shape: Any, field: str, member: str) -> Any:
    if not isinstance(shape, list) or len(shape) != 2 or shape[0] is not None:
        raise refuse(member, field, "[null, n_features] (one batch of flat feature rows)", shape)
    return shape[1]


def layer_envelope(entry: Any, field: str, member: str) -> dict[str, Any]:
    """The envelope of one Keras layer, as linnet reads it; refused (field named) unless it is linear."""
    entry = mapping(entry, member, field)
    kind = entry.get("class_name")
    config = dict(mapping(entry.get("config"), member, f"{field}.config"))
    if kind not in LAYERS:
        raise refuse(member, f"{field}.class_name", f"one of the linear layers {', '.join(LAYERS)} (linnet fits "
                     f"linear models; layer {config.get('name')!r} is not one)", kind)
    if config.get("activation", "linear") not in ("linear", None):
        raise refuse(member, f"{field}.config.activation", f"'linear' (layer {config.get('name')!r} would make the "
                     f"model nonlinear)", config.get("activation"))
    for key in _ABSENT:
        if config.get(key) is not None:
            raise refuse(member, f"{field}.config.{key}", "null (linnet cannot represent it, so the model would "
                         "not be the same)", config[key])
        config.pop(key, None)
    if isinstance(config.get("dtype"), dict):
        config["dtype"] = {k: v for k, v in config["dtype"].items() if k != "shared_object_id"}
    if kind == "Normalization" and isinstance(config.get("axis"), list) and len(config["axis"]) == 1:
        config["axis"] = config["axis"][0]
    if kind == "Dense":
        config["activation"] = "linear"
        for key in ("kernel_initializer", "bias_initializer"):
            config[key] = _initializer(config.get(key))
    text(config.get("name"), member, f"{field}.config.name")
    return {"class_name": kind, "config": config}


def _initializer(envelope: Any) -> Any:
    """Keras >= 3.9 writes ``input_axes``/``output_axes`` (null by default) into variance-scaling initializers;
    they only shape fresh weights, which a loaded model does not draw, so null ones are dropped."""
    if isinstance(envelope, dict) and isinstance(envelope.get("config"), dict):
        inner = {k: v for k, v in envelope["config"].items() if not (k in _AXES and v is None)}
        return {**envelope, "config": inner}
    return envelope


_AXES = ("input_axes", "output_axes")


def compile_settings(settings: Any, member: str) -> dict[str, Any] | None:
    """The optimizer, loss and metrics of ``compile_config``; options linnet cannot honour must be unset.
    None for an uncompiled model (Keras 3 writes ``{}``, linnet null)."""
    settings = mapping(settings, member, "compile_config", optional=True)
    if not settings:
        return None
    if settings.get("loss_weights") not in (None, [], {}):
        raise refuse(member, "compile_config.loss_weights", "null (one output)", settings["loss_weights"])
    if settings.get("optimizer") is None:
        raise refuse(member, "compile_config.optimizer", "an optimizer envelope", None)
    loss = settings.get("loss")
    if not (loss is None or isinstance(loss, (str, dict))) or (isinstance(loss, dict) and "class_name" not in loss):
        raise refuse(member, "compile_config.loss", "a loss name or envelope (one output)", loss)
    return {"optimizer": settings["optimizer"], "loss": loss, "metrics": _metric_entries(settings, "metrics", member),
            "weighted_metrics": _metric_entries(settings, "weighted_metrics", member)}


def _metric_entries(settings: dict, key: str, member: str) -> list:
    """``compile_config[key]``: a list (null: empty) of at most 64 metric names or envelopes, one output's."""
    entries = sequence(settings.get(key) or [], member, f"compile_config.{key}", 64)
    for i, metric in enumerate(entries):
        if not isinstance(metric, (str, dict)):
            raise refuse(member, f"compile_config.{key}[{i}]", "a metric name or envelope (one output)", metric)
    return entries
