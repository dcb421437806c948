"""The pictures the Keras linear-regression tutorials draw by hand: data, fitted line, loss curves, diagnostics.

Every function takes an optional ``ax=`` (a new figure is made with ``plt.subplots()`` when it is omitted),
never calls ``plt.show()`` and returns a :class:`Drawn`: the Axes plus the artists it added, by name. Names of
features and target follow linnet's one naming rule (:mod:`linnet._naming`): the names given, else pandas
column/Series names, else ``x`` (one feature) or ``x1, x2, ...`` and ``y``.
matplotlib is imported inside the functions, so ``import linnet`` does not import it. ``landscape`` and
``gap``, which compare training with the exact answer, live in :mod:`linnet.plot_exact` and are re-exported here.

>>> model.fit(x, y, epochs=100, validation_split=0.2)            # doctest: +SKIP
>>> linnet.plot.fit(model, x, y).artists["line"].get_ydata()      # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _html
from .. import _validation as _checks
from ._common import axes_or_new, history_dict, least_squares, matplotlib_axes, model_coef, set_labels, xy_names

__all__ = ["Drawn", "data", "fit", "loss", "partial_fits", "predictions", "residuals"]

_GRID_POINTS = 200
_AXES = "a list of matplotlib Axes, one per feature, or None for a row of new ones"


@dataclass(frozen=True)
class Drawn:
    """What a plot function drew: the Axes and its new artists by name.

    Artist names: ``"points"`` (scatter ``PathCollection``: every plot but ``loss``), ``"line"`` (``fit``'s fitted
    line), ``"identity"`` (``predictions``' y = x line), ``"zero"`` (``residuals``' zero line), and for ``loss``
    one ``Line2D`` per drawn history key plus ``"best"`` (the best-epoch marker). ``landscape`` and ``gap`` list
    theirs in their docstrings.
    """

    ax: Any
    artists: dict[str, Any]

    @property
    def figure(self):
        """The Figure holding ``ax`` (for ``drawn.figure.savefig(path)``)."""
        return self.ax.figure

    __repr__ = lambda self: f"<linnet plot: {', '.join(self.artists)}>"
    _repr_html_ = _html.html  # the figure itself, drawn once (linnet.notebook.display)


def data(x: Any, y: Any, *, ax=None, feature_name: str | None = None, target_name: str | None = None,
         **scatter_kwargs) -> Drawn:
    """Scatter ``y`` against the single feature ``x`` (extra keywords go to ``ax.scatter``)."""
    xs, ys, (feature,), target = xy_names(x, y, feature_name, target_name, single_feature="data")
    ax = axes_or_new(ax)
    points = ax.scatter(xs[:, 0], ys, **scatter_kwargs)
    set_labels(ax, feature, target)
    return Drawn(ax, {"points": points})


def fit(model, x: Any, y: Any, *, ax=None, feature_name: str | Sequence[str] | None = None,
        target_name: str | None = None, label: str = "neuron", exact: Any = True, rows: str | None = None) -> Drawn:
    """The data, the model's line over a sorted grid spanning ``x`` and, dashed, the least-squares line.

    ``exact`` is True (least squares fitted on the ``(x, y)`` drawn), an ``OLSResult`` to draw (e.g. fitted on
    the training rows while the plot shows more), or False (no least-squares line, no ``"exact"`` artist).
    ``rows`` says in the title which rows are shown (e.g. ``"282 training rows"``). With two or more features
    there is no line to draw: this delegates to :func:`predictions` and says so in the title.
    """
    label, rows = _checks.text_or_default(label, "label", "neuron"), _checks.text_or_default(rows, "rows", "")
    xs, ys, features, target = xy_names(x, y, feature_name, target_name)
    if len(features) > 1:
        drawn = predictions(model, x, y, ax=ax, target_name=target)
        drawn.ax.set_title(f"{len(features)} features ({', '.join(features)}): predicted vs. actual")
        return drawn
    reference = least_squares(exact, True, xs, ys, features)
    _checks.float32_values(xs, "x")  # what the model can take; its grid's span (max - min) must not overflow
    grid = np.linspace(xs.min(), xs.max(), _GRID_POINTS).reshape(-1, 1)
    ax = axes_or_new(ax)
    points = ax.scatter(xs[:, 0], ys, label="data", alpha=0.7)
    (line,) = ax.plot(grid[:, 0], _predict(model, grid), color="C1", linewidth=2, label=label)
    artists = {"points": points, "line": line}
    if reference is not None:
        (artists["exact"],) = ax.plot(grid[:, 0], reference.intercept_ + grid[:, 0] * reference.coef_[0], "--",
                                      color="black", linewidth=1.5, label="least squares")
    set_labels(ax, features[0], target)
    both = " and least squares'" if reference is not None else ""
    _title(ax, f"{target} against {features[0]}: the neuron's line{both}", rows)
    ax.legend()
    return Drawn(ax, artists)


def partial_fits(model, x: Any, y: Any, *, axes: Sequence[Any] | None = None,
                 feature_name: Sequence[str] | None = None, target_name: str | None = None,
                 rows: str | None = None, exact: Any = None) -> Drawn:
    """One panel per feature ``j``: the partial residual ``y − ŷ + w_j·(x_j − mean x_j)`` against ``x_j``, with the
    neuron's slope ``w_j`` and least squares' ``b_j`` through it (what feature ``j`` adds with the others held).

    ``axes`` gives one Axes per feature (default: a row of new ones); ``exact`` is the ``OLSResult`` of ``(x, y)``
    if already solved (default: solved here), or False (no least-squares lines, no ``"exact"`` artists). Returns
    the first Axes; artists ``"points"``, ``"line"`` and ``"exact"`` hold one artist per feature.
    """
    rows = _checks.text_or_default(rows, "rows", "")  # checked before anything is drawn
    xs, ys, features, target = xy_names(x, y, feature_name, target_name)
    coef, reference = model_coef(model), least_squares(exact, None, xs, ys, features)
    if axes is None:
        import matplotlib.pyplot as plt
        axes = np.atleast_1d(plt.subplots(1, xs.shape[1], figsize=(4 * xs.shape[1], 4), squeeze=False)[1][0])
    axes = [matplotlib_axes(ax, f"axes[{j}]") for j, ax in enumerate(_checks.items(axes, "axes", _AXES))]
    if len(axes) != xs.shape[1]:
        raise ValueError(f"axes must hold one Axes per feature ({xs.shape[1]}). Received: {len(axes)} Axes")
    residual, centred = ys - _predict(model, xs), xs - xs.mean(axis=0)
    artists: dict[str, list] = {"points": [], "line": [], **({} if reference is None else {"exact": []})}
    for j, ax in enumerate(axes):
        grid = np.linspace(centred[:, j].min(), centred[:, j].max(), 2)
        artists["points"].append(ax.scatter(xs[:, j], residual + coef[j] * centred[:, j], alpha=0.5, s=10))
        artists["line"].append(ax.plot(grid + xs[:, j].mean(), coef[j] * grid, color="C1", linewidth=2,
                                       label=f"neuron, slope {coef[j]:.4g}")[0])
        if reference is not None:
            artists["exact"].append(ax.plot(grid + xs[:, j].mean(), reference.coef_[j] * grid, "--", color="black",
                                            label=f"least squares, slope {reference.coef_[j]:.4g}")[0])
        set_labels(ax, features[j], f"partial residual of {target}")
        ax.set_title(f"{features[j]}, the other features held", fontsize="medium")
        ax.legend(fontsize="small")
    axes[0].figure.suptitle(f"What each feature adds to {target}" + (f" ({rows})" if rows else ""))
    return Drawn(axes[0], artists)


def loss(history, *, ax=None, log: bool = False, keys: Sequence[str] | None = None,
         loss_name: str | None = None) -> Drawn:
    """Training and validation curves per epoch, the best epoch marked.

    ``history`` is the ``History`` ``fit`` returns or its ``.history`` dict. ``"loss"`` and ``"val_loss"`` are
    drawn when present (labelled "training loss" and "validation loss"), plus every name in ``keys`` (e.g.
    ``["mae", "val_mae"]``). The best epoch is the argmin of ``val_loss`` if logged, else of ``loss``; epochs are
    numbered from 1, as ``fit`` prints them, with integer ticks at 1, 2 or 5 times a power of ten. ``loss_name``
    (e.g. ``"MSE"``) goes into the y label.
    """
    from matplotlib.ticker import MaxNLocator
    log, logs = _checks.boolean(log, "log"), history_dict(history)
    names = [name for name in ("loss", "val_loss") if name in logs] + _extra_keys(keys, logs)
    if log:
        _log_axis_checked(logs, names)
    monitored = "val_loss" if "val_loss" in logs else "loss"
    values = np.asarray(logs[monitored], dtype=np.float64)
    if np.isnan(values).all():
        raise ValueError(f"history[{monitored!r}] holds only NaN; there is no best epoch to mark.")
    best = int(np.nanargmin(values))
    ax = axes_or_new(ax)
    shown = {"loss": "training loss", "val_loss": "validation loss"}
    artists = {name: ax.plot(np.arange(1, len(logs[name]) + 1), logs[name], label=shown.get(name, name))[0]
               for name in names}
    (artists["best"],) = ax.plot([best + 1], [values[best]], "o", color="black", label=f"best epoch {best + 1}")
    if log:
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    what = "loss" if set(names) <= {"loss", "val_loss"} else "loss and metrics"
    set_labels(ax, "epoch", f"{what} ({loss_name})" if loss_name else what)
    ax.set_title(("Training and validation loss" if "val_loss" in names else "Training loss") + " per epoch")
    ax.legend()
    return Drawn(ax, artists)


def _log_axis_checked(logs: dict, names: list[str]) -> None:
    """Refuse a logarithmic axis for ``logs[names]`` with no value above 0, or with one beyond float32's range
    (a loss ``fit`` logs never is: matplotlib's log-axis margins overflow in ``exp`` on such values); ``logs``
    holds float64 arrays (:func:`history_dict`)."""
    if not any((logs[name] > 0).any() for name in names):
        raise ValueError(f"log=True draws a logarithmic axis, but none of {names} has a value above 0. Received: "
                         f"{ {name: [float(value) for value in logs[name][:3]] for name in names} }")
    limit = float(np.finfo(np.float32).max)
    for name in names:
        beyond = logs[name][np.isfinite(logs[name]) & (np.abs(logs[name]) > limit)]
        if beyond.size:
            raise ValueError(f"log=True cannot draw history[{name!r}]: it holds values beyond float32's range "
                             f"(|value| > {limit:.3g}), which no fit logs. Received: {float(beyond[0])!r}")


def predictions(model, x: Any, y: Any, *, ax=None, target_name: str | None = None, rows: str | None = None) -> Drawn:
    """Predicted against actual ``y``, with the identity line ``y = x`` a perfect model would sit on; ``rows``
    says in the title which rows are shown."""
    rows = _checks.text_or_default(rows, "rows", "")  # checked before anything is drawn
    xs, ys, _, target = xy_names(x, y, None, target_name)
    _checks.float32_values(ys, "y")  # what the model can predict; the axes' span (max - min) must not overflow
    predicted = _predict(model, xs)
    ax = axes_or_new(ax)
    points = ax.scatter(ys, predicted, alpha=0.7)
    low, high = min(ys.min(), predicted.min()), max(ys.max(), predicted.max())
    (identity,) = ax.plot([low, high], [low, high], color="C1", label="identity (y = x)")
    set_labels(ax, f"actual {target}", f"predicted {target}")
    _title(ax, f"Predicted against actual {target}", rows)
    ax.legend()
    return Drawn(ax, {"points": points, "identity": identity})


def residuals(model, x: Any, y: Any, *, ax=None, feature_name: str | Sequence[str] | None = None,
              target_name: str | None = None, rows: str | None = None) -> Drawn:
    """Residuals ``y - prediction`` against the prediction, with the zero line; titled with the model's inputs."""
    rows = _checks.text_or_default(rows, "rows", "")  # checked before anything is drawn
    xs, ys, features, target = xy_names(x, y, feature_name, target_name)
    _checks.float32_values(ys, "y")  # what the model can predict; the axes' span (max - min) must not overflow
    predicted = _predict(model, xs)
    ax = axes_or_new(ax)
    points = ax.scatter(predicted, ys - predicted, alpha=0.7)
    zero = ax.axhline(0.0, color="C1")
    set_labels(ax, f"predicted {target}", f"residual ({target} - predicted)")
    _title(ax, f"residuals of {target} on {', '.join(features)}", rows)
    return Drawn(ax, {"points": points, "zero": zero})


# ----- shared helpers ----------------------------------------------------------------------------------------------




def _title(ax, text: str, rows: str) -> None:
    ax.set_title(text + (f"\n({rows})" if rows else ""), fontsize="medium")


def _predict(model, x: np.ndarray) -> np.ndarray:
    """The model's predictions for ``x`` as float64 ``(n,)``; the model raises its own errors (e.g. not built)."""
    if not callable(getattr(model, "predict", None)):
        raise TypeError(f"model must be a linnet model with a predict() method. Received: model={model!r}")
    return np.asarray(model.predict(x), dtype=np.float64).reshape(-1)






def _extra_keys(keys, logs: Mapping) -> list[str]:
    if keys is None:
        return []
    if isinstance(keys, str) or not isinstance(keys, Sequence):
        raise TypeError(f"keys must be a list of history names such as ['mae']. Received: keys={keys!r}")
    for key in keys:
        if key not in logs:
            raise _checks.unknown_name("history key", key, logs)
    return [key for key in keys if key not in ("loss", "val_loss")]


