"""Pictures only linnet can draw: training seen against the exact answer.

:func:`landscape` draws the MSE over (slope, intercept) of a one-feature model as contours, the path a
:class:`~linnet.callbacks.ParameterHistory` recorded on it, and the least-squares optimum. :func:`gap` draws,
for any model, how far above the optimum's MSE each epoch ended, on a log scale. For a regularized model both
measure Keras' loss, MSE + penalty, and its penalized optimum (:mod:`linnet.exact.penalized`). Both are re-exported by
:mod:`linnet.plot` and follow its conventions (``ax=``, a :class:`~linnet.plot.Drawn` back, no ``plt.show()``).

The MSE of any parameters comes in closed form from the data's least-squares state
(:class:`linnet.exact.surface.LossSurface`); this module only draws it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import boolean, float32_values, real_number
from ..diagnostics.penalty import model_penalty
from ..engine.callbacks import ParameterHistory
from ..engine.network import built_network
from ..exact.state import LeastSquaresState
from ..exact.surface import LossSurface
from ._common import axes_or_new, history_dict, set_labels, xy_names
from ._inset import free_corners, zoom_inset
from .figures import Drawn

__all__ = ["gap", "landscape"]

_GRID_POINTS = 241
_DEEPEST_LEVEL = 1e-6
"""The lowest contour sits this fraction of the highest one above the least-squares MSE."""
_SMALLEST_WINDOW = 0.01
"""Without a path to frame, the grid shows the models within this fraction of var(y) of the optimum's MSE."""
_ARROWS = 6
"""Arrowheads along the path (the first one sits at the start marker and is skipped)."""
_MARKED_POINTS = 300
"""Paths with more recorded points than this (every="batch") are drawn as a plain line, without a dot each."""
_GAP_FLOOR = 1e-12
"""Gaps below this fraction of var(y) are drawn at it, so a log scale can show them."""
_SPAN_MAX = 1e6
"""The widest margin: beyond it the path is an invisible dot, and the squared parameters can overflow (1e300)."""


def landscape(model, x: Any, y: Any, *, path: ParameterHistory | None = None, ax=None,
              feature_name: str | None = None, target_name: str | None = None, levels: int = 30,
              span: float = 0.25, zoom: bool = True) -> Drawn:
    """The MSE over (slope, intercept) of a one-feature model, the optimizer's path and the optimum.

    Contours are spaced geometrically above the least-squares MSE (``levels`` of them, the lowest a millionth
    of the highest's height above it): the valley of unscaled data is long and narrow, and evenly spaced
    levels would leave its floor, where training spends its time, empty. The dashed line is the valley's
    axis (the bowl's flattest direction, through the optimum). The grid covers the optimum, the model's
    current parameters and ``path`` (a :class:`~linnet.callbacks.ParameterHistory` recorded during ``fit``),
    with a margin of ``span`` (0 to 10⁶) times their extent on every side. With ``zoom``, when the second half of the
    path is drawn smaller than a twentieth of the axes, an inset magnifies it (same contours, same
    directions) right of the main axes, clear of the data, and points the way to the optimum.

    Artists: ``"contours"`` (a ``QuadContourSet`` whose values are MSEs), ``"valley"``, ``"path"`` (the
    recorded parameters, first to last, or ``None`` without ``path``), ``"start"`` (its first point, or
    ``None``), ``"model"`` (the model's current parameters), ``"optimum"`` (the least-squares star) and
    ``"zoom"`` (the inset Axes, or ``None``). For a regularized model the surface is Keras' loss, MSE + penalty,
    and the star its penalized optimum; the title and labels say so.
    """
    xs, ys, (feature,), target = _one_feature(x, y, feature_name, target_name)
    _check_design(levels, span)
    zoom = boolean(zoom, "zoom")
    bowl = LossSurface(LeastSquaresState().update(xs, ys), model_penalty(built_network(model)))
    scene = _Scene(bowl, np.array([_model_coef(model, 1)[0], float(model.intercept_)]),
                   None if path is None else np.column_stack(_recorded(path, 1)),
                   None if path is None else path.epochs)
    window = _window(bowl, scene.points, span)
    ax = axes_or_new(ax)
    artists = scene.draw(ax, window, levels)
    artists["zoom"] = zoom_inset(ax, scene, window) if zoom else None
    set_labels(ax, f"slope ({target} per {feature})", f"intercept ({target})")
    what = ("MSE + penalty", "the penalized optimum's loss") if bowl.penalty else ("MSE", "the least-squares MSE")
    ax.set_title(f"{what[0]} of {target} on {feature}\ncontours log-spaced above {what[1]} {bowl.mse_min:.4g}",
                 fontsize="medium")
    ax.legend(loc=free_corners(ax, scene)[0], fontsize="small")
    return Drawn(ax, artists)


