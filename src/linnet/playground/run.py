"""One playground fit: the real engine trains the neuron, the exact answer and the diagnostics judge it.

:func:`fit` takes checked :class:`~linnet.playground.settings.Settings`, trains the model ``linnet demo`` and
``linnet train`` build (``cli.tasks.build_model``: one ``Dense`` unit, after a ``Normalization`` layer when asked),
records its path with ``ParameterHistory`` and returns a :class:`Run`; :func:`verdict` puts it in words:

- *diverged*, and why: the learning rate above the stability limit (``2/λmax``, or its momentum form), above a
  mini-batch's own limit, or the trainer's own message;
- *converged*: within 1% of the least-squares loss and parameters (``diagnostics.convergence``);
- *far*: still far from the optimum, with what to change.
"""

from __future__ import annotations

import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import random as _random
from ..cli.tasks import Task, build_model, demo
from ..data import read_csv
from ..diagnostics import StabilityLimit, convergence, learning_rate_warning, model_stable_learning_rate
from ..diagnostics.stability import sgd_limit  # the momentum forms of SGD's limit, written once there
from ..engine import optimizers
from ..engine.callbacks import History, ParameterHistory
from ..engine.sequential import Sequential
from ..engine.sources import split_validation
from ..engine.trainer import DivergenceError
from ..exact.state import LeastSquaresState
from ..exact.surface import LossSurface
from .settings import MOMENTUM_OPTIMIZERS, Settings, Upload, check_work


@dataclass
class Run:
    """A finished (or diverged) fit: its task, model, history and path, and the exact answer on its rows."""

    settings: Settings
    task: Task
    model: Sequential
    history: History
    path: ParameterHistory
    x_train: np.ndarray
    y_train: np.ndarray
    surface: LossSurface
    stability: StabilityLimit | None
    divergence: str | None
    notes: tuple[str, ...]
    seconds: float

    @property
    def limit(self) -> float | None:
        """The largest stable learning rate of the chosen SGD (with its momentum), else plain SGD's ``2/λmax``."""
        if self.stability is None:
            return None
        rule = sgd_limit(self.model.optimizer, self.stability.largest_eigenvalue)
        return self.stability.learning_rate if rule is None else rule[0]


def task(settings: Settings) -> Task:
    """The data and training settings of a run: a tutorial's data, or the uploaded CSV's chosen columns."""
    if settings.upload is None:
        base = demo(settings.preset, seed=settings.seed)
        x, y, names, target = base.x, base.y, base.feature_names, base.target_name
    else:
        x, y, names = _read_upload(settings.upload)
        target = settings.upload.target
    return Task(settings.preset, np.asarray(x).reshape(len(y), -1), y, names, target, settings.optimizer,
                settings.learning_rate, settings.epochs, settings.batch_size, settings.validation_split,
                normalize=settings.normalize, seed=settings.seed)


def _read_upload(upload: Upload) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The upload's columns through linnet's CSV reader (its checks and messages), naming the user's file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.csv"
        try:
            path.write_text(upload.text, encoding="utf-8")
        except UnicodeEncodeError as error:  # a lone surrogate: JSON can carry it, no text file can
            raise ValueError(f"The CSV {upload.name!r} holds a character that is not text (code point "
                             f"{ord(upload.text[error.start]):#x} at position {error.start}).") from None
        try:
            return read_csv(path, upload.target, list(upload.features))
        except (ValueError, TypeError) as error:
            raise type(error)(str(error).replace(str(path), upload.name)) from None


def fit(settings: Settings) -> Run:
    """Train the neuron of ``settings`` with the real engine and measure it against least squares."""
    started = time.perf_counter()
    run_task = task(settings)
    (x_train, y_train), _ = (split_validation(run_task.x, run_task.y, run_task.validation_split)
                             if run_task.validation_split else ((run_task.x, run_task.y), None))
    check_work(len(run_task.y), settings.epochs)
    rng = _random.generator(settings.seed)
    model = build_model(run_task, rng)
    model.compile(optimizer=optimizer(settings), loss=run_task.loss)
    path = ParameterHistory()
    with warnings.catch_warnings(record=True) as caught:  # fit's warnings and a rank-deficient design: notes
        warnings.simplefilter("always")
        divergence = _train(model, run_task, path, rng)
        surface = LossSurface(LeastSquaresState().update(x_train, y_train))
        stability = model_stable_learning_rate(model, x_train, settings.batch_size)
    return Run(settings, run_task, model, model.history, path, x_train, y_train, surface, stability, divergence,
               tuple(dict.fromkeys(str(item.message) for item in caught)), time.perf_counter() - started)


def _train(model: Sequential, run_task: Task, path: ParameterHistory, rng) -> str | None:
    """Fit; return None, or the trainer's message when the loss diverged (the weights are then the best seen)."""
    try:
        model.fit(run_task.x, run_task.y, batch_size=run_task.batch_size, epochs=run_task.epochs, verbose=0,
                  validation_split=run_task.validation_split, callbacks=[path], seed=rng)
    except DivergenceError as error:
        return str(error)
    return None


def optimizer(settings: Settings):
    """The chosen optimizer at the chosen learning rate (and momentum, for SGD and RMSprop), else Keras' defaults."""
    kind = type(optimizers.get(settings.optimizer))
    momentum = {"momentum": settings.momentum} if settings.optimizer in MOMENTUM_OPTIMIZERS else {}
    return kind(learning_rate=settings.learning_rate, **momentum)


def verdict(run: Run) -> tuple[str, str]:
    """``(kind, words)``: ``kind`` is ``"converged"``, ``"diverged"`` or ``"far"``; ``words`` says why."""
    if run.divergence is not None or not np.all(np.isfinite(run.model.network.params)):
        return "diverged", "Diverged. " + _why_diverged(run)
    check = convergence(run.model, run.x_train, run.y_train, ols_result=run.surface.optimum)
    numbers = (f"loss {check.loss:.4g} against the least-squares loss {check.ols_loss:.4g} (ratio "
               f"{check.loss_ratio:.4g}); parameters {check.parameter_distance:.2%} away from the optimum.")
    if check.converged:
        return "converged", f"Converged to the least-squares answer: {numbers}"
    advice = " ".join(f"To get closer, {text}." for text in check.advice)
    return "far", f"Still far from the optimum: {numbers} {advice}".strip()


def _why_diverged(run: Run) -> str:
    """The stability limit the learning rate crossed, or else what the trainer saw."""
    rate = run.settings.learning_rate
    warning = learning_rate_warning(run.model, run.x_train, run.settings.batch_size)
    if warning is not None:
        return warning
    batch_limit = None if run.stability is None else run.stability.batch_learning_rate
    if batch_limit is not None and rate > batch_limit and run.settings.optimizer == "sgd":
        return (f"The learning rate {rate:.4g} is below the limit of the average Hessian but above the largest "
                f"stable rate of the noisiest mini-batch, {batch_limit:.4g}: single batches overshoot. Fix: use "
                f"learning_rate <= {batch_limit:.4g}, or larger batches.")
    return run.divergence or "The weights became NaN or infinite."
