"""The callback protocol: ``Callback`` with Keras' hook names, ``CallbackList`` that dispatches them, and
``History``, which every ``fit`` attaches and returns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ... import _html
from ..._serialization import CheckedKeywords
from ..._validation import boolean, instances

BATCH_HOOKS = ("on_train_batch_begin", "on_train_batch_end")
PHASE_HOOKS = {"test": ("on_test_batch_begin", "on_test_batch_end"),  # evaluate, and fit's validation
               "predict": ("on_predict_batch_begin", "on_predict_batch_end")}


class Callback(CheckedKeywords):
    """Base class: override the hooks you need; ``self.model`` and ``self.params`` are set by ``fit``,
    ``evaluate`` and ``predict`` (their own ``params``: ``epochs`` 1 and ``steps`` their batches, as in Keras 3).

    ``params`` holds ``verbose``, ``epochs`` and ``steps`` (batches per epoch; None during the first epoch of
    a data source without a length, the count of that epoch from its end on). As in Keras 3, the ``*_begin``
    hooks get ``{}``, ``on_train_end`` the last epoch's logs, ``on_test_end`` the evaluation's. A hook that sets
    ``model.stop_training`` (any hook, ``on_epoch_begin`` too) ends the epoch after its current batch and ``fit``
    after that epoch, as Keras 3 checks the flag after every batch.

    Batch hooks (``on_train_batch_begin``/``_end``) cost time on every step, so ``fit`` calls them only on the
    callbacks whose ``wants_batch_hooks`` is true. By default that is whether the class overrides one of
    them, so a subclass that writes ``on_train_batch_end`` gets it called, as in Keras; a callback that needs
    them only in some configurations sets ``wants_batch_hooks`` itself (a class attribute or a property, as
    ``ModelCheckpoint`` with ``save_freq`` in batches does). The ``on_test_batch_*`` and ``on_predict_batch_*``
    hooks go to the callbacks that override them or were given them as attributes (``LambdaCallback``).
    ``evaluate`` reads arrays in Keras' batches of ``batch_size`` rows whenever callbacks are given (so that
    ``params["steps"]`` is Keras'), ``predict`` when a callback takes its batch hooks or sets
    ``model.stop_predicting``, ``fit``'s validation when a callback takes those batch hooks or
    ``on_test_begin`` (which may set ``model.stop_evaluating``: Keras still reads its first batch); otherwise all
    at once (the same loss, fewer steps).
    """

    def __init__(self):
        self.model = None
        self.params: dict[str, Any] = {}

    def set_model(self, model) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    @property
    def wants_batch_hooks(self) -> bool:
        """Whether ``fit`` should call this callback's batch hooks: by default, whether its class overrides one."""
        return any(getattr(type(self), hook) is not getattr(Callback, hook) for hook in BATCH_HOOKS)

    def on_train_begin(self, logs=None): pass
    def on_train_end(self, logs=None): pass
    def on_epoch_begin(self, epoch, logs=None): pass
    def on_epoch_end(self, epoch, logs=None): pass
    def on_train_batch_begin(self, batch, logs=None): pass
    def on_train_batch_end(self, batch, logs=None): pass
    def on_test_begin(self, logs=None): pass
    def on_test_end(self, logs=None): pass
    def on_test_batch_begin(self, batch, logs=None): pass
    def on_test_batch_end(self, batch, logs=None): pass
    def on_predict_begin(self, logs=None): pass
    def on_predict_end(self, logs=None): pass
    def on_predict_batch_begin(self, batch, logs=None): pass
    def on_predict_batch_end(self, batch, logs=None): pass


def overrides(callback: Callback, hooks: Sequence[str]) -> bool:
    """Whether ``callback`` has its own version of one of ``hooks``: its class's, or a function set on it."""
    return any(getattr(type(callback), hook) is not getattr(Callback, hook) or hook in vars(callback)
               for hook in hooks)


def takes_batches(callbacks: Sequence[Callback] | Callback | None, phase: str) -> bool:
    """Whether one of ``callbacks`` (a Callback or a list of them, checked) takes the batch hooks of ``phase``, or
    its begin hook (``on_test_begin``), which may stop the pass after Keras' first batch: then the pass reads
    arrays in Keras' batches."""
    hooks = (*PHASE_HOOKS[phase], f"on_{phase}_begin")
    return any(overrides(callback, hooks) for callback in instances(callbacks, "callbacks", Callback))


