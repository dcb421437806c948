"""``LiveLossPlot``: watch the loss fall while ``fit`` runs, against the least-squares loss it can reach."""

from __future__ import annotations

import io
import math
import time
from typing import Any

from ... import _html
from ..._validation import boolean, function, real_number
from .base import Callback

DEFAULT_INTERVAL = 0.25
"""Seconds between two redraws (four a second): a fit of milliseconds per epoch must not spend its time drawing."""


class LiveLossPlot(Callback):
    """One figure of the training (and validation) loss per epoch, updated in place while ``fit`` runs.

    In a notebook the figure is displayed once when training begins and then replaced through IPython's
    ``update_display`` (the same ``display_id``): no ``clear_output``, so no flicker. It is redrawn at most once
    every ``interval`` seconds, and once more when training ends, so the last picture is always complete.
    Given the training data ``x, y``, the least-squares MSE on them (the lowest loss a linear model trained on
    MSE can reach, with an intercept iff a ``Dense`` layer has a bias) is drawn as a dashed line to aim for.
    Outside a notebook (a script, a terminal) the same numbers are printed as a line of text, as often.

    Parameters
    ----------
    x, y : array-like, optional
        The data ``fit`` trains on, for the least-squares line (leave them out to draw the loss alone).
    interval : float, default 0.25
        Seconds between updates.
    log : bool, default True
        A logarithmic loss axis: the loss of gradient descent falls geometrically.
    print_fn : callable, default print
        Where the text fallback goes.

    Attributes
    ----------
    target : float or None
        The least-squares MSE drawn (None without ``x, y`` or when the model's loss is not MSE).
    figure : matplotlib Figure or None
        The figure drawn in a notebook (None outside one).
    logs : dict of str to list of float
        The epochs' logs seen during the last ``fit`` (what is drawn).
    updates : int
        How many times the figure or the text was refreshed during the last ``fit``.
    """

    def __init__(self, x: Any = None, y: Any = None, *, interval: float = DEFAULT_INTERVAL, log: bool = True,
                 print_fn=print):
        super().__init__()
        if (x is None) != (y is None):
            raise ValueError(f"LiveLossPlot needs both x and y for the least-squares line, or neither. Received: "
                             f"x={'None' if x is None else 'an array'}, y={'None' if y is None else 'an array'}")
        self.data = None if x is None else (x, y)
        self.interval = real_number(interval, "interval", low=0)
        self.log = boolean(log, "log")
        self.print_fn = function(print_fn, "print_fn", "a function called with the text (such as print)")
        self.target: float | None = None
        self.figure = None
        self.logs: dict[str, list[float]] = {}
        self.updates = 0
        self._handle = None
        self._shown, self._shown_epochs, self._epoch = -math.inf, 0, 0

    def on_train_begin(self, logs=None):
        self.target = self._least_squares_loss()
        self.logs, self.updates, self._shown, self._shown_epochs = {}, 0, -math.inf, 0
        self.figure = self._handle = None
        if _html.kernel() is not None:
            from IPython.display import display
            self.figure = _new_figure()
            self._handle = display(_png(self.figure), display_id=True)

    def on_epoch_end(self, epoch, logs=None):
        for name, value in (logs or {}).items():
            self.logs.setdefault(name, []).append(float(value))
        self._epoch = epoch
        if time.monotonic() - self._shown >= self.interval:
            self._refresh()

    def on_train_end(self, logs=None):
        if self.logs and self._shown_epochs < len(self.logs["loss"]):
            self._refresh()

    def _refresh(self) -> None:
        self._shown, self._shown_epochs = time.monotonic(), len(self.logs["loss"])
        self.updates += 1
        if self._handle is None:
            values = " - ".join(f"{name}: {values[-1]:.4g}" for name, values in self.logs.items())
            aim = "" if self.target is None else f" (least squares: {self.target:.4g})"
            self.print_fn(f"epoch {self._epoch + 1}/{self.params.get('epochs', '?')} - {values}{aim}")
            return
        _draw(self.figure, self.logs, self.target, self.log)
        self._handle.update(_png(self.figure))

    def _least_squares_loss(self) -> float | None:
        from ...exact.results import ols
        from ..losses import MeanSquaredError
        if self.data is None or not isinstance(self.model.loss, MeanSquaredError):
            return None
        intercept = any(getattr(layer, "use_bias", False) for layer in self.model.network.layers)
        result = ols(*self.data, fit_intercept=intercept)
        return result.ssr / result.nobs


def _new_figure():
    """A figure outside pyplot, so that the inline backend does not draw it a second time at the cell's end."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    figure = Figure(figsize=(6.4, 3.6), dpi=80)
    FigureCanvasAgg(figure)
    figure.add_subplot()
    return figure


def _draw(figure, logs: dict, target: float | None, log: bool) -> None:
    """Redraw the curves: one line per loss logged (``loss``, ``val_loss``), the target dashed."""
    ax = figure.axes[0]
    ax.clear()
    for name in ("loss", "val_loss"):
        if name in logs:
            values = [value if math.isfinite(value) and value > 0 else math.nan for value in logs[name]]
            ax.plot(range(1, len(values) + 1), values, label=name)
    if target is not None and (target > 0 or not log):
        ax.axhline(target, color="black", linestyle="--", linewidth=1, label=f"least squares {target:.4g}")
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.legend(loc="upper right", fontsize="small")


def _png(figure):
    from IPython.display import Image
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return Image(data=buffer.getvalue(), format="png")