def gap(history_or_path, x: Any, y: Any, *, ax=None, model=None, exact=None) -> Drawn:
    """How far above the least-squares MSE training was, per epoch, on a log scale (for a regularized model,
    above its penalized optimum's loss, MSE + penalty, which its History logs).

    From a :class:`~linnet.callbacks.ParameterHistory` the gap is exact: the MSE on ``(x, y)`` of every
    recorded parameter set minus the optimum's, from epoch 0 (the starting weights) on. From a ``History``
    (or its ``.history`` dict) it is the logged epoch ``loss`` minus the optimum's MSE; that loss is a running
    mean of the batch losses taken before each update, so it lags the weights and may even dip below the
    optimum. It needs the model to have been trained on MSE (``model``, by default ``history.model``).
    Pass the rows the model was trained on (without a validation split). Gaps below ``1e-12 * var(y)`` are
    drawn at that floor; ``exact``, ``linnet.stats.ols(x, y)`` already solved, is reused. Artists: ``"gap"``.
    """
    xs, ys, _, _ = xy_names(x, y, None, None)
    recorded = isinstance(history_or_path, ParameterHistory)  # it checks its own parameters' features
    model, given = model if model is not None else getattr(history_or_path, "model", None), model is not None
    width = built_network(model).input_dim if (given or not recorded) and model is not None else xs.shape[1]
    if width != xs.shape[1]:
        raise ValueError(f"model must take x's {xs.shape[1]} feature(s). Received: a model of {width} feature(s)")
    penalty = model_penalty(model.network) if getattr(model, "network", None) is not None else None
    bowl = LossSurface(LeastSquaresState().update(xs, ys), penalty, least_squares=exact)
    optimum = "the penalized optimum's loss (MSE + penalty)" if penalty else "the least-squares MSE"
    loss = _loss_name(model)
    if recorded:
        epochs, values = history_or_path.epochs, bowl.gap(*_recorded(history_or_path, xs.shape[1]))
        label, title = "loss of the recorded parameters", f"exact gap to {optimum}"
        if loss not in (None, "mean_squared_error"):
            title += f"\n(trained on {loss}, whose optimum is not least squares')"
    else:
        if loss not in (None, "mean_squared_error"):
            raise ValueError(f"the History's loss is {loss}, so loss minus the least-squares MSE is no gap; "
                             f"record a ParameterHistory during fit and pass it instead.")
        logs = history_dict(history_or_path)
        if not len(logs.get("loss", ())):
            raise ValueError(f"history has no training 'loss' to compare with the least-squares MSE; its keys are "
                             f"{list(logs)}. Received: {history_or_path!r}")
        losses = np.asarray(logs["loss"], dtype=np.float64)
        epochs, values = np.arange(1, losses.size + 1), losses - bowl.mse_min
        label = "epoch loss (a running mean over its batches)"
        title = f"epoch loss minus {optimum}\n(the epoch loss is a running mean over its batches)"
    ax = axes_or_new(ax)
    (line,) = ax.plot(epochs, np.maximum(values, _GAP_FLOOR * bowl.scale), "-o", markersize=2.5,
                      label=f"{label}; last {values[-1]:.3g}")
    ax.set_yscale("log")
    set_labels(ax, "epoch", f"loss − {'penalized optimum' if penalty else 'least-squares MSE'} ({bowl.mse_min:.4g})")
    ax.set_title(title, fontsize="medium")
    ax.legend(fontsize="small")
    return Drawn(ax, {"gap": line})


def _one_feature(x, y, feature_name, target_name):
    xs, ys, features, target = xy_names(x, y, feature_name, target_name)
    float32_values(xs, "x", tiny=True)  # what the model can take; the bowl's curvature, x's variance, stays finite
    if xs.shape[1] != 1:
        raise ValueError(f"landscape() draws the MSE over (slope, intercept), so it needs one feature, but x has "
                         f"{xs.shape[1]} (shape {xs.shape}); plot.gap() draws the distance to the optimum for "
                         f"any number of features.")
    if np.ptp(xs) == 0:
        raise ValueError(f"x is constant ({xs[0, 0]!r} in every row), so every slope fits equally well and the "
                         f"MSE has no least-squares point to draw; landscape() needs x to vary.")
    return xs, ys, features, target


def _model_coef(model, n_features: int) -> np.ndarray:
    if not hasattr(model, "coef_") or not hasattr(model, "intercept_"):
        raise TypeError(f"model must be a linnet model (with coef_ and intercept_). Received: model={model!r}")
    coef = np.asarray(model.coef_, dtype=np.float64).reshape(-1)
    if coef.size != n_features:
        raise ValueError(f"model must have {n_features} feature(s) like x. Received: model={model!r} with coef_ {coef}")
    return coef


