"""Keras 3's model configs for linnet's Sequential models: ``get_config``/``Sequential.from_config`` and
``to_json``/``model_from_json``, and the model a Keras Sequential config describes (also for ``.keras`` files;
``.linnet`` files build theirs with the same ``layer_from`` and ``sequential_of``).

A config is Keras 3.15.1's, key for key (``keras_config.sequential_config``), so real Keras rebuilds linnet's
models from it and linnet rebuilds Keras' linear ones. Nothing in a config is trusted: it is checked as the
``config.json`` of a ``.keras`` file is (``keras_config``, ``fields``, ``checks``: linear layers only, sizes
capped before anything is allocated, types), and refused with a ``ValueError`` naming the field (a
``ModelFileError`` when it comes from a file).
"""

from __future__ import annotations

import json
import numbers
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from .._serialization import deserialize
from ..engine import losses, metrics, optimizers
from ..engine.layers import InputLayer, Layer
from . import keras_config as translate
from .checks import check_input_dim, check_size
from .container import ModelFileError
from .fields import INVALID, JSON_BUDGET, MAX_LAYERS, mapping, refuse, sequence, shortened, text

if TYPE_CHECKING:
    from ..engine.sequential import Sequential


def get_config(model) -> dict[str, Any]:
    """Keras 3.15.1's ``Sequential.get_config()`` of ``model``."""
    return translate.sequential_config(model, full=True)


def to_json(model, **kwargs) -> str:
    """Keras' ``model.to_json()``: the model's envelope (config, build and compile settings) as JSON text;
    ``kwargs`` go to ``json.dumps``, whose ``indent`` (checked here) is None, text, or the spaces per level (0 or
    fewer: newlines only) up to ``MAX_INDENT``."""
    if "indent" in kwargs:
        kwargs["indent"] = _indent(kwargs["indent"])
    return json.dumps(translate.model_envelope(model, full=True), **kwargs)


MAX_INDENT = 1000
"""The widest ``indent`` of ``to_json``: wider is no layout, and ``10**30`` spaces could not be allocated."""


def _indent(indent: Any) -> int | str | None:
    if indent is None or isinstance(indent, str):
        return indent
    integer = isinstance(indent, numbers.Integral) and not isinstance(indent, bool)
    if not integer or indent > MAX_INDENT:
        raise (ValueError if integer else TypeError)(
            f"indent must be None, a string, or an integer of at most {MAX_INDENT} (the spaces per level), as "
            f"json.dumps takes. Received: indent={indent!r:.100} ({type(indent).__name__})")
    return int(indent)


def from_config(config: Any, custom_objects: Any = None):
    """Keras' ``Sequential.from_config``: the model ``get_config()`` (linnet's or Keras') describes, unbuilt when
    it declares no input shape, with fresh weights."""
    no_custom_objects(custom_objects)
    if not isinstance(config, dict):
        raise TypeError(f"config must be a dict, as Sequential.get_config() returns. Received: config={config!r}")
    if "name" not in config or "layers" not in config:
        raise ValueError(f"A Sequential model configuration must be a dictionary containing the 'name' and 'layers' "
                         f"keys. Received: config={shortened(config)}")
    with _as_value_error():
        return build_sequential(config, None, "config", "", require_input=False)[0]


def model_from_json(json_string: Any, custom_objects: Any = None):
    """Keras' ``keras.models.model_from_json``: the model ``to_json()`` (linnet's or Keras') describes, compiled
    when the JSON holds compile settings (as Keras does), with fresh weights."""
    no_custom_objects(custom_objects)
    if not isinstance(json_string, (str, bytes, bytearray)):
        raise TypeError(f"json_string must be the text model.to_json() returns. Received: json_string={json_string!r}")
    if len(json_string) > JSON_BUDGET:
        raise ValueError(f"json_string holds {len(json_string)} characters; a linear model's takes far fewer (at "
                         f"most {JSON_BUDGET} are read). Received: json_string={shortened(json_string)}")
    try:
        envelope = json.loads(json_string)
    except (ValueError, RecursionError) as error:
        raise ValueError(f"json_string is not valid JSON ({error}). Received: json_string={shortened(json_string)}"
                         ) from None
    with _as_value_error():
        envelope = sequential_envelope(envelope, "json_string")
        model = build_sequential(envelope.get("config"), envelope.get("build_config"), "json_string", "config.",
                                 require_input=False)[0]
        compile_model(model, envelope.get("compile_config"), "json_string")
    return model


