"""What a model file declares, checked against itself before it is believed: the size of the architecture
(before any weight is allocated), the metadata (types, ranges, consistency with the architecture) and the arrays
(names, shapes, dtypes, finiteness, the optimizer's step count).

A SHA-256 without a key can be recomputed by whoever edits a file, so these checks, not the digests, are what
stands between a hostile file and the process: a file is refused unless every field is plausible.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..engine.layers.base import MAX_PARAMETERS, Layer, first_beyond_limit  # what a model may hold, read or built
from .fields import (
    MAX_EPOCHS,
    MAX_FEATURES,
    MAX_ITERATIONS,
    boolean,
    integer,
    json_value,
    mapping,
    names,
    number,
    optional_integer,
    refuse,
    sequence,
    text,
)

_COUNTS = 2**53


def check_size(layers: Sequence[Layer], input_dim: int, member: str, field: str, first: int) -> None:
    """Refuse, before any weight is allocated, ``layers`` (``field[first]``, ``field[first + 1]``, ... of
    ``member``) fed ``input_dim`` features that hold more than ``MAX_PARAMETERS`` values together."""
    beyond = first_beyond_limit(layers, input_dim)
    if beyond is not None:
        i, dim, _ = beyond
        raise refuse(member, f"{field}[{first + i}] ({layers[i].name!r})", f"a layer keeping the model within "
                     f"{MAX_PARAMETERS} weights (it takes {dim} inputs)", getattr(layers[i], "units", None))


def check_metadata(metadata: Any, member: str, input_dim: int, feature_names: list[str] | None) -> dict:
    """``metadata.json``: versions and date as strings, ``training`` and ``history`` as checked below, and
    ``training.feature_names`` equal to the names ``config.json`` holds (when it holds them)."""
    metadata = mapping(metadata, member, "the top level")
    for key in ("saved_at", "linnet_version", "numpy_version"):
        if key in metadata:
            text(metadata[key], member, key)
    training = check_training(metadata.get("training"), member, input_dim)
    if training is not None and feature_names is not None and training.get("feature_names") != feature_names:
        raise refuse(member, "training.feature_names", f"the feature names config.json records, {feature_names}",
                     training.get("feature_names"))
    check_history(metadata.get("history"), member)
    return metadata


_TRAINING = {
    "epochs": lambda v, m, f, n: integer(v, m, f, 0, MAX_ITERATIONS),  # asked for (early stopping may end sooner)
    "initial_epoch": lambda v, m, f, n: integer(v, m, f, 0, MAX_ITERATIONS),
    "batch_size": lambda v, m, f, n: optional_integer(v, m, f, 1, _COUNTS),
    "samples": lambda v, m, f, n: optional_integer(v, m, f, 0, _COUNTS),
    "shuffle": lambda v, m, f, n: v == "batch" or boolean(v, m, f),
    "validation_split": lambda v, m, f, n: v is None or number(v, m, f, 0.0, 1.0),
    "feature_names": lambda v, m, f, n: names(v, m, f, n),
    "target_name": lambda v, m, f, n: v is None or text(v, m, f),
}


def check_training(training: Any, member: str, input_dim: int) -> dict | None:
    """``training``: null, or an object whose known settings have their types and ranges (``feature_names``:
    one distinct name per input feature) and whose other entries are plain logged values."""
    training = mapping(training, member, "training", optional=True)
    for key, value in (training or {}).items():
        field = f"training.{text(key, member, 'a key of training')}"
        check = _TRAINING.get(key)
        if check is None:
            json_value(value, member, field)
        else:
            check(value, member, field, input_dim)
    return training


def check_history(history: Any, member: str) -> None:
    """``history``: null, or metric name -> one logged value per epoch, every list of the same length."""
    history = mapping(history, member, "history", optional=True)
    lengths = set()
    for key, values in (history or {}).items():
        field = f"history.{text(key, member, 'a key of history')}"
        json_value(sequence(values, member, field, MAX_EPOCHS), member, field)
        lengths.add(len(values))
    if len(lengths) > 1:
        raise refuse(member, "history", "one list per metric, all of the same length (one value per epoch)",
                     {key: len(values) for key, values in history.items()})


def check_array(value: np.ndarray, member: str, field: str, shape: tuple[int, ...], counter: bool) -> np.ndarray:
    """A float32 array of ``shape`` with finite values, or (``counter``) an integer count in
    ``[0, MAX_ITERATIONS]``."""
    if value.shape != shape:
        raise refuse(member, field, f"an array of shape {shape}", f"an array of shape {value.shape}")
    if counter:
        if value.dtype.kind not in "iu" or not 0 <= int(value) <= MAX_ITERATIONS:
            raise refuse(member, field, f"an integer count from 0 to {MAX_ITERATIONS}",
                         f"{value.tolist()!r} ({value.dtype})")
        return value
    if value.dtype != np.float32:
        raise refuse(member, field, "float32 values", f"an array of {value.dtype}")
    if not np.isfinite(value).all():
        raise refuse(member, field, "finite values (no NaN or infinity)", f"{np.sum(~np.isfinite(value))} "
                     f"non-finite value(s) in {value.size}")
    return value


def check_input_dim(value: Any, member: str, field: str) -> int:
    """The number of input features: an integer from 1 to ``MAX_FEATURES``."""
    return integer(value, member, field, 1, MAX_FEATURES)
