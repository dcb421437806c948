"""The ``.linnet`` model file: a zip of ``config.json``, ``weights.npz`` and ``metadata.json``.

``config.json`` holds the architecture and compile settings, ``weights.npz`` every layer weight and the
optimizer state (read with ``allow_pickle=False``), ``metadata.json`` the versions, the last training settings
and a SHA-256 of the other two members, so that a truncated or edited file is refused with a clear error.
Files are written to a temporary name and renamed, so a crash never leaves half a model behind.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from . import __version__, losses, metrics as metrics_module, optimizers
from .layers import LAYER_CLASSES, InputLayer

FORMAT = "linnet-model"
FORMAT_VERSION = 1
MEMBERS = ("config.json", "weights.npz", "metadata.json")


class ModelFileError(ValueError):
    """The file is not a readable linnet model."""


def model_config(model) -> dict:
    config = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "linnet_version": __version__,
        "model": {"class_name": "Sequential", "name": model.name, "input_dim": model.network.input_dim,
                  "layers": [{"class_name": type(layer).__name__, "config": layer.get_config()}
                             for layer in model.layers]},
        "compile": None,
    }
    if model.compiled:
        config["compile"] = {"optimizer": model.optimizer.get_config(),
                             "loss": None if model.loss is None else losses.serialize(model.loss),
                             "metrics": [metrics_module.serialize(m) for m in model.metrics]}
    return config


def _weights_bytes(model) -> bytes:
    arrays = {f"weight_{i}": w for i, w in enumerate(model.get_weights())}
    if model.compiled and model.optimizer.built:
        arrays.update({f"optimizer/{name}": np.asarray(value) for name, value in model.optimizer.variables().items()})
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def save_model(model, path) -> None:
    """Write ``model`` to ``path`` atomically (temporary file in the same folder, then rename)."""
    model._require_built("save")
    path = Path(path)
    config = json.dumps(model_config(model), indent=2).encode()
    weights = _weights_bytes(model)
    metadata = json.dumps({
        "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "linnet_version": __version__, "numpy_version": np.__version__,
        "training": getattr(model, "training_config", None),
        "history": model.history.history if model.history is not None else None,
        "sha256": {"config.json": hashlib.sha256(config).hexdigest(),
                   "weights.npz": hashlib.sha256(weights).hexdigest()},
    }, indent=2).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream, zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in zip(MEMBERS, (config, weights, metadata)):
                archive.writestr(name, data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_model_file(path) -> tuple[dict, dict[str, np.ndarray], dict]:
    """Return ``(config, arrays, metadata)`` of a model file, verified; raise ``ModelFileError`` otherwise."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No model file at {str(path)!r}.")
    try:
        with zipfile.ZipFile(path) as archive:
            missing = [m for m in MEMBERS if m not in archive.namelist()]
            if missing:
                raise ModelFileError(f"{path} is not a linnet model file (missing {', '.join(missing)}).")
            config_bytes, weight_bytes, meta_bytes = (archive.read(m) for m in MEMBERS)
        metadata = json.loads(meta_bytes)
        config = json.loads(config_bytes)
    except (zipfile.BadZipFile, EOFError, OSError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ModelFileError(f"{path} is not a readable linnet model file (truncated or another format): "
                             f"{error}") from None
    _verify(path, config, metadata, {"config.json": config_bytes, "weights.npz": weight_bytes})
    try:
        with np.load(io.BytesIO(weight_bytes), allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as error:
        raise ModelFileError(f"{path}: the weights cannot be read: {error}") from None
    return config, arrays, metadata


def _verify(path, config, metadata, members: dict[str, bytes]) -> None:
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise ModelFileError(f"{path} is not a linnet model file (format {config.get('format')!r}).")
    version = config.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ModelFileError(f"{path} was written in model format version {version!r}, newer than this linnet "
                             f"({__version__}) reads (up to {FORMAT_VERSION}); upgrade linnet to load it.")
    digests = metadata.get("sha256", {}) if isinstance(metadata, dict) else {}
    for name, data in members.items():
        if digests.get(name) != hashlib.sha256(data).hexdigest():
            raise ModelFileError(f"{path}: {name} does not match its checksum; the file was modified or damaged.")


def load_model(path):
    """Rebuild the model saved at ``path``: architecture, weights, compile settings and optimizer state."""
    from .models import Sequential
    config, arrays, metadata = read_model_file(path)
    try:
        spec = config["model"]
        layers = [LAYER_CLASSES[entry["class_name"]](**entry["config"]) for entry in spec["layers"]]
        model = Sequential([InputLayer(shape=(spec["input_dim"],)), *layers], name=spec["name"])
        model.build()
        model.set_weights([arrays[f"weight_{i}"] for i in range(len(model.get_weights()))])
        if config.get("compile"):
            _restore_compile(model, config["compile"], arrays)
    except (KeyError, TypeError, ValueError) as error:
        raise ModelFileError(f"{path}: the model description is invalid: {error}") from None
    model.training_config = metadata.get("training")
    return model


def _restore_compile(model, settings: dict, arrays: dict[str, np.ndarray]) -> None:
    model.compile(optimizer=optimizers.get(settings["optimizer"]),
                  loss=None if settings["loss"] is None else losses.get(settings["loss"]),
                  metrics=[metrics_module.deserialize(m) for m in settings["metrics"]])
    state = {name[len("optimizer/"):]: value for name, value in arrays.items() if name.startswith("optimizer/")}
    if state:
        model.optimizer.build(model.network.sizes)
        model.optimizer.set_variables(state)