def no_custom_objects(custom_objects: Any, hint: str = "") -> None:
    """Refuse ``custom_objects`` other than None (``hint``: what to do instead, said after the reason)."""
    if custom_objects is not None:
        raise ValueError(f"linnet builds its own linear layers, optimizers, losses and metrics only, so "
                         f"custom_objects must be None{hint}. Received: custom_objects={shortened(custom_objects)}")


@contextmanager
def _as_value_error() -> Iterator[None]:
    """A refused config is a ``ValueError`` (``ModelFileError`` is for files)."""
    try:
        yield
    except ModelFileError as error:
        raise ValueError(str(error)) from None


def sequential_envelope(envelope: Any, member: str) -> dict[str, Any]:
    """``envelope``, checked to be a Keras envelope of a ``Sequential`` model."""
    envelope = mapping(envelope, member, "the top level")
    if envelope.get("class_name") != "Sequential":
        raise refuse(member, "class_name", "'Sequential' (linnet reads Sequential models of linear layers)",
                     envelope.get("class_name"))
    return envelope


def build_sequential(spec: Any, build_config: Any, member: str, prefix: str, require_input: bool = True):
    """The linnet model of Keras' Sequential config ``spec`` (at ``prefix`` in ``member``), built once the declared
    sizes passed the caps (unbuilt when no input shape is declared and ``require_input`` is False); also the
    config of each layer as linnet read it (which says whether Normalization keeps its statistics in the weights)."""
    spec = mapping(spec, member, prefix.rstrip(".") or "the top level")
    entries = sequence(spec.get("layers"), member, f"{prefix}layers", MAX_LAYERS + 1)
    width, input_name, rest = translate.input_layer(spec, entries, build_config, member, prefix)
    if width is not None or require_input:
        width = check_input_dim(width, member, "the input shape (InputLayer batch_shape)")
    layers, kept = [], []
    for i, entry in enumerate(rest, start=len(entries) - len(rest)):
        envelope = translate.layer_envelope(entry, f"{prefix}layers[{i}]", member)
        layers.append(layer_from(envelope, member, f"{prefix}layers[{i}]"))
        kept.append(envelope["config"])
    name = text(spec.get("name", "sequential"), member, f"{prefix}name")
    return sequential_of(layers, width, input_name, name, member, f"{prefix}layers", len(entries) - len(rest)), kept


def layer_from(envelope: Any, member: str, field: str) -> Layer:
    """The linnet layer of the envelope at ``field`` of ``member``, or a ``ModelFileError`` naming that field."""
    try:
        return deserialize(envelope, Layer)
    except INVALID as error:
        raise ModelFileError(f"{member}: {field} is invalid: {error}") from None


def sequential_of(layers: list[Layer], width: int | None, input_name: str | None, name: str, member: str,
                  field: str, first: int = 0) -> Sequential:
    """The Sequential model ``name`` of ``layers`` (``field[first]``, ``field[first + 1]``, ... of ``member``), built
    on ``width`` inputs (an ``InputLayer`` named ``input_name``) once their sizes passed the cap, unbuilt when
    ``width`` is None."""
    from ..engine.sequential import Sequential
    if width is not None:
        check_size(layers, width, member, field, first)
    try:
        if width is None:
            return Sequential(layers, name=name)
        model = Sequential([InputLayer(shape=(width,), name=input_name), *layers], name=name)
        model.build()
    except INVALID as error:
        raise ModelFileError(f"{member}: {field} do not describe a valid model: {error}") from None
    return model


def compile_model(model, settings: Any, member: str) -> None:
    """Compile ``model`` as Keras' ``compile_config`` ``settings`` says (nothing when it is null or empty)."""
    settings = translate.compile_settings(settings, member)
    if settings is None:
        return
    field = "compile_config"
    try:
        optimizer = optimizers.deserialize(settings["optimizer"])
        field = "compile_config.loss"
        loss = None if settings["loss"] is None else losses.get(settings["loss"])
        field = "compile_config.metrics"
        model.compile(optimizer=optimizer, loss=loss, metrics=[metrics.get(m) for m in settings["metrics"]],
                      weighted_metrics=[metrics.get(m) for m in settings["weighted_metrics"]])
    except INVALID as error:
        raise ModelFileError(f"{member}: {field} is invalid: {type(error).__name__}: {error} (load_model(path, "
                             f"compile=False) reads the architecture and weights)") from None
