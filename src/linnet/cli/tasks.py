"""The tutorial workflow as one call: train a neuron, compare it with the exact answer, write the results.

``run(task, out)`` trains the model a :class:`Task` describes, prints the summary, the progress, the learned
equation, the predictions the tutorial asks for and the final metrics, and writes the figures, the saved
model and ``metrics.json`` into ``out``. ``demo(name)`` builds the Task of one of the four tutorials;
``task_from_file`` builds one from a user's CSV/NPZ/Parquet file. The ``linnet`` command only calls these.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from ..engine import optimizers
from ..data import boston_housing, read_table, synthetic
from ..engine.layers import Dense, Input, Normalization
from ..engine.sequential import Sequential
from ..engine.trainer import split_validation

DEMOS = ("boston", "noisy-line", "line", "plane")


@dataclass
class Task:
    """Data and training settings of one run."""

    name: str
    x: np.ndarray
    y: np.ndarray
    feature_names: list[str]
    target_name: str
    optimizer: str = "rmsprop"
    learning_rate: float = 0.001
    epochs: int = 100
    batch_size: int = 32
    validation_split: float = 0.0
    loss: str = "mse"
    normalize: bool = False
    seed: int | None = None
    test: tuple[np.ndarray, np.ndarray] | None = None
    predict_at: list[float] = field(default_factory=list)


def demo(name: str, seed: int = 42) -> Task:
    """The Task of one tutorial: ``boston``, ``noisy-line``, ``line`` or ``plane``."""
    if name == "boston":
        (x_train, y_train), (x_test, y_test) = boston_housing.load_data()
        rooms = boston_housing.feature_index("RM")
        return Task("boston", x_train[:, rooms], y_train, ["rooms"], "price", "rmsprop", 0.005, 101, 16, 0.3,
                    seed=seed, test=(x_test[:, rooms], y_test), predict_at=[3, 4, 5, 6, 7])
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


def task_from_file(path, target: str, features: list[str] | None = None, **settings) -> Task:
    """A Task on the columns of a CSV, NPZ or Parquet file."""
    x, y, names = read_table(path, target, features)
    return Task(Path(path).stem, x, y, names, target, **settings)


def build_model(task: Task) -> Sequential:
    """A one-neuron model (after a Normalization layer adapted to x when ``task.normalize``), compiled."""
    layers = [Input((task.x.shape[1] if task.x.ndim == 2 else 1,))]
    if task.normalize:
        norm = Normalization()
        norm.adapt(task.x)
        layers.append(norm)
    model = Sequential([*layers, Dense(1)])
    optimizer = optimizers.get(task.optimizer)
    optimizer.learning_rate = task.learning_rate
    model.compile(optimizer=optimizer, loss=task.loss)
    return model


def run(task: Task, out, *, verbose: int = 1, plots: bool = True, exact_plots: bool = False,
        echo: Callable[[str], None] = print) -> dict:
    """Train, report and write everything for ``task`` into ``out``; return the metrics written.

    ``plots`` writes the tutorial's figures; ``exact_plots`` also records the parameters per epoch and draws
    the loss landscape with the optimizer's path (one feature) and the gap to the optimum per epoch.
    """
    from ..engine.callbacks import ParameterHistory
    from .. import random as _random
    from ..diagnostics.equation import equation

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if task.seed is not None:
        _random.set_seed(task.seed)
    model = build_model(task)
    model.summary(print_fn=echo)
    path = ParameterHistory() if exact_plots else None
    history = model.fit(task.x, task.y, batch_size=task.batch_size, epochs=task.epochs, verbose=verbose,
                        validation_split=task.validation_split, callbacks=None if path is None else [path])
    model.training_config.update(feature_names=task.feature_names, target_name=task.target_name)
    text = equation(model, task.feature_names, task.target_name, digits=4)
    echo(f"\nLearned equation: {text}")
    if task.predict_at:
        for value, prediction in zip(task.predict_at, model.predict(np.asarray(task.predict_at, float)).ravel()):
            echo(f"Predicted {task.target_name} for {task.feature_names[0]} = {value:g}: {prediction:.2f}")
    x_fit, y_fit = _training_rows(task)
    metrics = _metrics(task, model, history, text, x_fit, y_fit)
    echo(_final_lines(metrics))
    if "least_squares" in metrics:
        echo("\nOn the training rows, beside the exact least-squares answer:")
        model.compare_to_ols(x_fit, y_fit, feature_names=task.feature_names, print_fn=echo)
        echo(metrics["convergence_text"])
    else:
        echo(f"\nNo comparison with the exact answer: it needs more training rows than parameters "
             f"({len(y_fit)} row(s) for {len(task.feature_names) + 1} parameters).")
    model.save(out / "model.linnet")
    if plots or exact_plots:
        drawings = _figures(task, model, history, x_fit, y_fit) if plots else {}
        drawings.update(_exact_figures(task, model, path, x_fit, y_fit) if exact_plots else {})
        metrics["figures"] = [str(p) for p in _save(drawings, out)]
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return metrics


def _training_rows(task: Task) -> tuple[np.ndarray, np.ndarray]:
    """The rows ``fit`` trained on: all of them, or the head that ``validation_split`` leaves."""
    if not task.validation_split:
        return task.x, task.y
    x = task.x.reshape(len(task.x), -1)
    (x_fit, y_fit), _ = split_validation(x, task.y, task.validation_split)
    return x_fit, y_fit


def _metrics(task: Task, model: Sequential, history, text: str, x_fit: np.ndarray, y_fit: np.ndarray) -> dict:
    from ..diagnostics import convergence
    from ..exact.results import ols

    metrics = {"task": task.name, "equation": text, "coef": model.coef_.tolist(), "intercept": model.intercept_,
               "final": {k: v[-1] for k, v in history.history.items()}, "history": history.history}
    if len(y_fit) > len(task.feature_names) + 1:  # least squares and its statistics need residual freedom
        exact = ols(x_fit, y_fit, feature_names=task.feature_names)
        verdict = convergence(model, x_fit, y_fit, exact)
        metrics.update(least_squares={"coef": exact.coef_.tolist(), "intercept": float(exact.intercept_),
                                      "rsquared": float(exact.rsquared), "mse": float(exact.ssr / exact.nobs)},
                       convergence=asdict(verdict), convergence_text=str(verdict))
    if task.test is not None:
        metrics["test_loss"] = float(model.evaluate(*task.test, verbose=0))
    return metrics


def _final_lines(metrics: dict) -> str:
    lines = ["Final " + ", ".join(f"{k} {v:.4f}" for k, v in metrics["final"].items())]
    if "test_loss" in metrics:
        lines.append(f"Test loss (mse) {metrics['test_loss']:.4f}")
    return "\n".join(lines)


def _figures(task: Task, model: Sequential, history, x_fit, y_fit) -> dict:
    from .. import plot
    names = dict(feature_name=task.feature_names[0] if len(task.feature_names) == 1 else None,
                 target_name=task.target_name)
    drawings = {"loss.png": lambda ax: plot.loss(history, ax=ax),
                "fit.png": lambda ax: plot.fit(model, x_fit, y_fit, ax=ax, **names),
                "predictions.png": lambda ax: plot.predictions(model, task.x, task.y, ax=ax,
                                                               target_name=task.target_name),
                "residuals.png": lambda ax: plot.residuals(model, task.x, task.y, ax=ax, **names)}
    if task.test is not None:
        drawings["fit_test.png"] = lambda ax: plot.fit(model, *task.test, ax=ax, **names)
    return drawings


def _exact_figures(task: Task, model: Sequential, path, x_fit, y_fit) -> dict:
    from .. import plot
    drawings = {"gap.png": lambda ax: plot.gap(path, x_fit, y_fit, ax=ax, model=model)}
    if len(task.feature_names) == 1:
        drawings["landscape.png"] = lambda ax: plot.landscape(
            model, x_fit, y_fit, path=path, ax=ax, feature_name=task.feature_names[0], target_name=task.target_name)
    return drawings


def _save(drawings: dict, out: Path) -> list[Path]:
    """Draw each figure on its own Agg canvas and write it as ``out/name``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    paths = []
    for filename, draw in drawings.items():
        figure = Figure(figsize=(8, 6) if filename == "landscape.png" else (8, 5))
        FigureCanvasAgg(figure)
        draw(figure.add_subplot())
        figure.tight_layout()
        figure.savefig(out / filename, dpi=100)
        paths.append(out / filename)
    return paths


def progress_verbosity(stream=None) -> int:
    """1 (a live bar) on a terminal, 0 in a pipe or file."""
    stream = stream if stream is not None else sys.stderr
    return 1 if getattr(stream, "isatty", lambda: False)() else 0