_HOOKS = tuple(name for name in vars(Callback) if name.startswith("on_"))


class History(Callback):
    """Records the logs of every epoch: ``history`` (name -> list of values), ``epoch``, ``params``."""

    def __init__(self):
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)

    def __repr__(self) -> str:
        return f"<History epochs={len(self.epoch)} keys={list(self.history)}>"

    _repr_html_ = _html.html  # a row per logged name: first, best and last value (linnet.notebook.display)


class CallbackList(CheckedKeywords):
    """Dispatches each hook to every callback; training batch hooks only to those whose ``wants_batch_hooks`` is
    true, ``evaluate``'s and ``predict``'s only to those that override them (``wants(phase)``: whether any does).

    A hook called without logs passes ``{}``, as Keras 3's ``CallbackList`` does (``on_train_begin({})``,
    ``on_epoch_begin(epoch, {})``, ``on_train_batch_begin(batch, {})``, ...)."""

    def __init__(self, callbacks: Sequence[Callback] | None = None, add_history: bool = False,
                 add_progbar: bool = False, model=None, **params: Any):
        """Keras 3's arguments: ``add_history`` appends a ``History``; ``add_progbar`` must be False (``fit``,
        ``evaluate`` and ``predict`` print their own progress, by ``verbose``); ``params`` go to every callback."""
        if boolean(add_progbar, "add_progbar"):
            raise ValueError("linnet's CallbackList does not add a progress bar: fit, evaluate and predict print their "
                             "own (verbose=). Received: add_progbar=True")
        self.callbacks = instances(callbacks, "callbacks", Callback)  # one, or lists of them nested: as Keras 3
        if boolean(add_history, "add_history") and not any(isinstance(c, History) for c in self.callbacks):
            self.callbacks.append(History())  # Keras adds one only where none is given
        self.model, self.params = model, params  # one dict, shared with the callbacks (fit fills in "steps")
        for callback in self.callbacks:
            callback.set_model(model)
            callback.set_params(params)
        self._batch = [callback for callback in self.callbacks if callback.wants_batch_hooks]
        self.wants_batch_hooks = bool(self._batch)
        self._phase = {phase: [callback for callback in self.callbacks if overrides(callback, hooks)]
                       for phase, hooks in PHASE_HOOKS.items()}

    def wants(self, phase: str) -> bool:
        """Whether a callback takes the batch hooks of ``phase`` (``"test"`` or ``"predict"``)."""
        return bool(self._phase[phase])

    def _call(self, hook: str, *args) -> None:
        *args, logs = args
        for callback in self.callbacks:
            getattr(callback, hook)(*args, {} if logs is None else logs)

    def on_train_begin(self, logs=None): self._call("on_train_begin", logs)
    def on_train_end(self, logs=None): self._call("on_train_end", logs)
    def on_epoch_begin(self, epoch, logs=None): self._call("on_epoch_begin", epoch, logs)
    def on_epoch_end(self, epoch, logs=None): self._call("on_epoch_end", epoch, logs)
    def on_test_begin(self, logs=None): self._call("on_test_begin", logs)
    def on_test_end(self, logs=None): self._call("on_test_end", logs)
    def on_predict_begin(self, logs=None): self._call("on_predict_begin", logs)
    def on_predict_end(self, logs=None): self._call("on_predict_end", logs)

    def _call_phase(self, phase: str, hook: str, batch: int, logs) -> None:
        for callback in self._batch if phase == "train" else self._phase[phase]:
            getattr(callback, hook)(batch, {} if logs is None else logs)

    def on_train_batch_begin(self, batch, logs=None): self._call_phase("train", "on_train_batch_begin", batch, logs)
    def on_train_batch_end(self, batch, logs=None): self._call_phase("train", "on_train_batch_end", batch, logs)

    def on_test_batch_begin(self, batch, logs=None): self._call_phase("test", "on_test_batch_begin", batch, logs)
    def on_test_batch_end(self, batch, logs=None): self._call_phase("test", "on_test_batch_end", batch, logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._call_phase("predict", "on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._call_phase("predict", "on_predict_batch_end", batch, logs)


