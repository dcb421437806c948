"""The CLI's tasks: the data and settings of a run (``Task``), the model it trains, and the training itself.

``demo(name)`` builds the Task of one of the four tutorials and ``task_from_file`` one from a user's
CSV/NPZ/Parquet file; ``train(task)`` builds the model and fits it, with every random draw (initial weights,
shuffles) taken from one generator seeded by ``task.seed``, so no global seed is touched; ``run(task, out)``
trains and then writes the report (``report.write_report``: printed results, ``metrics.json``, model, figures).
The ``linnet`` command only calls these, and a notebook can make the same calls.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from .. import random as _random
from .._validation import column_statistics
from ..data import boston_housing, read_table, synthetic
from ..engine import optimizers
from ..engine.callbacks import History, ParameterHistory, StopAtOptimum
from ..engine.initializers import GlorotUniform
from ..engine.layers import Dense, Input, Normalization
from ..engine.sequential import Sequential
from ..exact.results import OLSResult, ols
from .report import training_rows

DEMOS = ("boston", "noisy-line", "line", "plane")


@dataclass
class Task:
    """Data and training settings of one run.

    The defaults are the tutorials'; ``linnet train`` sets its own (``TRAIN_DEFAULTS``). ``learning_rate`` and
    ``momentum`` may be ``"auto"`` (SGD only); ``batch_size`` None is all training rows (gradient descent).
    ``units`` label the figures' axes (``{"price": "$1000s"}``); ``flags`` says the run was set by ``linnet
    train``'s flags, which the report's advice then names (a demo's, or a notebook's, names the library's calls).
    ``standardize_target`` adds ``Normalization(invert=True)`` adapted to ``y`` after the neuron, so it trains on a
    standardized target while every output stays in the data's units; ``tolerance`` stops training when the loss is
    within that relative distance of least squares' (``StopAtOptimum``; MSE only).
    """

    name: str
    x: np.ndarray
    y: np.ndarray
    feature_names: list[str]
    target_name: str
    optimizer: str = "rmsprop"
    learning_rate: float | str = 0.001
    epochs: int = 100
    batch_size: int | None = 32
    validation_split: float = 0.0
    loss: str = "mse"
    normalize: bool = False
    seed: int | None = None
    momentum: float | str = 0.0
    standardize_target: bool = False
    tolerance: float | None = None
    test: tuple[np.ndarray, np.ndarray] | None = None
    predict_at: list[float] = field(default_factory=list)
    units: dict[str, str] = field(default_factory=dict)
    flags: bool = False


def demo(name: str, seed: int = 42) -> Task:
    """The Task of one tutorial: ``boston``, ``noisy-line``, ``line`` or ``plane``."""
    if name == "boston":
        (x_train, y_train), (x_test, y_test) = boston_housing.load_data()
        rooms = boston_housing.feature_index("RM")
        return Task("boston", x_train[:, rooms], y_train, ["rooms"], "price", "rmsprop", 0.005, 101, 16, 0.3,
                    seed=seed, test=(x_test[:, rooms], y_test), predict_at=[3, 4, 5, 6, 7],
                    units={"rooms": "average per dwelling", "price": "median value, $1000s"})
    if name == "noisy-line":
        x, y = synthetic.noisy_line(seed=seed)
        return Task("noisy-line", x, y, ["x"], "y", "adam", 0.1, 200, seed=seed)
    if name == "line":
        x, y = synthetic.line()
        return Task("line", x, y, ["x"], "y", "adam", 0.1, 500, seed=seed, predict_at=[20.0])
    if name == "plane":
        x, y = synthetic.plane(seed=seed)
        return Task("plane", x, y, ["x1", "x2"], "y", "sgd", 0.02, 100, seed=seed)
    from .._validation import unknown_name
    raise unknown_name("demo", name, DEMOS)


TRAIN_DEFAULTS = {"optimizer": "sgd", "learning_rate": "auto", "momentum": "auto", "epochs": 1000,
                  "batch_size": None, "validation_split": 0.2, "normalize": True, "standardize_target": True,
                  "tolerance": 1e-8}
"""``linnet train``'s defaults: gradient descent with the heavy-ball rate and momentum of fastest contraction on
standardized inputs and target, stopped within 1e-8 (relative) of the least-squares loss (at most 1,000
epochs)."""


def task_from_file(path, target: str, features: list[str] | None = None, *, categorical: list[str] | None = None,
                   dropna: bool = False, **settings) -> Task:
    """A Task on the columns of a CSV, NPZ or Parquet file, with ``TRAIN_DEFAULTS`` for unset ``settings``."""
    x, y, names = read_table(path, target, features, categorical=categorical, dropna=dropna)
    return Task(Path(path).stem, x, y, names, target, flags=True, **{**TRAIN_DEFAULTS, **settings})


def describe(task: Task) -> str:
    """The settings of ``task`` in one line, as ``linnet train`` prints them before training."""
    batch = "all training rows" if task.batch_size is None else str(task.batch_size)
    scaled = ("inputs and target" if task.normalize and task.standardize_target else "inputs" if task.normalize
              else "target" if task.standardize_target else "nothing")
    why = without_stop(task)
    stop = (f", no stop at the least-squares loss ({why})" if why else
            f", stop within {task.tolerance:g} (relative) of the least-squares loss" if task.tolerance else "")
    momentum = f", momentum {task.momentum}" if task.optimizer.lower() == "sgd" else ""
    return (f"Settings: optimizer {task.optimizer}, learning rate {task.learning_rate}{momentum}, batch size {batch}, "
            f"up to {task.epochs} epochs{stop}, standardized {scaled}, validation split {task.validation_split:g}, "
            f"loss {task.loss}")


def build_model(task: Task, seed: int | np.random.Generator | None = None) -> Sequential:
    """A one-neuron model (after a Normalization layer adapted to x when ``task.normalize``), compiled.

    The kernel's initial value is drawn from ``seed`` (a Generator is drawn from and advanced; None draws
    from linnet's default generator).
    """
    layers = [Input((task.x.shape[1] if task.x.ndim == 2 else 1,))]
    if task.normalize:  # refused by column name here, where Normalization.adapt has only numbers
        column_statistics(np.reshape(task.x, (task.x.shape[0], -1)), "the features", task.feature_names)
        norm = Normalization()
        norm.adapt(task.x)
        layers.append(norm)
    layers.append(Dense(1, kernel_initializer=GlorotUniform(seed=seed)))
    if task.standardize_target:
        column_statistics(np.reshape(task.y, (-1, 1)), "the target", [task.target_name])
        layers.append(_target_scale(np.reshape(task.y, (-1, 1))))
    model = Sequential(layers)
    model.compile(optimizer=_optimizer(task), loss=task.loss)
    return model


def _target_scale(y: np.ndarray) -> Normalization:
    """``Normalization(invert=True)`` adapted to ``y``; a constant ``y`` is only centred (scale 1), as
    ``standardizing_lift`` keeps a constant column: its standard deviation of 0, floored at 1e-7, would scale the
    neuron's output by 1e-7 and its stable learning rate by 1e14."""
    if np.ptp(y) > 0:
        output = Normalization(invert=True)
        output.adapt(y)
        return output
    return Normalization(mean=float(y[0, 0]), variance=1.0, invert=True)


def check(task: Task) -> None:
    """Raise what ``build_model`` would about the optimizer, its learning rate and the loss, and refuse a constant
    feature column (:func:`refuse_constant_columns`), before training."""
    from ..engine import losses
    _optimizer(task)
    losses.get(task.loss)
    refuse_constant_columns(task)


def refuse_constant_columns(task: Task) -> None:
    """Refuse a feature that takes one value on every training row (of two or more).

    Its coefficient ``c`` and the intercept ``b`` enter the predictions only as ``c·k + b``, so the rows do not
    decide them: gradient descent leaves ``c`` where the initializer put it and, once the column is standardized
    (divided by a standard deviation of 0, floored at 1e-7 as in Keras), the equation and every prediction at
    another value of the column are off by about ``c·1e7``.
    """
    x_fit, _ = training_rows(task)
    columns = np.reshape(x_fit, (len(x_fit), -1))
    if len(columns) < 2:
        return
    constant = [(name, value) for name, value, spread in zip(task.feature_names, columns[0], np.ptp(columns, axis=0))
                if spread == 0]
    if constant:
        raise constant_columns_error(constant, len(columns), task.feature_names)


def constant_columns_error(constant: list[tuple[str, float]], rows: int, names: list[str]) -> ValueError:
    """The refusal of the ``constant`` columns, ``(name, value)``, of ``rows`` training rows (features ``names``)."""
    listed = ", ".join(f"{name!r} (always {value:g})" for name, value in constant)
    return ValueError(f"Feature column(s) {listed} take one value on all {rows} training rows, so their coefficient "
                      f"cannot be told apart from the intercept; leave them out with --features. "
                      f"Received: {len(names)} feature(s) {names}")


def _optimizer(task: Task) -> optimizers.Optimizer:
    """``task.optimizer`` with its learning rate (and SGD's momentum); ``"auto"`` is SGD's (set by ``fit``)."""
    if task.optimizer.lower() == "sgd":
        return optimizers.SGD(learning_rate=task.learning_rate, momentum=task.momentum)
    optimizer = optimizers.get(task.optimizer)
    if task.learning_rate == "auto":
        raise ValueError(f"learning rate 'auto' is SGD's (computed from the loss's Hessian); give --learning-rate "
                         f"for {task.optimizer}. Received: optimizer {task.optimizer!r}")
    optimizer.learning_rate = task.learning_rate
    return optimizer


@dataclass
class Training:
    """What ``train`` returns: the task, the trained model, its history and (if recorded) its parameter path."""

    task: Task
    model: Sequential
    history: History
    path: ParameterHistory | None = None
    stopped_epoch: int | None = None

    @cached_property
    def least_squares(self) -> OLSResult | None:
        """``ols`` on the training rows with the task's column names, solved on first use and then shared by the
        report's metrics, comparison table and figures (so its warnings, e.g. a rank-deficient design, are given
        once); None when least squares has no residual freedom (``without_least_squares`` says so)."""
        if self.without_least_squares is not None:
            return None
        x_fit, y_fit = training_rows(self.task)
        return ols(x_fit, y_fit, feature_names=self.task.feature_names)

    without_least_squares = property(lambda self: without_least_squares(self.task),
                                     doc="Why ``least_squares`` is None, in words; else None.")
    without_stop = property(lambda self: without_stop(self.task),
                            doc="Why ``train`` set no stop at the least-squares loss the task asks for; else None.")


def without_least_squares(task: Task) -> str | None:
    """Why the training rows of ``task`` have no least-squares answer to compare with (no residual freedom: no
    more rows than parameters), in words; else None."""
    rows, parameters = len(training_rows(task)[1]), len(task.feature_names) + 1
    return None if rows > parameters else (f"it needs more training rows than parameters ({rows} row(s) for "
                                           f"{parameters} parameters)")


def without_stop(task: Task) -> str | None:
    """Why a run of ``task`` with a tolerance cannot stop at the least-squares loss, in words; None when it can or
    no tolerance asks for it."""
    from ..engine import losses
    if not task.tolerance:
        return None
    if not isinstance(losses.get(task.loss), losses.MeanSquaredError):
        return f"it compares mean squared errors, and the loss is {task.loss}"
    return without_least_squares(task)


def train(task: Task, *, verbose: int = 1, record_path: bool = False,
          print_fn: Callable[[str], None] | None = None) -> Training:
    """Build ``task``'s model and fit it; ``print_fn``, if given, receives the model summary first.

    One generator, ``linnet.random.generator(task.seed)``, draws the initial kernel and then every shuffle, so
    a given seed gives the same run in any process, and linnet's global generator is left alone.
    ``record_path`` records the parameters after every epoch (for the landscape and gap figures).
    """
    rng = _random.generator(task.seed)
    model = build_model(task, rng)
    if print_fn is not None:
        model.summary(print_fn=print_fn)
    path = ParameterHistory() if record_path else None
    x_fit, y_fit = training_rows(task)
    wanted = task.tolerance and without_stop(task) is None
    stop = StopAtOptimum(x_fit, y_fit, task.tolerance) if wanted else None
    history = model.fit(task.x, task.y, batch_size=task.batch_size or len(x_fit), epochs=task.epochs,
                        verbose=verbose, validation_split=task.validation_split, seed=rng,
                        callbacks=[c for c in (path, stop) if c is not None])
    model.training_config.update(feature_names=task.feature_names, target_name=task.target_name)
    return Training(task, model, history, path, None if stop is None else stop.stopped_epoch)


def run(task: Task, out, *, verbose: int = 1, plots: bool = True, exact_plots: bool = False,
        echo: Callable[[str], None] = print, diagnose: Callable[[str], None] | None = None) -> dict:
    """Train ``task`` and write its report into ``out``; return the metrics written to ``metrics.json``.

    ``plots`` writes the tutorial's figures; ``exact_plots`` also records the parameters per epoch and draws
    the loss landscape with the optimizer's path (one feature) and the gap to the optimum per epoch.
    """
    from .report import write_report
    training = train(task, verbose=verbose, record_path=exact_plots, print_fn=echo)
    return write_report(training, out, plots=plots, exact_plots=exact_plots, echo=echo, diagnose=diagnose)


def progress_verbosity(stream=None) -> int:
    """1 (a live bar) on a terminal, 0 in a pipe or file."""
    stream = stream if stream is not None else sys.stderr
    return 1 if getattr(stream, "isatty", lambda: False)() else 0