def _recorded(path, n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """The (coef (k, p), intercept (k,)) a ParameterHistory holds, checked against the data's features."""
    if not isinstance(path, ParameterHistory):
        raise TypeError(f"path must be a linnet.callbacks.ParameterHistory passed to fit(callbacks=[...]). "
                        f"Received: path={path!r}")
    if len(path) == 0 or path.coef.shape[1] != n_features:
        raise ValueError(f"path must hold parameters of a {n_features}-feature model recorded during fit. "
                         f"Received: path={path!r} with coef of shape {path.coef.shape}")
    return path.coef, path.intercept


def _loss_name(model) -> str | None:
    """The name of the loss ``model`` was compiled with (None when unknown)."""
    return getattr(getattr(model, "loss", None), "name", None)


def _check_design(levels: int, span: float) -> None:
    if isinstance(levels, bool) or not isinstance(levels, (int, np.integer)) or levels < 2:
        raise ValueError(f"levels must be an integer >= 2. Received: levels={levels!r}")
    real_number(span, "span", low=0.0, high=_SPAN_MAX)  # the margin as a fraction of the extent; wider cannot draw


def _window(bowl: LossSurface, points: np.ndarray, span: float) -> tuple[np.ndarray, np.ndarray]:
    """Grid slopes and intercepts covering ``points`` (rows of (slope, intercept)), with a margin."""
    low, high = points.min(axis=0), points.max(axis=0)
    centre = (low + high) / 2
    half = np.maximum((high - low) / 2, bowl.half_widths(_SMALLEST_WINDOW * bowl.scale)) * (1 + 2 * span)
    return tuple(np.linspace(c - h, c + h, _GRID_POINTS) for c, h in zip(centre, half))


def _heights(gaps: np.ndarray, count: int, from_lowest: bool) -> np.ndarray:
    """``count`` gaps spaced geometrically up to the highest of ``gaps``, from a millionth of it or (with
    ``from_lowest``) just above the lowest of ``gaps``, so that every level crosses the grid."""
    highest = float(gaps.max())
    bottom = highest * _DEEPEST_LEVEL
    if from_lowest:
        bottom = max(bottom, float(gaps.min()))
    return np.geomspace(bottom, highest, count + from_lowest)[int(from_lowest):]


class _Scene:
    """What a landscape shows, drawn on the main Axes and again on the zoom inset."""

    def __init__(self, bowl: LossSurface, now: np.ndarray, track: np.ndarray | None, epochs: np.ndarray | None):
        self.bowl, self.now, self.track, self.epochs = bowl, now, track, epochs
        self.optimum = np.array([bowl.optimum.coef_[0], bowl.optimum.intercept_])
        self.points = np.vstack([p for p in (track, now, self.optimum) if p is not None])
        self.optimum_name = "penalized optimum" if bowl.penalty else "least squares"  # what the star is

    def draw(self, ax, window, levels: int, from_lowest: bool = False) -> dict[str, Any]:
        """Contours of the MSE over ``window`` (slopes, intercepts), the valley axis, path, model and optimum."""
        import matplotlib.pyplot as plt
        slopes, intercepts = window
        grid_slope, grid_intercept = np.meshgrid(slopes, intercepts)
        gaps = self.bowl.gap(grid_slope[..., None], grid_intercept)
        heights = self.bowl.mse_min + _heights(gaps, levels, from_lowest)
        colors = plt.get_cmap("viridis")(np.linspace(0.0, 0.9, levels))
        artists = {"contours": ax.contour(grid_slope, grid_intercept, self.bowl.mse_min + gaps, levels=heights,
                                          colors=colors, linewidths=0.8)}
        (artists["valley"],) = ax.plot(slopes, self.bowl.valley(slopes), "--", color="grey", linewidth=1,
                                       label="valley axis")
        ax.set_xlim(slopes[0], slopes[-1])
        ax.set_ylim(intercepts[0], intercepts[-1])
        artists["path"] = artists["start"] = None
        if self.track is not None:
            artists.update(self._draw_path(ax))
        (artists["model"],) = ax.plot(*self.now, "o", color="C3", markersize=7, label="model now")
        (artists["optimum"],) = ax.plot(*self.optimum, "*", color="gold", markeredgecolor="black", markersize=16,
                                        label=self.optimum_name)
        return artists

    def _draw_path(self, ax) -> dict[str, Any]:
        track = self.track
        (line,) = ax.plot(track[:, 0], track[:, 1], "-o" if len(track) <= _MARKED_POINTS else "-", color="C3",
                          markersize=2.5, linewidth=1.2,
                          label=f"path, epochs {self.epochs[0]:g} to {self.epochs[-1]:g}")
        (start,) = ax.plot(*track[0], "o", color="C3", markerfacecolor="white", markersize=8,
                           markeredgewidth=1.5, label="start")
        for i in _arrow_steps(ax, track):
            ax.annotate("", xy=track[i + 1], xytext=track[i], arrowprops={
                "arrowstyle": "-|>", "color": "C3", "mutation_scale": 14, "shrinkA": 0, "shrinkB": 0})
        return {"path": line, "start": start}


def _arrow_steps(ax, track: np.ndarray) -> np.ndarray:
    """Steps of the path evenly spaced along its length inside ``ax`` (the first, at the start, left out)."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    fractions = (track - [x0, y0]) / [x1 - x0, y1 - y0]
    inside = ((fractions >= 0) & (fractions <= 1)).all(axis=1)
    lengths = np.hypot(*np.diff(fractions, axis=0).T) * (inside[:-1] & inside[1:])
    if lengths.sum() == 0:
        return np.array([], dtype=int)
    marks = np.searchsorted(np.cumsum(lengths) / lengths.sum(), np.linspace(0, 1, _ARROWS + 1)[1:])
    return np.unique(np.minimum(marks, len(lengths) - 1))
