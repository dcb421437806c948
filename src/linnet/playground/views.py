"""The numbers the page draws, from one :class:`~linnet.playground.run.Run`: plain lists, ready for JSON.

- ``data``: up to ``MAX_POINTS`` rows and the neuron's and the least-squares lines (one feature); with more
  features, each row's least-squares fit and the neuron's prediction, to draw against the actual ``y``;
- ``losses``: the loss and validation loss per epoch and the least-squares loss (MSE on the training rows);
- ``landscape``: the MSE over (slope, intercept) on a ``GRID`` × ``GRID`` grid around the optimum and the path,
  from :class:`~linnet.exact.surface.LossSurface`. With two or more features it is the MSE over the first two
  slopes with the intercept (and any other slope) at its best for them: ``gap = Δcᵀ S Δc`` over those two.
Non-finite numbers (a diverged run) become ``None`` (JSON ``null``).
"""

from __future__ import annotations

import math

import numpy as np

from .run import Run

MAX_POINTS = 1_000
GRID = 61
PATH_REACH = 10.0
"""The window holds the path while its gap to the optimum is at most ``PATH_REACH`` times the first point's."""


def finite(values) -> list:
    """``values`` as a (nested) list of floats, with NaN and ±inf as None."""
    array = np.asarray(values, dtype=np.float64)
    out = array.astype(object)
    out[~np.isfinite(array)] = None
    return out.tolist()


def data_view(run: Run) -> dict:
    """The rows (every ``k``-th, at most ``MAX_POINTS``) and the two fits to draw over them."""
    x, y = run.task.x, run.task.y
    step = max(1, math.ceil(len(y) / MAX_POINTS))
    coef, intercept = run.model.network.affine()
    optimum = run.surface.optimum
    view = {"feature_names": run.task.feature_names, "target_name": run.task.target_name,
            "n_rows": len(y), "n_train": len(run.y_train), "every": step, "y": finite(y[::step])}
    if x.shape[1] == 1:
        ends = np.array([x.min(), x.max()])
        view.update(x=finite(x[::step, 0]), ends=finite(ends), neuron=finite(ends * coef[0] + intercept),
                    least_squares=finite(ends * optimum.coef_[0] + optimum.intercept_))
    else:
        view.update(neuron=finite(x[::step] @ coef + intercept),
                    least_squares=finite(x[::step] @ optimum.coef_ + optimum.intercept_))
    return view


def losses_view(run: Run) -> dict:
    """Loss per epoch (and validation loss) beside the least-squares MSE of the training rows."""
    logs = run.history.history if run.history is not None else {}
    return {"loss": finite(logs.get("loss", [])), "val_loss": finite(logs.get("val_loss", [])),
            "least_squares": float(run.surface.mse_min)}


def landscape_view(run: Run) -> dict:
    """The MSE grid, the path and the optimum, over (slope, intercept) or the first two slopes."""
    surface, optimum = run.surface, run.surface.optimum
    pairs = run.task.x.shape[1] > 1
    coef, intercept = run.path.coef.reshape(len(run.path.intercept), -1), run.path.intercept
    if pairs:
        points, centre = coef[:, :2], optimum.coef_[:2]
        axes = [f"slope of {name}" for name in run.task.feature_names[:2]]
    else:
        points, centre = np.column_stack([coef[:, 0], intercept]), np.array([optimum.coef_[0], optimum.intercept_])
        axes = [f"slope ({run.task.feature_names[0]})", "intercept"]
    low, high = _window(points, centre, _gaps(surface, points, pairs))
    u, v = np.linspace(low[0], high[0], GRID), np.linspace(low[1], high[1], GRID)
    grid_u, grid_v = np.meshgrid(u, v)
    gap = _gaps(surface, np.column_stack([grid_u.ravel(), grid_v.ravel()]), pairs).reshape(GRID, GRID)
    return {"axes": axes, "u": finite(u), "v": finite(v), "gap": finite(gap), "least_squares": surface.mse_min,
            "optimum": finite(centre), "path": [finite(point) for point in points]}


def _gaps(surface, points: np.ndarray, pairs: bool) -> np.ndarray:
    """``mse - mse*`` at (slope, intercept) points, or at (slope₁, slope₂) with the rest at its best."""
    with np.errstate(all="ignore"):  # a diverged path's inf and NaN points get an inf or NaN gap, left out
        return _gap_formula(surface, points, pairs)


def _gap_formula(surface, points: np.ndarray, pairs: bool) -> np.ndarray:
    if not pairs:
        return surface.gap(points[:, :1], points[:, 1])
    step = points - surface.optimum.coef_[:2]
    return np.einsum("ki,ij,kj->k", step, surface.cov_x[:2, :2], step)


def _window(points: np.ndarray, centre: np.ndarray, gaps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A box around the optimum and the path, leaving out where a diverging path runs off."""
    keep = np.isfinite(gaps) & (gaps <= PATH_REACH * (gaps[0] if len(gaps) and np.isfinite(gaps[0]) else np.inf))
    shown = np.vstack([centre, points[keep]]) if keep.any() else centre[None]
    low, high = shown.min(axis=0), shown.max(axis=0)
    span = np.maximum(high - low, 1e-3 * np.maximum(1.0, np.abs(centre)))
    return low - 0.15 * span, high + 0.15 * span
