"""The ``.linnet`` model file: a zip of ``config.json``, ``weights.npz`` and ``metadata.json``.

``config.json`` holds the architecture and compile settings (every layer, optimizer, loss and metric as a
Keras 3 envelope ``{"module", "class_name", "config", "registered_name"}``, see ``linnet._serialization``;
format version 1, written by linnet 0.1, is still read through ``legacy``), ``weights.npz`` every layer weight and the
optimizer state (read with ``allow_pickle=False``), ``metadata.json`` the versions, the last training settings,
the history and a SHA-256 of the other two members, so that a truncated or edited file is refused with a clear
error. Files are written to a temporary name in the same folder, flushed to disk and renamed, so a crash never
leaves half a model behind and never damages the file being replaced.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import struct
import zipfile
import zlib
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from .._serialization import deserialize, serialize
from .._validation import file_path
from ..engine import losses, optimizers
from ..engine import metrics as metrics_module
from ..engine.layers import InputLayer, Layer
from .legacy import upgrade_v1

FORMAT = "linnet-model"
FORMAT_VERSION = 2  # 2: every object as a Keras 3 envelope; 1 (linnet 0.1): flat optimizer and metric configs
MEMBERS = ("config.json", "weights.npz", "metadata.json")
CHECKSUMMED = MEMBERS[:2]
# What zipfile, zlib and json raise on damaged bytes: a bad header, a bad CRC, a bad deflate stream, a flag bit
# claiming encryption (RuntimeError) or an unknown compression method, invalid UTF-8 or JSON, JSON nested too
# deeply (RecursionError is a RuntimeError), seeks outside the file.
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError, NotImplementedError,
            struct.error, OverflowError)
# What rebuilding a model from a well-formed but unexpected description raises (wrong types, missing keys).
_INVALID = (KeyError, IndexError, TypeError, ValueError, AttributeError)


class ModelFileError(ValueError):
    """The file is not a readable linnet model: another format, damaged, edited, or from a newer linnet."""


def model_config(model) -> dict:
    """The ``config.json`` content: format, architecture and compile settings of a built ``model``."""
    config = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "linnet_version": __version__,
        "model": {"class_name": "Sequential", "name": model.name, "input_dim": model.network.input_dim,
                  "layers": [serialize(layer) for layer in model.layers]},
        "compile": None,
    }
    if model.compiled:
        config["compile"] = {"optimizer": serialize(model.optimizer),
                             "loss": None if model.loss is None else serialize(model.loss),
                             "metrics": [serialize(m) for m in model.metrics]}
    return config


def _weights_bytes(model) -> bytes:
    arrays = {f"weight_{i}": w for i, w in enumerate(model.get_weights())}
    if model.compiled and model.optimizer.built:
        arrays.update({f"optimizer/{name}": np.asarray(value) for name, value in model.optimizer.variables().items()})
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _json_bytes(content: dict) -> bytes:
    """JSON with NumPy scalars and arrays (which callbacks may put in the logs) written as plain numbers."""
    def plain(value):
        if isinstance(value, (np.generic, np.ndarray)):
            return value.tolist()
        raise TypeError(f"cannot write {value!r} ({type(value).__name__}) to a model file")
    return json.dumps(content, indent=2, default=plain).encode()


def save_model(model, path) -> None:
    """Write ``model`` to ``path`` atomically (temporary file in the same folder, flushed, then renamed)."""
    path = file_path(path)
    model._require_built("save")
    if path.is_dir():
        raise IsADirectoryError(f"Cannot save the model to {str(path)!r}: it is a directory; give a file name "
                                f"such as {str(path / 'model.linnet')!r}.")
    config = _json_bytes(model_config(model))
    weights = _weights_bytes(model)
    metadata = _json_bytes({
        "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "linnet_version": __version__, "numpy_version": np.__version__,
        "training": model.training_config,
        "history": model.history.history if model.history is not None else None,
        "sha256": {"config.json": hashlib.sha256(config).hexdigest(),
                   "weights.npz": hashlib.sha256(weights).hexdigest()},
    })
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(path, dict(zip(MEMBERS, (config, weights, metadata))))


def _write_atomically(path: Path, members: dict[str, bytes]) -> None:
    # open(..., "xb") rather than tempfile.mkstemp: the file gets the usual permissions (umask), not 0600.
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    stream = open(temporary, "xb")  # noqa: SIM115 (closed by the with below, inside the cleanup's try)
    try:
        with stream:
            with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
                for name, data in members.items():
                    archive.writestr(name, data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def read_model_file(path) -> tuple[dict, dict[str, np.ndarray], dict]:
    """Return ``(config, arrays, metadata)`` of a model file, verified; raise ``ModelFileError`` otherwise.

    A missing file raises ``FileNotFoundError``; a file that cannot be opened raises the ``OSError`` of the
    operating system (permission denied, ...).
    """
    path = file_path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No model file at {str(path)!r}.")
    with open(path, "rb") as stream:
        config, metadata, contents = _read_members(path, stream)
    _check_format(path, config)
    _check_digests(path, metadata, contents)
    try:
        with np.load(io.BytesIO(contents["weights.npz"]), allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except _DAMAGED as error:
        raise ModelFileError(f"{path}: the weights cannot be read: {error}") from None
    return config, arrays, metadata


def _read_members(path: Path, stream) -> tuple[Any, Any, dict[str, bytes]]:
    try:
        with zipfile.ZipFile(stream) as archive:
            missing = [m for m in MEMBERS if m not in archive.namelist()]
            if missing:
                raise ModelFileError(f"{path} is not a linnet model file (missing {', '.join(missing)}).")
            contents = {m: archive.read(m) for m in MEMBERS}
        config = json.loads(contents["config.json"])
        metadata = json.loads(contents["metadata.json"])
    except ModelFileError:
        raise
    except _DAMAGED as error:
        raise ModelFileError(f"{path} is not a readable linnet model file (truncated, damaged or another "
                             f"format): {type(error).__name__}: {error}") from None
    return config, metadata, contents


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


def _check_digests(path: Path, metadata: Any, contents: dict[str, bytes]) -> None:
    digests = metadata.get("sha256") if isinstance(metadata, dict) else None
    digests = digests if isinstance(digests, dict) else {}
    for name in CHECKSUMMED:
        if digests.get(name) != hashlib.sha256(contents[name]).hexdigest():
            raise ModelFileError(f"{path}: {name} does not match the SHA-256 recorded in metadata.json; the "
                                 f"file was modified or damaged.")


def load_model(path):
    """Rebuild the model saved at ``path``: architecture, weights, compile settings and optimizer state.

    ``model.training_config`` is restored from the metadata; the training history stays in the file
    (``read_model_file(path)[2]["history"]``), as Keras does not restore it either.
    """
    config, arrays, metadata = read_model_file(path)
    try:
        model = _rebuild(config, arrays)
    except _INVALID as error:
        raise ModelFileError(f"{path}: the model description is invalid: {type(error).__name__}: {error}") from None
    model.training_config = metadata.get("training")
    return model


def _rebuild(config: dict, arrays: dict[str, np.ndarray]):
    from ..engine.sequential import Sequential
    spec = config["model"]
    layers = [deserialize(entry, Layer) for entry in spec["layers"]]
    model = Sequential([InputLayer(shape=(spec["input_dim"],)), *layers], name=spec["name"])
    model.build()
    model.set_weights([arrays[f"weight_{i}"] for i in range(len(model.get_weights()))])
    if config.get("compile"):
        settings = config["compile"] if config["format_version"] > 1 else upgrade_v1(config["compile"])
        _restore_compile(model, settings, arrays)
    return model


def _restore_compile(model, settings: dict, arrays: dict[str, np.ndarray]) -> None:
    model.compile(optimizer=optimizers.deserialize(settings["optimizer"]),
                  loss=None if settings["loss"] is None else losses.deserialize(settings["loss"]),
                  metrics=[metrics_module.deserialize(m) for m in settings["metrics"]])
    state = {name[len("optimizer/"):]: value for name, value in arrays.items() if name.startswith("optimizer/")}
    if state:
        model.optimizer.build(model.network.sizes)
        model.optimizer.set_variables(state)
