"""The figures of a training run (``report.write_report`` saves them): what each shows is said on it.

``fit.png`` draws the neuron's line beside least squares' on the training rows (one feature) or, for several
features, one partial fit per feature; ``predictions.png`` and ``residuals.png`` show every row, training and
validation; ``loss.png`` the loss per epoch; with ``--plots`` also ``gap.png`` and, for one feature,
``landscape.png`` (``exact_notes`` says why one is missing). Least squares is the run's, solved once
(``Training.least_squares``): with no more training rows than parameters there is none, and the figures say so
instead of solving the degenerate problem again.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import _atomic

if TYPE_CHECKING:
    from .tasks import Task, Training

LANDSCAPE_NOTE = ("No landscape.png: the landscape is the loss over (slope, intercept) of a one-feature model; this "
                  "one has {n} features.")
MAX_PANELS = 6
"""Partial fits are drawn for at most this many features."""
FIGURES = ("fit.png", "fit_test.png", "predictions.png", "residuals.png", "loss.png", "gap.png", "landscape.png")
"""Every figure a run may write (``cli.outputs`` checks, before training, that none of them is a folder)."""


def labelled(task: Task) -> tuple[list[str], str]:
    """Feature and target names with their units where the task knows them (``rooms (per dwelling)``)."""
    def with_unit(name: str) -> str:
        return f"{name} ({task.units[name]})" if name in task.units else name
    return [with_unit(name) for name in task.feature_names], with_unit(task.target_name)


def row_counts(task: Task, n_fit: int) -> tuple[str, str]:
    """What the training-row figures and the all-row figures show, in words."""
    held = len(task.y) - n_fit
    every = f"all {len(task.y)} rows" + (f": {n_fit} training, {held} validation" if held else "")
    return f"the {n_fit} training rows" + (f", not the {held} validation rows" if held else ""), every


def figures(training: Training, x_fit, y_fit) -> dict[str, Callable[[Any], Any]]:
    """The tutorial figures: file name -> ``draw(figure)``; least squares is the run's (``training.least_squares``),
    drawn when there is one, and the titles say why when there is none."""
    from .. import plot
    task, model = training.task, training.model
    exact = False if training.least_squares is None else training.least_squares
    features, target = labelled(task)
    fit_rows, every = row_counts(task, len(y_fit))
    fitted = "least squares fitted on the training rows"
    if exact is False:
        fitted = f"no least-squares line: {training.without_least_squares}"
        fit_rows = f"{fit_rows}; {fitted}"
    names = {"feature_name": features, "target_name": target}
    drawings = {"loss.png": lambda fig: plot.loss(training.history, ax=fig.add_subplot(),
                                                  loss_name=task.loss.upper() if len(task.loss) <= 4 else task.loss),
                "predictions.png": lambda fig: plot.predictions(model, task.x, task.y, ax=fig.add_subplot(),
                                                                target_name=target, rows=every),
                "residuals.png": lambda fig: plot.residuals(model, task.x, task.y, ax=fig.add_subplot(), rows=every,
                                                            **names)}
    if len(features) == 1:
        drawings["fit.png"] = lambda fig: plot.fit(model, x_fit, y_fit, ax=fig.add_subplot(), exact=exact,
                                                   rows=fit_rows, **names)
    elif len(features) <= MAX_PANELS:
        drawings["fit.png"] = lambda fig: plot.partial_fits(
            model, x_fit, y_fit, axes=fig.subplots(1, len(features), squeeze=False)[0], rows=fit_rows,
            exact=exact, **names)
    if task.test is not None:
        rows = f"the {len(task.test[1])} test rows; {fitted}"
        drawings["fit_test.png"] = lambda fig: plot.fit(model, *task.test, ax=fig.add_subplot(), exact=exact,
                                                        rows=rows, **names)
    return drawings


def exact_figures(training: Training, x_fit, y_fit) -> dict[str, Callable[[Any], Any]]:
    """``gap.png`` and, for one feature, ``landscape.png``: file name -> ``draw(figure)``; none without least
    squares (too few training rows), from which both measure."""
    if training.least_squares is None:
        return {}
    from .. import plot
    task, model, path = training.task, training.model, training.path
    features, target = labelled(task)
    drawings = {"gap.png": lambda fig: plot.gap(path, x_fit, y_fit, ax=fig.add_subplot(), model=model,
                                                exact=training.least_squares)}
    if len(features) == 1:
        drawings["landscape.png"] = lambda fig: plot.landscape(model, x_fit, y_fit, path=path, ax=fig.add_subplot(),
                                                               feature_name=features[0], target_name=target)
    return drawings


def exact_notes(training: Training) -> list[str]:
    """Why ``exact_figures`` drew fewer than ``gap.png`` and ``landscape.png``, one sentence per reason."""
    n_features = len(training.task.feature_names)
    notes = [LANDSCAPE_NOTE.format(n=n_features)] if n_features > 1 else []
    if training.least_squares is None:
        missing = "gap.png" if n_features > 1 else "gap.png or landscape.png"
        notes.append(f"No {missing}: no least-squares answer to measure from; {training.without_least_squares}.")
    return notes


def save(drawings: dict[str, Callable[[Any], Any]], out: Path, n_features: int) -> list[Path]:
    """Draw each figure on its own Agg canvas and write it as ``out/name``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    sizes = {"landscape.png": (10, 6), "fit.png": (4.5 * n_features, 4.5) if n_features > 1 else (8, 5)}
    paths = []
    for filename, draw in drawings.items():
        figure = Figure(figsize=sizes.get(filename, (8, 5)))
        FigureCanvasAgg(figure)
        draw(figure)
        figure.tight_layout()
        image = io.BytesIO()
        figure.savefig(image, format="png", dpi=100)
        _atomic.write_bytes(out / filename, image.getvalue())  # whole or not at all, as the model file
        paths.append(out / filename)
    return paths
