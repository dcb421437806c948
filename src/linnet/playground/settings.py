"""The settings of one playground run, read from the page's request, and the bounds on the work it may ask for.

The page sends a JSON object (the same fields its URL fragment holds); :func:`read_settings` checks every field
with linnet's argument checks, so a bad value comes back as one clear sentence naming the field and what was
received, which the page shows. The bounds keep one request cheap on a shared machine: at most ``MAX_ROWS``
rows of at most ``MAX_FEATURES`` features, ``MAX_EPOCHS`` epochs and ``MAX_WORK`` row-passes (``epochs × rows``)
per fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import _validation as _checks
from ..cli.tasks import DEMOS

PRESETS = (*DEMOS, "csv")
OPTIMIZERS = ("sgd", "rmsprop", "adam", "adagrad", "adamax", "nadam")
MOMENTUM_OPTIMIZERS = ("sgd", "rmsprop")
MAX_UPLOAD_CHARS = 1_000_000
MAX_ROWS = 20_000
MAX_EPOCHS = 5_000
MAX_WORK = 2_000_000
MAX_FEATURES = 50
MAX_SEED = 2 ** 32 - 1


@dataclass(frozen=True)
class Upload:
    """A CSV the user chose on the page: its text, its name, the target column and the feature columns."""

    text: str
    name: str
    target: str
    features: tuple[str, ...]


@dataclass(frozen=True)
class Settings:
    """One run: the data (a tutorial preset or an upload) and how to train on it."""

    preset: str
    optimizer: str
    learning_rate: float
    batch_size: int
    epochs: int
    momentum: float = 0.0
    normalize: bool = False
    seed: int = 42
    validation_split: float = 0.0
    upload: Upload | None = None


_FIELDS = ("preset", "optimizer", "learning_rate", "batch_size", "epochs", "momentum", "normalize", "seed",
           "validation_split", "csv")


def read_settings(request: Any) -> Settings:
    """Check a request's fields and return its :class:`Settings` (``ValueError``/``TypeError`` on bad ones)."""
    if not isinstance(request, dict):
        raise TypeError(f"The request must be a JSON object of settings. Received: {type(request).__name__}")
    _checks.reject_unknown_kwargs({key: None for key in request if key not in _FIELDS}, "The playground",
                                  _FIELDS)
    missing = [name for name in _FIELDS[:5] if name not in request]
    if missing:
        raise ValueError(f"The request lacks the setting(s) {', '.join(missing)}.")
    preset = _checks.one_of(request["preset"], "preset", PRESETS)
    if "csv" in request and preset != "csv":
        raise ValueError(f"A CSV is read only with the preset 'csv'. Received: a CSV with preset={preset!r}")
    optimizer = _checks.one_of(request["optimizer"], "optimizer", OPTIMIZERS)
    seed = _checks.non_negative_int(request.get("seed", 42), "seed")
    if seed > MAX_SEED:
        raise ValueError(f"seed must be at most {MAX_SEED}. Received: seed={seed}")
    momentum = _checks.real_number(request.get("momentum", 0.0), "momentum", low=0.0, high=1.0, high_open=True)
    if momentum and optimizer not in MOMENTUM_OPTIMIZERS:
        raise ValueError(f"momentum is a setting of SGD and RMSprop only; {optimizer} has none. Set it to 0. "
                         f"Received: momentum={momentum:g}")
    epochs = _checks.positive_int(request["epochs"], "epochs")
    if epochs > MAX_EPOCHS:
        raise ValueError(f"epochs must be at most {MAX_EPOCHS} in the playground. Received: epochs={epochs}")
    return Settings(
        preset, optimizer,
        _checks.real_number(request["learning_rate"], "learning_rate", low=0.0, high=1e6, low_open=True),
        _checks.positive_int(request["batch_size"], "batch_size"), epochs,
        momentum,
        _checks.boolean(request.get("normalize", False), "normalize"), seed,
        _checks.real_number(request.get("validation_split", 0.0), "validation_split", low=0.0, high=0.9),
        _read_upload(request.get("csv")) if preset == "csv" else None)


def _read_upload(upload: Any) -> Upload:
    if not isinstance(upload, dict):
        raise ValueError("The csv preset needs a CSV file: choose one with 'Your CSV' and pick its columns.")
    text, name = upload.get("text"), upload.get("name", "upload.csv")
    target, features = upload.get("target"), upload.get("features")
    if not isinstance(text, str) or not isinstance(name, str):
        raise TypeError("csv.text and csv.name must be strings.")
    if isinstance(features, list) and len(features) > MAX_FEATURES:
        raise ValueError(f"Choose at most {MAX_FEATURES} feature columns in the playground. "
                         f"Received: {len(features)} columns")
    if len(text) > MAX_UPLOAD_CHARS:
        raise ValueError(f"The CSV is too large for the playground: at most {MAX_UPLOAD_CHARS:,} characters; use "
                         f"`linnet train` for large files. Received: a CSV of {len(text):,} characters")
    if not isinstance(target, str) or not target:
        raise ValueError(f"Choose the target column of the CSV. Received: target={target!r}")
    if not isinstance(features, list) or not features or not all(isinstance(item, str) for item in features):
        raise ValueError(f"Choose at least one feature column of the CSV. Received: features={features!r}")
    return Upload(text, name, target, tuple(features))


def check_work(rows: int, epochs: int) -> None:
    """Refuse a fit of more than ``MAX_ROWS`` rows or ``MAX_WORK`` row-passes (``epochs × rows``)."""
    if rows > MAX_ROWS:
        raise ValueError(f"The data has {rows:,} rows; the playground takes at most {MAX_ROWS:,}. "
                         f"Use `linnet train` for larger files.")
    if rows * epochs > MAX_WORK:
        raise ValueError(f"{epochs} epochs × {rows:,} rows = {rows * epochs:,} row-passes is more work than the "
                         f"playground does per fit (at most {MAX_WORK:,}): lower the epochs to at most "
                         f"{MAX_WORK // rows}.")
