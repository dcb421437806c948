"""The ``.linnet`` model file: a zip of ``config.json``, ``weights.npz`` and ``metadata.json``.

``config.json`` holds the architecture and compile settings (every layer, optimizer, loss and metric as a
Keras 3 envelope ``{"module", "class_name", "config", "registered_name"}``, see ``linnet._serialization``;
format version 1, written by linnet 0.1, is still read through ``legacy``) and, from version 3, the feature names;
``weights.npz`` every layer weight and the optimizer state; ``metadata.json`` the versions, the last training
settings, the history and a SHA-256 of each member (of ``metadata.json`` itself from version 3: of its canonical
JSON without the digests), so that a truncated or edited file is refused with a clear error.

Nothing read is trusted (see ``checks``): sizes are capped and checked against the architecture before anything
is allocated, every field of config and metadata is checked for type and range, arrays for shape, dtype and
finiteness; every refusal is a ``ModelFileError`` naming the member and the field. Files are written atomically
(``container``). A path ending in ``.keras`` is read and written as Keras 3's format (``keras_file``).
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from .._extensions import KERAS_2_EXTENSIONS, KERAS_EXTENSION, MODEL_EXTENSIONS
from .._serialization import serialize
from .._validation import boolean, file_path
from ..engine import losses, optimizers
from ..engine import metrics as metrics_module
from .arrays import npz_budget, npz_bytes, npz_names, read_npz
from .checks import check_input_dim, check_metadata
from .container import ModelFileError, read_archive, read_members, refuse_folder, write_atomically
from .fields import INVALID, JSON_BUDGET, MAX_LAYERS, mapping, names, refuse, sequence, text
from .keras_model import layer_from, no_custom_objects, sequential_of
from .legacy import upgrade_v1

__all__ = ["ModelFileError", "load_model", "read_model_file", "save_model"]

FORMAT = "linnet-model"
FORMAT_VERSION = 3  # 3: metadata digest, feature names in config; 2: Keras 3 envelopes; 1 (0.1): flat configs
MEMBERS = ("config.json", "weights.npz", "metadata.json")


def model_config(model) -> dict:
    """The ``config.json`` content: format, architecture, feature names and compile settings of a built ``model``."""
    config = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "linnet_version": __version__,
        "model": {"class_name": "Sequential", "name": model.name, "input_dim": model.network.input_dim,
                  "layers": [serialize(layer) for layer in model.layers]},
        "compile": None,
    }
    feature_names = (model.training_config or {}).get("feature_names")
    if feature_names is not None:
        config["model"]["feature_names"] = list(feature_names)
    if model.compiled:
        config["compile"] = {"optimizer": serialize(model.optimizer),
                             "loss": None if model.loss is None else serialize(model.loss),
                             "metrics": [serialize(m) for m in model.metrics]}
        if model.weighted_metrics:  # absent otherwise, as in the files written before it was kept
            config["compile"]["weighted_metrics"] = [serialize(m) for m in model.weighted_metrics]
    return config


def state_arrays(model) -> dict[str, np.ndarray]:
    """Every layer weight (``weight_<i>``) and the optimizer state (``optimizer/<name>``) of ``model``."""
    arrays = {f"weight_{i}": w for i, w in enumerate(model.get_weights())}
    if model.compiled and model.optimizer.built:
        arrays.update({f"optimizer/{name}": np.asarray(value) for name, value in model.optimizer.variables().items()})
    return arrays


def json_bytes(content: dict) -> bytes:
    """JSON with NumPy scalars and arrays (which callbacks may put in the logs) written as plain numbers."""
    def plain(value):
        if isinstance(value, (np.generic, np.ndarray)):
            return value.tolist()
        raise TypeError(f"cannot write {value!r} ({type(value).__name__}) to a model file")
    return json.dumps(content, indent=2, default=plain, allow_nan=False).encode()


def _metadata_digest(metadata: dict) -> str:
    """SHA-256 of the canonical JSON of ``metadata`` without its ``sha256`` entry."""
    body = {key: value for key, value in metadata.items() if key != "sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def save_model(model, path) -> None:
    """Write ``model`` to ``path`` atomically; a ``.keras`` path is written in Keras 3's format."""
    path = file_path(path)
    model._require_built("save")
    refuse_folder(path, "the model", str(path), "model.keras" if path.suffix == KERAS_EXTENSION else "model.linnet")
    if path.suffix not in MODEL_EXTENSIONS:
        legacy = (" (.h5 is Keras 2's HDF5 format, which linnet does not write)" if path.suffix in KERAS_2_EXTENSIONS
                  else "")
        raise ValueError(f"Invalid filepath extension for saving{legacy}: give path a .linnet extension (linnet's "
                         f"format) or a .keras one (Keras 3's). Received: path={str(path)!r}")
    if path.suffix == KERAS_EXTENSION:
        from .keras_file import save_keras
        return save_keras(model, path)
    config, weights = json_bytes(model_config(model)), npz_bytes(state_arrays(model))
    history = model.history.history if model.history is not None else None
    metadata = json.loads(json_bytes({
        "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "linnet_version": __version__, "numpy_version": np.__version__,
        "training": model.training_config,
        "history": None if history is None else {key: _finite_or_null(values) for key, values in history.items()}}))
    _readable_back(path, json.loads(config), metadata, model.network.input_dim)
    metadata["sha256"] = {"config.json": hashlib.sha256(config).hexdigest(),
                          "weights.npz": hashlib.sha256(weights).hexdigest(),
                          "metadata.json": _metadata_digest(metadata)}
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, dict(zip(MEMBERS, (config, weights, json_bytes(metadata)))))


