"""``model.save_weights`` and ``model.load_weights``: Keras 3's ``.weights.h5`` files, both ways.

A ``.weights.h5`` file is what ``model.weights.h5`` is inside a ``.keras`` file (``keras_weights``): each layer's
weights under ``layers/<key>/vars/<i>`` (Normalization's mean, variance and count too, as Keras keeps those of an
adapted layer) and, when the model is compiled, the optimizer's variables under ``optimizer/vars/<i>``, as Keras
3.15.1 writes them (``keras/src/saving/saving_lib.py``: ``save_weights_only``, ``load_weights_only``).

Loading does what Keras 3.15.1 does, except where Keras would load a model wrongly: the layers' weights are
read by layer key (``dense``, ``dense_1``, ...); layers without weights (``Activation``) do not count; the
optimizer's state is restored when the model is compiled and its optimizer holds as many variables as the file
(built, of the same kind), and otherwise skipped with Keras' warning. Unlike Keras, which ignores weights in the
file for layers the model does not have, linnet refuses a file whose weighted layers differ from the model's,
naming what differs (``skip_mismatch=True``: warned and skipped, as Keras does for the layers it checks).
Nothing read is trusted: the file's size is capped before it is read and every dataset is checked from its header.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .._atomic import write_bytes
from .._extensions import KERAS_2_EXTENSIONS, KERAS_EXTENSION, WEIGHTS_EXTENSION
from .._validation import boolean, file_path
from .._warnings import warn
from . import keras_weights as h5
from .container import ModelFileError, read_archive, read_members, refuse_folder, require_file
from .keras_weights import MEMBER


def save_weights(model, filepath: Any, overwrite: bool = True, max_shard_size: Any = None) -> None:
    """Write the weights of ``model`` (and its optimizer's state, when compiled) to a ``.weights.h5`` file."""
    path, text = _path(filepath)
    if not text.endswith(WEIGHTS_EXTENSION):
        raise ValueError(f"The filename must end in `.weights.h5` (Keras 3's weights file; model.save writes a whole "
                         f"model to a .keras or .linnet file). Received: filepath={text}")
    if max_shard_size is not None:
        raise ValueError(f"linnet writes every weight to one .weights.h5 file (a linear model's weights fit in one); "
                         f"max_shard_size must be None. Received: max_shard_size={max_shard_size!r}")
    overwrite = boolean(overwrite, "overwrite")
    model._require_built("save_weights")
    refuse_folder(path, "the weights", text, "model.weights.h5")
    if path.exists() and not overwrite and not _proceed(text):
        return
    optimizer = model.optimizer if model.compiled else None
    data = h5.model_h5(model, [layer.get_weights() for layer in model.layers], optimizer)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes(path, data)


def _path(filepath: Any) -> tuple[Path, str]:
    path = file_path(filepath, "filepath")
    return path, os.fspath(filepath)


def _proceed(text: str) -> bool:
    """Keras' question before overwriting a file (``keras.src.utils.io_utils.ask_to_proceed_with_overwrite``)."""
    answer = input(f"[WARNING] {text} already exists - overwrite? [y/n]").strip().lower()
    while answer not in ("y", "n"):
        answer = input('Enter "y" (overwrite) or "n" (cancel).').strip().lower()
    if answer == "n":
        return False
    print("[TIP] Next time specify overwrite=True!")
    return True


def load_weights(model, filepath: Any, skip_mismatch: bool = False) -> None:
    """Set the weights of ``model`` (and its optimizer's state, see the module) from a ``.weights.h5`` file or
    from the weights inside a ``.keras`` file."""
    path, text = _path(filepath)
    skip_mismatch = boolean(skip_mismatch, "skip_mismatch")
    _check_suffix(text)
    model._require_built("load_weights")
    budget = h5.size_budget(model)
    if text.endswith(WEIGHTS_EXTENSION):
        data, where, member = _file_bytes(path, budget), text, text
    else:
        data = read_archive(path, ".keras file", lambda archive: read_members(path, archive, {MEMBER: budget})[MEMBER])
        where, member = f"{text}: {MEMBER}", MEMBER
    with h5.reading(data, where) as store:
        layers = _layer_values(model, store, member, skip_mismatch)
        optimizer = _optimizer_values(model, store, member)
    if optimizer is not None:  # first: the one step that may still refuse a value (a learning rate of 0)
        model.optimizer.build(model.network.sizes)  # restore_optimizer sets the state of a built optimizer
        h5.restore_optimizer(model.optimizer, h5.trainable_shapes(model), optimizer, member)
    for layer, values in layers:
        h5.restore_layer(layer, values)


def _check_suffix(text: str) -> None:
    """Keras 3's rule, for the formats linnet reads: ``.weights.h5`` and ``.keras``."""
    if text.endswith((WEIGHTS_EXTENSION, KERAS_EXTENSION)):
        return
    if text.endswith(".weights.json"):
        why = "a sharded weights file (.weights.json), which linnet does not read"
    elif text.endswith(KERAS_2_EXTENSIONS):
        why = "Keras 2's HDF5 format (.h5), which linnet does not read"
    else:
        why = "not a weights file"
    raise ValueError(f"File format not supported: filepath={text}: {why}. linnet reads Keras 3's `.weights.h5` files "
                     f"and the weights of `.keras` files.")


def _file_bytes(path: Path, budget: int) -> bytes:
    """The bytes of the file at ``path``, if it holds at most ``budget`` of them (checked before reading)."""
    require_file(path, "model.weights.h5")
    size = path.stat().st_size
    if size > budget:
        raise ModelFileError(f"{path} holds {size} bytes; at most {budget} are accepted for the weights of this "
                             f"model.")
    with open(path, "rb") as stream:
        return stream.read(budget)


def _layer_values(model, store, member: str, skip_mismatch: bool) -> list[tuple[Any, list]]:
    """``(layer, values)`` of every weighted layer of ``model`` whose weights the file holds, each checked; a layer
    whose weights differ (in number or shape), or weights for a layer the model lacks, are refused, naming them
    (``skip_mismatch``: warned and skipped)."""
    keyed = {key: layer for key, layer in zip(h5.layer_keys(model.layers), model.layers) if layer.get_weights()}
    extra = [key for key in h5.entries(store, "layers") if key not in keyed and h5.entries(store, f"layers/{key}/vars")]
    differences = [f"the file holds weights for a layer {key!r} (layers/{key}), which this model does not have"
                   for key in extra]
    found = []
    for key, layer in keyed.items():
        expected, shapes = [w.shape for w in layer.get_weights()], _shapes(store, f"layers/{key}/vars")
        if shapes == expected:
            found.append((layer, h5.read_vars(store, f"layers/{key}/vars", layer.get_weights(), member)))
        else:
            differences.append(f"layer {layer.name!r} (layers/{key}) has weights of shapes {expected}; the file "
                               f"holds {shapes or 'none'}")
    if differences and not skip_mismatch:
        raise ModelFileError(f"{member} holds the weights of another architecture than this model's (whose layers "
                             f"with weights are {list(keyed)}): {'; '.join(differences)}.")
    if differences:
        warn(f"Skipping what does not fit the model in {member}: {'; '.join(differences)}.")
    return found


def _shapes(store, where: str) -> list[tuple[int, ...]] | None:
    """The shapes of the datasets ``<where>/0, 1, ...`` from their headers (None if those are not datasets)."""
    names = h5.entries(store, where)
    if names != sorted(str(i) for i in range(len(names))):
        return None
    shapes = [getattr(store[f"{where}/{i}"], "shape", None) for i in range(len(names))]
    return None if None in shapes else [tuple(shape) for shape in shapes]


def _optimizer_values(model, store, member: str) -> list | None:
    """Keras' optimizer variables in the file, checked, when the compiled model's optimizer holds as many (Keras'
    rule); None, with Keras' warning when the numbers differ (none saved, too), otherwise."""
    if not model.compiled:
        return None
    current = h5.optimizer_values(model.optimizer, h5.trainable_shapes(model))
    saved = len(h5.entries(store, "optimizer/vars"))
    if saved != len(current):
        warn(f"Skipping variable loading for optimizer '{model.optimizer.name}', because it has "
             f"{len(current)} variables whereas the saved optimizer has {saved} variables. ")
        return None
    return h5.read_vars(store, "optimizer/vars", current, member)
