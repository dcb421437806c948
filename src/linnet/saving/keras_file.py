"""``.keras`` files (Keras 3's format) both ways, for the linear Sequential models linnet represents.

A ``.keras`` file is a zip of ``metadata.json`` (``keras_version``, ``date_saved``), ``config.json`` (the model's
envelope, with its layers and ``compile_config``) and ``model.weights.h5`` (``keras_weights``). Reading accepts
``InputLayer``, ``Dense`` with a linear activation, ``Activation("linear")`` and ``Normalization``; anything else
(another layer, a nonlinear activation, a regularizer, constraint, LoRA or quantization) is refused with the field
named. Writing uses only config keys that Keras 3.3 already reads (no ``optional``/``ragged`` on the input
layer), members stored uncompressed as Keras writes them, and h5 weights: Keras 3.3 reads ``.npz`` weights
inside a ``.keras`` file too, but h5 is what every Keras 3 release writes and expects by default.
Nothing read is trusted: the same caps and field checks as ``.linnet`` files (``checks``, ``fields``).
"""

from __future__ import annotations

import json
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

from .._serialization import serialize
from ..engine import optimizers
from . import keras_config as translate
from .container import read_archive, read_members, write_atomically
from .fields import JSON_BUDGET, mapping, refuse, text
from .keras_model import build_sequential, compile_model, sequential_envelope
from .keras_weights import MEMBER as WEIGHTS
from .keras_weights import (
    entries,
    layer_keys,
    model_h5,
    optimizer_values,
    read_vars,
    reading,
    restore_layer,
    restore_optimizer,
    size_budget,
    trainable_shapes,
)

CONFIG, METADATA = "config.json", "metadata.json"
KERAS_VERSION = "3.3.3"
"""The ``keras_version`` written: the oldest release whose reader the written files are made for."""


def save_keras(model, path: Path) -> None:
    """Write ``model`` as a ``.keras`` file that ``keras.saving.load_model`` opens (Keras >= 3.3)."""
    config = translate.model_envelope(model)
    optimizer = model.optimizer if model.compiled else None
    if optimizer is not None and not optimizer.built:
        optimizer = _built_copy(model)
    values = [[] if type(layer).__name__ == "Normalization" else layer.get_weights() for layer in model.layers]
    weights = model_h5(model, values, optimizer)
    metadata = {"keras_version": KERAS_VERSION, "date_saved": datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, {METADATA: json.dumps(metadata).encode(), CONFIG: json.dumps(config).encode(),
                            WEIGHTS: weights}, compression=zipfile.ZIP_STORED)


def _built_copy(model):
    """A fresh copy of the model's unbuilt optimizer, built: Keras expects the state of a built one."""
    copy = optimizers.deserialize(serialize(model.optimizer))
    copy.build(model.network.sizes)
    return copy


def load_keras(path: Path, compile: bool = True):
    """Rebuild the linear model a ``.keras`` file describes, with its compile settings and optimizer state (with
    ``compile=False``, the architecture and weights only)."""
    def read(archive):
        texts = read_members(path, archive, {METADATA: 65536, CONFIG: JSON_BUDGET})
        _check_metadata(json.loads(texts[METADATA]))
        envelope = sequential_envelope(json.loads(texts[CONFIG]), f"{path}: {CONFIG}")
        model, keras_layers = build_sequential(envelope.get("config"), envelope.get("build_config"),
                                               f"{path}: {CONFIG}", "config.")
        return envelope, model, keras_layers, read_members(path, archive, {WEIGHTS: size_budget(model)})[WEIGHTS]

    envelope, model, keras_layers, data = read_archive(path, ".keras file", read)
    if compile:
        compile_model(model, envelope.get("compile_config"), f"{path}: {CONFIG}")
    with reading(data, f"{path}: {WEIGHTS}") as store:
        _restore(model, keras_layers, store, f"{path}: {WEIGHTS}")
    return model


def _check_metadata(metadata: Any) -> None:
    metadata = mapping(metadata, METADATA, "the top level")
    version = text(metadata.get("keras_version"), METADATA, "keras_version")
    if not version.startswith("3."):
        raise refuse(METADATA, "keras_version", "a Keras 3 version ('3.x.y'); Keras 2 files are HDF5, not zips",
                     version)
    if "date_saved" in metadata:
        text(metadata["date_saved"], METADATA, "date_saved")


def _restore(model, keras_layers: list[dict], store, member: str) -> None:
    """The weights ``store`` (``member`` in errors) holds for ``model``'s layers, then its optimizer's state."""
    for layer, key, config in zip(model.layers, layer_keys(model.layers), keras_layers):
        in_weights = type(layer).__name__ != "Normalization" or config.get("mean") is None
        values = read_vars(store, f"layers/{key}/vars", layer.get_weights() if in_weights else [], member)
        if values:
            restore_layer(layer, values)
    if model.compiled and "optimizer" in store:
        _restore_optimizer(model, store, member)


def _restore_optimizer(model, store, member: str) -> None:
    """The optimizer state, the optimizer built for it: all of Keras' variables, or only ``iteration`` (0) and the
    learning rate when Keras saved the optimizer before building it (then linnet's fresh state is the same)."""
    optimizer, shapes = model.optimizer, trainable_shapes(model)
    optimizer.build(model.network.sizes)
    full = optimizer_values(optimizer, shapes)
    base = 1 + ("learning_rate" in optimizer.variables())
    expected = full[:base] if len(entries(store, "optimizer/vars")) == base < len(full) else full
    found = read_vars(store, "optimizer/vars", expected, member)
    if len(found) < len(full) and int(found[0]) != 0:
        raise refuse(member, "optimizer/vars", f"the {len(full)} arrays of the state of an optimizer that has "
                     f"taken steps", f"{len(found)} arrays, iteration {int(found[0])}")
    restore_optimizer(optimizer, shapes, found, member)