def _finite_or_null(values: list) -> list:
    """A history's values with NaN and infinity (a diverged epoch) as null, which JSON can hold."""
    return [None if isinstance(value, (float, np.floating)) and not np.isfinite(value) else value
            for value in values]


def _readable_back(path: Path, config: dict, metadata: dict, input_dim: int) -> None:
    """Refuse, before writing, a file that ``load_model`` would refuse (a feature name of an empty or too long
    column, two columns of one name, a logged text too long): nothing is saved that cannot be read back."""
    try:
        if config["model"].get("feature_names") is not None:
            names(config["model"]["feature_names"], "config.json", "model.feature_names", input_dim)
        check_metadata(metadata, "metadata.json", input_dim, config["model"].get("feature_names"))
    except ModelFileError as error:
        raise ValueError(f"Cannot save the model to {str(path)!r}: load_model would refuse the file. {error}") from None


def read_model_file(path) -> tuple[dict, dict[str, np.ndarray], dict]:
    """Return ``(config, arrays, metadata)`` of a model file, verified; raise ``ModelFileError`` otherwise.

    A missing file raises ``FileNotFoundError``; a file that cannot be opened raises the ``OSError`` of the
    operating system (permission denied, ...).
    """
    return _load(file_path(path))[1:]


def load_model(path, custom_objects: None = None, compile: bool = True, safe_mode: bool = True):
    """Rebuild the model saved at ``path``: architecture, weights, compile settings and optimizer state (with
    ``compile=False`` the architecture and weights only, as Keras 3's ``load_model``).

    ``model.training_config`` is restored from the metadata; the training history stays in the file
    (``read_model_file(path)[2]["history"]``), as Keras does not restore it either. A ``.keras`` path is read as
    Keras 3's format. ``custom_objects`` must be None: a file names functions, and linnet rebuilds only its own
    and Keras' (``safe_mode`` is always on: nothing in a file is run).
    """
    path = file_path(path)
    compile = boolean(compile, "compile")
    boolean(safe_mode, "safe_mode")
    no_custom_objects(custom_objects, " (nothing from a file is run); load_model(path, compile=False) reads a model "
                                      "compiled with a function of your own")
    if path.suffix == KERAS_EXTENSION:
        from .keras_file import load_keras
        return load_keras(path, compile)
    return _load(path, compile)[0]


def _load(path: Path, compile: bool = True):
    def read(archive):
        config, metadata = _read_descriptions(path, archive)
        model = _architecture(path, config)
        expected = {f"weight_{i}": (w.shape, w.dtype.kind in "iu") for i, w in enumerate(model.get_weights())}
        weights = read_members(path, archive, {"weights.npz": npz_budget(expected) * 8})["weights.npz"]
        return config, metadata, model, expected, weights

    config, metadata, model, expected, weights = read_archive(path, "linnet model file", read)
    _check_digest(path, metadata, "weights.npz", weights)
    check_metadata(metadata, "metadata.json", model.network.input_dim, config["model"].get("feature_names"))
    if compile:
        _compile(path, model, config)
        if any(name.startswith("optimizer/") for name in npz_names(path, weights)):
            expected.update(_optimizer_state(path, model))
    arrays = read_npz(path, weights, expected, skipped=() if compile else ("optimizer/",))
    _restore(model, arrays)
    model.training_config = metadata.get("training")
    return model, config, arrays, metadata


