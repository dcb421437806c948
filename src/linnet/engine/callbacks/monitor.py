"""Callbacks that watch one logged quantity: ``EarlyStopping``, ``ReduceLROnPlateau``, ``ModelCheckpoint``.

They share ``MonitorCallback``, which decides the direction of the quantity (``mode``) and what counts as an
improvement (``min_delta``), with the rules of Keras 3 (``keras/src/callbacks/monitor_callback.py``).
Import them from ``linnet.callbacks``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..._extensions import KERAS_2_EXTENSIONS, MODEL_EXTENSIONS, WEIGHTS_EXTENSION
from ..._validation import (
    FLOAT32_TINY,
    boolean,
    file_path,
    float32_number,
    non_negative_int,
    one_of,
    positive_int,
    real_number,
    verbosity,
)
from ..._warnings import warn
from .base import Callback

_MODES = ("auto", "min", "max")


class MonitorCallback(Callback):
    """Base of the callbacks that act when the logged quantity ``monitor`` stops improving.

    ``mode="min"`` wants it lower, ``"max"`` higher; ``"auto"`` minimizes ``loss``/``val_loss`` and follows
    a metric's own ``direction`` (``"min"`` for the errors, ``"max"`` for ``r2_score``), with or without the
    ``val_`` prefix. ``current`` improves on ``reference`` when::

        current + min_delta < reference    (minimizing)
        current - min_delta > reference    (maximizing)

    and always when there is no reference yet (``best is None``).
    """

    _purpose = "Monitoring"  # how the missing-quantity warning names what the callback decides

    def __init__(self, monitor: str = "val_loss", mode: str = "auto", min_delta: float = 0.0):
        super().__init__()
        if not isinstance(monitor, str):
            raise TypeError("monitor must be the name of a logged quantity such as 'val_loss'. "
                            f"Received: monitor={monitor!r}")
        self.monitor, self.mode = monitor, one_of(mode, "mode", _MODES)
        self.min_delta = abs(real_number(min_delta, "min_delta"))
        self.best: float | None = None
        self.minimize: bool | None = None  # resolved at the first epoch end, when the model is known

    def _current(self, logs: dict | None) -> float | None:
        """The monitored value in ``logs``; None, with a warning listing the available keys, if absent."""
        if self.minimize is None:
            self.minimize = self._minimizes()
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warn(f"{self._purpose} is conditioned on metric `{self.monitor}` which is not available. "
                 f"Available metrics are: {','.join(logs)}.")
        return value

    def _minimizes(self) -> bool:
        if self.mode != "auto":
            return self.mode == "min"
        name = self.monitor.removeprefix("val_")
        if name == "loss":
            return True
        metrics = getattr(self.model, "metrics", None) or []
        for metric in metrics:
            if getattr(metric, "name", None) == name:
                return metric.direction == "min"
        raise ValueError(f"{type(self).__name__} cannot tell whether monitor={self.monitor!r} should be minimized "
                         f"or maximized: it is neither the loss nor one of the model's metrics "
                         f"{[getattr(m, 'name', m) for m in metrics]}. Pass mode='min' or mode='max'.")

    def _is_improvement(self, current: float, reference: float | None) -> bool:
        if reference is None:
            return True
        if self.minimize:
            return current + self.min_delta < reference
        return current - self.min_delta > reference

    def _best_text(self) -> str:
        """The best value as Keras 3 prints it: ``None`` before the first, then 5 decimals."""
        return "None" if self.best is None else f"{self.best:.5f}"


def _optional_number(value: Any, name: str) -> float | None:
    return None if value is None else real_number(value, name)


class EarlyStopping(MonitorCallback):
    """Stop training when ``monitor`` has stopped improving (sets ``model.stop_training``).

    From epoch ``start_from_epoch`` on, every epoch end counts ``wait += 1``. A value that improves on the best
    so far becomes the best and resets ``wait`` to 0, but only when it also improves on ``baseline`` (if
    given). Otherwise training stops once ``wait >= patience``; the first monitored epoch always improves (there
    is no best yet), so it never stops there. With ``restore_best_weights`` the weights of the best epoch are
    set back when training ends, stopped early or not. Example: ``val_loss`` = 5, 4, 4.5, 4.2, ... with
    ``patience=2`` stops after the fourth epoch (index 3); ``restore_best_weights`` restores the second's weights.
    """

    _purpose = "Early stopping"

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0, patience: int = 0, verbose: int = 0,
                 mode: str = "auto", baseline: float | None = None, restore_best_weights: bool = False,
                 start_from_epoch: int = 0):
        super().__init__(monitor, mode, min_delta)
        self.patience = non_negative_int(patience, "patience")
        self.verbose = verbosity(verbose)
        self.baseline = _optional_number(baseline, "baseline")
        self.restore_best_weights = boolean(restore_best_weights, "restore_best_weights")
        self.start_from_epoch = non_negative_int(start_from_epoch, "start_from_epoch")
        self.on_train_begin()

    def on_train_begin(self, logs=None):
        self.wait = self.stopped_epoch = self.best_epoch = 0
        self.best = self.best_weights = None

    def on_epoch_end(self, epoch, logs=None):
        current = self._current(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
        elif self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)


class ReduceLROnPlateau(MonitorCallback):
    """Multiply the learning rate by ``factor`` when ``monitor`` has not improved for ``patience`` epochs.

    ``new_lr = max(lr * factor, floor)``, applied only while ``lr > floor`` (compared in float32), where ``floor`` is
    ``min_lr``, or float32's smallest normal number 1.18e-38 if that is larger (the least positive rate a linnet
    optimizer takes; Keras would go on into subnormal rates); after a reduction ``wait`` restarts and nothing is
    counted for ``cooldown`` epochs. An improvement must beat the
    best value by more than ``min_delta``. The current rate is logged as ``learning_rate`` every epoch.
    """

    _purpose = "Learning rate reduction"

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10, verbose: int = 0,
                 mode: str = "auto", min_delta: float = 1e-4, cooldown: int = 0, min_lr: float = 0.0):
        super().__init__(monitor, mode, min_delta)
        self.factor = real_number(factor, "factor", low=0.0, high=1.0, low_open=True, high_open=True)
        self.patience = non_negative_int(patience, "patience")
        self.verbose = verbosity(verbose)
        self.cooldown = non_negative_int(cooldown, "cooldown")
        self.min_lr = float32_number(min_lr, "min_lr", tiny=True, low=0.0)
        self.on_train_begin()

    def on_train_begin(self, logs=None):
        self.wait = self.cooldown_counter = 0
        self.best = None

    def on_epoch_end(self, epoch, logs=None):
        logs = {} if logs is None else logs
        rate = logs["learning_rate"] = float(self.model.optimizer.learning_rate)
        current = self._current(logs)
        if current is None:
            return
        if self.cooldown_counter > 0:  # wait is already 0: reset by the reduction, not counted since
            self.cooldown_counter -= 1
        if self._is_improvement(current, self.best):
            self.best, self.wait = current, 0
        elif self.cooldown_counter == 0:
            self.wait += 1
            if self.wait >= self.patience and rate > np.float32(self._floor()):
                self._reduce(epoch, rate)

    def _floor(self) -> float:
        """The least rate a reduction gives: ``min_lr``, but not below float32's least normal number (read when
        used, so that a ``min_lr`` set on the callback later counts)."""
        return max(self.min_lr, FLOAT32_TINY)

    def _reduce(self, epoch: int, rate: float) -> None:
        new_rate = max(rate * self.factor, self._floor())
        self.model.optimizer.learning_rate = new_rate
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_rate}.")
        self.cooldown_counter, self.wait = self.cooldown, 0


class ModelCheckpoint(MonitorCallback):
    """Save the model at the end of every epoch, or every ``save_freq`` batches: the whole model with
    ``model.save`` (``filepath`` ending in ``.keras`` or ``.linnet``), or only its weights with
    ``model.save_weights`` (``save_weights_only=True``, ``filepath`` ending in ``.weights.h5``), as Keras 3 does.

    ``filepath`` may contain ``str.format`` fields filled with ``epoch`` (counted from 1), ``batch`` (from 1, when
    saving every ``save_freq`` batches) and the log keys, e.g. ``"ckpt-{epoch:02d}-{val_loss:.2f}.keras"``. With
    ``save_best_only`` the model is saved only when ``monitor`` improves on the best value so far (initially
    ``initial_value_threshold``, if given); when ``monitor`` is missing from the logs Keras warns and saves anyway,
    and so does this callback. The arguments come in Keras 3's order.
    """

    _purpose = "Saving the best model"

    def __init__(self, filepath, monitor: str = "val_loss", verbose: int = 0, save_best_only: bool = False,
                 save_weights_only: bool = False, mode: str = "auto", save_freq: str | int = "epoch",
                 initial_value_threshold: float | None = None):
        super().__init__(monitor, mode)
        self.filepath = os.fspath(file_path(filepath, "filepath"))
        self.save_weights_only = boolean(save_weights_only, "save_weights_only")
        _check_suffix(self.filepath, self.save_weights_only)
        self.verbose = verbosity(verbose)
        self.save_best_only = boolean(save_best_only, "save_best_only")
        self.best = _optional_number(initial_value_threshold, "initial_value_threshold")
        if isinstance(save_freq, str) and save_freq != "epoch":
            raise ValueError(f"save_freq must be 'epoch' or a number of batches. Received: save_freq={save_freq!r}")
        self.save_freq = save_freq if isinstance(save_freq, str) else positive_int(save_freq, "save_freq")
        self._batches_since_save = self._epoch = 0

    @property
    def wants_batch_hooks(self) -> bool:
        """Only when saving every ``save_freq`` batches."""
        return self.save_freq != "epoch"

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs or {})

    def on_train_batch_end(self, batch, logs=None):
        self._batches_since_save += 1  # counted across epochs, as Keras does
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._epoch, batch, logs or {})

    def _save(self, epoch: int, batch: int | None, logs: dict) -> None:
        path = self._file_path(epoch, batch, logs)
        if self._should_save(epoch, logs, path):
            if self.save_weights_only:
                self.model.save_weights(path)
            else:
                self.model.save(path)
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: finished saving model to {path}")

    def _file_path(self, epoch: int, batch: int | None, logs: dict) -> str:
        fields = dict(logs, epoch=epoch + 1)
        if batch is not None and "batch" not in logs:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except KeyError as error:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". Reason: {error}. '
                           f"Available keys: {', '.join(fields)}.") from None

    def _should_save(self, epoch: int, logs: dict, path: str) -> bool:
        if not self.save_best_only:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: saving model to {path}")
            return True
        current = self._current(logs)
        if current is None:
            return True
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {self._best_text()} to {current:.5f}, "
                      f"saving model to {path}")
            self.best = current
            return True
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {self._best_text()}")
        return False


def _check_suffix(filepath: str, weights_only: bool) -> None:
    """Keras 3's rule: ``.weights.h5`` for the weights alone, ``.keras`` (or linnet's ``.linnet``) for the model."""
    if weights_only and not filepath.endswith(WEIGHTS_EXTENSION):
        raise ValueError(f"When using `save_weights_only=True` in `ModelCheckpoint`, the filepath provided must end "
                         f"in `.weights.h5` (Keras weights format). Received: filepath={filepath}")
    if not weights_only and not filepath.endswith(MODEL_EXTENSIONS):
        legacy = " (.h5, Keras 2's HDF5 format, is not written)" if filepath.endswith(KERAS_2_EXTENSIONS) else ""
        raise ValueError(f"The filepath provided must end in `.keras` (Keras model format) or `.linnet` (linnet's)"
                         f"{legacy}; with save_weights_only=True, in `.weights.h5`. Received: filepath={filepath}")
