"""The report of a training run: the printed results, ``metrics.json``, the saved model and the figures.

``write_report(training, out)`` takes what ``tasks.train`` returns. It prints the learned equation, the
predictions the tutorial asks for, the final metrics and, when the training rows allow it, the comparison with
the exact least-squares answer and the convergence verdict; it saves ``model.linnet``, the figures and
``metrics.json`` into ``out``, and returns the metrics it wrote.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..diagnostics.equation import equation
from ..engine.trainer import split_validation

if TYPE_CHECKING:  # tasks.run calls write_report, so report does not import tasks at run time
    from .tasks import Task, Training


def write_report(training: Training, out, *, plots: bool = True, exact_plots: bool = False,
                 echo: Callable[[str], None] = print) -> dict:
    """Print and write everything about ``training`` into the folder ``out``; return the metrics written."""
    task, model = training.task, training.model
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    text = equation(model, task.feature_names, task.target_name, digits=4)
    echo(f"\nLearned equation: {text}")
    for value, prediction in zip(task.predict_at, _predictions(model, task.predict_at)):
        echo(f"Predicted {task.target_name} for {task.feature_names[0]} = {value:g}: {prediction:.2f}")
    x_fit, y_fit = training_rows(task)
    metrics = _metrics(training, text, x_fit, y_fit)
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
        drawings = _figures(training, x_fit, y_fit) if plots else {}
        drawings.update(_exact_figures(training, x_fit, y_fit) if exact_plots else {})
        metrics["figures"] = [str(p) for p in _save(drawings, out)]
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return metrics


def _predictions(model, at: list[float]) -> np.ndarray:
    return model.predict(np.asarray(at, float)).ravel() if at else np.empty(0)


def training_rows(task: Task) -> tuple[np.ndarray, np.ndarray]:
    """The rows ``fit`` trained on: all of them, or the head that ``validation_split`` leaves."""
    if not task.validation_split:
        return task.x, task.y
    x = task.x.reshape(len(task.x), -1)
    (x_fit, y_fit), _ = split_validation(x, task.y, task.validation_split)
    return x_fit, y_fit


def _metrics(training: Training, text: str, x_fit: np.ndarray, y_fit: np.ndarray) -> dict:
    from ..diagnostics import convergence
    from ..exact.results import ols

    task, model, history = training.task, training.model, training.history.history
    metrics = {"task": task.name, "equation": text, "coef": model.coef_.tolist(), "intercept": model.intercept_,
               "final": {k: v[-1] for k, v in history.items()}, "history": history}
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


def _figures(training: Training, x_fit, y_fit) -> dict:
    from .. import plot
    task, model = training.task, training.model
    names = {"feature_name": task.feature_names[0] if len(task.feature_names) == 1 else None,
             "target_name": task.target_name}
    drawings = {"loss.png": lambda ax: plot.loss(training.history, ax=ax),
                "fit.png": lambda ax: plot.fit(model, x_fit, y_fit, ax=ax, **names),
                "predictions.png": lambda ax: plot.predictions(model, task.x, task.y, ax=ax,
                                                               target_name=task.target_name),
                "residuals.png": lambda ax: plot.residuals(model, task.x, task.y, ax=ax, **names)}
    if task.test is not None:
        drawings["fit_test.png"] = lambda ax: plot.fit(model, *task.test, ax=ax, **names)
    return drawings


def _exact_figures(training: Training, x_fit, y_fit) -> dict:
    from .. import plot
    task, model, path = training.task, training.model, training.path
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
