"""The report of a training run: the printed results, ``metrics.json``, the saved model and the figures.

``write_report(training, out)`` takes what ``tasks.train`` returns. It prints the learned equation, the
predictions the tutorial asks for, the final metrics and, when the training rows allow it, the comparison with
the exact least-squares answer and the convergence verdict; it saves ``model.linnet``, the figures and
``metrics.json`` into ``out``, and returns the metrics it wrote.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .._atomic import write_text
from .._json import strict_dumps
from ..diagnostics.equation import equation
from ..engine.trainer import split_validation
from ..exact.summary import constant_y

if TYPE_CHECKING:  # tasks.run calls write_report, so report does not import tasks at run time
    from .tasks import Task, Training


def write_report(training: Training, out, *, plots: bool = True, exact_plots: bool = False,
                 echo: Callable[[str], None] = print, diagnose: Callable[[str], None] | None = None) -> dict:
    """Print and write everything about ``training`` into the folder ``out``; return the metrics written.

    Results (equation, predictions, final metrics) go to ``echo``, the comparison with least squares and the
    verdict to ``diagnose`` (default ``echo``; the ``linnet`` command sends them to stderr).
    """
    task, model, diagnose = training.task, training.model, diagnose or echo
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    text = equation(model, task.feature_names, task.target_name, digits=4)
    echo(f"\nLearned equation: {text}")
    for value, prediction in zip(task.predict_at, _predictions(model, task.predict_at)):
        echo(f"Predicted {task.target_name} for {task.feature_names[0]} = {value:g}: {prediction:.2f}")
    x_fit, y_fit = training_rows(task)
    metrics = _metrics(training, text, x_fit, y_fit)
    echo(_final_lines(metrics))
    if metrics["automatic"] or task.tolerance:
        diagnose(_run_lines(metrics, training))
    if "least_squares" in metrics:
        diagnose(f"\nOn the {len(y_fit)} training rows, beside the exact least-squares answer:")
        model.compare_to_ols(x_fit, y_fit, feature_names=task.feature_names, print_fn=diagnose,
                             ols_result=training.least_squares)
        diagnose(metrics["convergence_text"])
        if "validation" in metrics:
            diagnose(_held_out_line(metrics["validation"]))
    else:
        diagnose(f"\nNo comparison with the exact answer: {training.without_least_squares}.")
    model.save(out / "model.linnet")
    if plots or exact_plots:
        metrics["figures"] = _write_figures(training, out, x_fit, y_fit, plots, exact_plots, diagnose)
    write_text(out / "metrics.json", strict_dumps(metrics, indent=2) + "\n")
    return metrics


def _run_lines(metrics: dict, training: Training) -> str:
    """What the defaults chose and how the run ended: the automatic rate, the epochs run, why it stopped (or why
    it could not stop at the least-squares loss)."""
    task = training.task
    chosen = ", ".join(f"{name.replace('_', ' ')} {value:.4g}" for name, value in metrics["automatic"].items())
    lines = [f"Chosen from the data (auto): {chosen}."] if chosen else []
    epochs = metrics["epochs_run"]
    if metrics.get("stopped_epoch") is not None:
        lines.append(f"Stopped after {epochs} epoch(s): the training loss reached within {task.tolerance:g} "
                     f"(relative) of the least-squares loss.")
    elif training.without_stop:
        lines.append(f"Ran all {epochs} epochs: no stop at the least-squares loss ({training.without_stop}).")
    elif task.tolerance:
        lines.append(f"Ran all {epochs} epochs without reaching within {task.tolerance:g} of the least-squares loss.")
    return "\n".join(lines)


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

    task, model, history = training.task, training.model, training.history.history
    metrics = {"task": task.name, "loss": task.loss, "equation": text, "coef": model.coef_.tolist(),
               "intercept": model.intercept_,
               "final": {k: v[-1] for k, v in history.items()}, "history": history,
               "epochs_run": len(history.get("loss", [])), "stopped_epoch": training.stopped_epoch,
               "automatic": {k: v for k, v in training.history.params.items() if k in ("learning_rate", "momentum")}}
    exact = training.least_squares
    if exact is not None:
        verdict = convergence(model, x_fit, y_fit, exact, cli=task.flags)
        metrics.update(least_squares={"coef": exact.coef_.tolist(), "intercept": float(exact.intercept_),
                                      "rsquared": float(exact.rsquared), "mse": float(exact.ssr / exact.nobs)},
                       rsquared=_rsquared(model.predict(x_fit).ravel(), y_fit),
                       convergence=asdict(verdict), convergence_text=str(verdict))
        held_out = _held_out(task, model, exact)
        if held_out:
            metrics["validation"] = held_out
    if task.test is not None:
        metrics["test_loss"] = float(model.evaluate(*task.test, verbose=0))
    return metrics


def _rsquared(prediction: np.ndarray, y: np.ndarray) -> float:
    """``1 − Σ(y − ŷ)²/Σ(y − ȳ)²`` (nan for a constant ``y``)."""
    total = float(np.sum((y - y.mean()) ** 2))
    return 1.0 - float(np.sum((y - prediction) ** 2)) / total if total > 0 else float("nan")


def _held_out_line(held: dict) -> str:
    """The neuron's and least squares' R² and MSE on the held-out rows (R² undefined where y is constant there)."""
    rsquared = (f"R² {held['rsquared']:.6g} (least squares {held['least_squares_rsquared']:.6g})"
                if not math.isnan(held["rsquared"]) else f"R² undefined ({constant_y(True)} on them)")
    return (f"On the {held['rows']} held-out rows: {rsquared}, MSE {held['mse']:.6g} (least squares "
            f"{held['least_squares_mse']:.6g}).")


def _held_out(task: Task, model, exact) -> dict | None:
    """R² and MSE of the neuron and of least squares (fitted on the training rows) on the validation tail."""
    if not task.validation_split:
        return None
    x = task.x.reshape(len(task.x), -1)
    _, (x_val, y_val) = split_validation(x, task.y, task.validation_split)
    if len(y_val) < 2:
        return None
    neuron, exact_prediction = model.predict(x_val).ravel().astype(np.float64), x_val @ exact.coef_ + exact.intercept_
    return {"rows": len(y_val), "rsquared": _rsquared(neuron, y_val),
            "least_squares_rsquared": _rsquared(exact_prediction, y_val),
            "mse": float(np.mean((y_val - neuron) ** 2)),
            "least_squares_mse": float(np.mean((y_val - exact_prediction) ** 2))}


def _final_lines(metrics: dict) -> str:
    lines = ["Final " + ", ".join(f"{k} {v:.4f}" for k, v in metrics["final"].items())]
    if "test_loss" in metrics:
        lines.append(f"Test loss ({metrics['loss']}) {metrics['test_loss']:.4f}")
    return "\n".join(lines)


def _write_figures(training: Training, out: Path, x_fit, y_fit, plots: bool, exact_plots: bool,
                   diagnose: Callable[[str], None]) -> list[str]:
    from . import figures
    drawings = figures.figures(training, x_fit, y_fit) if plots else {}
    drawings.update(figures.exact_figures(training, x_fit, y_fit) if exact_plots else {})
    for note in figures.exact_notes(training) if exact_plots else []:
        diagnose(note)
    n_features = len(training.task.feature_names)
    return [str(path) for path in figures.save(drawings, out, n_features)]
