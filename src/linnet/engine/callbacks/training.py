"""Callbacks that act on training as Keras 3's do: stop on NaN, schedule the learning rate, log to CSV, run
lambdas, and record the parameters' path (``ParameterHistory``, a linnet extension for the loss landscape)."""

from __future__ import annotations

import collections.abc
import csv
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..._validation import boolean, file_path, one_of, reject_unknown_kwargs, verbosity
from .base import _HOOKS, BATCH_HOOKS, Callback


class TerminateOnNaN(Callback):
    """Stop training when a batch ``loss`` is NaN or infinite (checked after every batch, like Keras).

    ``raise_error=False`` sets ``model.stop_training`` (the epoch still ends and ``on_train_end`` runs);
    ``raise_error=True`` raises ``RuntimeError`` at once. linnet's ``fit`` already raises
    ``DivergenceError`` on a non-finite batch loss, so inside ``fit`` this callback rarely has anything to do.
    """

    def __init__(self, raise_error: bool = False):
        super().__init__()
        self.raise_error = boolean(raise_error, "raise_error")

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None or math.isfinite(loss):
            return
        if self.raise_error:
            raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                               f"Terminating training immediately.")
        print(f"Batch {batch}: Invalid loss, terminating training")
        self.model.stop_training = True


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of every epoch to ``schedule(epoch, lr)`` (epoch counted from 0).

    ``lr`` is the optimizer's current learning rate; a one-argument ``schedule(epoch)`` is also accepted
    (Keras' legacy form). The rate is logged as ``learning_rate`` at the end of the epoch. Example: keep the
    rate for ten epochs, then divide it by ``e**0.1`` every epoch::

        LearningRateScheduler(lambda epoch, lr: lr if epoch < 10 else lr * math.exp(-0.1))
    """

    def __init__(self, schedule: Callable, verbose: int = 0):
        super().__init__()
        if not callable(schedule):
            raise TypeError("schedule must be a function schedule(epoch, lr) -> float. "
                            f"Received: schedule={schedule!r}")
        self.schedule = schedule
        self.verbose = verbosity(verbose)

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        try:
            rate = self.schedule(epoch, float(optimizer.learning_rate))
        except TypeError:  # the legacy one-argument schedule(epoch), as Keras retries it
            rate = self.schedule(epoch)
        if not isinstance(rate, (float, np.floating)):
            raise ValueError(
                f"The output of the `schedule` function should be a float. Got: {rate!r}")
        optimizer.learning_rate = float(rate)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {float(rate)}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)


class CSVLogger(Callback):
    """Stream every epoch's logs to a CSV file, as Keras writes it.

    Columns are ``epoch`` then the log keys of the first epoch, sorted; when that epoch has no ``val_`` key the
    ``val_`` twin of every key is added (and written as ``NA``). Rows end with ``\\r\\n`` (Excel dialect).
    ``append=True`` continues an existing file without repeating its header.
    """

    def __init__(self, filename, separator: str = ",", append: bool = False):
        super().__init__()
        if not isinstance(separator, str) or len(separator) != 1:
            raise ValueError(f"separator must be a one-character string. Received: separator={separator!r}")
        self.filename = str(file_path(filename, "filename"))
        self.sep = separator
        self.append = boolean(append, "append")
        self.keys: list[str] | None = None
        self._write_header = True

    def on_train_begin(self, logs=None):
        """Start the file (emptied unless ``append``); the rows are added one epoch at a time, each in its own
        open and close, so that no file is left open when ``fit`` stops on an error."""
        write_header = True
        if self.append:
            try:
                with open(self.filename, encoding="utf-8") as existing:
                    write_header = not existing.readline()
            except FileNotFoundError:
                pass
        with open(self.filename, "a" if self.append else "w", newline="", encoding="utf-8"):
            pass
        self.keys, self._write_header = None, write_header

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(key.startswith("val_") for key in self.keys):
                self.keys += ["val_" + key for key in self.keys]
        with open(self.filename, "a", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream, delimiter=self.sep)
            if self._write_header:
                writer.writerow(["epoch", *self.keys])
                self._write_header = False
            writer.writerow([epoch, *(_csv_value(logs.get(key, "NA")) for key in self.keys)])


def _csv_value(value: Any) -> Any:
    """Keras' cell: strings and scalars as they are, other iterables as ``"[a, b]"``."""
    if isinstance(value, str) or not isinstance(value, collections.abc.Iterable) or getattr(value, "ndim", 1) == 0:
        return value
    return f'"[{", ".join(map(str, value))}]"'


class LambdaCallback(Callback):
    """A callback made of plain functions, e.g. ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``.

    Each function takes the arguments of the hook it replaces (``on_epoch_*``: ``epoch, logs``;
    ``on_train_begin/end``: ``logs``; ``on_train_batch_*``: ``batch, logs``). Any other hook of ``Callback``
    (``on_test_begin``, ...) may be given by keyword too.
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None, on_train_end=None,
                 on_train_batch_begin=None, on_train_batch_end=None, **kwargs):
        super().__init__()
        reject_unknown_kwargs({k: v for k, v in kwargs.items() if k not in _HOOKS}, "LambdaCallback", _HOOKS)
        hooks = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end, on_train_begin=on_train_begin,
                     on_train_end=on_train_end, on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end, **kwargs)
        for hook, function in hooks.items():
            if function is None:
                continue
            if not callable(function):
                raise TypeError(f"{hook} must be a function. Received: {hook}={function!r}")
            setattr(self, hook, function)
        self._batch_functions = any(hooks[hook] is not None for hook in BATCH_HOOKS)

    @property
    def wants_batch_hooks(self) -> bool:
        """Whether a batch function was given."""
        return self._batch_functions


class ParameterHistory(Callback):
    """Record the model as one equation ``y = x @ coef + intercept`` (units of x and y) while it trains.

    An entry is taken when training begins and after every epoch (``every="epoch"``) or every batch
    (``every="batch"``). Each entry is ``model.network.affine()``, so a ``Normalization`` layer or a stack of
    ``Dense`` layers is folded into the one slope per feature and one intercept it computes; this is what
    :func:`linnet.plot.landscape` and :func:`linnet.plot.gap` draw.

    Each entry costs two tiny forward passes (``affine``), so recording per epoch is free in practice. Only
    ``every="batch"`` wants batch hooks (``wants_batch_hooks``), which makes ``fit`` dispatch them at all; it
    then adds some 15 microseconds per batch for a single ``Dense`` layer (about doubling a step on small data):
    ask for it when you want the steps themselves. Entries are reset when training begins, like ``History``.
    The labels of an epoch's entries (``epochs``, ``steps``) are set at the end of that epoch, when the number
    of batches per epoch is known even for a data source without a length.

    Attributes
    ----------
    coef : ndarray, shape (k, n_features)
    intercept : ndarray, shape (k,)
    epochs : ndarray of float, shape (k,)
        Epochs completed at each entry (fractions of an epoch with ``every="batch"``).
    steps : ndarray of int, shape (k,)
        Optimizer steps taken at each entry (per epoch: whole epochs of ``params["steps"]`` batches).
    """

    def __init__(self, every: str = "epoch"):
        super().__init__()
        self.every = one_of(every, "every", ("epoch", "batch"),
                            f"every must be 'epoch' or 'batch'. Received: every={every!r}")
        self._coef: list[np.ndarray] = []
        self._intercept: list[float] = []
        self._epochs: list[float] = []
        self._steps: list[int] = []
        self._epoch: int | None = None
        self._first_entry = 0  # the first entry of the running epoch, labelled at its end

    @property
    def wants_batch_hooks(self) -> bool:
        return self.every == "batch"

    def on_train_begin(self, logs=None):
        self._coef, self._intercept, self._epochs, self._steps = [], [], [], []
        self._epoch = None
        self._record(0, 0)

    def on_epoch_begin(self, epoch, logs=None):
        self._first_entry = 0 if self._epoch is None else len(self._steps)  # the start is labelled with fit's
        self._epoch = epoch  # first epoch, initial_epoch

    def on_train_batch_end(self, batch, logs=None):
        self._record(batch + 1, batch + 1)  # batches into the epoch, until the epoch's end labels it

    def on_epoch_end(self, epoch, logs=None):
        steps = self.params["steps"]
        if self._first_entry == 0:
            self._epochs[0], self._steps[0] = epoch, epoch * steps
        for k in range(max(self._first_entry, 1), len(self._steps)):
            self._epochs[k], self._steps[k] = epoch + self._steps[k] / steps, epoch * steps + self._steps[k]
        if self.every == "epoch":
            self._record(epoch + 1, (epoch + 1) * steps)

    def _record(self, epochs: float, steps: int) -> None:
        coef, intercept = self.model.network.affine()
        self._coef.append(coef)
        self._intercept.append(intercept)
        self._epochs.append(epochs)
        self._steps.append(steps)

    @property
    def coef(self) -> np.ndarray:
        """Slopes in the units of x and y, shape (k, n_features)."""
        return np.array(self._coef, dtype=np.float64) if self._coef else np.empty((0, 0))

    intercept = property(lambda self: np.array(self._intercept, dtype=np.float64),
                         doc="Intercepts in the units of y, shape (k,).")
    epochs = property(lambda self: np.array(self._epochs, dtype=np.float64),
                      doc="Epochs completed at each entry, shape (k,).")
    steps = property(lambda self: np.array(self._steps, dtype=np.int64),
                     doc="Optimizer steps taken at each entry, shape (k,).")

    def __len__(self) -> int:
        return len(self._intercept)

    def __repr__(self) -> str:
        return f"<ParameterHistory every={self.every!r} entries={len(self)}>"