def _read_descriptions(path: Path, archive: zipfile.ZipFile) -> tuple[dict, dict]:
    missing = [m for m in MEMBERS if m not in archive.namelist()]
    if missing:
        raise ModelFileError(f"{path} is not a linnet model file (missing {', '.join(missing)}).")
    texts = read_members(path, archive, {"config.json": JSON_BUDGET, "metadata.json": JSON_BUDGET})
    config, metadata = json.loads(texts["config.json"]), json.loads(texts["metadata.json"])
    _check_format(path, config)
    _check_digest(path, metadata, "config.json", texts["config.json"])
    if config["format_version"] >= 3:
        _check_digest(path, metadata, "metadata.json", None)
    return config, metadata


def _check_format(path: Path, config: Any) -> None:
    found = config.get("format") if isinstance(config, dict) else None
    if found != FORMAT:
        raise ModelFileError(f"{path} is not a linnet model file: config.json has format {found!r}, "
                             f"expected {FORMAT!r}.")
    version = config.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ModelFileError(f"{path} has an invalid format_version {version!r}; expected an integer from 1 "
                             f"to {FORMAT_VERSION}.")
    if version > FORMAT_VERSION:
        raise ModelFileError(f"{path} was written in model format version {version} by a newer linnet "
                             f"({config.get('linnet_version')!r}); this linnet ({__version__}) reads versions up "
                             f"to {FORMAT_VERSION}. Upgrade linnet to load it.")


def _check_digest(path: Path, metadata: Any, name: str, content: bytes | None) -> None:
    digests = metadata.get("sha256") if isinstance(metadata, dict) else None
    digests = digests if isinstance(digests, dict) else {}
    actual = _metadata_digest(metadata) if content is None else hashlib.sha256(content).hexdigest()
    if digests.get(name) != actual:
        raise ModelFileError(f"{path}: {name} does not match the SHA-256 recorded in metadata.json; the "
                             f"file was modified or damaged.")


def _architecture(path: Path, config: dict):
    """The model ``config.json`` describes, built once its declared sizes passed the caps."""
    member = "config.json"
    spec = mapping(config.get("model"), member, "model")
    input_dim = check_input_dim(spec.get("input_dim"), member, "model.input_dim")
    entries = sequence(spec.get("layers"), member, "model.layers", MAX_LAYERS)
    if not entries:
        raise refuse(member, "model.layers", "a list of at least one layer", entries)
    if "feature_names" in spec:
        names(spec["feature_names"], member, "model.feature_names", input_dim)
    name, where = text(spec.get("name"), member, "model.name"), f"{path}: {member}"
    layers = [layer_from(entry, where, f"model.layers[{i}]") for i, entry in enumerate(entries)]
    return sequential_of(layers, input_dim, None, name, where, "model.layers")


def _compile(path: Path, model, config: dict) -> None:
    settings = config.get("compile")
    if not settings:
        return
    try:
        settings = settings if config["format_version"] > 1 else upgrade_v1(settings)
        model.compile(optimizer=optimizers.deserialize(settings["optimizer"]),
                      loss=None if settings["loss"] is None else losses.deserialize(settings["loss"]),
                      metrics=[metrics_module.deserialize(m) for m in settings["metrics"]],
                      weighted_metrics=[metrics_module.deserialize(m) for m in settings.get("weighted_metrics", [])])
    except INVALID as error:
        raise ModelFileError(f"{path}: config.json: compile is invalid: {type(error).__name__}: {error} "
                             f"(load_model(path, compile=False) reads the architecture and weights)") from None


def _optimizer_state(path: Path, model) -> dict[str, tuple[tuple[int, ...], bool]]:
    """The names and shapes of the optimizer state the compiled ``model`` keeps."""
    if not model.compiled:
        raise refuse("weights.npz", "optimizer/*", "absent when config.json has no compile settings",
                     "optimizer state")
    model.optimizer.build(model.network.sizes)
    return {f"optimizer/{name}": (value.shape, name == "iterations")
            for name, value in model.optimizer.variables().items()}


def _restore(model, arrays: dict[str, np.ndarray]) -> None:
    model.set_weights([arrays[f"weight_{i}"] for i in range(len(model.get_weights()))])
    state = {name[len("optimizer/"):]: value for name, value in arrays.items() if name.startswith("optimizer/")}
    if state:
        if "learning_rate" in state and not state["learning_rate"] > 0:
            raise refuse("weights.npz", "optimizer/learning_rate", "a positive number", state["learning_rate"])
        model.optimizer.set_variables(state)
