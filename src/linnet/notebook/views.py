"""The three views of ``linnet.explore``, drawn with linnet's own plot functions on one figure."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..plot import landscape, loss
from ..plot.figures import fit

FIGURE_SIZE = (13.5, 3.9)


def new_figure():
    """A figure of three Axes outside pyplot: the widget shows it as an image and redraws it in place."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    figure = Figure(figsize=FIGURE_SIZE, dpi=72)  # a fixed layout: constrained layout would double the draw time
    FigureCanvasAgg(figure)
    figure.subplots(1, 3)
    figure.subplots_adjust(left=0.05, right=0.99, bottom=0.14, top=0.9, wspace=0.28)
    return figure


def png(figure) -> bytes:
    """The figure as PNG bytes."""
    import io
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def draw(playground, run, figure=None) -> dict[str, Any]:
    """The data with both lines, the loss curves with the least-squares loss, the landscape with the path.

    Returns the :class:`~linnet.plot.Drawn` of each view by name, plus ``"figure"``; the least-squares line and
    level are added to the first two as ``artists["least_squares"]``.
    """
    figure = new_figure() if figure is None else figure
    for ax in figure.axes:
        ax.clear()
    data_ax, loss_ax, landscape_ax = figure.axes[:3]
    drawn = {"figure": figure, "data": _data(playground, run, data_ax), "loss": _loss(playground, run, loss_ax)}
    drawn["landscape"] = _landscape(playground, run, landscape_ax)
    return drawn


def _data(playground, run, ax):
    drawn = fit(run.model, playground.x, playground.y, ax=ax, feature_name=playground.feature_name,
                target_name=playground.target_name, label="neuron")
    grid = drawn.artists["line"].get_xdata()
    exact = playground.least_squares
    (drawn.artists["least_squares"],) = ax.plot(grid, exact.coef_[0] * grid + exact.intercept_, "k--",
                                                linewidth=1.2, label="least squares")
    ax.legend(fontsize="small")
    ax.set_title(run.model.equation([playground.feature_name], playground.target_name), fontsize="medium")
    return drawn


def _loss(playground, run, ax):
    finite = [value if np.isfinite(value) else np.nan for value in run.losses]
    if not np.isfinite(finite).any():
        ax.set_title("no finite loss to draw", fontsize="medium")
        return None
    drawn = loss({"loss": finite}, ax=ax, log=True)
    drawn.artists["least_squares"] = ax.axhline(playground.ols_loss, color="black", linestyle="--", linewidth=1,
                                                label=f"least squares {playground.ols_loss:.4g}")
    ax.legend(fontsize="small")
    return drawn


def _landscape(playground, run, ax):
    """The landscape with the path, when the path stayed finite (a diverged run's last steps are not drawn)."""
    finite = np.isfinite(run.path.coef).all() and np.isfinite(run.path.intercept).all()
    drawn = landscape(run.model, playground.x, playground.y, path=run.path if finite else None, ax=ax,
                      feature_name=playground.feature_name, target_name=playground.target_name, zoom=False)
    ax.set_title("the loss landscape: the path and the optimum (★)", fontsize="medium")
    return drawn
